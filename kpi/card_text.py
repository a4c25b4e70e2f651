"""The sentences a KPI card shows beside its big number, built from its report.

Pages draw these strings as they are; every figure in them comes from the
report, the delta or the forecast, formatted by ``kpi.formatting`` (no value
always reads "—").
"""

from __future__ import annotations

from kpi.compare import Delta
from kpi.evaluate import KpiReport
from kpi.formatting import NO_VALUE, format_change, format_fraction, format_value


def delta_text(delta: Delta | None, unit: str) -> str | None:
    """The change against the previous period: "+500 (+20.0%)".

    A rate changes in percentage points first: 2.0 % -> 2.5 % reads
    "+0.5 pp (+25.0%)". No percent when the base is 0 or missing (0 -> 10
    reads "+10"); None when either side has no value.
    """
    if delta is None or delta.absolute is None:
        return None
    text = format_change(delta.absolute, unit)
    if delta.percent is not None:
        text += f" ({delta.percent * 100:+.1f}%)"
    return text


def actual_caption(report: KpiReport) -> str:
    """What the big number covers: "Jan 1–Apr 30 2026 so far", "2026-W08"."""
    kind = report.kpi.target.kind
    if not report.actual_label:
        return ""
    if kind in ("total", "change") and report.target_value is not None:
        still_running = report.outcome is None and report.status != "not started"
        return report.actual_label + (" so far" if still_running else "")
    period = report.kpi.target.period or "period"
    partial = report.series.loc[report.series["label"] == report.actual_label]
    running = bool(len(partial)) and bool(partial["partial"].iloc[0])
    which = "current, unfinished" if running else "latest finished"
    return f"{report.actual_label} ({which} {period})"


def progress_text(report: KpiReport) -> str:
    """The line under a card's progress bar.

    "Progress 31.7% of target $1.20M"; for a per-period KPI, whose progress
    is its hit rate, "Hit rate 71.4% · target 2 in 2026-W13" (the target of
    the period the big number shows, pro-rated when the frame cuts it).
    """
    unit = report.metric.unit
    target = format_value(report.target_value, unit)
    if report.kpi.target.kind != "per_period":
        return f"Progress {format_fraction(report.progress)} of target {target}"
    text = f"Hit rate {format_fraction(report.progress)}"
    if report.actual_label:
        text += f" · target {target} in {report.actual_label}"
    return text


def pace_facts(report: KpiReport) -> list[str]:
    """Pace, and what is still needed (or, for a budget, still allowed) per
    day and week. A per-period KPI's hit rate is in ``progress_text``.

    Pace is left out once the time frame has ended: the outcome says it all.
    """
    unit = report.metric.unit
    facts = []
    if report.outcome is None:
        facts.append(f"Pace {format_fraction(report.pace)}")
    if report.needed_per_day is not None and report.needed_per_week is not None:
        # Under a lower-is-better total (a budget) what is left is an allowance.
        verb = "Needs" if report.metric.direction == "higher" else "Can still use"
        facts.append(
            f"{verb} {format_value(report.needed_per_day, unit)}/day "
            f"({format_value(report.needed_per_week, unit)}/week)"
        )
    return facts


def forecast_cell(report: KpiReport) -> str:
    """The forecast in a table cell: "$4.90M ($4.60M – $5.20M)"; per period,
    "97.0% of weeks pass"; "—" without a forecast."""
    forecast = report.forecast
    if forecast is None or forecast.projected is None:
        return NO_VALUE
    if report.kpi.target.kind == "per_period":
        period = report.kpi.target.period or "period"
        return f"{format_fraction(forecast.projected)} of {period}s pass"
    unit = report.metric.unit
    text = format_value(forecast.projected, unit)
    if forecast.low is None or forecast.high is None:
        return text
    low, high = format_value(forecast.low, unit), format_value(forecast.high, unit)
    return f"{text} ({low} – {high})"


def forecast_text(report: KpiReport) -> str | None:
    """The forecast in one line, or None when there is none to show.

    Total: "Forecast by 2026-12-31: $4.90M (80% band $4.60M – $5.20M); 62.0%
    chance of reaching $4.88M". Level: the value of the frame's last period.
    Per period: the share of periods expected to pass and the chance that
    every one does.
    """
    forecast = report.forecast
    if forecast is None or forecast.probability is None:
        return None
    unit = report.metric.unit
    goal = format_value(report.target_value, unit)
    chance = f"{format_fraction(forecast.probability)} chance"
    if report.kpi.target.kind == "per_period":
        period = report.kpi.target.period or "period"
        return (
            f"Forecast: {format_fraction(forecast.projected)} of {period}s pass; "
            f"{chance} that every {period} does"
        )
    band = ""
    if forecast.low is not None and forecast.high is not None:
        band = (
            f" (80% band {format_value(forecast.low, unit)} – "
            f"{format_value(forecast.high, unit)})"
        )
    return (
        f"Forecast by {report.kpi.end:%Y-%m-%d}: "
        f"{format_value(forecast.projected, unit)}{band}; {chance} of reaching {goal}"
    )
