"""The checks of the input tables, declared from ``params/`` and the data contract.

Declaring a check is this module's only job: what is checked (a Great Expectations
expectation on the frame of :mod:`mirbook.validation.frame`) and the Spanish words that
describe it and explain a failure. Running the checks is :mod:`mirbook.validation.gx`;
turning a failed result into message lines is :mod:`mirbook.validation.messages`.

Nothing here is a hand-copied list: table columns and value rules come from
:mod:`mirbook.contract`; indicator claves, unit claves, who may report what, product
types, migration flows and the year come from the loaded
:class:`~mirbook.workbook.Params` and the requested period.
"""

from __future__ import annotations

import difflib
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from typing import TYPE_CHECKING, Any

from ..contract import ISO_DATE, QUARTER, TABLES, WHOLE_NUMBER
from ..sources import RawTable
from .frame import DERIVED_PREFIX, pair
from .gx import Column, E
from .messages import distinct, plural, words

if TYPE_CHECKING:
    import pandas as pd

    from ..workbook import Params

Expected = str | Callable[["pd.DataFrame"], str]


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
        E.ExpectColumnValuesToMatchRegex(column=column, regex=WHOLE_NUMBER.regex),
    )


def _header_checks(table: RawTable, df: pd.DataFrame) -> list[Check]:
    spec = TABLES[table.name]
    required, allowed = spec.required_columns, spec.column_names
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
            f"{plural(len(unknown), 'columna que no es', 'columnas que no son')} del formato; "
            f"las columnas válidas son: {', '.join(allowed)}; se ignoran (revise cómo están escritas)",
            E.ExpectTableColumnsToMatchSet(column_set=[c for c in df.columns if c not in unknown], exact_match=True),
            kind="unknown",
            severity="advertencia",
        )
    )
    return checks

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
        units = distinct(rows["unidad_responsable"])
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
            value_set=sorted(pair(c, u) for c, units in admitted.items() for u in units),
        ),
        needs=("indicador",),
        group_by=("indicador",),
    )


def _quarter_checks(table: str) -> list[Check]:
    return [
        _integer(table, "trimestre", QUARTER.expected_form),
        Check(
            table, ("trimestre",),
            f"«trimestre» está entre {QUARTER.minimum} y {QUARTER.maximum}",
            QUARTER.expected_range,
            E.ExpectColumnValuesToBeBetween(
                column=DERIVED_PREFIX + "trimestre", min_value=QUARTER.minimum, max_value=QUARTER.maximum
            ),
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
        _integer(t, "programado", WHOLE_NUMBER.expected_form),
        Check(
            t, ("programado",),
            f"«programado» es mayor o igual a {WHOLE_NUMBER.minimum}",
            WHOLE_NUMBER.expected_range,
            E.ExpectColumnValuesToBeBetween(column=DERIVED_PREFIX + "programado", min_value=WHOLE_NUMBER.minimum),
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
        return f"se espera {what} de {clave}: {words(admitted[clave])} (o la celda vacía)"

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
                value_set=sorted(pair(c, v) for c in defining for v in admitted[c]),
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
        return f"los registros de {clave} deben indicar el flujo migratorio: {words(admitted[clave])}{absent}"

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
        _date_form(t),
        _within_year(t, year, "los productos de otro año van en la carpeta de ese año"),
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

def _within_year(table: str, year: int, hint: str) -> Check:
    """``fecha`` is a real ISO date inside ``year`` (form and range as separate checks)."""
    return Check(
        table, ("fecha",),
        f"«fecha» está dentro de {year} (del {year}-01-01 al {year}-12-31)",
        f"se espera una fecha dentro de {year} (del {year}-01-01 al {year}-12-31); {hint}",
        E.ExpectColumnValuesToBeBetween(
            column=DERIVED_PREFIX + "fecha", min_value=datetime(year, 1, 1), max_value=datetime(year, 12, 31)
        ),
    )


def _date_form(table: str) -> Check:
    return Check(
        table, ("fecha",),
        "«fecha» es una fecha que existe, escrita AAAA-MM-DD",
        ISO_DATE.expected_form,
        E.ExpectColumnValuesToMatchRegex(column="fecha", regex=ISO_DATE.regex),
    )


def ajustes_checks(params: Params, year: int) -> list[Check]:
    """Column checks of ``ajustes`` (authorised changes to one cell of the plan, mir-domain §3).

    The same rules as ``programacion`` for the cell and its programado, plus a real date inside
    the year, a justification, and one ajuste per cell and date (two would make "the latest
    ajuste" ambiguous, so it is an error, not a warning).
    """
    t = "ajustes"
    mir, org = params.mir, params.organizacion
    cell = ["indicador", "unidad_responsable", "trimestre", "fecha"]
    return [
        _not_null(t, "indicador", "se espera la clave del indicador"),
        _not_null(t, "unidad_responsable", "se espera la clave de la unidad responsable"),
        _not_null(t, "trimestre", "se espera el trimestre (1 a 4) cuya programación cambia"),
        _not_null(t, "programado", "se espera la nueva cantidad programada (0 si se cancela)"),
        _not_null(t, "fecha", "se espera la fecha de autorización del ajuste, escrita AAAA-MM-DD"),
        _not_null(t, "justificacion", "cada ajuste necesita su justificación"),
        _in_set(t, "indicador", mir.claves, "una clave de indicador de la MIR"),
        _in_set(t, "unidad_responsable", org.claves, "una clave de unidad responsable"),
        *_quarter_checks(t),
        _integer(t, "programado", WHOLE_NUMBER.expected_form),
        Check(
            t, ("programado",),
            f"«programado» es mayor o igual a {WHOLE_NUMBER.minimum}",
            WHOLE_NUMBER.expected_range,
            E.ExpectColumnValuesToBeBetween(column=DERIVED_PREFIX + "programado", min_value=WHOLE_NUMBER.minimum),
        ),
        _date_form(t),
        _within_year(t, year, "los ajustes de otro año van en la carpeta de ese año"),
        _unit_check(t, params),
        Check(
            t, tuple(cell),
            "no hay dos ajustes de la misma celda (indicador × unidad × trimestre) con la misma fecha",
            "dos o más ajustes de la misma celda (indicador × unidad × trimestre) con la misma fecha; "
            "no se sabe cuál rige: deje uno solo o corrija la fecha",
            E.ExpectCompoundColumnsToBeUnique(
                column_list=cell,
                row_condition=Column("indicador").is_not_null()
                & Column("unidad_responsable").is_not_null()
                & Column("trimestre").is_not_null()
                & Column("fecha").is_not_null(),
            ),
            group_by=tuple(cell),
        ),
    ]


def table_checks(table: RawTable, df: pd.DataFrame, params: Params, year: int) -> list[Check]:
    """Every check of one table: its header, then the column checks whose columns it has."""
    if table.name == "programacion":
        column_checks = programacion_checks(params, year)
    elif table.name == "registros":
        column_checks = registros_checks(params, year, flujo_present="flujo" in table.columns)
    elif table.name == "ajustes":
        column_checks = ajustes_checks(params, year)
    else:
        column_checks = justificaciones_checks(params, year)
    usable = [c for c in column_checks if all(col in df.columns for col in c.required_columns)]
    return _header_checks(table, df) + usable
