"""Formulas of derived metrics: the allow-list, and arithmetic without inf."""

from __future__ import annotations

import math
import re
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from kpi.errors import DefinitionError, FormulaError
from kpi.formula import Formula, parse_formula


@pytest.mark.parametrize(
    ("text", "names", "values", "expected"),
    [
        ("spend / leads", {"spend", "leads"}, {"spend": 450, "leads": 30}, 15.0),
        ("(won - lost) / 100", {"won", "lost"}, {"won": 70, "lost": 20}, 0.5),
        # -3 + 2 * 4 = 5
        ("-a + 2 * b", {"a", "b"}, {"a": 3, "b": 4}, 5.0),
        ("a - -b", {"a", "b"}, {"a": 3, "b": 4}, 7.0),
        # precedence: 2 + 3 * 4 = 14, (2 + 3) * 4 = 20
        ("a + b * c", {"a", "b", "c"}, {"a": 2, "b": 3, "c": 4}, 14.0),
        ("(a + b) * c", {"a", "b", "c"}, {"a": 2, "b": 3, "c": 4}, 20.0),
        # left to right: (12 / 3) / 2 = 2
        ("a / b / c", {"a", "b", "c"}, {"a": 12, "b": 3, "c": 2}, 2.0),
        ("1.5 * x", {"x"}, {"x": 4}, 6.0),
        ("2 * 3", set(), {}, 6.0),
        ("spend / leads + spend", {"spend", "leads"}, {"spend": 10, "leads": 5}, 12.0),
        ("  spend/leads  ", {"spend", "leads"}, {"spend": 9, "leads": 3}, 3.0),
    ],
)
def test_allowed_formulas(text, names, values, expected):
    formula = parse_formula(text)
    assert formula.names == frozenset(names)
    assert formula.evaluate(values) == pytest.approx(expected)


@pytest.mark.parametrize(
    ("text", "reason", "part", "what"),
    [
        ("__import__('os')", "formula_not_allowed", "__import__('os')", "call"),
        ("spend.__class__", "formula_not_allowed", "spend.__class__", "attribute"),
        ("a if b else c", "formula_not_allowed", "a if b else c", "conditional"),
        ("a ** 2", "formula_not_allowed", "a ** 2", "**"),
        ("open('x')", "formula_not_allowed", "open('x')", "call"),
        ("spend / leads; 1", "formula_not_allowed", "spend / leads; 1", "several"),
        ("lambda: 1", "formula_not_allowed", "lambda: 1", "lambda"),
        ("a // 2", "formula_not_allowed", "a // 2", "//"),
        ("a % 2", "formula_not_allowed", "a % 2", "%"),
        ("a < b", "formula_not_allowed", "a < b", "comparison"),
        ("a and b", "formula_not_allowed", "a and b", "and/or"),
        ("x[0]", "formula_not_allowed", "x[0]", "indexing"),
        ("'spend'", "formula_not_allowed", "'spend'", "number"),
        ("True", "formula_not_allowed", "True", "number"),
        ("1e999", "formula_not_allowed", "1e999", "number"),
        ("_secret / 2", "formula_not_allowed", "_secret", "starting with _"),
        ("spend / __builtins__", "formula_not_allowed", "__builtins__", "_"),
        ("+a", "formula_not_allowed", "+a", "leading +"),
        ("x = 1", "formula_not_allowed", "x = 1", "statement"),
        ("import os", "formula_not_allowed", "import os", "statement"),
        ("spend /", "formula_syntax", "spend /", "cannot be read"),
        ("spend leads", "formula_syntax", "spend leads", "cannot be read"),
    ],
)
def test_refused_formulas(text, reason, part, what):
    quoted = re.escape(f'"{part}"') + ".*" + re.escape(what)
    allowed = re.escape("A formula may use only metric names, numbers, + - * /")
    with pytest.raises(FormulaError, match=f"{quoted}.*{allowed}") as caught:
        parse_formula(text)
    assert caught.value.reason == reason


@pytest.mark.parametrize("text", ["", "   "])
def test_empty_formula_is_refused(text):
    with pytest.raises(FormulaError, match="The formula is empty") as caught:
        parse_formula(text)
    assert caught.value.reason == "formula_syntax"


def test_formula_error_is_a_definition_error():
    with pytest.raises(DefinitionError, match=r'"a \*\* 2" is not allowed'):
        parse_formula("a ** 2")


def test_division_by_zero_on_plain_numbers_is_nan():
    formula = parse_formula("spend / leads")

    assert math.isnan(formula.evaluate({"spend": 50.0, "leads": 0.0}))
    assert math.isnan(formula.evaluate({"spend": 0.0, "leads": 0.0}))
    assert math.isnan(formula.evaluate({"spend": -5.0, "leads": 0.0}))
    assert math.isnan(formula.evaluate({"spend": 5.0, "leads": None}))


def test_division_on_series_is_element_wise_and_never_inf():
    formula = parse_formula("spend / leads")
    spend = pd.Series([100.0, 300.0, 50.0, 0.0, -20.0, np.nan])
    leads = pd.Series([20.0, 10.0, 0.0, 0.0, 0.0, 4.0])

    result = formula.evaluate({"spend": spend, "leads": leads})

    # 100/20 = 5, 300/10 = 30, then x/0 and 0/0 and NaN/4 have no value
    expected = pd.Series([5.0, 30.0, np.nan, np.nan, np.nan, np.nan])
    pd.testing.assert_series_equal(result, expected)
    assert not np.isinf(result).any()


def test_series_mixed_with_numbers():
    formula = parse_formula("(spend - 10) / 2 + leads")
    spend = pd.Series([30.0, 50.0], index=["a", "b"])

    result = formula.evaluate({"spend": spend, "leads": 1.0})

    # (30 - 10) / 2 + 1 = 11; (50 - 10) / 2 + 1 = 21
    pd.testing.assert_series_equal(result, pd.Series([11.0, 21.0], index=["a", "b"]))


def test_number_divided_by_zero_series_is_nan():
    result = parse_formula("100 / leads").evaluate({"leads": pd.Series([0.0, 4.0])})
    pd.testing.assert_series_equal(result, pd.Series([np.nan, 25.0]))


def test_evaluate_needs_every_name():
    formula = parse_formula("spend / leads")
    with pytest.raises(FormulaError, match="needs a value for leads") as caught:
        formula.evaluate({"spend": 1.0})
    assert caught.value.reason == "formula_missing_value"


def test_formula_built_from_text_alone_still_evaluates():
    formula = Formula(text="a * 2", names=frozenset({"a"}))
    assert formula.evaluate({"a": 4.0}) == 8.0
    assert formula == parse_formula("a * 2")


def test_formula_module_never_runs_python_code():
    source = (Path(__file__).resolve().parents[1] / "kpi" / "formula.py").read_text()
    assert not re.search(r"(?<![\w.])(eval|exec|compile)\(", source)
