"""Read the input files of one year as raw text tables.

The input contract (mir-domain §3, stated in :mod:`mirbook.contract`): ``programacion``
and ``registros`` are required, ``justificaciones`` optional; each may be a CSV (UTF-8,
UTF-8 with BOM, Windows-1252 or Latin-1) or an ``.xlsx`` workbook (first sheet). Every value is kept as stripped text,
together with the row number the user sees in Excel (header = row 1).

Nothing here interprets values: typed parsing is :mod:`mirbook.records`, the full
checks are :mod:`mirbook.validation`. This module only refuses what cannot be read.
"""

from __future__ import annotations

import codecs
import csv
import hashlib
import io
import unicodedata
from dataclasses import dataclass
from datetime import date, datetime, time
from pathlib import Path

from .contract import EXTENSIONS, OFFICIAL_FIGURES, OPTIONAL_TABLES, REQUIRED_TABLES, TABLES
from .errors import DataError
from .paths import year_dir

@dataclass(frozen=True)
class RawTable:
    """One input table as text: its columns and its rows with their Excel row numbers."""

    name: str
    path: Path
    encoding: str
    columns: tuple[str, ...]
    rows: tuple[tuple[int, dict[str, str]], ...]

    @property
    def filename(self) -> str:
        """The file's name as the user knows it (``registros.csv``)."""
        return self.path.name

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
    """An Excel cell as the text the user sees (integers without decimals, ISO dates)."""
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


def read_xlsx(name: str, path: Path, data: bytes | None = None) -> RawTable:
    """Read the first sheet of an ``.xlsx`` workbook (from ``data`` when given)."""
    if (path.stat().st_size if data is None else len(data)) == 0:
        raise DataError(f"{path.name}: el archivo está vacío (0 bytes).")
    import zipfile

    from openpyxl import load_workbook  # imported here: only workbooks need it

    try:
        workbook = load_workbook(path if data is None else io.BytesIO(data), read_only=True, data_only=True)
    except (zipfile.BadZipFile, OSError, KeyError, ValueError, TypeError) as exc:
        raise DataError(
            f"{path.name}: no se puede abrir como libro de Excel (.xlsx); el archivo está dañado "
            f"o no es un libro de Excel ({type(exc).__name__})."
        ) from None
    try:
        if not workbook.worksheets:
            raise DataError(f"{path.name}: el libro no tiene hojas.")
        sheet = workbook.worksheets[0]
        records = []
        for row in sheet.iter_rows():
            cells = [_cell_text(cell.value) for cell in row]
            row_number = next((cell.row for cell in row if getattr(cell, "row", None)), None)
            if row_number is None or (not records and not any(c.strip() for c in cells)):
                continue
            records.append((row_number, cells))
    finally:
        workbook.close()
    return _build(name, path, "xlsx", records)


def read_table(name: str, path: Path, data: bytes | None = None) -> RawTable:
    """Read table ``name`` from ``path`` (CSV or xlsx by extension; ``data``: its bytes, already read)."""
    if name not in TABLES:
        raise ValueError(f"unknown table {name!r}")
    try:
        if path.suffix.lower() == ".xlsx":
            return read_xlsx(name, path, data)
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


def read_input_file(name: str, path: Path) -> InputFile:
    """Read one file once: its bytes, their sha256 and the parsed table (never raises a DataError)."""
    try:
        data = path.read_bytes()
    except (PermissionError, IsADirectoryError):
        data = None  # read_table phrases these two
    except OSError as exc:
        problem = f"{path.name}: no se puede leer el archivo ({exc.strerror or type(exc).__name__})."
        return InputFile(name, path, read_problems=(problem,))
    try:
        table = read_table(name, path, data) if data is not None else read_table(name, path)
    except DataError as exc:
        digest = hashlib.sha256(data).hexdigest() if data is not None else None
        return InputFile(name, path, digest, read_problems=tuple(exc.problems))
    except OSError as exc:
        problem = f"{path.name}: no se puede leer el archivo ({exc.strerror or type(exc).__name__})."
        return InputFile(name, path, read_problems=(problem,))
    return InputFile(name, path, hashlib.sha256(data or b"").hexdigest(), table)


@dataclass(frozen=True)
class YearInputs:
    """The input files of one year, each read ONCE: raw tables, their sha256, what went wrong.

    The seam between reading and its users: validation (:func:`mirbook.validation.validate`),
    the workbook (:func:`mirbook.workbook.open_workbook`), typing
    (:func:`mirbook.records.year_data`) and the run's fingerprint all take the same object,
    so a big year is read and parsed once per run. Reading never raises for a data problem:
    :attr:`folder_problems` and each :class:`InputFile` say what could not be read, and
    :meth:`raw_tables` raises them as one :class:`DataError` the way :func:`read_year` does.
    """

    data_dir: Path
    year: int
    folder: Path | None
    folder_problems: tuple[str, ...]
    files: tuple[InputFile, ...]

    @classmethod
    def read(cls, data_dir: Path, year: int) -> YearInputs:
        """Look up and read every table of ``year`` in ``data_dir`` (required first)."""
        data_dir = Path(data_dir)
        try:
            folder = year_dir(data_dir, year)
        except DataError as exc:
            return cls(data_dir, year, None, tuple(exc.problems), ())
        files = []
        for name in REQUIRED_TABLES + OPTIONAL_TABLES:
            try:
                path = find_table(folder, name)
            except DataError as exc:
                files.append(InputFile(name, None, lookup_problems=tuple(exc.problems)))
                continue
            files.append(InputFile(name, None) if path is None else read_input_file(name, path))
        return cls(data_dir, year, folder, (), tuple(files))

    def get(self, name: str) -> InputFile | None:
        """The file of table ``name``, as looked up (``None`` if the folder was missing)."""
        return next((f for f in self.files if f.name == name), None)

    @property
    def tables(self) -> dict[str, RawTable]:
        """The tables that could be read, by name, in the contract's order."""
        return {f.name: f.table for f in self.files if f.table is not None}

    @property
    def sha256(self) -> dict[Path, str]:
        """``{path: sha256}`` of every file whose bytes were read."""
        return {f.path: f.sha256 for f in self.files if f.path is not None and f.sha256 is not None}

    def raw_tables(self) -> dict[str, RawTable]:
        """Every table, or a :class:`DataError`: the first unreadable file, else the missing required ones."""
        if self.folder_problems:
            raise DataError(list(self.folder_problems))
        missing = []
        for item in self.files:
            if item.lookup_problems or item.read_problems:
                raise DataError(list(item.lookup_problems or item.read_problems))
            if item.path is None and item.name in REQUIRED_TABLES:
                missing.append(item.name)
        if missing:
            raise DataError(
                [f"Falta el archivo obligatorio {name}.csv (o {name}.xlsx) en {self.folder}." for name in missing]
            )
        return self.tables


def read_year(data_dir: Path, year: int) -> dict[str, RawTable]:
    """Read every table of one year; a missing required file is a :class:`DataError`."""
    return YearInputs.read(Path(data_dir), year).raw_tables()


def year_files(data_dir: Path, year: int) -> list[Path]:
    """The input files of a year that exist, for hashing and tracing (SHCP's published file included)."""
    folder = Path(data_dir) / str(year)
    files = []
    for name in REQUIRED_TABLES + OPTIONAL_TABLES + (OFFICIAL_FIGURES,):
        for ext in EXTENSIONS:
            if (folder / f"{name}{ext}").is_file():
                files.append(folder / f"{name}{ext}")
    return files
