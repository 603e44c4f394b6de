"""Write the capture workbooks: one ``.xlsx`` per unit, checked by Excel itself as it is filled.

Why: the units work in Excel, and the cheapest error to fix is the one Excel refuses at
the keyboard. Each unit receives a workbook with an ``Instrucciones`` sheet (what to fill,
which indicators it may report, their medios de verificación, the year's deadlines) and
one sheet per table of the data contract — without ``unidad_responsable``, which is the
workbook's unit — whose columns carry Excel data validation built from ``params/``:
dropdowns of the unit's indicators, tipos and flujos, whole quarters 1–4, ``programado``
whole ≥ 0, ``fecha`` a date inside the year, evidence required, and an input message on
every column. With ``desde_datos`` the workbook comes pre-filled with what the year's data
already holds for the unit, so a unit corrects rather than retypes.

The dropdown values live on a hidden ``listas`` sheet (an inline list is capped at 255
characters by Excel, and params may grow). ``tipo`` is one dropdown of every tipo of the
indicators the unit may report, not a list that depends on the row's indicator: a
dependent list needs ``INDIRECT`` over named ranges, which LibreOffice and Excel treat
differently; ``mirbook validate`` checks that each tipo belongs to its row's indicator.
"""

from __future__ import annotations

import os
import tempfile
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date
from pathlib import Path

from openpyxl import Workbook
from openpyxl.styles import Alignment, Font, PatternFill
from openpyxl.utils import get_column_letter, quote_sheetname
from openpyxl.worksheet.datavalidation import DataValidation
from openpyxl.worksheet.worksheet import Worksheet

from . import sources
from .errors import UsageError
from .excel import TableShape
from .model import Indicator, Unidad, YearData
from .workbook import Params

#: The sheets of a capture workbook, in order (the tables of the contract, then the lists).
INSTRUCTIONS_SHEET = "Instrucciones"
LISTS_SHEET = "listas"
#: Empty rows (below the header and any pre-filled rows) that carry the validations and formats.
CAPTURE_ROWS = 2000
#: The column every capture sheet leaves out: it is the workbook's unit.
UNIT_COLUMN = sources.UNIT_COLUMN
DATE_FORMAT = "yyyy-mm-dd"


def table_shapes() -> dict[str, TableShape]:
    """The tables of the input contract, in order, with their columns and cell kinds.

    Taken from the data contract (:mod:`mirbook.contract`, through
    :func:`mirbook.sources.table_shapes`): the single place columns come from.
    """
    return sources.table_shapes()


def capture_columns(table: str) -> tuple[str, ...]:
    """The columns of ``table`` in a unit's workbook: the contract's, without ``unidad_responsable``."""
    return tuple(c for c in table_shapes()[table].columns if c != UNIT_COLUMN)


def shapes_with_claves(params: Params, unit_file: bool = False) -> dict[str, TableShape]:
    """The contract's shapes with the claves of ``params`` (to read claves regardless of case).

    ``unit_file``: the shapes of a unit's workbook, where ``unidad_responsable`` is optional
    (it is the file's unit).
    """
    return sources.shapes(sources.params_claves(params.mir, params.organizacion), unit_file)


# ---------------------------------------------------------------------------------------
# Column help: the input message and the error message of each column
# ---------------------------------------------------------------------------------------

@dataclass(frozen=True)
class Help:
    """The input message (title ≤ 32 characters, text ≤ 255) and the error message of a column."""

    title: str
    prompt: str
    error: str = ""


