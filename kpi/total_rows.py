"""Total and subtotal lines that hand-made sheets add below their rows.

Goalpost adds rows up itself, so a "Total" line stored with the rest would
count every amount twice. A cell marks its row as a total when, ignoring case
and a trailing colon, it reads "Total", "Totals", "Grand total", "Subtotal"
or "Sum", alone or with a short label before or after it: "Total East",
"East Total", "Subtotal: North", "TOTAL:". "Totally new" or "Summer" do not.
"""

from __future__ import annotations

import re

import numpy as np
import pandas as pd

_TOTAL_WORD = r"(?:grand[\s-]*total|sub[\s-]*totals?|totals?|sum)"
# A label of one to three words, so that sentences never read as totals.
_LABEL = r"[^\s:]+(?:\s+[^\s:]+){0,2}"
_TOTAL_CELL = re.compile(
    rf"{_TOTAL_WORD}(?:\s*:?\s+{_LABEL}|\s*:\s*{_LABEL})?"
    rf"|{_LABEL}\s+{_TOTAL_WORD}",
    re.IGNORECASE,
)


def reads_as_total(value: object) -> bool:
    """True when ``value`` is text that labels a total or subtotal line."""
    if not isinstance(value, str):
        return False
    text = value.strip().removesuffix(":").strip()
    return _TOTAL_CELL.fullmatch(text) is not None


def total_mask(values: pd.Series) -> pd.Series:
    """True for each cell of ``values`` that ``reads_as_total``."""
    codes, uniques = pd.factorize(values.to_numpy(dtype=object))
    found = np.array([*(reads_as_total(value) for value in uniques), False])
    return pd.Series(found[codes], index=values.index, dtype=bool)
