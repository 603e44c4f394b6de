"""The Great Expectations suites of the three input tables, generated from ``params/``.

Nothing here is a hand-copied list: indicator claves, unit claves, who may report
what, product types, migration flows and the year all come from the loaded
:class:`~mirbook.workbook.Params` and the requested period.

Great Expectations sees the *raw text* of each table (``dtype=object``, empty cells
as null) indexed by the row number the user sees in Excel (header = row 1), so every
unexpected index maps straight back to a spreadsheet row. A few derived columns
(prefixed ``__``) hold parsed numbers and dates so ranges can be checked apart from
types; messages always show the user's own text, never a derived value.

This module imports Great Expectations at import time: import it only on the
validation path (``mirbook validate`` / ``run``), never from ``mirbook indicadores``.
"""

from __future__ import annotations

import difflib
import logging
import os
import warnings
from collections.abc import Callable
from dataclasses import dataclass, replace
from datetime import datetime
from typing import TYPE_CHECKING, Any

os.environ["GX_ANALYTICS_ENABLED"] = "false"  # no usage statistics, no network

with warnings.catch_warnings():
    warnings.simplefilter("ignore")
    import great_expectations as gx
    import pandas as pd
    from great_expectations.data_context.types.base import (
        DataContextConfig,
        InMemoryStoreBackendDefaults,
        ProgressBarsConfig,
    )
    from great_expectations.expectations.row_conditions import Column

from ..records import format_problem, parse_date, parse_int
from ..sources import COLUMNS, RawTable
from .outcomes import ExpectationOutcome

if TYPE_CHECKING:
    from ..workbook import Params

for _name in ("great_expectations", "py.warnings"):
    logging.getLogger(_name).setLevel(logging.ERROR)

GX_VERSION: str = gx.__version__
E = gx.expectations

#: An integer as text, sign allowed (the sign is a range question): ``3``, ``+3``, ``-1``, ``3.0``.
INT_REGEX = r"^[+-]?[0-9]+(\.0*)?$"
#: An ISO ``AAAA-MM-DD`` date that exists in the Gregorian calendar (leap years included).
ISO_DATE_REGEX = (
    r"^(?:[0-9]{4}-(?:(?:0[13578]|1[02])-(?:0[1-9]|[12][0-9]|3[01])"
    r"|(?:0[469]|11)-(?:0[1-9]|[12][0-9]|30)"
    r"|02-(?:0[1-9]|1[0-9]|2[0-8]))"
    r"|(?:[0-9]{2}(?:0[48]|[2468][048]|[13579][26])|(?:[02468][048]|[13579][26])00)-02-29)$"
)
DERIVED_PREFIX = "__"
#: Name of the frame's index: the row number the user sees in Excel (header = row 1).
ROW_INDEX = "fila"

Expected = str | Callable[[pd.DataFrame], str]


@dataclass(frozen=True)
class Check:
    """One expectation with the Spanish words that describe it and explain a failure.

    ``kind`` is ``rows`` (a column or row check: the failure lists Excel rows and the
    user's values of ``columns``), ``exists`` (a required column) or ``unknown`` (columns
    outside the contract). ``expected`` is the "— …" part of the message; a callable
    receives the offending rows (raw text) to phrase it. With ``group_by`` the
    offending rows are split by those columns (the indicator; the repeated value) and
    each group gets its own line. ``severity`` ``advertencia`` marks what the contract does
    not forbid but deserves a look (extra columns, a tipo or flujo on an indicator that
    defines none, two justifications of one quarter). ``needs`` names further columns the check reads (its row condition or
    derived column); a check is left out when its table lacks any of them.
    """

    table: str
    columns: tuple[str, ...]
    description: str
    expected: Expected
    expectation: Any
    kind: str = "rows"
    show_values: bool = True
    needs: tuple[str, ...] = ()
    group_by: tuple[str, ...] = ()
    severity: str = "error"  # "error" stops the run; "advertencia" is shown and the run goes on

    @property
    def required_columns(self) -> tuple[str, ...]:
        """Columns the check reads (its own and those of its row condition)."""
        return tuple(dict.fromkeys(self.columns + self.needs))


