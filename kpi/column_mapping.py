"""Which column of a dataset plays which part: the record a mapping is stored as."""

from __future__ import annotations

from dataclasses import asdict, dataclass
from typing import Any


@dataclass(frozen=True)
class ColumnMapping:
    """Which column of a dataset plays which part.

    ``team`` and ``person`` name dimension columns that own KPIs; both are
    optional and, when set, also appear in ``dimensions``.

    ``number_kinds`` pairs a number column with what its values mean:
    "running_total" or "snapshot"; a column not listed is "per_period"
    (``kpi.number_kinds``). ``decimal_comma`` reads every number column of the
    file with a decimal comma (True) or a decimal point (False); None decides
    per column from its values. It never applies to dates.
    """

    date: str
    dimensions: tuple[str, ...] = ()
    numbers: tuple[str, ...] = ()
    team: str | None = None
    person: str | None = None
    day_first: bool | None = None
    number_kinds: tuple[tuple[str, str], ...] = ()
    decimal_comma: bool | None = None

    def __post_init__(self) -> None:
        # One spelling per meaning: per-period columns are never listed and the
        # rest go by column name, so equal mappings compare (and store) equal.
        kinds = sorted(pair for pair in self.number_kinds if pair[1] != "per_period")
        object.__setattr__(self, "number_kinds", tuple(kinds))

    def number_kind(self, column: str) -> str:
        """What a value of ``column`` means; "per_period" unless listed."""
        return dict(self.number_kinds).get(column, "per_period")

    def to_dict(self) -> dict[str, Any]:
        data = asdict(self)
        data["dimensions"] = list(self.dimensions)
        data["numbers"] = list(self.numbers)
        # Left out at their defaults, so that a mapping stored before they
        # existed still equals the same mapping written now.
        del data["number_kinds"], data["decimal_comma"]
        if self.number_kinds:
            data["number_kinds"] = dict(self.number_kinds)
        if self.decimal_comma is not None:
            data["decimal_comma"] = self.decimal_comma
        return data

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> ColumnMapping:
        kinds = data.get("number_kinds") or {}
        return cls(
            date=data["date"],
            dimensions=tuple(data.get("dimensions") or ()),
            numbers=tuple(data.get("numbers") or ()),
            team=data.get("team"),
            person=data.get("person"),
            day_first=data.get("day_first"),
            number_kinds=tuple((str(name), str(kind)) for name, kind in kinds.items()),
            decimal_comma=data.get("decimal_comma"),
        )
