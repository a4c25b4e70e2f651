"""Formulas of derived metrics: plain arithmetic on metric names.

A formula is read with Python's own parser (``ast``) into a tree, and only a
small allow-list of nodes is accepted: numbers, metric names, ``+ - * /``,
unary minus and parentheses. The tree is then walked here; nothing is ever
compiled or run as Python code, so ``__import__('os')`` is only text.
"""

from __future__ import annotations

import ast
import math
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import NoReturn

import numpy as np
import pandas as pd

from kpi.errors import FormulaError

Value = pd.Series | float

_ALLOWED = (
    "A formula may use only metric names, numbers, + - * /, a leading minus "
    'and parentheses, as in "spend / leads" or "(won - lost) / 100".'
)
_OPERATORS: dict[type[ast.operator], str] = {
    ast.Add: "+",
    ast.Sub: "-",
    ast.Mult: "*",
    ast.Div: "/",
}
# Names for the refused nodes people are most likely to type.
_REFUSED: dict[type[ast.AST], str] = {
    ast.Attribute: "attribute access",
    ast.Call: "a function call",
    ast.Subscript: "indexing",
    ast.Compare: "a comparison",
    ast.BoolOp: "and/or",
    ast.IfExp: "a conditional expression",
    ast.Lambda: "a lambda",
    ast.Pow: "the ** operator",
    ast.FloorDiv: "the // operator",
    ast.Mod: "the % operator",
    ast.Not: "not",
    ast.UAdd: "a leading +",
    ast.Invert: "the ~ operator",
}


@dataclass(frozen=True)
class Formula:
    """A checked formula and the metric names it uses.

    ``evaluate`` works on plain floats and, element-wise, on aligned Series;
    dividing by zero gives NaN ("no value"), never infinity or an error.
    """

    text: str
    names: frozenset[str]
    tree: ast.expr | None = field(default=None, compare=False, repr=False)

    def evaluate(self, values: Mapping[str, pd.Series | float]) -> pd.Series | float:
        """The formula's value with each name replaced by ``values[name]``.

        ``parse_formula("spend / leads").evaluate({"spend": 450, "leads": 30})``
        is 15.0; with ``leads`` 0 it is NaN.
        """
        missing = sorted(self.names - set(values))
        if missing:
            raise FormulaError(
                "formula_missing_value",
                f'Formula "{self.text}" needs a value for {", ".join(missing)}. '
                "Pass every metric the formula names.",
                subject=self.text,
            )
        tree = self.tree if self.tree is not None else _checked_tree(self.text)[0]
        return _evaluate_node(tree, values)

    @property
    def is_linear(self) -> bool:
        """True when the formula adds, subtracts and scales metrics by numbers
        only, so that it adds up over periods as its inputs do: ``revenue -
        cost`` and ``spend / 1000`` are linear, ``spend / leads`` and ``a * b``
        are not."""
        tree = self.tree if self.tree is not None else _checked_tree(self.text)[0]
        return _linear(tree)


def parse_formula(text: str) -> Formula:
    """Check ``text`` against the allow-list and return it as a ``Formula``.

    Raises ``FormulaError`` with reason ``formula_syntax`` when the text is not
    an expression at all, and ``formula_not_allowed`` (quoting the offending
    part) for anything beyond plain arithmetic on metric names.
    """
    expression, names, source = _checked_tree(text)
    return Formula(text=source, names=names, tree=expression)


def _checked_tree(text: str) -> tuple[ast.expr, frozenset[str], str]:
    """The allow-listed tree of ``text``, its metric names and stripped source."""
    source = str(text).strip()
    if not source:
        raise FormulaError(
            "formula_syntax", f"The formula is empty. {_ALLOWED}", subject=source
        )
    try:
        module = ast.parse(source, mode="exec")
    except SyntaxError as problem:
        raise FormulaError(
            "formula_syntax",
            f'Formula "{source}" cannot be read ({problem.msg}). {_ALLOWED}',
            subject=source,
        ) from None

    expression = _single_expression(module, source)
    names: set[str] = set()
    _check_node(expression, source, names)
    return expression, frozenset(names), source


def _single_expression(module: ast.Module, source: str) -> ast.expr:
    if len(module.body) != 1:
        _refuse(source, source, "several expressions or statements")
    statement = module.body[0]
    if not isinstance(statement, ast.Expr):
        _refuse(source, _segment(source, statement), "a statement")
    return statement.value


