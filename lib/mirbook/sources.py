"""Read the input files of one year as raw text tables.

The input contract (mir-domain §3, stated in :mod:`mirbook.contract`): ``programacion``
and ``registros`` are required, ``justificaciones`` optional; each may be a CSV (UTF-8,
UTF-8 with BOM, Windows-1252 or Latin-1) or an ``.xlsx`` workbook (the sheet named after
the table, else the first sheet). Every value is kept as stripped text, together with the
row number the user sees in Excel (header = row 1).

The units' own files (the capture cycle, issue 12): a year folder may also hold
``unidades/<CLAVE>.xlsx`` (sheets found by name: programacion, registros,
justificaciones…; others ignored) or ``unidades/<CLAVE>/<tabla>.csv``. Their rows are
combined with the year-level files' into one table per name; a required table must come
from somewhere (a year-level file or at least one unit). ``unidad_responsable`` may be
empty or absent in a unit's file (it is the file's unit); a row of another unit is an
error naming both. Every row keeps its origin (file, sheet, Excel row) so that every
message names the place the user must open. Workbooks are read with the bounded reader
of :mod:`mirbook.excel` wherever they appear.

Nothing here interprets values: typed parsing is :mod:`mirbook.records`, the full
checks are :mod:`mirbook.validation`. This module only refuses what cannot be read.
"""

from __future__ import annotations

import codecs
import csv
import hashlib
import io
import unicodedata
import zipfile
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import date, datetime, time
from pathlib import Path
from typing import TYPE_CHECKING

from .contract import EXTENSIONS, ISO_DATE, OFFICIAL_FIGURES, QUARTER, READ_TABLES, REQUIRED_TABLES, TABLES, WHOLE_NUMBER
from .errors import DataError
from .paths import year_dir

if TYPE_CHECKING:
    from .excel import TableShape
    from .model import Mir, Organizacion

#: The folder of a year that holds the units' own files.
UNITS_DIR = "unidades"
#: The column a unit's file may leave out: it is the file's unit.
UNIT_COLUMN = "unidad_responsable"
MAX_ROWS_SHOWN = 5

@dataclass(frozen=True)
class RawTable:
    """One input table as text: its columns and its rows with their Excel row numbers."""

    name: str
    path: Path
    encoding: str
    columns: tuple[str, ...]
    rows: tuple[tuple[int, dict[str, str]], ...]
    #: Where the rows are when it is more than the file's name (``registros.xlsx, hoja «registros»``).
    place: str = ""
    #: A table combined from several files: row key → (place, Excel row). Empty: keys are Excel rows.
    origins: Mapping[int, tuple[str, int]] = field(default_factory=dict)
    #: What reading changed without refusing (spaces trimmed, claves recased), one Spanish line each.
    warnings: tuple[str, ...] = ()

    @property
    def filename(self) -> str:
        """Where the table is, as the user knows it (``registros.csv``; the places of a combined table)."""
        if self.origins:
            places = list(dict.fromkeys(place for place, _ in self.origins.values()))
            return f"{self.name} ({'; '.join(places)})"
        return self.place or self.path.name

    def origin(self, key: int) -> tuple[str, int]:
        """The place and Excel row of the row with ``key``."""
        return self.origins.get(key) or (self.place or self.path.name, key)

    def origin_text(self, key: int) -> str:
        """``unidades/DGA.xlsx, hoja «registros», fila 7``: where one row is."""
        place, row = self.origin(key)
        return f"{place}, fila {row}"

    def locate(self, keys: Iterable[int], column: str | None = None) -> str:
        """Where rows are, grouped by place: ``a.xlsx, hoja «r», filas 3, 5; b.csv, fila 9``.

        ``column`` (already phrased, e.g. ``columna «fecha»``) goes after the first place,
        the way single-file messages have always read (file, column, rows).
        """
        keys = list(keys)
        groups: dict[str, list[int]] = {}
        for key in keys[:MAX_ROWS_SHOWN]:
            place, row = self.origin(key)
            groups.setdefault(place, []).append(row)
        parts = []
        for index, (place, rows) in enumerate(groups.items()):
            head = [place] + ([column] if column and index == 0 else [])
            shown = ", ".join(str(r) for r in rows)
            parts.append(", ".join(head + [f"fila{'s' if len(rows) > 1 else ''} {shown}"]))
        if not parts:
            return ", ".join([self.filename] + ([column] if column else []))
        more = f" y {len(keys) - MAX_ROWS_SHOWN} más" if len(keys) > MAX_ROWS_SHOWN else ""
        return "; ".join(parts) + more

    def missing_columns(self) -> list[str]:
        """Required columns of the contract absent from the header."""
        return [c for c in TABLES[self.name].required_columns if c not in self.columns]


