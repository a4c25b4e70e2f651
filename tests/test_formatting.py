"""How numbers read: units, rounding, and "no value" as an em dash."""

from __future__ import annotations

import math

import pytest

from kpi.formatting import (
    figure_step,
    format_change,
    format_fraction,
    format_value,
)


@pytest.mark.parametrize(
    ("value", "unit", "shown"),
    [
        (1234.5, "currency", "$1,234.50"),
        (15.0, "currency", "$15.00"),
        (-550.25, "currency", "-$550.25"),
        (394_520.55, "currency", "$394,521"),
        (4_370_000.0, "currency", "$4.37M"),
        (0.0345, "percent", "3.5%"),
        (0.09, "percent", "9.0%"),
        (7.5, "duration", "7.5 h"),
        (1050.0, "number", "1,050"),
        (81.3333, "number", "81.33"),
        (2.5, "number", "2.5"),
        (None, "number", "—"),
        (math.nan, "currency", "—"),
        (math.inf, "percent", "—"),
    ],
)
def test_format_value(value, unit, shown):
    assert format_value(value, unit) == shown


@pytest.mark.parametrize(
    ("value", "shown"), [(0.963, "96.3%"), (1.056, "105.6%"), (None, "—")]
)
def test_format_fraction(value, shown):
    assert format_fraction(value) == shown


@pytest.mark.parametrize(
    ("value", "unit", "shown"),
    [
        (500.0, "number", "+500"),
        (-12.3, "currency", "-$12.30"),
        (0.005, "percent", "+0.5 pp"),
        (None, "number", "—"),
    ],
)
def test_format_change(value, unit, shown):
    assert format_change(value, unit) == shown


@pytest.mark.parametrize(
    ("value", "step"),
    # 12,345 to three figures is 12,300: the third figure is the hundreds.
    [(1.23, 0.01), (12_345, 100), (-0.0456, 0.0001), (999, 1), (1000, 10)],
)
def test_figure_step_is_the_place_of_the_third_significant_figure(value, step):
    assert figure_step(value) == pytest.approx(step)