def _words(values: list[str] | tuple[str, ...]) -> str:
    """``a, b, c o d`` (Spanish list)."""
    values = list(values)
    if len(values) <= 1:
        return "".join(values)
    return f"{', '.join(values[:-1])} o {values[-1]}"


def _plural(count: int, one: str, many: str) -> str:
    return one if count == 1 else many


def _distinct(series: pd.Series) -> list[str]:
    out: list[str] = []
    for value in series:
        text = "" if value is None or (isinstance(value, float) and pd.isna(value)) else str(value)
        if text not in out:
            out.append(text)
    return out


# --- the frame Great Expectations sees -------------------------------------------------------


def frame(table: RawTable, params: Params) -> pd.DataFrame:
    """The table's raw text (empty = null) indexed by Excel row, plus derived ``__`` columns.

    Derived: ``__trimestre`` and ``__programado`` (numbers, NaN when not whole numbers),
    ``__fecha`` (a date, NaT when not a real ISO date) and ``__indicador_<col>`` pairs
    ``"A1.1 / DRII"`` of the row's indicator with its unit, tipo or flujo, set only when
    both are given and the indicator (and unit) are known, so that each problem is
    reported once, by the check that owns it.
    """
    _, optional = COLUMNS[table.name]
    rows = [values for _, values in table.rows]
    data: dict[str, list[Any]] = {col: [v.get(col) or None for v in rows] for col in table.columns}
    for col in optional:
        data.setdefault(col, [None] * len(rows))  # optional columns absent: as if empty
    index = pd.Index([number for number, _ in table.rows], dtype="int64", name=ROW_INDEX)
    df = pd.DataFrame(data, index=index, dtype=object)
    for col in ("trimestre", "programado"):
        if col in df.columns:
            numbers = [parse_signed_int(v) for v in df[col]]
            df[DERIVED_PREFIX + col] = pd.Series(numbers, index=index, dtype="float64")
    if "fecha" in df.columns:
        dates = [parse_date(v) if v else None for v in df["fecha"]]
        df[DERIVED_PREFIX + "fecha"] = pd.to_datetime(pd.Series(dates, index=index, dtype=object))
    if "indicador" in df.columns:
        claves, units = set(params.mir.claves), set(params.organizacion.claves)
        for col in ("unidad_responsable", "tipo", "flujo"):
            if col not in df.columns:
                continue
            pairs = [
                _pair(ind, value)
                if ind in claves and value is not None and (col != "unidad_responsable" or value in units)
                else None
                for ind, value in zip(df["indicador"], df[col])
            ]
            df[DERIVED_PREFIX + "indicador_" + col] = pd.Series(pairs, index=index, dtype=object)
    return df


def parse_signed_int(value: str | None) -> float:
    """A whole number (sign allowed) as float for range checks; NaN when it is not one."""
    if not value:
        return float("nan")
    text = value.strip()
    negative = text.startswith("-")
    number = parse_int(text[1:] if negative else text)
    if number is None:
        return float("nan")
    return float(-number if negative else number)


# --- the checks, generated from params --------------------------------------------------------


def _not_null(table: str, column: str, what: str) -> Check:
    return Check(
        table, (column,),
        f"«{column}» no tiene celdas vacías",
        f"la celda está vacía; {what}",
        E.ExpectColumnValuesToNotBeNull(column=column),
        show_values=False,
    )


def _in_set(table: str, column: str, values: tuple[str, ...], what: str) -> Check:
    return Check(
        table, (column,),
        f"«{column}» es {what}: {', '.join(values)}",
        f"se espera {what}: {', '.join(values)}",
        E.ExpectColumnValuesToBeInSet(column=column, value_set=list(values)),
    )