def find_table(folder: Path, name: str) -> Path | None:
    """The file of table ``name`` in ``folder`` (``.csv`` or ``.xlsx``), or ``None``."""
    found = [folder / f"{name}{ext}" for ext in EXTENSIONS if (folder / f"{name}{ext}").is_file()]
    if len(found) > 1:
        raise DataError(
            f"En {folder} hay dos versiones de «{name}» ({found[0].name} y {found[1].name}); "
            "deje solo una para que no haya duda de cuál se usa."
        )
    return found[0] if found else None


def decode_text(data: bytes, path: Path) -> tuple[str, str]:
    """Decode a CSV's bytes: UTF-8 (with or without BOM), else Windows-1252, else Latin-1."""
    if data.startswith(b"PK\x03\x04"):
        raise DataError(
            f"{path.name}: el archivo parece un libro de Excel guardado con extensión .csv; "
            "guárdelo como «CSV UTF-8» o cambie la extensión a .xlsx."
        )
    if data.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        raise DataError(
            f"{path.name}: el archivo está en UTF-16 («Texto Unicode»), que no se acepta; "
            "guárdelo como «CSV UTF-8 (delimitado por comas)»."
        )
    if data.startswith(codecs.BOM_UTF8):
        try:
            return data[len(codecs.BOM_UTF8):].decode("utf-8"), "utf-8-sig"
        except UnicodeDecodeError as exc:
            raise DataError(
                f"{path.name}: el archivo dice ser UTF-8 pero el byte {exc.start + 3} no es UTF-8 válido; "
                "vuelva a guardarlo como «CSV UTF-8»."
            ) from None
    for encoding in ("utf-8", "cp1252", "latin-1"):
        try:
            text = data.decode(encoding)
        except UnicodeDecodeError:
            continue
        _check_printable(text, path)
        return text, encoding
    raise AssertionError("latin-1 decodes every byte")  # pragma: no cover


def _check_printable(text: str, path: Path) -> None:
    """Refuse binary or corrupt content: control characters other than tab and line breaks."""
    for line_number, line in enumerate(text.splitlines(), start=1):
        for char in line:
            if char not in "\t" and unicodedata.category(char) == "Cc":
                raise DataError(
                    f"{path.name}, línea {line_number}: el archivo contiene caracteres de control "
                    f"(código {ord(char):#04x}); no es un texto legible. ¿Está dañado o es un archivo binario? "
                    "Guárdelo de nuevo como «CSV UTF-8»."
                )


def _delimiter(header_line: str) -> str:
    """The delimiter Excel used: comma, semicolon or tab, whichever splits the header most."""
    counts = {d: header_line.count(d) for d in (",", ";", "\t")}
    best = max(counts, key=lambda d: counts[d])
    return best if counts[best] else ","


def _build(name: str, path: Path, encoding: str, records: list[tuple[int, list[str]]]) -> RawTable:
    """Turn (row number, cells) pairs into a :class:`RawTable`; the first is the header."""
    if not records:
        raise DataError(
            f"{path.name}: el archivo no tiene fila de encabezados; la primera fila debe llevar los nombres "
            f"de las columnas: {', '.join(TABLES[name].required_columns)}."
        )
    _, header_cells = records[0]
    while header_cells and not header_cells[-1].strip():
        header_cells = header_cells[:-1]
    columns = tuple(cell.strip().lstrip("\ufeff").strip() for cell in header_cells)
    blanks = [i + 1 for i, c in enumerate(columns) if not c]
    if blanks:
        raise DataError(f"{path.name}, fila 1: la columna {blanks[0]} del encabezado no tiene nombre.")
    repeated = sorted({c for c in columns if columns.count(c) > 1})
    if repeated:
        raise DataError(f"{path.name}, fila 1: columnas repetidas en el encabezado: {', '.join(repeated)}.")
    rows: list[tuple[int, dict[str, str]]] = []
    for row_number, cells in records[1:]:
        values = [c.strip() for c in cells]
        if not any(values):
            continue
        if len(values) > len(columns) and any(values[len(columns):]):
            raise DataError(
                f"{path.name}, fila {row_number}: tiene {len(values)} valores pero el encabezado tiene "
                f"{len(columns)} columnas (¿una coma sin comillas dentro de un texto?)."
            )
        values += [""] * (len(columns) - len(values))
        rows.append((row_number, dict(zip(columns, values))))
    return RawTable(name, path, encoding, columns, tuple(rows))


