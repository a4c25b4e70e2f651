"""The SMART check drawn: five ticks with their reasons, or one compact line."""

import streamlit as st

from kpi.smart import SmartCheck, SmartTick
from pages import common


def tick_line(tick: SmartTick) -> str:
    """Markdown for one tick: ✓ or ✗, its name and verdict, then the reason."""
    icon = "✓" if tick.passed else "✗"
    colour = "red" if not tick.passed else "orange" if tick.caution else "green"
    reason = common.plain(tick.reason)
    return f":{colour}[{icon} **{tick.name}** · {tick.verdict}] — {reason}"


def smart_letters(check: SmartCheck) -> str:
    """Plain text for a table cell: "✓S ✓M ✓A ✗R ✓T"."""
    return " ".join(
        f"{'✓' if tick.passed else '✗'}{tick.name[0]}" for tick in check.ticks
    )


def show_ticks(check: SmartCheck) -> None:
    """All five ticks, one line each; a failing check also says it may be saved."""
    for tick in check.ticks:
        st.markdown(tick_line(tick))
    if not check.passed:
        st.warning(
            f"{check.summary()} The KPI can be saved as it is; the failed checks "
            "stay shown here and on its KPI page until they are mended.",
            icon=":material/rule:",
        )


def show_compact(check: SmartCheck) -> None:
    """The five letters on one line, with the reason of each failed or cautious tick."""
    letters = " ".join(
        f":{'green' if tick.passed else 'red'}[{'✓' if tick.passed else '✗'} "
        f"{tick.name}]"
        for tick in check.ticks
    )
    st.markdown(f"**SMART** {letters}")
    for tick in check.ticks:
        if not tick.passed or tick.caution:
            st.caption(f"{tick.name}, {tick.verdict}: {common.plain(tick.reason)}")
