"""Phrasing: a Great Expectations result becomes an outcome and Spanish message lines.

One line per problem, in the project's shape (:func:`mirbook.records.format_problem`):
file, column(s), the Excel rows, the user's own values and what was expected. The
words of each check are declared with it (:mod:`mirbook.validation.checks`); this module
only assembles them with the rows a result names.
"""

from __future__ import annotations

import warnings
from dataclasses import replace
from typing import TYPE_CHECKING, Any

with warnings.catch_warnings():
    warnings.simplefilter("ignore")
    import pandas as pd

from ..contract import TABLES
from ..records import format_located, format_problem
from ..sources import RawTable
from .frame import ROW_INDEX
from .outcomes import ExpectationOutcome

if TYPE_CHECKING:
    from .checks import Check


def words(values: list[str] | tuple[str, ...]) -> str:
    """``a, b, c o d`` (Spanish list)."""
    values = list(values)
    if len(values) <= 1:
        return "".join(values)
    return f"{', '.join(values[:-1])} o {values[-1]}"


def plural(count: int, one: str, many: str) -> str:
    return one if count == 1 else many


def distinct(series: pd.Series) -> list[str]:
    out: list[str] = []
    for value in series:
        text = "" if value is None or (isinstance(value, float) and pd.isna(value)) else str(value)
        if text not in out:
            out.append(text)
    return out


def phrase_results(
    table: RawTable, df: pd.DataFrame, checks: list[Check], results: list[Any]
) -> tuple[list[ExpectationOutcome], list[str], list[str]]:
    """The outcomes of one table in check order, its Spanish error lines and its warning lines."""
    outcomes, errors, warnings_ = [], [], []
    for check, result in zip(checks, results):
        outcome = _outcome(table, df, check, result)
        outcomes.append(outcome)
        if not outcome.success and outcome.message:
            (errors if check.severity == "error" else warnings_).extend(outcome.message.split("\n"))
    return outcomes, errors, warnings_


def _outcome(table: RawTable, df: pd.DataFrame, check: Check, result: Any) -> ExpectationOutcome:
    outcome = _outcome_of(table, df, check, result)
    return replace(outcome, severity=check.severity)


def _outcome_of(table: RawTable, df: pd.DataFrame, check: Check, result: Any) -> ExpectationOutcome:
    column = ", ".join(check.columns) or None
    info = result.exception_info or {}
    if info.get("raised_exception"):
        message = (
            f"{table.filename}: no se pudo comprobar que {check.description} "
            f"({info.get('exception_message') or 'error interno de Great Expectations'})."
        )
        return ExpectationOutcome(table.name, table.filename, column, check.description, False, 0, message)
    if result.success:
        return ExpectationOutcome(table.name, table.filename, column, check.description, True, 0, None)
    detail = result.result or {}
    if check.kind == "exists":
        message = format_problem(table.filename, check.columns[0], [1], [], str(check.expected))
        return ExpectationOutcome(table.name, table.filename, column, check.description, False, 1, message)
    if check.kind == "unknown":
        unknown = [c for c in table.columns if c not in TABLES[table.name].column_names]
        message = format_problem(table.filename, None, [1], unknown, str(check.expected))
        return ExpectationOutcome(table.name, table.filename, column, check.description, False, len(unknown), message)
    rows = sorted({_row_number(i) for i in detail.get("unexpected_index_list") or []})
    count = int(detail.get("unexpected_count") or len(rows))
    offending = df.loc[rows]
    if check.group_by:
        groups = [group for _, group in offending.groupby(list(check.group_by), sort=False, dropna=False)]
    else:
        groups = [offending]
    lines = [_problem_line(table, check, group) for group in groups if len(group)]
    message = "\n".join(lines) or f"{table.filename}: no se cumple que {check.description}."
    return ExpectationOutcome(table.name, table.filename, column, check.description, False, count, message)


def _row_number(item: Any) -> int:
    """An entry of ``unexpected_index_list``: the index value, or a dict holding it as ``fila``."""
    return int(item[ROW_INDEX]) if isinstance(item, dict) else int(item)


def _problem_line(table: RawTable, check: Check, rows: pd.DataFrame) -> str:
    """One message line: file, column(s), Excel rows, the user's values, what was expected."""
    values: list[str] = []
    if check.show_values:
        if len(check.columns) == 1:
            values = distinct(rows[check.columns[0]])
        else:
            joined = [
                " / ".join("" if v is None else str(v) for v in row)
                for row in rows[list(check.columns)].itertuples(index=False)
            ]
            values = distinct(pd.Series(joined, dtype=object))
    expected = check.expected(rows) if callable(check.expected) else check.expected
    numbers = [int(i) for i in rows.index]
    if len(check.columns) > 1:
        columns = f"columnas {', '.join(f'«{c}»' for c in check.columns)}"
        return format_located(table, None, numbers, values, expected, columns)
    return format_located(table, check.columns[0] if check.columns else None, numbers, values, expected)
