"""Read one table from one sheet of an ``.xlsx`` workbook, as Excel really writes it.

Why a module of its own: the units capture in Excel, and Excel does not write what a
CSV loader expects. Dates are date cells, integers are floats (``2.0``), a sheet ends
with hundreds of formatted empty rows, a clave carries a trailing space or the wrong
case, a formula stands where a value should be, a header sits on row 3 under a title,
rows are hidden or cells merged. This module turns one sheet into text rows the rest of
``mirbook`` already understands, and says, in Spanish and naming the cell, everything it
refused or changed. Nothing is silently dropped: a value it cannot place is an error.

It is also the first line against hostile files (the reliability issue): the sheet's XML
is streamed once with ``iterparse`` — never loaded whole, never trusting the declared
``<dimension>`` — and a sheet with more rows, columns or uncompressed bytes than the
bounds is refused before any value is read. That pass also finds what openpyxl's
read-only mode does not expose: merged cells, hidden rows and columns, formulas without
a cached value and error cells. A second streaming pass (openpyxl, read-only,
``data_only=True``) reads the values with their Excel types (dates, numbers).

The module knows nothing of the data contract: the caller says which columns a table
has and which of them hold dates, integers or claves (see :class:`TableShape`).
"""

from __future__ import annotations

import posixpath
import re
import zipfile
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from pathlib import Path
from typing import Any

from defusedxml.ElementTree import iterparse
from openpyxl import load_workbook
from openpyxl.utils.cell import column_index_from_string, coordinate_from_string, get_column_letter

#: Default bounds for one sheet (a capture sheet holds at most a few thousand rows).
MAX_ROWS = 20_000
MAX_COLUMNS = 50
MAX_SHEET_BYTES = 50 * 1024 * 1024
#: Reading stops after this many consecutive empty rows (Excel's formatted tail).
EMPTY_RUN = 200
#: Rows searched for a header that is not on row 1.
HEADER_SEARCH_ROWS = 30
#: At most this many cells are named in one warning or error line.
MAX_CELLS_SHOWN = 8

_NUMBER_RE = re.compile(r"[+-]?(\d+(\.\d*)?|\.\d+)")
_ISO_DATE_RE = re.compile(r"\d{4}-\d{2}-\d{2}")
_ISO_MIDNIGHT_RE = re.compile(r"(\d{4}-\d{2}-\d{2})[ T]00:00(:00(\.0+)?)?")
_REL_NS = "{http://schemas.openxmlformats.org/officeDocument/2006/relationships}id"
_TRUE = ("1", "true")


@dataclass(frozen=True)
class TableShape:
    """What the caller expects of one table: its columns and how to read their cells.

    Attributes:
        required: columns the header must carry.
        optional: columns the header may carry.
        dates: columns holding a date (a date cell or ISO ``AAAA-MM-DD`` text).
        integers: columns holding a whole number (``2`` or ``2.0``; ``2.5`` is refused).
        claves: per column, the admitted values; a cell matching one of them except for
            case is rewritten to it (with a warning). Other values are left for validation.
    """

    required: tuple[str, ...]
    optional: tuple[str, ...] = ()
    dates: frozenset[str] = frozenset()
    integers: frozenset[str] = frozenset()
    claves: Mapping[str, Iterable[str]] = field(default_factory=dict)

    @property
    def columns(self) -> tuple[str, ...]:
        """Every column the table may carry, in the contract's order."""
        return self.required + self.optional


@dataclass(frozen=True)
class SheetRows:
    """The text rows read from one sheet.

    ``rows`` holds ``(excel_row, {column: text})``, with every column of the header that
    the shape knows (absent optional columns are not keys). ``errors`` are complete
    Spanish lines naming file, sheet, cell and value; when there are any, ``rows`` must
    not be used. ``warnings`` name the cells that were changed (spaces, case).
    """

    path: Path
    sheet: str
    columns: tuple[str, ...]
    rows: tuple[tuple[int, dict[str, str]], ...]
    warnings: tuple[str, ...]
    errors: tuple[str, ...]

    @property
    def ok(self) -> bool:
        """Whether the sheet was read without errors."""
        return not self.errors