def read_csv(name: str, path: Path, data: bytes | None = None) -> RawTable:
    """Read one CSV table (from ``data``, the file's bytes already read, when given)."""
    data = path.read_bytes() if data is None else data
    if not data.strip():
        raise DataError(
            f"{path.name}: el archivo está vacío (0 bytes de contenido); debe tener al menos la fila de "
            f"encabezados: {', '.join(TABLES[name].required_columns)}."
        )
    text, encoding = decode_text(data, path)
    first_line = text.lstrip("\ufeff").splitlines()[0] if text.strip() else ""
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=_delimiter(first_line))
    try:
        records = [(index, cells) for index, cells in enumerate(reader, start=1)]
    except csv.Error as exc:
        raise DataError(f"{path.name}, fila {reader.line_num}: el CSV está mal formado ({exc}).") from None
    return _build(name, path, encoding, records)


def _cell_text(value: object) -> str:
    """An Excel cell as the text the user sees (integers without decimals, ISO dates).

    Kept for :mod:`mirbook.shcp`, which reads the SHCP's own published workbooks; the
    input tables are read with :mod:`mirbook.excel`.
    """
    if value is None:
        return ""
    if isinstance(value, bool):
        return "VERDADERO" if value else "FALSO"
    if isinstance(value, datetime):
        return value.date().isoformat() if value.time() == time(0) else value.isoformat(sep=" ")
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value)


def table_shapes() -> dict[str, TableShape]:
    """Every table of the contract as :mod:`mirbook.excel` reads it: columns and cell kinds."""
    from .excel import TableShape

    out = {}
    for name, spec in TABLES.items():
        dates = frozenset(c.name for c in spec.columns if c.rule is ISO_DATE)
        integers = frozenset(c.name for c in spec.columns if c.rule in (WHOLE_NUMBER, QUARTER))
        out[name] = TableShape(spec.required_columns, spec.optional_columns, dates, integers)
    return out


def shapes(claves: Mapping[str, Iterable[str]] | None = None, unit_file: bool = False) -> dict[str, TableShape]:
    """The contract's shapes with admitted ``claves`` per column (read regardless of case).

    ``unit_file``: the shapes of a unit's file, where ``unidad_responsable`` is optional.
    """
    from .excel import TableShape

    out = {}
    for name, shape in table_shapes().items():
        required, optional = shape.required, shape.optional
        if unit_file and UNIT_COLUMN in required:
            required = tuple(c for c in required if c != UNIT_COLUMN)
            optional = (UNIT_COLUMN, *optional)
        admitted = {c: tuple(v) for c, v in (claves or {}).items() if c in shape.columns}
        out[name] = TableShape(required, optional, shape.dates, shape.integers, admitted)
    return out


def params_claves(mir: Mir, organizacion: Organizacion) -> dict[str, tuple[str, ...]]:
    """The claves a workbook's cells are matched against: indicators, units, tipos, flujos."""
    return {
        "indicador": mir.claves,
        UNIT_COLUMN: organizacion.claves,
        "tipo": tuple(dict.fromkeys(t for i in mir.indicadores for t in i.tipos_producto)),
        "flujo": tuple(dict.fromkeys(f for i in mir.indicadores for f in i.flujos)),
    }