def _column_help(table: str, column: str, unit: Unidad, year: int, tipos: Sequence[str], flujos: Sequence[str]) -> Help:
    indicators = ", ".join(unit.puede_reportar)
    common = {
        "indicador": Help(
            "Indicador", f"Elija de la lista la clave del indicador. {unit.clave} puede reportar: {indicators}.",
            f"Elija una clave de la lista: {indicators}.",
        ),
        "trimestre": Help("Trimestre", "Número entero del 1 al 4.", "El trimestre es un número entero del 1 al 4."),
        "programado": Help(
            "Programado", "Número entero mayor o igual a 0: productos programados en el trimestre.",
            "Escriba un número entero mayor o igual a 0, sin decimales.",
        ),
        "fecha": Help(
            "Fecha", f"Fecha dentro de {year}, como fecha de Excel o AAAA-MM-DD (por ejemplo {year}-03-15). Sin hora.",
            f"Escriba una fecha entre el {year}-01-01 y el {year}-12-31.",
        ),
    }
    by_table = {
        ("registros", "folio"): Help(
            "Folio", "Folio único del producto en el año (por ejemplo UPM-2026-0001). Obligatorio.",
            "El folio no puede quedar vacío.",
        ),
        ("registros", "titulo"): Help("Título", "Título del producto entregado. Obligatorio.", "El título no puede quedar vacío."),
        ("registros", "medio_verificacion"): Help(
            "Medio de verificación",
            "Evidencia del producto: número de oficio, minuta, publicación en el DOF, URL… Obligatorio.",
            "El medio de verificación no puede quedar vacío: escriba la evidencia del producto.",
        ),
        ("registros", "tipo"): Help(
            "Tipo de producto",
            f"Elija el tipo que corresponde al indicador de la fila; la lista reúne los de {indicators}.",
            "Elija un tipo de la lista (o deje la celda vacía).",
        ) if tipos else Help(
            "Tipo de producto", "Los indicadores de esta unidad no clasifican sus productos por tipo: deje la celda vacía.",
            "Deje la celda vacía: ningún indicador de esta unidad lleva tipo.",
        ),
        ("registros", "flujo"): Help(
            "Flujo migratorio", "Solo en los registros de FIN (obligatorio ahí): elija el flujo migratorio de la lista.",
            "Elija un flujo de la lista (o deje la celda vacía si el registro no es de FIN).",
        ) if flujos else Help(
            "Flujo migratorio", "Los indicadores de esta unidad no llevan flujo migratorio: deje la celda vacía.",
            "Deje la celda vacía: ningún indicador de esta unidad lleva flujo.",
        ),
        ("justificaciones", "causa"): Help("Causa", "Causa de la variación respecto de lo programado. Obligatoria.",
                                           "La causa no puede quedar vacía."),
        ("justificaciones", "efecto"): Help("Efecto", "Efecto de la variación. Obligatorio.", "El efecto no puede quedar vacío."),
        ("justificaciones", "otros_motivos"): Help("Otros motivos", "Otros motivos de la variación (puede quedar vacío)."),
        ("ajustes", "programado"): Help(
            "Programado ajustado", "Número entero mayor o igual a 0: lo programado para el trimestre tras el ajuste.",
            "Escriba un número entero mayor o igual a 0, sin decimales.",
        ),
        ("ajustes", "fecha"): Help(
            "Fecha del ajuste", f"Fecha en que se autorizó el ajuste, dentro de {year}; sin hora.",
            f"Escriba una fecha entre el {year}-01-01 y el {year}-12-31.",
        ),
        ("ajustes", "justificacion"): Help(
            "Justificación", "Motivo y oficio de autorización del ajuste. Obligatoria.",
            "La justificación no puede quedar vacía.",
        ),
    }
    return by_table.get((table, column)) or common[column]


# ---------------------------------------------------------------------------------------
# Lists and validations
# ---------------------------------------------------------------------------------------

@dataclass(frozen=True)
class UnitLists:
    """The dropdown values of one unit: its indicators, their tipos and flujos."""

    indicadores: tuple[str, ...]
    tipos: tuple[str, ...]
    flujos: tuple[str, ...]


def unit_lists(params: Params, unit: Unidad) -> UnitLists:
    """Dropdown values of ``unit`` from params (in MIR order, without repeats)."""
    indicators = [params.mir.get(c) for c in params.mir.claves if c in unit.puede_reportar]
    return UnitLists(
        tuple(i.clave for i in indicators),
        tuple(dict.fromkeys(t for i in indicators for t in i.tipos_producto)),
        tuple(dict.fromkeys(f for i in indicators for f in i.flujos)),
    )


