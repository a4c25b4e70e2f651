"""Seeded generator of Goalpost's sample workspace: four daily datasets.

``generate(end)`` returns one frame per team spreadsheet (marketing, sales,
support, product), each with one row per day and person over the ``days``
days that end on ``end``. The numbers have the shapes real teams see: quiet
weekends, a growth trend, a yearly season, noise, and a sales funnel whose
stages convert at believable rates. The same ``(end, days, seed)`` always
gives the same frames.

Run ``python data/sample/generate.py FOLDER`` to write them as CSV files.
"""

from __future__ import annotations

import argparse
from datetime import date, timedelta
from pathlib import Path

import numpy as np
import pandas as pd

MARKETING_PEOPLE = {
    "Ana Ruiz": "organic",
    "Dev Patel": "organic",
    "Ben Carter": "paid",
    "Chloe Dubois": "social",
}
SALES_PEOPLE = {
    "Maya Chen": "Sales East",
    "Tom Becker": "Sales East",
    "Priya Nair": "Sales East",
    "Luis Ortega": "Sales West",
    "Sara Kim": "Sales West",
    "Jonas Weber": "Sales West",
}
SUPPORT_PEOPLE = (
    "Fatima Zahra",
    "Leo Rossi",
    "Nina Holm",
    "Omar Haddad",
    "Rita Gomes",
    "Yuki Sato",
)

# Yearly growth of each team's volume; revenue's lands a little under +20 %.
REVENUE_GROWTH = 1.17
TRAFFIC_GROWTH = 1.25
TICKET_GROWTH = 1.08
USER_GROWTH = 1.35

# Funnel rates of DESIGN.md's sample: calls -> meetings -> opportunities -> won.
MEETING_RATE = 0.12
OPPORTUNITY_RATE = 0.40
WIN_RATE = 0.25
MEAN_DEAL_SIZE = 11_000.0


class _Calendar:
    """The days of the window, repeated once per person (date-major order)."""

    def __init__(self, end: date, days: int, people: int) -> None:
        first = end - timedelta(days=days - 1)
        self.days = pd.date_range(first, end, freq="D")
        self.people = people
        day_dates = np.repeat(self.days.to_numpy(), people)
        self.dates = pd.DatetimeIndex(day_dates)
        self.size = len(self.dates)
        # Years before ``end``: 0 on the last day, -2 two years earlier.
        self.years = (self.dates - pd.Timestamp(end)).days.to_numpy() / 365.25
        self.weekend = self.dates.day_of_week.to_numpy() >= 5
        self.person_index = np.tile(np.arange(people), len(self.days))

    def season(self, amplitude: float, peak_day: int) -> np.ndarray:
        """A yearly wave around 1 that peaks on day ``peak_day`` of the year."""
        day_of_year = self.dates.day_of_year.to_numpy()
        angle = 2 * np.pi * (day_of_year - peak_day) / 365.25
        return 1 + amplitude * np.cos(angle)

    def trend(self, growth_per_year: float) -> np.ndarray:
        return growth_per_year**self.years

    def per_person(self, values: list[float]) -> np.ndarray:
        return np.asarray(values, dtype=float)[self.person_index]


def generate(end: date, days: int = 730, seed: int = 7) -> dict[str, pd.DataFrame]:
    """The four sample datasets, ``days`` days of daily rows ending on ``end``.

    Keys are "marketing", "sales", "support" and "product"; every frame has a
    ``date``, ``team`` and ``person`` column followed by its numbers.
    """
    rng = np.random.default_rng(seed)
    return {
        "marketing": _marketing(end, days, rng),
        "sales": _sales(end, days, rng),
        "support": _support(end, days, rng),
        "product": _product(end, days, rng),
    }