def cell_name(sheet: str, row: int, column: int) -> str:
    """``registros!D7`` (the sheet quoted when Excel would quote it)."""
    quoted = sheet if re.fullmatch(r"[A-Za-z_][A-Za-z0-9_.]*", sheet) else "'" + sheet.replace("'", "''") + "'"
    return f"{quoted}!{get_column_letter(column)}{row}"


def _cells(names: list[str]) -> str:
    shown = ", ".join(names[:MAX_CELLS_SHOWN])
    more = f" y {len(names) - MAX_CELLS_SHOWN} más" if len(names) > MAX_CELLS_SHOWN else ""
    return shown + more


class _Refused(Exception):
    """The sheet cannot be read at all; ``str()`` is the Spanish line."""


# ---------------------------------------------------------------------------------------
# Workbook structure: sheet names and where their XML lives
# ---------------------------------------------------------------------------------------

def _local(tag: str) -> str:
    return tag.rsplit("}", 1)[-1]


def _parse_small(archive: zipfile.ZipFile, member: str, limit: int = 5 * 1024 * 1024) -> list[Any]:
    """Elements of a small XML part (workbook.xml, its rels), refusing oversized ones."""
    info = archive.getinfo(member)
    if info.file_size > limit:
        raise _Refused(f"la parte {member} del libro es demasiado grande ({info.file_size} bytes)")
    with archive.open(member) as stream:
        return [element for _, element in iterparse(stream, events=("end",))]


def sheet_parts(path: Path) -> dict[str, str]:
    """Sheet name → path of its XML inside the archive, in workbook order."""
    with zipfile.ZipFile(path) as archive:
        return _sheet_parts(archive)


def _sheet_parts(archive: zipfile.ZipFile) -> dict[str, str]:
    workbook_part = "xl/workbook.xml"
    for element in _parse_small(archive, "_rels/.rels"):
        if _local(element.tag) == "Relationship" and element.get("Type", "").endswith("/officeDocument"):
            workbook_part = element.get("Target", workbook_part).lstrip("/")
    base = posixpath.dirname(workbook_part)
    rels_part = posixpath.join(base, "_rels", posixpath.basename(workbook_part) + ".rels")
    targets = {}
    for element in _parse_small(archive, rels_part):
        if _local(element.tag) == "Relationship":
            target = element.get("Target", "")
            resolved = target.lstrip("/") if target.startswith("/") else posixpath.normpath(posixpath.join(base, target))
            targets[element.get("Id")] = resolved
    parts = {}
    for element in _parse_small(archive, workbook_part):
        if _local(element.tag) == "sheet":
            rel = element.get(_REL_NS) or element.get("id")
            if rel in targets:
                parts[element.get("name", "")] = targets[rel]
    return parts


# ---------------------------------------------------------------------------------------
# Pass 1: the sheet's XML, streamed
# ---------------------------------------------------------------------------------------

@dataclass
class _Structure:
    last_value_row: int = 0
    merged: list[str] = field(default_factory=list)
    hidden_rows: list[int] = field(default_factory=list)
    hidden_columns: list[str] = field(default_factory=list)
    uncached: list[tuple[int, int, str]] = field(default_factory=list)
    error_cells: dict[tuple[int, int], str] = field(default_factory=dict)


def _column_ranges(element: Any) -> str:
    low, high = int(element.get("min", "0")), int(element.get("max", "0"))
    low, high = max(low, 1), min(high, 16384)
    return get_column_letter(low) if low == high else f"{get_column_letter(low)}:{get_column_letter(high)}"


