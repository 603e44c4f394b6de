"""What Great Expectations cannot see: folders, files, encodings, unreadable content.

Every table of the year is tried, so the user learns about all unreadable or
missing files at once. Reading itself is :mod:`mirbook.sources` (each file read once,
in :class:`~mirbook.sources.YearInputs`); this module only gathers its Spanish problem
lines and describes each check as an
:class:`ExpectationOutcome` of the pseudo-table ``(archivos)``.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from ..contract import REQUIRED_TABLES
from ..sources import UNITS_DIR, RawTable, YearInputs, missing_message
from .outcomes import FILES_TABLE, ExpectationOutcome, FileInfo

#: How each encoding is named for people.
ENCODING_NAMES = {
    "utf-8": "UTF-8",
    "utf-8-sig": "UTF-8 con BOM",
    "cp1252": "Windows-1252",
    "latin-1": "Latin-1 (ISO-8859-1)",
    "xlsx": "libro de Excel (.xlsx)",
}


def encoding_name(encoding: str | None) -> str:
    """The Spanish name of an encoding label from :mod:`mirbook.sources`."""
    if encoding is None:
        return "—"
    return ENCODING_NAMES.get(encoding, encoding)


@dataclass
class Prechecked:
    """The tables that could be read and what was found on the way."""

    tables: dict[str, RawTable] = field(default_factory=dict)
    files: list[Path] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)
    infos: list[str] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)
    outcomes: list[ExpectationOutcome] = field(default_factory=list)
    file_info: list[FileInfo] = field(default_factory=list)

    def outcome(self, filename: str, description: str, problems: list[str] | None = None) -> None:
        """Record one pre-check; ``problems`` (Spanish lines) make it a failure and errors."""
        problems = problems or []
        self.errors.extend(problems)
        self.outcomes.append(
            ExpectationOutcome(
                table=FILES_TABLE,
                filename=filename,
                column=None,
                description=description,
                success=not problems,
                unexpected_count=len(problems),
                message="\n".join(problems) or None,
            )
        )


def run_prechecks(data_dir: Path, year: int, inputs: YearInputs | None = None,
                  params_folder: Path | None = None) -> Prechecked:
    """Describe the lookup and reading of ``year``'s tables; never raises for data problems.

    ``inputs``: the files already read once (:class:`~mirbook.sources.YearInputs`); when
    ``None`` they are read here.
    """
    inputs = inputs if inputs is not None else YearInputs.read(Path(data_dir), year, params_folder)
    found = Prechecked()
    description = f"existe la carpeta del año {year} en la carpeta de datos"
    if inputs.folder is None:
        found.outcome(f"{year}/", description, list(inputs.folder_problems))
        return found
    found.outcome(f"{year}/", description)
    folder = inputs.folder

    for item in inputs.files:
        name = item.name
        required = name in REQUIRED_TABLES
        exists = (
            f"existe el archivo {name} (.csv o .xlsx)"
            if required
            else f"el archivo {name} (.csv o .xlsx, opcional) está o se omite"
        )
        if item.lookup_problems:
            found.outcome(f"{name}.csv / {name}.xlsx", exists, list(item.lookup_problems))
            continue
        path = item.path
        if path is None:
            if required and not inputs.provided(name):
                found.outcome(f"{name}.csv", exists, [missing_message(name, folder)])
            elif required:
                found.outcome(f"{name}.csv", exists)
                found.infos.append(f"No hay {name}.csv en {folder.name}/: lo entregan las unidades ({UNITS_DIR}/).")
            else:
                found.outcome(f"{name}.csv", exists)
                found.infos.append(f"No se entregó {name}.csv (es opcional).")
            continue
        found.outcome(path.name, exists)
        found.files.append(path)
        readable = f"{path.name} se puede leer: no está vacío ni dañado, su texto se decodifica y tiene encabezados"
        table = item.table
        if table is None:
            found.outcome(path.name, readable, list(item.read_problems))
            found.file_info.append(FileInfo(name, path.name, None, None))
            continue
        found.outcome(path.name, readable)
        _read(found, table)
    for unit in inputs.units:
        label = unit.path.relative_to(folder).as_posix()
        found.files.extend(unit.sha256)
        found.outcome(label, f"el archivo de la unidad {unit.clave} ({label}) se puede leer y sus filas son de "
                             f"{unit.clave}", list(unit.problems))
        found.warnings.extend(unit.warnings)
        for table in unit.tables.values():
            _read(found, table, warn=False)
    found.tables = dict(inputs.tables)  # the year-level rows and the units', combined
    return found


def _read(found: Prechecked, table: RawTable, warn: bool = True) -> None:
    """Count the rows read of one file (and sheet) and keep what reading changed."""
    where = table.filename
    found.file_info.append(FileInfo(table.name, where, table.encoding, len(table.rows)))
    found.infos.append(f"{where}: leído como {encoding_name(table.encoding)}, {len(table.rows)} fila(s) de datos.")
    if warn:
        found.warnings.extend(table.warnings)