def _marketing(end: date, days: int, rng: np.random.Generator) -> pd.DataFrame:
    cal = _Calendar(end, days, len(MARKETING_PEOPLE))
    channels = np.array(list(MARKETING_PEOPLE.values()))[cal.person_index]
    organic = channels == "organic"
    weekday_factor = np.where(cal.weekend, 0.6, 1.0)
    growth = cal.trend(TRAFFIC_GROWTH) * cal.season(0.08, peak_day=75)

    blog_posts = _blog_posts(cal, rng, writers=organic)
    organic_sessions = np.where(
        organic,
        rng.poisson(650 * weekday_factor * growth * cal.per_person([1.1, 0.9, 0, 0])),
        0,
    )

    spend_level = np.select(
        [channels == "paid", channels == "social"],
        [np.where(cal.weekend, 150.0, 420.0), np.full(cal.size, 160.0)],
        0.0,
    )
    ad_spend = np.round(spend_level * rng.gamma(20, 1 / 20, cal.size), 2)
    cost_per_click = np.where(channels == "social", 0.9, 1.6)
    paid_visits = rng.poisson(ad_spend / cost_per_click)
    landing_page_visits = np.where(
        organic, rng.poisson(0.1 * organic_sessions), paid_visits
    )

    # Conversion improves from about 3.5 % two years before ``end`` to 4.5 %.
    conversion = np.clip(0.045 + 0.005 * cal.years, 0.01, None)
    landing_page_conversions = rng.binomial(landing_page_visits, conversion)
    other_leads = rng.poisson(np.where(organic, 1.2, 0.3) * weekday_factor)
    leads = landing_page_conversions + other_leads

    return pd.DataFrame(
        {
            "date": cal.dates,
            "team": "Marketing",
            "person": np.array(list(MARKETING_PEOPLE))[cal.person_index],
            "channel": channels,
            "blog_posts": blog_posts,
            "organic_sessions": organic_sessions,
            "landing_page_visits": landing_page_visits,
            "landing_page_conversions": landing_page_conversions,
            "leads": leads,
            "ad_spend": ad_spend,
        }
    )


def _blog_posts(
    cal: _Calendar, rng: np.random.Generator, writers: np.ndarray
) -> np.ndarray:
    """About two posts a week, on weekdays, by the organic writers; some weeks none."""
    weeks = cal.days.to_period("W-SUN")
    week_codes, week_index = np.unique(weeks.asi8, return_inverse=True)
    per_week = rng.choice([0, 1, 2, 2, 2, 3], size=len(week_codes))

    posts = np.zeros(cal.size, dtype=np.int64)
    day_of_week = cal.days.day_of_week.to_numpy()
    writer_slots = np.flatnonzero(writers[: cal.people])
    for week, count in enumerate(per_week):
        weekdays = np.flatnonzero((week_index == week) & (day_of_week < 5))
        if count == 0 or len(weekdays) == 0:
            continue
        chosen = rng.choice(weekdays, size=count, replace=True)
        authors = rng.choice(writer_slots, size=count, p=[0.7, 0.3])
        np.add.at(posts, chosen * cal.people + authors, 1)
    return posts


def _sales(end: date, days: int, rng: np.random.Generator) -> pd.DataFrame:
    cal = _Calendar(end, days, len(SALES_PEOPLE))
    skill = cal.per_person([1.15, 0.95, 0.9, 1.1, 1.0, 0.85])
    # Quiet in August and over the holidays, busiest in spring and autumn.
    season = cal.season(0.05, peak_day=100) * np.where(
        cal.dates.month.isin([8, 12]), 0.9, 1.0
    )
    workload = np.where(cal.weekend, 0.04, 1.0) * cal.trend(REVENUE_GROWTH) * season

    calls_expected = 24 * workload * skill
    calls = rng.poisson(calls_expected)
    emails_sent = rng.poisson(38 * workload)
    meetings = rng.binomial(
        calls, MEETING_RATE * cal.per_person([1.05, 1, 0.95, 1.1, 1, 0.9])
    )
    opportunities = rng.binomial(meetings, OPPORTUNITY_RATE)
    # Deals close from older opportunities, at a steady rate per rep, which
    # keeps yearly revenue close to its trend instead of to the noise.
    expected_deals = calls_expected * MEETING_RATE * OPPORTUNITY_RATE * WIN_RATE
    deals_won = _steady_counts(expected_deals * rng.gamma(8, 1 / 8, cal.size), cal, rng)

    return pd.DataFrame(
        {
            "date": cal.dates,
            "team": np.array(list(SALES_PEOPLE.values()))[cal.person_index],
            "person": np.array(list(SALES_PEOPLE))[cal.person_index],
            "calls": calls,
            "emails_sent": emails_sent,
            "meetings": meetings,
            "opportunities": opportunities,
            "deals_won": deals_won,
            "revenue": _sum_of_deals(deals_won, MEAN_DEAL_SIZE, rng),
            "pipeline_created": _sum_of_deals(opportunities, MEAN_DEAL_SIZE * 1.1, rng),
        }
    )