def _list_ranges(sheet: Worksheet, lists: UnitLists) -> dict[str, str]:
    """Write the lists on the hidden sheet; column name → absolute range formula."""
    ranges = {}
    for index, (name, values) in enumerate((("indicador", lists.indicadores), ("tipo", lists.tipos),
                                             ("flujo", lists.flujos)), start=1):
        letter = get_column_letter(index)
        sheet.cell(1, index, name)
        for row, value in enumerate(values, start=2):
            sheet.cell(row, index, value)
        if values:
            ranges[name] = f"{quote_sheetname(LISTS_SHEET)}!${letter}$2:${letter}${len(values) + 1}"
    return ranges


def _validation(column: str, letter: str, year: int, ranges: dict[str, str]) -> DataValidation:
    first = f"{letter}2"
    if column in ranges:
        return DataValidation(type="list", formula1=ranges[column], allow_blank=column in ("tipo", "flujo"))
    if column in ("tipo", "flujo"):  # the unit's indicators define none: the cell stays empty
        return DataValidation(type="textLength", operator="equal", formula1="0", allow_blank=True)
    if column == "trimestre":
        return DataValidation(type="whole", operator="between", formula1="1", formula2="4")
    if column == "programado":
        return DataValidation(type="whole", operator="greaterThanOrEqual", formula1="0")
    if column == "fecha":
        return DataValidation(type="date", operator="between",
                              formula1=f"DATE({year},1,1)", formula2=f"DATE({year},12,31)")
    if column in ("folio", "titulo", "medio_verificacion", "causa", "efecto", "justificacion"):
        return DataValidation(type="custom", formula1=f"LEN(TRIM({first}))>0", allow_blank=False)
    return DataValidation(allow_blank=True)  # any value: the validation carries only the input message


def _header(sheet: Worksheet, columns: Sequence[str]) -> None:
    bold, fill = Font(bold=True), PatternFill("solid", fgColor="D9E2F3")
    for index, column in enumerate(columns, start=1):
        cell = sheet.cell(1, index, column)
        cell.font, cell.fill = bold, fill
        width = 48 if column in ("titulo", "medio_verificacion", "causa", "efecto", "otros_motivos", "justificacion") else 18
        sheet.column_dimensions[get_column_letter(index)].width = width
    sheet.freeze_panes = "A2"


def _table_sheet(book: Workbook, table: str, unit: Unidad, year: int, lists: UnitLists,
                 ranges: dict[str, str], rows: Iterable[dict[str, object]]) -> None:
    sheet = book.create_sheet(table)
    columns = capture_columns(table)
    _header(sheet, columns)
    rows = list(rows)
    last = len(rows) + CAPTURE_ROWS + 1  # room below what is pre-filled
    for index, column in enumerate(columns, start=1):
        letter = get_column_letter(index)
        help_ = _column_help(table, column, unit, year, lists.tipos, lists.flujos)
        validation = _validation(column, letter, year, ranges)
        validation.promptTitle, validation.prompt, validation.showInputMessage = help_.title, help_.prompt, True
        if help_.error:
            validation.errorTitle, validation.error = "Valor no válido", help_.error
            validation.showErrorMessage, validation.errorStyle = True, "stop"
        validation.add(f"{letter}2:{letter}{last}")
        sheet.add_data_validation(validation)
    date_column = columns.index("fecha") + 1 if "fecha" in columns else None
    if date_column:
        for row in range(2, last + 1):
            sheet.cell(row, date_column).number_format = DATE_FORMAT
    for row, values in enumerate(rows, start=2):
        for index, column in enumerate(columns, start=1):
            value = values.get(column)
            if value not in (None, ""):
                sheet.cell(row, index, value)


# ---------------------------------------------------------------------------------------
# The Instrucciones sheet
# ---------------------------------------------------------------------------------------