def _integer(table: str, column: str, expected: str) -> Check:
    return Check(
        table, (column,),
        f"«{column}» es un número entero",
        expected,
        E.ExpectColumnValuesToMatchRegex(column=column, regex=INT_REGEX),
    )


def _header_checks(table: RawTable, df: pd.DataFrame) -> list[Check]:
    required, optional = COLUMNS[table.name]
    allowed = required + optional
    unknown = [c for c in table.columns if c not in allowed]
    checks = []
    for col in required:
        hint = ""
        close = difflib.get_close_matches(col, unknown, n=1, cutoff=0.6)
        if close:
            hint = f" (¿está escrita como «{close[0]}»?)"
        found = ", ".join(table.columns) or "(ninguna)"
        checks.append(
            Check(
                table.name, (col,),
                f"el encabezado tiene la columna «{col}»",
                f"falta la columna en el encabezado{hint}; se encontraron: {found}",
                E.ExpectColumnToExist(column=col),
                kind="exists",
            )
        )
    checks.append(
        Check(
            table.name, (),
            f"el encabezado solo tiene columnas del formato: {', '.join(allowed)}",
            f"{_plural(len(unknown), 'columna que no es', 'columnas que no son')} del formato; "
            f"las columnas válidas son: {', '.join(allowed)}; se ignoran (revise cómo están escritas)",
            E.ExpectTableColumnsToMatchSet(column_set=[c for c in df.columns if c not in unknown], exact_match=True),
            kind="unknown",
            severity="advertencia",
        )
    )
    return checks


def _pair(indicador: Any, value: Any) -> str:
    return f"{indicador} / {value}"


def _pairs_by_indicator(params: Params) -> dict[str, dict[str, tuple[str, ...]]]:
    """Per derived column, what each indicator admits: units that may report it, tipos, flujos."""
    mir, org = params.mir, params.organizacion
    return {
        "unidad_responsable": {
            clave: tuple(u.clave for u in org.unidades if clave in u.puede_reportar) for clave in mir.claves
        },
        "tipo": {i.clave: i.tipos_producto for i in mir.indicadores},
        "flujo": {i.clave: i.flujos for i in mir.indicadores},
    }


def _by_indicator_text(admitted: dict[str, tuple[str, ...]], none: str) -> str:
    listed = [f"{clave}: {', '.join(values)}" for clave, values in admitted.items() if values]
    rest = [clave for clave, values in admitted.items() if not values]
    text = "; ".join(listed)
    if rest:
        text += f"; {', '.join(rest)}: {none}"
    return text


def _unit_check(table: str, params: Params) -> Check:
    """The unit of each row may report the row's indicator (unknown claves are left to the set checks)."""
    admitted = _pairs_by_indicator(params)["unidad_responsable"]

    def expected(rows: pd.DataFrame) -> str:
        clave = str(rows["indicador"].iloc[0])
        units = _distinct(rows["unidad_responsable"])
        many = len(units) > 1
        allowed = ", ".join(admitted.get(clave, ())) or "ninguna"
        return (
            f"{'las unidades' if many else 'la unidad'} {', '.join(units)} no "
            f"{'pueden' if many else 'puede'} reportar el indicador {clave} (pueden: {allowed})"
        )

    return Check(
        table, ("unidad_responsable",),
        "«unidad_responsable» es una unidad que puede reportar el indicador de su fila ("
        + _by_indicator_text(admitted, "ninguna") + ")",
        expected,
        E.ExpectColumnValuesToBeInSet(
            column=DERIVED_PREFIX + "indicador_unidad_responsable",
            value_set=sorted(_pair(c, u) for c, units in admitted.items() for u in units),
        ),
        needs=("indicador",),
        group_by=("indicador",),
    )


