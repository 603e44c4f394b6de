"""Turn raw text tables into typed records (:class:`~mirbook.model.YearData`).

Only what the arithmetic needs is enforced here (columns present, integers, real
ISO dates, quarters 1–4); problems are gathered per file and column and raised
together as one :class:`DataError`. The complete checks of the contract (sets,
uniqueness, who may report what…) are :mod:`mirbook.validation`'s job.
"""

from __future__ import annotations

from collections import defaultdict
from pathlib import Path

from .contract import ISO_DATE, QUARTER, WHOLE_NUMBER, parse_date, parse_int, parse_quarter
from .errors import DataError
from .model import Ajuste, Justificacion, Programacion, Registro, YearData
from .sources import UNITS_DIR, RawTable, YearInputs

__all__ = [
    "ProblemLog", "format_located", "format_problem", "load_year", "parse_ajustes", "parse_date", "parse_int",
    "to_year_data", "year_data",
]

MAX_VALUES_SHOWN = 5


def format_problem(filename: str, column: str | None, rows: list[int], values: list[str], expected: str) -> str:
    """One Spanish line: file, column, Excel rows, the first offending values and what was expected."""
    parts = [filename]
    if column:
        parts.append(f"columna «{column}»")
    if rows:
        shown = ", ".join(str(r) for r in rows[:MAX_VALUES_SHOWN])
        more = f" y {len(rows) - MAX_VALUES_SHOWN} más" if len(rows) > MAX_VALUES_SHOWN else ""
        parts.append(f"fila{'s' if len(rows) > 1 else ''} {shown}{more}")
    line = ", ".join(parts)
    if values:
        shown_values = ", ".join(f"«{v}»" for v in values[:MAX_VALUES_SHOWN])
        line += f": valor{'es' if len(values) > 1 else ''} {shown_values}"
    return f"{line} — {expected}"


def format_located(table: RawTable, column: str | None, keys: list[int], values: list[str], expected: str,
                   column_text: str | None = None) -> str:
    """:func:`format_problem` for rows of ``table`` by key: each row named by its origin (file, sheet, row).

    ``column_text``: the column part already phrased (``columnas «a», «b»``), instead of ``column``.
    """
    where = table.locate(keys, column_text or (f"columna «{column}»" if column else None))
    line = where
    if values:
        shown_values = ", ".join(f"«{v}»" for v in values[:MAX_VALUES_SHOWN])
        line += f": valor{'es' if len(values) > 1 else ''} {shown_values}"
    return f"{line} — {expected}"


class ProblemLog:
    """Gathers problems by (file, column, expectation) so each becomes one message line."""

    def __init__(self) -> None:
        self._groups: dict[tuple[str, str | None, str], tuple[list[int], list[str]]] = defaultdict(
            lambda: ([], [])
        )
        self._tables: dict[str, RawTable] = {}
        self._plain: list[str] = []

    def add(self, table: RawTable, column: str | None, row: int, value: str, expected: str) -> None:
        """Record that ``value`` in ``column`` at row key ``row`` of ``table`` breaks ``expected``."""
        self._tables[table.filename] = table
        rows, values = self._groups[(table.filename, column, expected)]
        rows.append(row)
        if value not in values:
            values.append(value)

    def add_line(self, line: str) -> None:
        """Record a problem already phrased as a full line."""
        self._plain.append(line)

    def lines(self) -> list[str]:
        """All problems, one line each."""
        grouped = [
            format_located(self._tables[filename], column, rows, values, expected)
            for (filename, column, expected), (rows, values) in self._groups.items()
        ]
        return self._plain + grouped

    def raise_if_any(self) -> None:
        """Raise a :class:`DataError` with every line gathered, if any."""
        if self._plain or self._groups:
            raise DataError(self.lines())


def _where(table: RawTable, key: int) -> tuple[int, str]:
    """The Excel row and the origin text of the row with ``key`` (``fila``, ``origen`` of a record)."""
    return table.origin(key)[1], table.origin_text(key)


def _check_columns(table: RawTable, log: ProblemLog) -> bool:
    missing = table.missing_columns()
    if missing:
        log.add_line(
            f"{table.filename}, fila 1 (encabezados): faltan las columnas {', '.join(missing)}; "
            f"se encontraron: {', '.join(table.columns) or '(ninguna)'}."
        )
        return False
    return True


