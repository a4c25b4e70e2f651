"""Progress, pace and status from plain numbers (DESIGN.md rules 2-4).

Nothing here reads data: ``kpi.evaluate`` fetches the figures and these
functions judge them. Every judgement carries a sentence that says how its
status was decided, with the figures. A zero denominator never raises and
never gives infinity: it gives ``None`` ("no value").
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass, replace
from datetime import date

from kpi.formatting import format_fraction, format_value


@dataclass(frozen=True)
class Timeline:
    """A KPI's time frame ``start``..``end`` (both inclusive) seen on ``today``.

    Data is taken as complete through ``today``, so today counts as elapsed:
    on 30 April the calendar year 2026 has 120 of 365 days elapsed and 245
    remaining. The frame has ended once ``today`` reaches its last day.
    """

    start: date
    end: date
    today: date

    @property
    def total_days(self) -> int:
        return (self.end - self.start).days + 1

    @property
    def elapsed_days(self) -> int:
        days = (self.today - self.start).days + 1
        return min(max(days, 0), self.total_days)

    @property
    def remaining_days(self) -> int:
        return self.total_days - self.elapsed_days

    @property
    def share(self) -> float:
        return self.elapsed_days / self.total_days

    @property
    def not_started(self) -> bool:
        return self.today < self.start

    @property
    def ended(self) -> bool:
        return self.today >= self.end

    @property
    def elapsed_end(self) -> date:
        """The last elapsed day: ``today`` capped to the end of the frame."""
        return min(self.today, self.end)


@dataclass(frozen=True)
class Judgement:
    """What a KPI's figures amount to; ``None`` everywhere means "no value"."""

    status: str
    outcome: str | None = None
    progress: float | None = None
    pace: float | None = None
    expected_to_date: float | None = None
    needed_per_day: float | None = None
    hit_rate: float | None = None
    explanation: str = ""


def safe_ratio(numerator: float | None, denominator: float | None) -> float | None:
    """``numerator / denominator``, or None when either is missing or it is not finite.

    ``safe_ratio(3, 4)`` is 0.75; ``safe_ratio(3, 0)`` and ``safe_ratio(None, 4)``
    are None.
    """
    if numerator is None or denominator is None or denominator == 0:
        return None
    if math.isnan(numerator) or math.isnan(denominator):
        return None
    ratio = numerator / denominator
    return ratio if math.isfinite(ratio) else None


def meets(value: float, target: float, direction: str) -> bool:
    """True when ``value`` reaches ``target``: >= when higher is better, else <=."""
    return value >= target if direction == "higher" else value <= target


def pace_ratio(actual: float, expected: float, direction: str) -> float | None:
    """How far ahead of plan: actual / expected; expected / actual if lower is better.

    Spending 40,000 where 32,877 was planned gives 32,877 / 40,000 = 82.2 %.
    None when the denominator is 0.
    """
    if direction == "higher":
        return safe_ratio(actual, expected)
    return safe_ratio(expected, actual)


def level_progress(
    current: float, baseline: float | None, target: float
) -> float | None:
    """The way covered from ``baseline`` to ``target`` (rule 2, level).

    (current − baseline) / (target − baseline), which is the same number as
    (baseline − current) / (baseline − target) for lower-is-better metrics:
    resolution time from 12 h towards 3 h, now 7.5 h -> 4.5 / 9 = 50 %.
    None when there is no baseline or it equals the target.
    """
    if baseline is None:
        return None
    return safe_ratio(current - baseline, target - baseline)


def status_from_pace(pace: float, at_risk_pace: float) -> str:
    """on track at 100 % or more, at risk from ``at_risk_pace``, else off track."""
    if pace >= 1:
        return "on track"
    if pace >= at_risk_pace:
        return "at risk"
    return "off track"


def not_started(timeline: Timeline) -> Judgement:
    return Judgement("not started", explanation=f"Starts on {timeline.start:%Y-%m-%d}.")


def no_data(timeline: Timeline, reason: str = "") -> Judgement:
    """The "no data" judgement; ``reason`` replaces the default sentence."""
    sentence = reason or (
        f"No data between {timeline.start:%Y-%m-%d} and "
        f"{timeline.elapsed_end:%Y-%m-%d}."
    )
    return Judgement("no data", explanation=sentence)