def _steady_counts(
    expected: np.ndarray, cal: _Calendar, rng: np.random.Generator
) -> np.ndarray:
    """Whole counts per row whose running total per person tracks ``expected``.

    Each person's running total is rounded down from the running expected
    total (plus a random start), so any long stretch holds the expected count
    within one.
    """
    by_person = expected.reshape(len(cal.days), cal.people)
    start = rng.random(cal.people)
    running = np.floor(np.cumsum(by_person, axis=0) + start)
    counts = np.diff(running, axis=0, prepend=np.floor(start)[np.newaxis, :])
    return counts.astype(np.int64).reshape(-1)


def _sum_of_deals(
    count: np.ndarray, mean_size: float, rng: np.random.Generator
) -> np.ndarray:
    # A sum of n gamma(k, s) deal sizes is gamma(n * k, s): one draw per row.
    shape = 6.0
    sizes = rng.gamma(np.maximum(count, 1) * shape, mean_size / shape)
    return np.where(count > 0, np.round(sizes, 2), 0.0)


def _support(end: date, days: int, rng: np.random.Generator) -> pd.DataFrame:
    cal = _Calendar(end, days, len(SUPPORT_PEOPLE))
    load = (
        np.where(cal.weekend, 4.2, 19.0)
        * cal.trend(TICKET_GROWTH)
        * cal.season(0.06, peak_day=20)
    )
    tickets_received = rng.poisson(load)
    tickets_resolved = rng.binomial(tickets_received + rng.poisson(0.4, cal.size), 0.98)

    # Mean resolution time drifts from about 12 h two years before ``end`` to 7 h.
    mean_hours = 7.0 + 5.0 * (-cal.years / 2) ** 1.3
    # A sum of n gamma(2, m/2) ticket times is gamma(2n, m/2).
    hours = rng.gamma(np.maximum(tickets_resolved, 1) * 2.0, mean_hours / 2)
    resolution_hours = np.where(tickets_resolved > 0, np.round(hours, 1), 0.0)
    call_minutes = rng.poisson(6.5 * tickets_resolved)

    return pd.DataFrame(
        {
            "date": cal.dates,
            "team": "Support",
            "person": np.array(SUPPORT_PEOPLE)[cal.person_index],
            "tickets_received": tickets_received,
            "tickets_resolved": tickets_resolved,
            "resolution_hours": resolution_hours,
            "call_minutes": call_minutes,
        }
    )


def _product(end: date, days: int, rng: np.random.Generator) -> pd.DataFrame:
    cal = _Calendar(end, days, 1)
    level = 2400 * cal.trend(USER_GROWTH) * np.where(cal.weekend, 0.72, 1.0)
    daily_active_users = np.round(level * rng.normal(1.0, 0.04, cal.size)).astype(
        np.int64
    )
    free_signups = rng.poisson(
        0.018 * daily_active_users * cal.season(0.1, peak_day=260)
    )

    return pd.DataFrame(
        {
            "date": cal.dates,
            "team": "Product",
            "person": "",
            "daily_active_users": daily_active_users,
            "free_signups": free_signups,
        }
    )


def main(argv: list[str] | None = None) -> None:
    """Write the four datasets as CSV files into the folder given."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("folder", type=Path, help="where to write the CSV files")
    parser.add_argument("--end", type=date.fromisoformat, default=date.today())
    parser.add_argument("--days", type=int, default=730)
    parser.add_argument("--seed", type=int, default=7)
    args = parser.parse_args(argv)

    args.folder.mkdir(parents=True, exist_ok=True)
    for name, frame in generate(args.end, args.days, args.seed).items():
        path = args.folder / f"{name}.csv"
        frame.to_csv(path, index=False, date_format="%Y-%m-%d")
        print(f"{path}: {len(frame)} rows")


if __name__ == "__main__":
    main()