def _default_claves(params_folder: Path | None) -> dict[str, tuple[str, ...]]:
    """The claves of ``params/`` (none when params cannot be read: validation will say why)."""
    from .errors import ParamsError
    from .params import load_mir, load_organizacion
    from .paths import params_dir

    folder = Path(params_folder) if params_folder else params_dir()
    try:
        mir = load_mir(folder / "mir.yaml")
        return params_claves(mir, load_organizacion(folder / "organizacion.yaml", mir))
    except (ParamsError, OSError):
        return {}


def _sheet_table(name: str, path: Path, sheet: str, shape: TableShape, place: str) -> RawTable:
    """One sheet read by :mod:`mirbook.excel` as a :class:`RawTable` (its errors raised together)."""
    from .excel import read_sheet

    found = read_sheet(path, sheet, shape)
    if found.errors:
        raise DataError(list(found.errors))
    return RawTable(name, path, "xlsx", found.columns, found.rows, place=place, warnings=found.warnings)


def read_xlsx(name: str, path: Path, data: bytes | None = None, shape: TableShape | None = None) -> RawTable:
    """Read table ``name`` of a year-level workbook: the sheet named after it, else the first one.

    The sheet read is named in :attr:`RawTable.place` (``registros.xlsx, hoja «Hoja1»``), so
    every message says which sheet it is about. ``data`` (the bytes already read) is not
    needed: the bounded reader streams the file itself.
    """
    from .excel import find_sheet

    if (path.stat().st_size if data is None else len(data)) == 0:
        raise DataError(f"{path.name}: el archivo está vacío (0 bytes).")
    try:
        sheet, names = find_sheet(path, name)
    except (OSError, KeyError, ValueError, SyntaxError, zipfile.BadZipFile) as exc:
        raise DataError(
            f"{path.name}: no se puede abrir como libro de Excel (.xlsx); el archivo está dañado "
            f"o no es un libro de Excel ({type(exc).__name__})."
        ) from None
    if not names:
        raise DataError(f"{path.name}: el libro no tiene hojas.")
    sheet = sheet or names[0]
    return _sheet_table(name, path, sheet, shape or table_shapes()[name], f"{path.name}, hoja «{sheet}»")


def read_table(name: str, path: Path, data: bytes | None = None,
               claves: Mapping[str, Iterable[str]] | None = None) -> RawTable:
    """Read table ``name`` from ``path`` (CSV or xlsx by extension; ``data``: its bytes, already read)."""
    if name not in TABLES:
        raise ValueError(f"unknown table {name!r}")
    try:
        if path.suffix.lower() == ".xlsx":
            return read_xlsx(name, path, data, shapes(claves)[name])
        return read_csv(name, path, data)
    except PermissionError:
        raise DataError(f"{path.name}: no se puede leer el archivo (permiso denegado).") from None
    except IsADirectoryError:
        raise DataError(f"{path.name}: es una carpeta, no un archivo.") from None


@dataclass(frozen=True)
class InputFile:
    """One table of the contract as looked up and read: where it is, its bytes' hash, its rows.

    ``lookup_problems``: the table could not be told apart (two versions); ``path`` is
    ``None`` when no file was found; ``read_problems`` (Spanish lines): the file exists but
    cannot be read. ``sha256`` is computed from the very bytes that were parsed.
    """

    name: str
    path: Path | None
    sha256: str | None = None
    table: RawTable | None = None
    lookup_problems: tuple[str, ...] = ()
    read_problems: tuple[str, ...] = ()


def read_input_file(name: str, path: Path, claves: Mapping[str, Iterable[str]] | None = None) -> InputFile:
    """Read one file once: its bytes, their sha256 and the parsed table (never raises a DataError)."""
    try:
        data = path.read_bytes()
    except (PermissionError, IsADirectoryError):
        data = None  # read_table phrases these two
    except OSError as exc:
        problem = f"{path.name}: no se puede leer el archivo ({exc.strerror or type(exc).__name__})."
        return InputFile(name, path, read_problems=(problem,))
    try:
        table = read_table(name, path, data, claves) if data is not None else read_table(name, path, None, claves)
    except DataError as exc:
        digest = hashlib.sha256(data).hexdigest() if data is not None else None
        return InputFile(name, path, digest, read_problems=tuple(exc.problems))
    except OSError as exc:
        problem = f"{path.name}: no se puede leer el archivo ({exc.strerror or type(exc).__name__})."
        return InputFile(name, path, read_problems=(problem,))
    return InputFile(name, path, hashlib.sha256(data or b"").hexdigest(), table)