def _instructions(sheet: Worksheet, params: Params, unit: Unidad, year: int, plazos: dict[int, date]) -> None:
    wrap = Alignment(wrap_text=True, vertical="top")
    sheet.page_setup.orientation = "landscape"  # printed: one page wide
    sheet.sheet_properties.pageSetUpPr.fitToPage = True
    sheet.page_setup.fitToWidth, sheet.page_setup.fitToHeight = 1, 0
    sheet.column_dimensions["A"].width = 14
    for letter, width in zip("BCDEF", (16, 60, 60, 34, 30)):
        sheet.column_dimensions[letter].width = width
    lines: list[tuple[str, ...]] = [
        (f"Libro de captura {year} — {unit.nombre} ({unit.clave})",),
        (f"{params.mir.programa} de la {params.mir.institucion}.",),
        (),
        ("Qué llenar",),
        ("programacion", "Lo que la unidad programa entregar: una fila por indicador y trimestre."),
        ("registros", "Un renglón por producto entregado, con su folio, fecha y medio de verificación (la evidencia)."),
        ("justificaciones", "Causa y efecto de cada variación respecto de lo programado (indicador y trimestre)."),
        ("ajustes", "Cambios autorizados al calendario: indicador, trimestre, nuevo programado, fecha y justificación."),
        (),
        ("Cómo llenar",),
        ("1", "No cambie el nombre de las hojas ni los encabezados de la fila 1; llene desde la fila 2."),
        ("2", "No escriba la unidad responsable: este libro es de " + unit.clave + "."),
        ("3", f"Las fechas van dentro de {year}: como fecha de Excel o como texto AAAA-MM-DD, sin hora."),
        ("4", "Trimestre y programado son números enteros, sin decimales."),
        ("5", "No combine celdas, no oculte filas ni columnas y no deje fórmulas sin calcular."),
        ("6", "La lista de «tipo» reúne los tipos de todos los indicadores de la unidad: elija el del indicador de la fila."),
        ("7", "Al pasar por cada columna, Excel muestra qué se espera; un valor fuera de lo permitido se rechaza."),
        (),
        ("Plazos de entrega",),
    ]
    if plazos:
        lines += [(f"T{q}", f"a más tardar el {plazos[q].isoformat()}") for q in sorted(plazos)]
    else:
        lines.append(("", f"Los parámetros no publican plazos de entrega para {year}; consulte al área de evaluación."))
    lines += [(), ("Indicadores que puede reportar",), ("Clave", "Nivel", "Nombre", "Medios de verificación (MIR)",
                                                       "Tipos de producto", "Flujos")]
    for clave in unit_lists(params, unit).indicadores:
        indicator: Indicator = params.mir.get(clave)
        lines.append((indicator.clave, indicator.nivel, indicator.nombre, indicator.texto.medios_verificacion,
                      ", ".join(indicator.tipos_producto) or "—", ", ".join(indicator.flujos) or "—"))
    titles = {"Qué llenar", "Cómo llenar", "Plazos de entrega", "Indicadores que puede reportar", "Clave"}
    table_start = len(lines) - len(unit_lists(params, unit).indicadores)
    for row, values in enumerate(lines, start=1):
        for column, value in enumerate(values, start=1):
            cell = sheet.cell(row, column, value)
            if row >= table_start:  # the indicator table wraps; the lines above overflow to the right
                cell.alignment = wrap
            if row == 1:
                cell.font = Font(bold=True, size=14)
            elif values[0] in titles:
                cell.font = Font(bold=True)
        if row >= table_start:  # no program sizes wrapped rows on open: give each its height
            widths = [sheet.column_dimensions[get_column_letter(c)].width for c in range(1, len(values) + 1)]
            lines_needed = max(-(-len(str(v)) // max(int(w) - 2, 1)) for v, w in zip(values, widths))
            sheet.row_dimensions[row].height = 15 * max(lines_needed, 1)


# ---------------------------------------------------------------------------------------
# Pre-filling from the year's data
# ---------------------------------------------------------------------------------------

def justification_owner(params: Params, indicador: str) -> str | None:
    """The unit whose workbook carries the justifications of ``indicador``.

    Justifications have no unit column, so each is placed once: with the indicator's
    ``unidad_responsable`` in ``mir.yaml`` when that unit may report it, else with the
    first unit of ``organizacion.yaml`` that may report it.
    """
    may = [u.clave for u in params.organizacion.unidades if indicador in u.puede_reportar]
    try:
        responsible = params.mir.get(indicador).unidad_responsable
    except KeyError:
        responsible = None
    if responsible in may:
        return responsible
    return may[0] if may else None


def _as_cell(value: object) -> object:
    return value if isinstance(value, (int, date)) else (str(value) if value is not None else None)


def unit_rows(params: Params, data: YearData, unit: Unidad, table: str) -> list[dict[str, object]]:
    """The rows of ``table`` in ``data`` that belong to ``unit``, as cell values by column.

    ``YearData`` exposes each table as an attribute of the same name whose records have
    one attribute per contract column (a table it does not hold gives no rows).
    """
    records = getattr(data, table, ())
    columns = table_shapes()[table].columns
    out = []
    for record in records:
        owner = getattr(record, UNIT_COLUMN, None)
        if owner is None:
            owner = justification_owner(params, record.indicador)
        if owner == unit.clave:
            out.append({c: _as_cell(getattr(record, c, None)) for c in columns if c != UNIT_COLUMN})
    return out


def unplaced_justifications(params: Params, data: YearData) -> list[str]:
    """Indicators with justifications that no unit may report (they fit in no workbook)."""
    return sorted({j.indicador for j in data.justificaciones if justification_owner(params, j.indicador) is None})


# ---------------------------------------------------------------------------------------
# The workbook
# ---------------------------------------------------------------------------------------

def build_workbook(params: Params, unit: Unidad, year: int, plazos: dict[int, date] | None = None,
                   data: YearData | None = None) -> Workbook:
    """The capture workbook of ``unit`` for ``year`` (pre-filled from ``data`` when given)."""
    book = Workbook()
    _instructions(book.active, params, unit, year, plazos or {})
    book.active.title = INSTRUCTIONS_SHEET
    lists = unit_lists(params, unit)
    lists_sheet = book.create_sheet(LISTS_SHEET)
    ranges = _list_ranges(lists_sheet, lists)
    for table in table_shapes():
        rows = unit_rows(params, data, unit, table) if data is not None else []
        _table_sheet(book, table, unit, year, lists, ranges, rows)
    book.move_sheet(lists_sheet, offset=len(book.sheetnames) - 1 - book.index(lists_sheet))
    lists_sheet.sheet_state = "hidden"
    book.active = 0
    return book


def _save_atomic(book: Workbook, target: Path) -> None:
    target.parent.mkdir(parents=True, exist_ok=True)
    handle, temporary = tempfile.mkstemp(prefix=f".{target.stem}-", suffix=".xlsx", dir=target.parent)
    os.close(handle)
    try:
        book.save(temporary)
        os.chmod(temporary, 0o644)  # mkstemp creates 0600; a workbook to send is an ordinary file
        os.replace(temporary, target)
    except BaseException:
        Path(temporary).unlink(missing_ok=True)
        raise


def select_units(params: Params, clave: str | None) -> list[Unidad]:
    """Every unit of ``organizacion.yaml``, or the one named (a :class:`UsageError` if unknown)."""
    if clave is None:
        return list(params.organizacion.unidades)
    try:
        return [params.organizacion.get(clave.strip())]
    except KeyError:
        raise UsageError(
            f"Unidad desconocida: «{clave}». Use una de: {', '.join(params.organizacion.claves)}."
        ) from None


def write_workbooks(params: Params, year: int, out_dir: Path, units: Sequence[Unidad],
                    plazos: dict[int, date] | None = None, data: YearData | None = None) -> list[Path]:
    """Write ``<out_dir>/<CLAVE>.xlsx`` for each unit; the paths written, in order."""
    written = []
    for unit in units:
        target = Path(out_dir) / f"{unit.clave}.xlsx"
        _save_atomic(build_workbook(params, unit, year, plazos, data), target)
        written.append(target)
    return written