def _quarter_checks(table: str) -> list[Check]:
    return [
        _integer(table, "trimestre", "se espera un trimestre del 1 al 4, escrito como número entero"),
        Check(
            table, ("trimestre",),
            "«trimestre» está entre 1 y 4",
            "se espera un trimestre del 1 al 4",
            E.ExpectColumnValuesToBeBetween(column=DERIVED_PREFIX + "trimestre", min_value=1, max_value=4),
        ),
    ]


def programacion_checks(params: Params, year: int) -> list[Check]:
    """Column checks of ``programacion`` (the plan: indicador × unidad × trimestre → programado)."""
    t = "programacion"
    mir, org = params.mir, params.organizacion
    return [
        _not_null(t, "indicador", "se espera la clave del indicador"),
        _not_null(t, "unidad_responsable", "se espera la clave de la unidad responsable"),
        _not_null(t, "trimestre", "se espera el trimestre (1 a 4)"),
        _not_null(t, "programado", "se espera la cantidad programada (0 si no hay nada programado)"),
        _in_set(t, "indicador", mir.claves, "una clave de indicador de la MIR"),
        _in_set(t, "unidad_responsable", org.claves, "una clave de unidad responsable"),
        *_quarter_checks(t),
        _integer(t, "programado", "se espera un número entero mayor o igual a 0, sin decimales ni texto"),
        Check(
            t, ("programado",),
            "«programado» es mayor o igual a 0",
            "se espera un número entero mayor o igual a 0",
            E.ExpectColumnValuesToBeBetween(column=DERIVED_PREFIX + "programado", min_value=0),
        ),
        _unit_check(t, params),
        Check(
            t, ("indicador", "unidad_responsable", "trimestre"),
            "la combinación indicador × unidad × trimestre no se repite",
            "la combinación indicador × unidad × trimestre está repetida; deje una sola fila por combinación",
            E.ExpectCompoundColumnsToBeUnique(
                column_list=["indicador", "unidad_responsable", "trimestre"],
                row_condition=Column("indicador").is_not_null()
                & Column("unidad_responsable").is_not_null()
                & Column("trimestre").is_not_null(),
            ),
            group_by=("indicador", "unidad_responsable", "trimestre"),
        ),
    ]


#: How each per-indicator value column is spoken of: (what a value is, what an indicator without values does).
_VALUE_WORDS = {
    "tipo": ("un tipo de producto", "no clasifica sus productos por tipo"),
    "flujo": ("un flujo migratorio", "no lleva flujo migratorio"),
}


def _indicator_value_checks(params: Params, column: str) -> list[Check]:
    """``column`` (tipo, flujo), when given, is one of its row indicator's values (an error);
    indicators that define none should leave it empty (a warning: the contract does not forbid it)."""
    admitted = _pairs_by_indicator(params)[column]
    defining = [clave for clave, values in admitted.items() if values]
    others = [clave for clave, values in admitted.items() if not values]
    what, none_text = _VALUE_WORDS[column]

    def expected(rows: pd.DataFrame) -> str:
        clave = str(rows["indicador"].iloc[0])
        return f"se espera {what} de {clave}: {_words(admitted[clave])} (o la celda vacía)"

    def ignored(rows: pd.DataFrame) -> str:
        return f"el indicador {rows['indicador'].iloc[0]} {none_text}; el valor se ignora"

    checks = [
        Check(
            "registros", (column,),
            f"«{column}» está vacío o es {what} del indicador de su fila ("
            + _by_indicator_text({c: admitted[c] for c in defining}, f"sin {column}") + ")",
            expected,
            E.ExpectColumnValuesToBeInSet(
                column=f"{DERIVED_PREFIX}indicador_{column}",
                value_set=sorted(_pair(c, v) for c in defining for v in admitted[c]),
                row_condition=Column("indicador").is_in(defining),
            ),
            needs=("indicador",),
            group_by=("indicador",),
        )
    ]
    if others:
        checks.append(
            Check(
                "registros", (column,),
                f"«{column}» está vacío en las filas de {', '.join(others)} ({none_text})",
                ignored,
                E.ExpectColumnValuesToBeNull(column=column, row_condition=Column("indicador").is_in(others)),
                needs=("indicador",),
                group_by=("indicador",),
                severity="advertencia",
            )
        )
    return checks