@dataclass(frozen=True)
class UnitInput:
    """The file(s) one unit delivered: ``unidades/<CLAVE>.xlsx`` or ``unidades/<CLAVE>/<tabla>.csv``.

    ``tables``: the tables it provides, each already checked against the unit (rows of
    another unit are :attr:`problems`); ``sha256``: every file whose bytes were read;
    ``modified``: the newest modification time of its files (for ``mirbook captura``).
    """

    clave: str
    path: Path
    tables: dict[str, RawTable]
    sha256: dict[Path, str]
    modified: float | None
    problems: tuple[str, ...] = ()
    warnings: tuple[str, ...] = ()


def _unit_place(folder: Path, path: Path, sheet: str | None) -> str:
    relative = path.relative_to(folder).as_posix()
    return f"{relative}, hoja «{sheet}»" if sheet else relative


def _in_units(folder: Path, file: Path, line: str) -> str:
    """A reader's line (it names the file alone: ``DRII.xlsx, celda …``) with the folder it is in."""
    return line if line.startswith(UNITS_DIR) else f"{file.relative_to(folder).parent.as_posix()}/{line}"


def _own_rows(table: RawTable, clave: str, problems: list[str]) -> RawTable:
    """The rows of a unit's table with ``unidad_responsable`` filled in; another unit's row is a problem."""
    if UNIT_COLUMN not in TABLES[table.name].column_names:
        return table
    rows = []
    for row, values in table.rows:
        given = values.get(UNIT_COLUMN, "").strip()
        if given and given.casefold() != clave.casefold():
            problems.append(
                f"{table.place}, fila {row}, columna «{UNIT_COLUMN}»: valor «{given}» — la fila es de la unidad "
                f"«{given}» pero el archivo es de la unidad «{clave}»; cada unidad entrega solo sus filas "
                f"(pase la fila al archivo de {given} o corrija la unidad)."
            )
        rows.append((row, {**values, UNIT_COLUMN: clave}))
    columns = table.columns if UNIT_COLUMN in table.columns else (*table.columns, UNIT_COLUMN)
    return RawTable(table.name, table.path, table.encoding, columns, tuple(rows), table.place,
                    warnings=table.warnings)


def _canonical_unit(stem: str, claves: Mapping[str, Iterable[str]]) -> str:
    """The unit's clave as params spell it (the file's name matched regardless of case and spaces)."""
    name = stem.strip()
    return next((c for c in claves.get(UNIT_COLUMN, ()) if c.casefold() == name.casefold()), name)