def ended(met: bool, progress: float | None, sentence: str) -> Judgement:
    """The binary outcome once the time frame is over."""
    status, outcome = ("achieved", "passed") if met else ("missed", "failed")
    return Judgement(status, outcome, progress, explanation=f"{sentence}: {status}.")


def judge_total(
    actual: float | None,
    target: float,
    *,
    direction: str,
    timeline: Timeline,
    expected_share: float,
    at_risk_pace: float,
    unit: str = "number",
) -> Judgement:
    """Judge a total target (rule 2-4).

    progress = actual / target; expected-to-date = target × ``expected_share``
    (the elapsed share, or last year's share with seasonal pacing); pace =
    actual / expected, reversed when lower is better. Worked value: 380,000 of
    1,200,000 after 120 of 365 days: expected 394,520.55, pace 96.3 % -> at
    risk; 820,000 still needed over 245 days = 3,346.94 a day. A higher-is-
    better total is achieved as soon as it is met; a lower-is-better one (a
    budget) only when the frame ends within it. A zero target gives "no data".
    """
    if timeline.not_started:
        return not_started(timeline)
    if actual is None:
        return no_data(timeline)
    shown = format_value(actual, unit)
    progress = safe_ratio(actual, target)
    if progress is None:
        return no_data(
            timeline,
            f"The target is 0, so progress cannot be measured; {shown} so far.",
        )

    goal = format_value(target, unit)
    so_far = f"{shown} of {goal} ({format_fraction(progress)})"
    met = meets(actual, target, direction)
    if timeline.ended:
        return ended(met, progress, f"The time frame ended at {so_far}")
    if met and direction == "higher":
        return Judgement(
            "achieved",
            None,
            progress,
            explanation=f"Reached {so_far} before the end: achieved.",
        )

    expected = target * expected_share
    pace = pace_ratio(actual, expected, direction)
    # A zero denominator means nothing was expected or nothing used yet: ahead.
    status = "on track" if pace is None else status_from_pace(pace, at_risk_pace)
    needed = safe_ratio(target - actual, timeline.remaining_days)
    if needed is not None and needed < 0:
        needed = None
    days = f"after {timeline.elapsed_days} of {timeline.total_days} days"
    sentence = (
        f"{so_far} {days}; {format_value(expected, unit)} expected by now, so "
        f"pace is {format_fraction(pace)}: {status}{_threshold(status, at_risk_pace)}."
    )
    return Judgement(
        status, None, progress, pace, expected, needed, explanation=sentence
    )


def judge_per_period(
    judged: Sequence[float | None],
    target: float,
    *,
    direction: str,
    timeline: Timeline,
    at_risk_pace: float,
    has_data: bool,
    period: str = "period",
    unit: str = "number",
    current_pace: float | None = None,
    bucket_targets: Sequence[float] | None = None,
) -> Judgement:
    """Judge a per-period target: each finished bucket passes or fails on its own.

    ``judged`` holds the values of the finished buckets in order; None means
    the bucket has no value and is not judged. ``bucket_targets``, aligned
    with ``judged``, gives each bucket its own target (a pro-rated or planned
    one); without it every bucket must reach ``target``. hit rate = passed /
    judged, and it is both the progress and the pace. At the end the KPI
    passes only if every judged bucket passed. While no bucket has finished,
    ``current_pace`` (the unfinished bucket against its pro-rated target)
    decides the status. A zero target gives "no data".
    """
    if timeline.not_started:
        return not_started(timeline)
    if not has_data:
        return no_data(timeline)
    if target == 0:
        return no_data(
            timeline, f"The target is 0 per {period}, so progress cannot be measured."
        )

    goals = (
        list(bucket_targets) if bucket_targets is not None else [target] * len(judged)
    )
    # A bucket without a value, or without a target of its own, is not judged.
    pairs = [
        (value, goal)
        for value, goal in zip(judged, goals, strict=True)
        if value is not None and not math.isnan(goal)
    ]
    untargeted = sum(value is not None for value in judged) - len(pairs)
    if untargeted and not pairs:
        return no_data(
            timeline,
            f"{untargeted} finished {period}(s) have no target in the target "
            "table, so none can be judged.",
        )
    passed = sum(meets(value, goal, direction) for value, goal in pairs)
    hit_rate = safe_ratio(passed, len(pairs))
    same = all(goal == target for _, goal in pairs)
    reached = (
        f"reached {format_value(target, unit)}" if same else "reached their target"
    )
    count = (
        f"{passed} of {len(pairs)} finished {period}s {reached} "
        f"({format_fraction(hit_rate)})"
    )
    if untargeted:
        count += f", {untargeted} without a planned target left out"
    if timeline.ended:
        met = bool(pairs) and passed == len(pairs)
        judgement = ended(met, hit_rate, f"The time frame ended with {count}")
        return replace(judgement, hit_rate=hit_rate)

    if hit_rate is None:
        if current_pace is None:
            return no_data(timeline, f"No {period} has finished yet.")
        status = status_from_pace(current_pace, at_risk_pace)
        sentence = (
            f"No {period} has finished yet; the current one is at "
            f"{format_fraction(current_pace)} of its target so far: {status}."
        )
        return Judgement(status, pace=current_pace, explanation=sentence)

    status = status_from_pace(hit_rate, at_risk_pace)
    sentence = f"{count}: {status}{_threshold(status, at_risk_pace)}."
    return Judgement(
        status, None, hit_rate, hit_rate, hit_rate=hit_rate, explanation=sentence
    )


