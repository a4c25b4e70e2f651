"""How numbers read on a page: one place for units, rounding and "no value".

Every function returns text; ``None`` and NaN always read as an em dash, never
as "nan", "inf" or 0.
"""

from __future__ import annotations

import math

NO_VALUE = "—"


def is_missing(value: float | None) -> bool:
    """True for None, NaN and infinities: values a page must show as —."""
    return value is None or not math.isfinite(value)


def format_value(value: float | None, unit: str, currency: str = "$") -> str:
    """A metric value in its unit.

    >>> format_value(1234.5, "currency")
    '$1,234.50'
    >>> format_value(0.0345, "percent")
    '3.5%'
    >>> format_value(7.5, "duration")
    '7.5 h'
    """
    if is_missing(value):
        return NO_VALUE
    assert value is not None
    if unit == "percent":
        return f"{value * 100:.1f}%"
    if unit == "duration":
        return f"{value:,.1f} h"
    if unit == "currency":
        sign = "-" if value < 0 else ""
        return f"{sign}{currency}{_plain(abs(value), money=True)}"
    return _plain(value, money=False)


def format_fraction(value: float | None) -> str:
    """A progress, pace or hit rate: 0.963 → '96.3%'."""
    if is_missing(value):
        return NO_VALUE
    assert value is not None
    return f"{value * 100:.1f}%"


def format_change(value: float | None, unit: str, currency: str = "$") -> str:
    """A signed difference in the metric's unit: '+500', '-$12.30', '+1.2 pp'."""
    if is_missing(value):
        return NO_VALUE
    assert value is not None
    sign = "+" if value >= 0 else "-"
    if unit == "percent":
        return f"{sign}{abs(value) * 100:.1f} pp"
    return sign + format_value(abs(value), unit, currency)


def _plain(value: float, money: bool) -> str:
    if abs(value) >= 1_000_000:
        return f"{value / 1_000_000:,.2f}M"
    if abs(value) >= 10_000 or (float(value).is_integer() and not money):
        return f"{value:,.0f}"
    if money:
        return f"{value:,.2f}"
    return f"{value:,.2f}".rstrip("0").rstrip(".")


def figure_step(value: float, figures: int = 3) -> float:
    """The place value of the last of ``figures`` significant figures of a
    non-zero ``value``: 0.01 for 1.23, 100 for 12,345, 0.0001 for -0.0456."""
    return float(10.0 ** (math.floor(math.log10(abs(value))) - (figures - 1)))