def _scan(archive: zipfile.ZipFile, member: str, max_rows: int, max_columns: int, max_bytes: int) -> _Structure:
    """One streaming pass over the sheet XML: bounds, merged cells, hidden rows, formulas."""
    size = archive.getinfo(member).file_size
    if size > max_bytes:
        raise _Refused(
            f"la hoja ocupa {size} bytes sin comprimir, más del límite de {max_bytes}; "
            "una hoja de captura no debería ser tan grande (¿tiene formato aplicado a toda la hoja?)"
        )
    found = _Structure()
    row_number = 0
    with archive.open(member) as stream:
        for _, element in iterparse(stream, events=("end",)):
            tag = _local(element.tag)
            if tag == "c":
                ref = element.get("r")
                if ref:
                    letters, cell_row = coordinate_from_string(ref)
                    column = column_index_from_string(letters)
                else:  # a cell without a reference follows the previous one; rare, count it in its row
                    cell_row, column = row_number, 0
                children = {_local(child.tag): child for child in element}
                value = children.get("v")
                has_value = (value is not None and (value.text or "") != "") or "is" in children
                if column > max_columns and has_value:
                    raise _Refused(
                        f"la celda {ref} tiene datos más allá de la columna {get_column_letter(max_columns)} "
                        f"(límite de {max_columns} columnas)"
                    )
                if "f" in children and not has_value:
                    found.uncached.append((cell_row, column, (children["f"].text or "").strip()))
                if element.get("t") == "e" and has_value:
                    found.error_cells[(cell_row, column)] = value.text if value is not None else ""
                if has_value or "f" in children:
                    found.last_value_row = max(found.last_value_row, cell_row)
                element.clear()
            elif tag == "row":
                row_number = int(element.get("r", row_number + 1))
                if row_number > max_rows:
                    raise _Refused(f"la hoja tiene más de {max_rows} filas (límite de lectura)")
                if element.get("hidden", "").lower() in _TRUE:
                    found.hidden_rows.append(row_number)
                element.clear()
            elif tag == "col" and element.get("hidden", "").lower() in _TRUE:
                found.hidden_columns.append(_column_ranges(element))
            elif tag == "mergeCell":
                found.merged.append(element.get("ref", "?"))
            elif tag == "sheetData":
                element.clear()
    return found


# ---------------------------------------------------------------------------------------
# Pass 2: the values (openpyxl, read-only, cached values)
# ---------------------------------------------------------------------------------------

def _iter_value_rows(path: Path, sheet: str, max_columns: int, stop_row: int):
    """``(excel_row, values)`` of the sheet up to ``stop_row``, values cut at ``max_columns``."""
    book = load_workbook(path, read_only=True, data_only=True)
    try:
        worksheet = book[sheet]
        worksheet.reset_dimensions()  # never trust the declared <dimension>
        for number, row in enumerate(worksheet.iter_rows(values_only=True, max_row=stop_row), start=1):
            if number > stop_row:
                break
            yield number, tuple(row[:max_columns])
    finally:
        book.close()


def _blank(value: Any) -> bool:
    return value is None or (isinstance(value, str) and not value.strip())


def _show(value: Any) -> str:
    if isinstance(value, datetime):
        return value.isoformat(sep=" ")
    if isinstance(value, float) and value.is_integer():
        return f"{value:.1f}"
    return str(value)