def _flujo_present_checks(params: Params, flujo_present: bool) -> list[Check]:
    """Indicators with migration flows (FIN) carry one on every row."""
    admitted = _pairs_by_indicator(params)["flujo"]
    with_flujo = [clave for clave, flujos in admitted.items() if flujos]
    absent = "" if flujo_present else " (el archivo no tiene la columna «flujo»)"

    def expected_present(rows: pd.DataFrame) -> str:
        clave = str(rows["indicador"].iloc[0])
        return f"los registros de {clave} deben indicar el flujo migratorio: {_words(admitted[clave])}{absent}"

    if not with_flujo:
        return []
    return [
        Check(
            "registros", ("flujo",),
            f"en las filas de {', '.join(with_flujo)}, «flujo» no está vacío",
            expected_present,
            E.ExpectColumnValuesToNotBeNull(column="flujo", row_condition=Column("indicador").is_in(with_flujo)),
            show_values=False,
            needs=("indicador",),
            group_by=("indicador",),
        )
    ]


def registros_checks(params: Params, year: int, flujo_present: bool = True) -> list[Check]:
    """Column checks of ``registros`` (one row per product delivered, with its evidence)."""
    t = "registros"
    mir, org = params.mir, params.organizacion
    return [
        _not_null(t, "folio", "cada producto necesita un folio único"),
        _not_null(t, "indicador", "se espera la clave del indicador"),
        _not_null(t, "unidad_responsable", "se espera la clave de la unidad responsable"),
        _not_null(t, "fecha", "se espera la fecha de entrega, escrita AAAA-MM-DD"),
        _not_null(t, "titulo", "se espera el título del producto"),
        _not_null(
            t, "medio_verificacion",
            "falta la evidencia (medio de verificación: oficio, minuta, publicación en el DOF, URL…)",
        ),
        Check(
            t, ("folio",),
            "«folio» no se repite en el año",
            f"el folio está repetido; cada folio debe ser único en {year}",
            E.ExpectColumnValuesToBeUnique(column="folio"),
            group_by=("folio",),
        ),
        _in_set(t, "indicador", mir.claves, "una clave de indicador de la MIR"),
        _in_set(t, "unidad_responsable", org.claves, "una clave de unidad responsable"),
        Check(
            t, ("fecha",),
            "«fecha» es una fecha que existe, escrita AAAA-MM-DD",
            "se espera una fecha que exista, escrita AAAA-MM-DD",
            E.ExpectColumnValuesToMatchRegex(column="fecha", regex=ISO_DATE_REGEX),
        ),
        Check(
            t, ("fecha",),
            f"«fecha» está dentro de {year} (del {year}-01-01 al {year}-12-31)",
            f"se espera una fecha dentro de {year} (del {year}-01-01 al {year}-12-31); "
            "los productos de otro año van en la carpeta de ese año",
            E.ExpectColumnValuesToBeBetween(
                column=DERIVED_PREFIX + "fecha", min_value=datetime(year, 1, 1), max_value=datetime(year, 12, 31)
            ),
        ),
        _unit_check(t, params),
        *_indicator_value_checks(params, "tipo"),
        *_flujo_present_checks(params, flujo_present),
        *_indicator_value_checks(params, "flujo"),
    ]