def judge_level(
    current: float | None,
    baseline: float | None,
    target: float,
    *,
    direction: str,
    timeline: Timeline,
    at_risk_pace: float,
    unit: str = "number",
    current_label: str = "the latest period",
    provisional: bool = False,
    elapsed_share: float | None = None,
) -> Judgement:
    """Judge a level target: the latest value must reach ``target``.

    progress = level_progress(current, baseline, target); expected progress is
    the elapsed share of the frame (``elapsed_share``: by the end of the
    judged period, else today) and pace = progress / that share, never
    below 0 (a value further from the target than the baseline is simply off
    track). Met as soon as a finished period reaches the target; a
    ``provisional`` value (the period still running) that already meets it is
    on track, not achieved. A baseline that already meets the target leaves
    no way to cover: progress is 100 % when the target is met, else none, and
    the KPI is off track. Baseline 12 h, target 3 h, current 7.5 h with 40 %
    of the frame gone: progress 50 %, pace 125 % -> on track.
    """
    if timeline.not_started:
        return not_started(timeline)
    if current is None:
        return no_data(timeline)

    shown = f"{current_label} is {format_value(current, unit)}"
    goal = f"against a target of {format_value(target, unit)}"
    met = meets(current, target, direction)
    progress = level_progress(current, baseline, target)
    if baseline is not None and meets(baseline, target, direction):
        progress = 1.0 if met else None
    if timeline.ended:
        lowered = shown[:1].lower() + shown[1:]
        return ended(met, progress, f"At the end, {lowered} {goal}")
    if met and provisional:
        sentence = (
            f"{shown}, already meeting the target of {format_value(target, unit)}; "
            "it counts once the period ends: on track."
        )
        return Judgement("on track", None, progress, explanation=sentence)
    if met:
        return Judgement(
            "achieved",
            None,
            progress,
            explanation=f"{shown}, meeting the target of "
            f"{format_value(target, unit)}: achieved.",
        )
    if progress is None and baseline is not None and baseline != target:
        sentence = (
            f"{shown} {goal}; the baseline {format_value(baseline, unit)} already "
            "met it, so the value has fallen back past the target: off track."
        )
        return Judgement("off track", explanation=sentence)
    if progress is None:
        return no_data(
            timeline,
            f"{shown} {goal}, but the baseline equals the "
            "target, so progress cannot be measured.",
        )

    share = timeline.share if elapsed_share is None else elapsed_share
    pace = max(progress, 0.0) / share
    status = status_from_pace(pace, at_risk_pace)
    sentence = (
        f"{shown} {goal} from a baseline of {format_value(baseline, unit)}: "
        f"{format_fraction(progress)} of the way with "
        f"{format_fraction(share)} of the time gone, so pace is "
        f"{format_fraction(pace)}: {status}{_threshold(status, at_risk_pace)}."
    )
    return Judgement(status, None, progress, pace, explanation=sentence)


def _threshold(status: str, at_risk_pace: float) -> str:
    limit = format_fraction(at_risk_pace)
    return {
        "on track": " (100% or more)",
        "at risk": f" ({limit} or more, below 100%)",
        "off track": f" (below {limit})",
    }.get(status, "")