class _Reader:
    """Gathers errors and warnings while one sheet's values become text."""

    def __init__(self, path: Path, sheet: str, shape: TableShape) -> None:
        self.path, self.sheet, self.shape = path, sheet, shape
        self.errors: list[str] = []
        self.trimmed: dict[str, list[str]] = {}
        self.recased: dict[str, list[str]] = {}
        self._claves = {
            column: {str(v).strip().casefold(): str(v) for v in values} for column, values in shape.claves.items()
        }

    def where(self, row: int, column: int) -> str:
        return f"{self.path.name}, celda {cell_name(self.sheet, row, column)}"

    def error(self, row: int, column: int, name: str, value: Any, expected: str) -> None:
        self.errors.append(f"{self.where(row, column)} (columna «{name}»): valor «{_show(value)}» — {expected}")

    def text(self, row: int, column: int, name: str, value: Any) -> str | None:
        """The cell as contract text, or ``None`` after recording an error."""
        if value is None:
            return ""
        if isinstance(value, bool):
            self.error(row, column, name, value, "la celda tiene un valor lógico (VERDADERO/FALSO); escriba el dato")
            return None
        if name in self.shape.dates:
            return self._date(row, column, name, value)
        if name in self.shape.integers:
            return self._integer(row, column, name, value)
        if isinstance(value, (datetime, date, time, timedelta)):
            self.error(row, column, name, value, "la celda tiene formato de fecha u hora; esta columna es de texto")
            return None
        if isinstance(value, float):
            return str(int(value)) if value.is_integer() else repr(value)
        if isinstance(value, int):
            return str(value)
        return self._clean(row, column, name, str(value))

    def _clean(self, row: int, column: int, name: str, text: str) -> str:
        stripped = text.strip()
        cell = cell_name(self.sheet, row, column)
        if stripped != text:
            self.trimmed.setdefault(name, []).append(cell)
        admitted = self._claves.get(name)
        if admitted and stripped and stripped not in admitted.values():
            canonical = admitted.get(stripped.casefold())
            if canonical is not None:
                self.recased.setdefault(name, []).append(f"{cell} «{stripped}» → «{canonical}»")
                return canonical
        return stripped

    def _date(self, row: int, column: int, name: str, value: Any) -> str | None:
        if isinstance(value, datetime):
            if value.time() != time(0, 0):
                self.error(row, column, name, value, "la fecha lleva hora; escriba solo la fecha (AAAA-MM-DD)")
                return None
            return value.date().isoformat()
        if isinstance(value, date):
            return value.isoformat()
        if isinstance(value, str):
            text = self._clean(row, column, name, value)
            midnight = _ISO_MIDNIGHT_RE.fullmatch(text)
            if midnight:
                text = midnight.group(1)
            if text == "" or _ISO_DATE_RE.fullmatch(text):
                try:
                    return text if text == "" else date.fromisoformat(text).isoformat()
                except ValueError:
                    pass
            self.error(row, column, name, value, "se espera una fecha que exista: una celda de fecha o el texto AAAA-MM-DD")
            return None
        what = "una hora" if isinstance(value, (time, timedelta)) else "un número"
        self.error(
            row, column, name, value,
            f"se espera una fecha: la celda tiene {what}; dele formato de fecha o escriba AAAA-MM-DD",
        )
        return None

    def _integer(self, row: int, column: int, name: str, value: Any) -> str | None:
        if isinstance(value, int):
            return str(value)
        if isinstance(value, float):
            if value.is_integer():
                return str(int(value))
            self.error(row, column, name, value, "se espera un número entero (sin decimales)")
            return None
        if isinstance(value, str):
            text = self._clean(row, column, name, value)
            if text == "":
                return ""
            if _NUMBER_RE.fullmatch(text):
                number = float(text)
                if number.is_integer():
                    return str(int(number))
            self.error(row, column, name, value, "se espera un número entero (sin decimales)")
            return None
        self.error(row, column, name, value, "se espera un número entero, no una fecha u hora")
        return None

    def warnings(self) -> list[str]:
        where = f"{self.path.name}, hoja «{self.sheet}»"
        lines = [
            f"{where}, columna «{name}»: se quitaron espacios al inicio o al final en {_cells(cells)}"
            for name, cells in self.trimmed.items()
        ]
        lines += [
            f"{where}, columna «{name}»: se corrigieron mayúsculas o minúsculas de claves en {_cells(cells)}"
            for name, cells in self.recased.items()
        ]
        return lines