def justificaciones_checks(params: Params, year: int) -> list[Check]:
    """Column checks of ``justificaciones`` (the federal variance form)."""
    t = "justificaciones"
    return [
        _not_null(t, "indicador", "se espera la clave del indicador"),
        _not_null(t, "trimestre", "se espera el trimestre (1 a 4)"),
        _not_null(t, "causa", "se espera la causa de la variación"),
        _not_null(t, "efecto", "se espera el efecto de la variación"),
        _in_set(t, "indicador", params.mir.claves, "una clave de indicador de la MIR"),
        *_quarter_checks(t),
        Check(
            t, ("indicador", "trimestre"),
            "la combinación indicador × trimestre no se repite",
            "la combinación indicador × trimestre está repetida; el reporte muestra la primera",
            E.ExpectCompoundColumnsToBeUnique(
                column_list=["indicador", "trimestre"],
                row_condition=Column("indicador").is_not_null() & Column("trimestre").is_not_null(),
            ),
            group_by=("indicador", "trimestre"),
            severity="advertencia",
        ),
    ]


def table_checks(table: RawTable, df: pd.DataFrame, params: Params, year: int) -> list[Check]:
    """Every check of one table: its header, then the column checks whose columns it has."""
    if table.name == "programacion":
        column_checks = programacion_checks(params, year)
    elif table.name == "registros":
        column_checks = registros_checks(params, year, flujo_present="flujo" in table.columns)
    else:
        column_checks = justificaciones_checks(params, year)
    usable = [c for c in column_checks if all(col in df.columns for col in c.required_columns)]
    return _header_checks(table, df) + usable


# --- running the suites -----------------------------------------------------------------------


class Runner:
    """One ephemeral Great Expectations context, reused for every table of a validation run."""

    def __init__(self) -> None:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            config = DataContextConfig(
                store_backend_defaults=InMemoryStoreBackendDefaults(init_temp_docs_sites=False),  # no Data Docs
                analytics_enabled=False,
                progress_bars=ProgressBarsConfig(globally=False, metric_calculations=False),
            )
            self.context = gx.get_context(mode="ephemeral", project_config=config)
            self.source = self.context.data_sources.add_pandas("mirbook")

    def run(self, table: RawTable, params: Params, year: int) -> tuple[list[ExpectationOutcome], list[str], list[str]]:
        """Validate one table; its outcomes in suite order, the Spanish error lines and warning lines."""
        df = frame(table, params)
        checks = table_checks(table, df, params, year)
        suite = gx.ExpectationSuite(name=f"mirbook_{table.name}")
        for number, check in enumerate(checks):
            check.expectation.meta = {"mirbook_check": number}
            suite.add_expectation(check.expectation)
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            asset = self.source.add_dataframe_asset(table.name)
            batch = asset.add_batch_definition_whole_dataframe("todo").get_batch(batch_parameters={"dataframe": df})
            # a quick pass for the verdicts, then the row details of the few that failed
            results = batch.validate(suite, result_format="BOOLEAN_ONLY")
            by_number = {r.expectation_config.meta["mirbook_check"]: r for r in results.results}
            for number, result in list(by_number.items()):
                if not result.success and not (result.exception_info or {}).get("raised_exception"):
                    by_number[number] = batch.validate(checks[number].expectation, result_format="COMPLETE")
        outcomes, errors, warnings_ = [], [], []
        for number, check in enumerate(checks):
            outcome = _outcome(table, df, check, by_number[number])
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
        unknown = [c for c in table.columns if c not in sum(COLUMNS[table.name], ())]
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
            values = _distinct(rows[check.columns[0]])
        else:
            joined = [
                " / ".join("" if v is None else str(v) for v in row)
                for row in rows[list(check.columns)].itertuples(index=False)
            ]
            values = _distinct(pd.Series(joined, dtype=object))
    expected = check.expected(rows) if callable(check.expected) else check.expected
    numbers = [int(i) for i in rows.index]
    if len(check.columns) > 1:
        where = f"{table.filename}, columnas {', '.join(f'«{c}»' for c in check.columns)}"
        return format_problem(where, None, numbers, values, expected)
    return format_problem(table.filename, check.columns[0] if check.columns else None, numbers, values, expected)