def _read_unit(folder: Path, path: Path, claves: Mapping[str, Iterable[str]]) -> UnitInput:
    """Read one unit's workbook or folder of CSV files (never raises a DataError)."""
    from .excel import find_sheet

    clave = _canonical_unit(path.stem if path.is_file() else path.name, claves)
    unit_shapes = shapes(claves, unit_file=True)
    tables: dict[str, RawTable] = {}
    digests: dict[Path, str] = {}
    problems: list[str] = []
    times: list[float] = []
    if path.is_file():
        files = [path]
    else:
        files = sorted(p for p in path.iterdir() if p.is_file() and not p.name.startswith((".", "~$")))
    for file in files:
        try:
            data = file.read_bytes()
            times.append(file.stat().st_mtime)
        except OSError as exc:
            problems.append(f"{_unit_place(folder, file, None)}: no se puede leer el archivo "
                            f"({exc.strerror or type(exc).__name__}).")
            continue
        digests[file] = hashlib.sha256(data).hexdigest()
        try:
            if file.suffix.lower() == ".xlsx":
                sheets, _names = [], None
                for name in READ_TABLES:
                    sheet, _names = find_sheet(file, name)
                    if sheet is not None:
                        sheets.append((name, sheet))
                for name, sheet in sheets:
                    tables[name] = _sheet_table(name, file, sheet, unit_shapes[name],
                                                _unit_place(folder, file, sheet))
            elif file.suffix.lower() == ".csv" and file.stem in READ_TABLES:
                table = read_csv(file.stem, file, data)
                missing = [c for c in unit_shapes[file.stem].required if c not in table.columns]
                if missing:
                    raise DataError(
                        f"{_unit_place(folder, file, None)}, fila 1 (encabezados): faltan las columnas "
                        f"{', '.join(missing)}; se encontraron: {', '.join(table.columns) or '(ninguna)'}."
                    )
                tables[file.stem] = RawTable(table.name, file, table.encoding, table.columns, table.rows,
                                             _unit_place(folder, file, None))
            else:
                problems.append(
                    f"{_unit_place(folder, file, None)}: no es una tabla de la unidad; se esperan "
                    f"{', '.join(f'{n}.csv' for n in READ_TABLES)}. Quítelo de la carpeta o cámbiele el nombre."
                )
        except DataError as exc:
            problems.extend(_in_units(folder, file, line) for line in exc.problems)
        except (OSError, zipfile.BadZipFile, KeyError, ValueError, SyntaxError) as exc:
            problems.append(f"{_unit_place(folder, file, None)}: no se puede abrir como libro de Excel (.xlsx) "
                            f"({type(exc).__name__}); ¿está dañado o protegido con contraseña?")
    own = {name: _own_rows(table, clave, problems) for name, table in tables.items()}
    warnings = tuple(_in_units(folder, t.path, w) for t in own.values() for w in t.warnings)
    if not own and not problems:
        warnings += (f"{_unit_place(folder, path, None)}: no tiene ninguna hoja o archivo de las tablas "
                     f"({', '.join(READ_TABLES)}).",)
    return UnitInput(clave, path, own, digests, max(times, default=None), tuple(problems), warnings)


def unit_paths(folder: Path) -> list[Path]:
    """The units' workbooks and folders in ``<year>/unidades/``, sorted (lock and hidden files left out)."""
    units = folder / UNITS_DIR
    if not units.is_dir():
        return []
    return sorted(
        p for p in units.iterdir()
        if not p.name.startswith((".", "~$")) and (p.is_dir() or p.suffix.lower() == ".xlsx")
    )


def combine(name: str, parts: list[RawTable]) -> RawTable:
    """One table of ``name`` from the year-level file and the units' ones, each row keeping its origin.

    A single part is returned as it is (its keys stay its Excel rows); several parts get
    keys 1…n and :attr:`RawTable.origins`.
    """
    if len(parts) == 1:
        return parts[0]
    columns = list(TABLES[name].column_names)
    for part in parts:
        columns += [c for c in part.columns if c not in columns]
    present = [c for c in columns if any(c in part.columns for part in parts)]
    rows, origins = [], {}
    for part in parts:
        for row, values in part.rows:
            key = len(rows) + 1
            rows.append((key, {c: values.get(c, "") for c in present if c in part.columns or c in values}))
            origins[key] = (part.place or part.path.name, row)
    return RawTable(name, parts[0].path, parts[0].encoding, tuple(present), tuple(rows), origins=origins,
                    warnings=tuple(w for part in parts for w in part.warnings))