def _header_problem(rows: list[tuple[int, tuple]], shape: TableShape, sheet: str, filename: str) -> str | None:
    """Why row 1 is not the expected header, naming where it was found, or ``None``."""
    wanted = {c.casefold() for c in shape.required}

    def names(values: tuple) -> set[str]:
        return {str(v).strip().casefold() for v in values if not _blank(v)}

    first = rows[0][1] if rows and rows[0][0] == 1 else ()
    if wanted <= names(first):
        return None
    found_at = next((number for number, values in rows[1:] if wanted <= names(values)), None)
    shown = ", ".join(f"«{_show(v)}»" for v in first if not _blank(v)) or "una fila vacía"
    expected = ", ".join(shape.required)
    if found_at is not None:
        return (
            f"{filename}, hoja «{sheet}», fila 1: los encabezados deben estar en la fila 1 pero están en la "
            f"fila {found_at}; en la fila 1 se encontró {shown}. Borre las filas de arriba del encabezado."
        )
    missing = [c for c in shape.required if c.casefold() not in names(first)]
    return (
        f"{filename}, hoja «{sheet}», fila 1 (encabezados): se esperaban las columnas {expected}; "
        f"faltan {', '.join(missing)}; se encontró {shown}."
    )


def _structure_errors(found: _Structure, sheet: str, filename: str) -> list[str]:
    where = f"{filename}, hoja «{sheet}»"
    errors = []
    if found.merged:
        errors.append(
            f"{where}: tiene celdas combinadas ({_cells(found.merged)}); una tabla de captura necesita un valor "
            "por celda. Separe las celdas (Inicio › Combinar y centrar › Separar celdas)."
        )
    if found.hidden_rows:
        rows = [str(r) for r in found.hidden_rows]
        errors.append(
            f"{where}: tiene filas ocultas ({_cells(rows)}); muéstrelas y borre las que no deban entregarse, "
            "para que lo que se entrega sea lo que se ve."
        )
    if found.hidden_columns:
        errors.append(
            f"{where}: tiene columnas ocultas ({_cells(found.hidden_columns)}); muéstrelas y borre las que no "
            "deban entregarse."
        )
    for row, column, formula in found.uncached:
        errors.append(
            f"{filename}, celda {cell_name(sheet, row, column)}: la fórmula «={formula}» no tiene un valor calculado "
            "guardado; abra el libro en Excel, deje que calcule y guárdelo, o escriba el valor en lugar de la fórmula."
        )
    for (row, column), code in sorted(found.error_cells.items()):
        errors.append(
            f"{filename}, celda {cell_name(sheet, row, column)}: la celda tiene el error «{code}»; corrija la fórmula "
            "o escriba el valor."
        )
    return errors


def find_sheet(path: Path, name: str) -> tuple[str | None, list[str]]:
    """The sheet called ``name`` (exactly, else ignoring case and spaces) and every sheet name."""
    names = list(sheet_parts(path))
    if name in names:
        return name, names
    loose = [n for n in names if n.strip().casefold() == name.casefold()]
    return (loose[0] if len(loose) == 1 else None), names