def _check_node(node: ast.AST, source: str, names: set[str]) -> None:
    if isinstance(node, ast.BinOp):
        if type(node.op) not in _OPERATORS:
            _refuse(source, _segment(source, node), _describe(node.op))
        _check_node(node.left, source, names)
        _check_node(node.right, source, names)
    elif isinstance(node, ast.UnaryOp):
        if not isinstance(node.op, ast.USub):
            _refuse(source, _segment(source, node), _describe(node.op))
        _check_node(node.operand, source, names)
    elif isinstance(node, ast.Name):
        if node.id.startswith("_"):
            _refuse(source, node.id, "a name starting with _")
        names.add(node.id)
    elif isinstance(node, ast.Constant):
        if not _is_plain_number(node.value):
            _refuse(source, _segment(source, node), "not a plain number")
    else:
        _refuse(source, _segment(source, node), _describe(node))


def _linear(node: ast.expr) -> bool:
    if isinstance(node, ast.UnaryOp):
        return _linear(node.operand)
    if not isinstance(node, ast.BinOp):
        return True
    if (
        isinstance(node.op, ast.Mult)
        and _has_names(node.left)
        and _has_names(node.right)
    ):
        return False
    if isinstance(node.op, ast.Div) and _has_names(node.right):
        return False
    return _linear(node.left) and _linear(node.right)


def _has_names(node: ast.expr) -> bool:
    return any(isinstance(part, ast.Name) for part in ast.walk(node))


def _is_plain_number(value: object) -> bool:
    if isinstance(value, bool) or not isinstance(value, int | float):
        return False
    try:
        return math.isfinite(float(value))
    except OverflowError:
        return False


def _describe(node: ast.AST) -> str:
    return _REFUSED.get(type(node), type(node).__name__)


def _segment(source: str, node: ast.AST) -> str:
    return ast.get_source_segment(source, node) or source


def _refuse(source: str, part: str, what: str) -> NoReturn:
    raise FormulaError(
        "formula_not_allowed",
        f'Formula "{source}": "{part}" is not allowed ({what}). {_ALLOWED}',
        subject=source,
    )


def _evaluate_node(node: ast.expr, values: Mapping[str, Value]) -> Value:
    if isinstance(node, ast.Constant) and isinstance(node.value, int | float):
        return float(node.value)
    if isinstance(node, ast.Name):
        value = values[node.id]
        return math.nan if value is None else value
    if isinstance(node, ast.UnaryOp):
        return -_evaluate_node(node.operand, values)
    if isinstance(node, ast.BinOp):
        left = _evaluate_node(node.left, values)
        right = _evaluate_node(node.right, values)
        return _apply(type(node.op), left, right)
    raise FormulaError(
        "formula_not_allowed",
        f"Formula part {ast.dump(node)} is not allowed. {_ALLOWED}",
    )


def _apply(operator: type[ast.operator], left: Value, right: Value) -> Value:
    if operator is ast.Add:
        return left + right
    if operator is ast.Sub:
        return left - right
    if operator is ast.Mult:
        return left * right
    return divide(left, right)


def divide(numerator: Value, denominator: Value) -> Value:
    """``numerator / denominator`` with NaN wherever the result is not finite.

    ``divide(5.0, 0.0)`` and ``divide(0.0, 0.0)`` are NaN; on Series the rule
    holds element by element.
    """
    if isinstance(numerator, pd.Series) or isinstance(denominator, pd.Series):
        series_quotient = _series_quotient(numerator, denominator)
        return series_quotient.where(np.isfinite(series_quotient.astype(float)))

    top, bottom = float(numerator), float(denominator)
    if bottom == 0 or math.isnan(bottom) or math.isnan(top):
        return math.nan
    quotient = top / bottom
    return quotient if math.isfinite(quotient) else math.nan


def _series_quotient(numerator: Value, denominator: Value) -> pd.Series:
    # Only called when one side is a Series, so the quotient is one too.
    with np.errstate(divide="ignore", invalid="ignore"):
        if isinstance(numerator, pd.Series):
            return numerator / denominator
        if isinstance(denominator, pd.Series):
            return numerator / denominator
    raise TypeError("_series_quotient needs a Series on one side")