@dataclass(frozen=True)
class YearInputs:
    """The input files of one year, each read ONCE: raw tables, their sha256, what went wrong.

    The seam between reading and its users: validation (:func:`mirbook.validation.validate`),
    the workbook (:func:`mirbook.workbook.open_workbook`), typing
    (:func:`mirbook.records.year_data`) and the run's fingerprint all take the same object,
    so a big year is read and parsed once per run. Reading never raises for a data problem:
    :attr:`folder_problems`, each :class:`InputFile` and each :class:`UnitInput` say what
    could not be read, and :meth:`raw_tables` raises them as one :class:`DataError` the way
    :func:`read_year` does. :attr:`tables` combines the year-level files with the units'.
    """

    data_dir: Path
    year: int
    folder: Path | None
    folder_problems: tuple[str, ...]
    files: tuple[InputFile, ...]
    units: tuple[UnitInput, ...] = ()

    @classmethod
    def read(cls, data_dir: Path, year: int, params_folder: Path | None = None) -> YearInputs:
        """Look up and read every table of ``year`` in ``data_dir`` (required first), and the units' files.

        ``params_folder``: where the claves are read from (workbook cells are matched to
        them regardless of case); the project's ``params/`` when ``None``.
        """
        data_dir = Path(data_dir)
        try:
            folder = year_dir(data_dir, year)
        except DataError as exc:
            return cls(data_dir, year, None, tuple(exc.problems), ())
        claves = _default_claves(params_folder)
        files = []
        for name in READ_TABLES:
            try:
                path = find_table(folder, name)
            except DataError as exc:
                files.append(InputFile(name, None, lookup_problems=tuple(exc.problems)))
                continue
            files.append(InputFile(name, None) if path is None else read_input_file(name, path, claves))
        units = tuple(_read_unit(folder, path, claves) for path in unit_paths(folder))
        return cls(data_dir, year, folder, (), tuple(files), units)

    def get(self, name: str) -> InputFile | None:
        """The year-level file of table ``name``, as looked up (``None`` if the folder was missing)."""
        return next((f for f in self.files if f.name == name), None)

    def provided(self, name: str) -> bool:
        """Whether table ``name`` comes from somewhere: the year-level file or a unit's."""
        item = self.get(name)
        return (item is not None and item.path is not None) or any(name in u.tables for u in self.units)

    @property
    def tables(self) -> dict[str, RawTable]:
        """The tables that could be read, by name, in the contract's order: year-level and units' rows combined."""
        out = {}
        for name in READ_TABLES:
            item = self.get(name)
            parts = [item.table] if item is not None and item.table is not None else []
            parts += [u.tables[name] for u in self.units if name in u.tables]
            if parts:
                out[name] = combine(name, parts)
        return out

    @property
    def warnings(self) -> tuple[str, ...]:
        """What reading changed or ignored without refusing (every file, every unit)."""
        lines = [w for f in self.files if f.table is not None for w in f.table.warnings]
        return tuple(lines + [w for u in self.units for w in u.warnings])

    @property
    def sha256(self) -> dict[Path, str]:
        """``{path: sha256}`` of every file whose bytes were read (the units' files included)."""
        out = {f.path: f.sha256 for f in self.files if f.path is not None and f.sha256 is not None}
        for unit in self.units:
            out.update(unit.sha256)
        return out

    def raw_tables(self) -> dict[str, RawTable]:
        """Every table, or a :class:`DataError`: the first unreadable file, else the missing required ones."""
        if self.folder_problems:
            raise DataError(list(self.folder_problems))
        missing = []
        for item in self.files:
            if item.lookup_problems or item.read_problems:
                raise DataError(list(item.lookup_problems or item.read_problems))
            if item.name in REQUIRED_TABLES and not self.provided(item.name):
                missing.append(item.name)
        problems = [line for unit in self.units for line in unit.problems]
        if problems:
            raise DataError(problems)
        if missing:
            raise DataError([missing_message(name, self.folder) for name in missing])
        return self.tables


def missing_message(name: str, folder: Path | None) -> str:
    """The Spanish line for a required table that comes from nowhere."""
    return (
        f"Falta el archivo obligatorio {name}.csv (o {name}.xlsx) en {folder}, y ninguna unidad lo entrega "
        f"en {UNITS_DIR}/ (hoja «{name}» de <CLAVE>.xlsx o {UNITS_DIR}/<CLAVE>/{name}.csv)."
    )


def read_year(data_dir: Path, year: int) -> dict[str, RawTable]:
    """Read every table of one year; a missing required file is a :class:`DataError`."""
    return YearInputs.read(Path(data_dir), year).raw_tables()


def year_files(data_dir: Path, year: int) -> list[Path]:
    """The input files of a year that exist (the units' and SHCP's published file included), for hashing and tracing."""
    folder = Path(data_dir) / str(year)
    files = []
    for name in READ_TABLES + (OFFICIAL_FIGURES,):
        for ext in EXTENSIONS:
            if (folder / f"{name}{ext}").is_file():
                files.append(folder / f"{name}{ext}")
    for path in unit_paths(folder):
        files += [path] if path.is_file() else sorted(
            p for p in path.iterdir() if p.is_file() and not p.name.startswith((".", "~$")))
    return files