def read_sheet(
    path: Path,
    sheet: str,
    shape: TableShape,
    *,
    max_rows: int = MAX_ROWS,
    max_columns: int = MAX_COLUMNS,
    max_bytes: int = MAX_SHEET_BYTES,
    empty_run: int = EMPTY_RUN,
) -> SheetRows:
    """Read the table of ``sheet`` in the workbook at ``path``; never raises for bad content."""
    path = Path(path)

    def refused(line: str) -> SheetRows:
        return SheetRows(path, sheet, (), (), (), (line,))

    try:
        with zipfile.ZipFile(path) as archive:
            parts = _sheet_parts(archive)
            if sheet not in parts:
                shown = ", ".join(f"«{n}»" for n in parts) or "(ninguna)"
                return refused(f"{path.name}: no tiene la hoja «{sheet}»; sus hojas son {shown}.")
            found = _scan(archive, parts[sheet], max_rows, max_columns, max_bytes)
    except _Refused as exc:
        return refused(f"{path.name}, hoja «{sheet}»: {exc}.")
    except (zipfile.BadZipFile, KeyError, OSError, SyntaxError, ValueError) as exc:
        return refused(
            f"{path.name}: no se puede leer como libro de Excel (.xlsx) ({type(exc).__name__}); "
            "¿está dañado o protegido con contraseña? Guárdelo de nuevo como «Libro de Excel»."
        )
    errors = _structure_errors(found, sheet, path.name)
    reader = _Reader(path, sheet, shape)
    stop_row = found.last_value_row
    try:
        raw = list(_iter_rows_bounded(path, sheet, max_columns, stop_row, empty_run))
    except (zipfile.BadZipFile, KeyError, OSError, ValueError, TypeError) as exc:
        return refused(f"{path.name}, hoja «{sheet}»: los valores no se pueden leer ({type(exc).__name__}).")
    if raw and raw[-1][0] < stop_row:
        gap = next((n for n, values in reversed(raw) if not all(_blank(v) for v in values)), 0) + 1
        errors.append(
            f"{path.name}, hoja «{sheet}»: hay datos en la fila {stop_row}, después de {empty_run} filas vacías "
            f"seguidas (desde la fila {gap}); borre las filas vacías o mueva esos datos."
        )
    problem = _header_problem(raw[:HEADER_SEARCH_ROWS], shape, sheet, path.name)
    if problem:
        return SheetRows(path, sheet, (), (), (), tuple(errors + [problem]))
    header = raw[0][1]
    positions, columns, header_warnings = _header_columns(header, shape, sheet, path.name, raw, errors)
    uncached = {(r, c) for r, c, _ in found.uncached} | set(found.error_cells)
    rows = []
    for number, values in raw[1:]:
        if all(_blank(v) for v in values):
            continue
        out: dict[str, str] = {}
        for index, name in positions.items():
            value = values[index] if index < len(values) else None
            if (number, index + 1) in uncached:
                continue
            text = reader.text(number, index + 1, name, value)
            if text is not None:
                out[name] = text
        rows.append((number, out))
    errors += reader.errors
    return SheetRows(path, sheet, columns, tuple(rows), tuple(header_warnings + reader.warnings()), tuple(errors))


def _iter_rows_bounded(path: Path, sheet: str, max_columns: int, stop_row: int, empty_run: int):
    """Rows up to the last row with a value, stopping after ``empty_run`` empty rows in a row."""
    empty = 0
    for number, values in _iter_value_rows(path, sheet, max_columns, max(stop_row, 1)):
        if all(_blank(v) for v in values):
            empty += 1
            if empty >= empty_run:
                return
        else:
            empty = 0
        yield number, values


def _header_columns(header: tuple, shape: TableShape, sheet: str, filename: str, raw, errors: list[str]):
    """Column index → contract name, the known columns in file order, and header warnings."""
    known = {c.casefold(): c for c in shape.columns}
    positions: dict[int, str] = {}
    warnings, unknown, repeated = [], [], []
    for index, value in enumerate(header):
        if _blank(value):
            continue
        text = str(value)
        name = known.get(text.strip().casefold())
        if name is None:
            unknown.append(f"«{text.strip()}» ({get_column_letter(index + 1)}1)")
            continue
        if name in positions.values():
            repeated.append(f"«{name}» ({get_column_letter(index + 1)}1)")
            continue
        if text != name:
            warnings.append(
                f"{filename}, celda {cell_name(sheet, 1, index + 1)}: el encabezado «{text}» se leyó como «{name}»"
            )
        positions[index] = name
    if repeated:
        errors.append(f"{filename}, hoja «{sheet}», fila 1: columnas repetidas {', '.join(repeated)}; deje solo una.")
    if unknown:
        warnings.append(
            f"{filename}, hoja «{sheet}», fila 1: se ignoran las columnas que no son del formato "
            f"{', '.join(unknown)}; columnas del formato: {', '.join(shape.columns)}"
        )
    named = set(positions) | {i for i, v in enumerate(header) if not _blank(v)}
    orphans = []
    for number, values in raw[1:]:
        for index, value in enumerate(values):
            if index not in named and not _blank(value):
                orphans.append(cell_name(sheet, number, index + 1))
    if orphans:
        errors.append(
            f"{filename}, hoja «{sheet}»: hay datos en columnas sin encabezado ({_cells(orphans)}); "
            "póngales el encabezado que les corresponde o bórrelos."
        )
    columns = tuple(c for c in shape.columns if c in positions.values())
    return positions, columns, warnings