def _quarter(table: RawTable, row: int, value: str, log: ProblemLog) -> int | None:
    number = parse_quarter(value)
    if number is None:
        log.add(table, "trimestre", row, value, QUARTER.expected)
    return number


def parse_programacion(table: RawTable, log: ProblemLog) -> list[Programacion]:
    """Typed rows of ``programacion``."""
    if not _check_columns(table, log):
        return []
    out = []
    for row, values in table.rows:
        quarter = _quarter(table, row, values["trimestre"], log)
        programado = parse_int(values["programado"])
        if programado is None:
            log.add(table, "programado", row, values["programado"], WHOLE_NUMBER.expected)
        if quarter is not None and programado is not None:
            out.append(Programacion(values["indicador"], values["unidad_responsable"], quarter, programado,
                                    *_where(table, row)))
    return out


def parse_registros(table: RawTable, log: ProblemLog) -> list[Registro]:
    """Typed rows of ``registros``."""
    if not _check_columns(table, log):
        return []
    out = []
    for row, values in table.rows:
        fecha = parse_date(values["fecha"])
        if fecha is None:
            log.add(table, "fecha", row, values["fecha"], ISO_DATE.expected)
            continue
        out.append(
            Registro(
                folio=values["folio"],
                indicador=values["indicador"],
                unidad_responsable=values["unidad_responsable"],
                fecha=fecha,
                titulo=values["titulo"],
                medio_verificacion=values["medio_verificacion"],
                tipo=values.get("tipo", ""),
                flujo=values.get("flujo", ""),
                fila=table.origin(row)[1],
                origen=table.origin_text(row),
            )
        )
    return out


def parse_justificaciones(table: RawTable, log: ProblemLog) -> list[Justificacion]:
    """Typed rows of ``justificaciones``."""
    if not _check_columns(table, log):
        return []
    out = []
    for row, values in table.rows:
        quarter = _quarter(table, row, values["trimestre"], log)
        if quarter is not None:
            out.append(
                Justificacion(
                    values["indicador"], quarter, values["causa"], values["efecto"], values["otros_motivos"],
                    *_where(table, row),
                )
            )
    return out


def source_path(table: RawTable) -> Path:
    """The file a table came from, or the year's ``unidades/`` folder when the units delivered it."""
    units = next((p for p in table.path.parents if p.name == UNITS_DIR), None)
    if units is None and table.origins:
        return table.path.parent
    return units or table.path


def parse_ajustes(table: RawTable, log: ProblemLog, unidad: str | None = None) -> list[Ajuste]:
    """Typed rows of ``ajustes`` (:func:`mirbook.ajustes.parse_ajustes` does the typing).

    ``unidad``: the unit a per-unit file belongs to; its rows may then leave
    ``unidad_responsable`` out or empty and take the unit's clave (a row naming another
    unit keeps its own value, and validation says whether that unit may report it).
    """
    from .ajustes import parse_ajustes as parse  # ajustes imports this module's helpers

    rows = []
    for row, values in table.rows:
        if unidad is not None and not values.get("unidad_responsable", "").strip():
            values = {**values, "unidad_responsable": unidad}
        rows.append((row, values))
    if unidad is None and not _check_columns(table, log):
        return []
    try:
        return list(parse(rows, table.filename))
    except DataError as exc:
        for line in exc.problems:
            log.add_line(line)
        return []


def to_year_data(year: int, tables: dict[str, RawTable]) -> YearData:
    """Typed records of one year from its raw tables (raises :class:`DataError`)."""
    log = ProblemLog()
    programacion = parse_programacion(tables["programacion"], log)
    registros = parse_registros(tables["registros"], log)
    justificaciones = (
        parse_justificaciones(tables["justificaciones"], log) if "justificaciones" in tables else []
    )
    ajustes = parse_ajustes(tables["ajustes"], log) if "ajustes" in tables else []
    log.raise_if_any()
    return YearData(
        year=year,
        programacion=tuple(programacion),
        registros=tuple(registros),
        justificaciones=tuple(justificaciones),
        archivos={name: source_path(table) for name, table in tables.items()},
        ajustes=tuple(ajustes),
    )


def year_data(inputs: YearInputs) -> YearData:
    """Typed records of a year already read (raises :class:`DataError` for what cannot be used)."""
    return to_year_data(inputs.year, inputs.raw_tables())


def load_year(data_dir: Path, year: int) -> YearData:
    """Read and type the inputs of ``year`` from ``<data_dir>/<year>/``."""
    return year_data(YearInputs.read(Path(data_dir), year))
