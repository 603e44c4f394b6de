"""Ajustes de programación: the plan in force for a period, and ``programacion_vigente.csv``.

Federal practice lets a unit change the calendarised meta of a quarter during the year,
with an authorisation date and a justification. The table ``ajustes``
(``indicador, unidad_responsable, trimestre, programado, fecha, justificacion``) records
each change; the original ``programacion`` is never edited.

The rule (issue 13): for a report of period Tq, the programado of a cell
(indicador, unidad_responsable, trimestre) is that of its latest ajuste with
``fecha`` ≤ the last day of Tq, else the original (0 when the cell is not in
``programacion``). Because the date decides, re-running an earlier period gives its
earlier figures: history is reproducible. Two ajustes of one cell on one date would
make "the latest" ambiguous, so they are an error.

:func:`vigente` returns the year's data with ``programacion`` replaced by the plan in
force, so :func:`mirbook.indicators.evaluate` needs no change: it simply receives
the adjusted plan. :func:`celdas` and :func:`to_csv` give the archive's
``programacion_vigente.csv`` (original against vigente, cell by cell).

Parsing (:func:`parse_ajustes`) takes raw rows (Excel row number and a dict of text),
so the loader can hand it the rows of ``ajustes.csv``/``.xlsx`` or of a unit's sheet.
"""

from __future__ import annotations

import csv
import io
from collections import defaultdict
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, replace
from pathlib import Path

from .errors import DataError
from .model import Ajuste, Period, Programacion, YearData
from .records import format_problem, parse_date, parse_int

#: Columns of the input table, in the contract's order (mir-domain §3).
COLUMNS = ("indicador", "unidad_responsable", "trimestre", "programado", "fecha", "justificacion")

#: Columns of ``programacion_vigente.csv``, in order.
CSV_COLUMNS = (
    "anio", "periodo", "indicador", "unidad_responsable", "trimestre",
    "programado_original", "programado_vigente", "fecha_ajuste", "justificacion",
)

Cell = tuple[str, str, int]


def cell_of(item: Programacion | Ajuste) -> Cell:
    """The calendar cell a row speaks about: (indicador, unidad_responsable, trimestre)."""
    return (item.indicador, item.unidad_responsable, item.trimestre)


# --- parsing -----------------------------------------------------------------------------------


def parse_ajustes(rows: Iterable[tuple[int, Mapping[str, str]]], filename: str = "ajustes.csv") -> tuple[Ajuste, ...]:
    """Typed ajustes from raw rows ``(excel_row, {column: text})``; a :class:`DataError` lists every problem.

    Checked here: the columns are present, trimestre 1–4, programado a whole number ≥ 0,
    fecha a real ISO date, justificacion not empty, and no two ajustes of one cell on one
    date (:func:`check_unique`). Whether indicador and unidad exist is the validation's job.
    """
    rows = list(rows)
    if rows:
        missing = [c for c in COLUMNS if c not in rows[0][1]]
        if missing:
            raise DataError(
                f"{filename}, fila 1 (encabezados): faltan las columnas {', '.join(missing)}; "
                f"se esperan: {', '.join(COLUMNS)}."
            )
    problems: dict[tuple[str, str], tuple[list[int], list[str]]] = defaultdict(lambda: ([], []))

    def problem(column: str, row: int, value: str, expected: str) -> None:
        found_rows, values = problems[(column, expected)]
        found_rows.append(row)
        if value not in values:
            values.append(value)

    out = []
    for row, values in rows:
        trimestre = parse_int(values["trimestre"])
        if trimestre is None or not 1 <= trimestre <= 4:
            problem("trimestre", row, values["trimestre"], "se espera un trimestre entero del 1 al 4")
        programado = parse_int(values["programado"])
        if programado is None:
            problem("programado", row, values["programado"], "se espera un número entero mayor o igual a 0")
        fecha = parse_date(values["fecha"])
        if fecha is None:
            problem("fecha", row, values["fecha"], "se espera la fecha de autorización, que exista, escrita AAAA-MM-DD")
        justificacion = " ".join(values["justificacion"].split())
        if not justificacion:
            problem("justificacion", row, "", "cada ajuste necesita su justificación (no puede quedar vacía)")
        if trimestre is not None and 1 <= trimestre <= 4 and programado is not None and fecha is not None and justificacion:
            out.append(
                Ajuste(values["indicador"].strip(), values["unidad_responsable"].strip(), trimestre, programado,
                       fecha, justificacion, row)
            )
    lines = [
        format_problem(filename, column, found_rows, values, expected)
        for (column, expected), (found_rows, values) in problems.items()
    ]
    lines += duplicates(out, filename)
    if lines:
        raise DataError(lines)
    return tuple(out)


def duplicates(ajustes: Iterable[Ajuste], filename: str = "ajustes.csv") -> list[str]:
    """One Spanish line per cell with two or more ajustes on the same date (naming their rows)."""
    groups: dict[tuple[Cell, object], list[Ajuste]] = defaultdict(list)
    for ajuste in ajustes:
        groups[(cell_of(ajuste), ajuste.fecha)].append(ajuste)
    lines = []
    for ((indicador, unidad, trimestre), fecha), same in groups.items():
        if len(same) > 1:
            filas = [str(a.fila) for a in same]
            lines.append(
                f"{filename}, filas {', '.join(filas[:-1])} y {filas[-1]}: {len(same)} ajustes de la misma celda "
                f"(indicador {indicador}, unidad {unidad or '(vacía)'}, trimestre {trimestre}) con la misma fecha "
                f"{fecha.isoformat()}; no se sabe cuál rige. Deje uno solo o corrija la fecha."
            )
    return lines


def check_unique(ajustes: Iterable[Ajuste], filename: str = "ajustes.csv") -> None:
    """Raise a :class:`DataError` when one cell has two ajustes on one date."""
    lines = duplicates(ajustes, filename)
    if lines:
        raise DataError(lines)


# --- the plan in force ---------------------------------------------------------------------------


def hasta(ajustes: Iterable[Ajuste], period: Period) -> list[Ajuste]:
    """The ajustes authorised on or before the period's last day, by date then row."""
    return sorted((a for a in ajustes if a.fecha <= period.end), key=lambda a: (a.fecha, a.fila))


def en_vigor(ajustes: Iterable[Ajuste], period: Period) -> dict[Cell, Ajuste]:
    """For each adjusted cell, the ajuste in force at the period's end (the latest dated ≤ its end)."""
    in_force: dict[Cell, Ajuste] = {}
    for ajuste in hasta(ajustes, period):
        current = in_force.get(cell_of(ajuste))
        if current is not None and current.fecha == ajuste.fecha:
            raise DataError(duplicates([current, ajuste]))
        in_force[cell_of(ajuste)] = ajuste
    return in_force


@dataclass(frozen=True)
class CeldaVigente:
    """One cell of the calendar: its original programado and the one in force for the period."""

    indicador: str
    unidad_responsable: str
    trimestre: int
    programado_original: int
    programado_vigente: int
    ajuste: Ajuste | None

    @property
    def modificada(self) -> bool:
        """Whether an ajuste is in force for this cell (even one that repeats the original value)."""
        return self.ajuste is not None


def celdas(
    programacion: Iterable[Programacion], ajustes: Iterable[Ajuste], period: Period, claves: Sequence[str] = ()
) -> list[CeldaVigente]:
    """Every cell of the original plan or with an ajuste in force, ordered by ``claves`` (MIR order), unit, trimestre.

    Original rows repeating a cell are added up (their uniqueness is the validation's job).
    Ajustes dated after the period's end are not shown: they were not in force yet.
    """
    original: dict[Cell, int] = {}
    for row in programacion:
        original[cell_of(row)] = original.get(cell_of(row), 0) + row.programado
    in_force = en_vigor(ajustes, period)
    order = {clave: index for index, clave in enumerate(claves)}

    def key(cell: Cell) -> tuple:
        indicador, unidad, trimestre = cell
        return (order.get(indicador, len(order)), indicador, unidad, trimestre)

    out = []
    for cell in sorted(set(original) | set(in_force), key=key):
        ajuste = in_force.get(cell)
        base = original.get(cell, 0)
        out.append(CeldaVigente(*cell, base, ajuste.programado if ajuste else base, ajuste))
    return out


def vigente(data: YearData, ajustes: Iterable[Ajuste], period: Period) -> YearData:
    """The year's data with ``programacion`` replaced by the plan in force at the period's end.

    Every quarter of the year is adjusted (not only 1…q), so the programado anual of the
    year-end outlook is the one in force too. A cell present only in ``ajustes`` becomes a
    row whose ``fila`` is the ajuste's row. Everything else of ``data`` is kept as is.
    """
    if data.year != period.year:
        raise ValueError(f"data of {data.year} cannot give the plan of {period}")
    in_force = en_vigor(ajustes, period)
    if not in_force:
        return data
    rows: list[Programacion] = []
    done: set[Cell] = set()
    for row in data.programacion:
        cell = cell_of(row)
        if cell not in in_force:
            rows.append(row)
        elif cell not in done:
            rows.append(replace(row, programado=in_force[cell].programado))
            done.add(cell)
    for cell, ajuste in in_force.items():
        if cell not in done:
            rows.append(Programacion(*cell, ajuste.programado, ajuste.fila))
            done.add(cell)
    return replace(data, programacion=tuple(rows))


def del_indicador(cells: Iterable[CeldaVigente], clave: str) -> list[CeldaVigente]:
    """The cells of one indicator (for the report's original-against-modified table)."""
    return [c for c in cells if c.indicador == clave]


@dataclass(frozen=True)
class ResumenIndicador:
    """What the report shows per indicator: programado original against vigente, and the ajustes behind it.

    ``ajustes`` holds every ajuste of the indicator dated up to the period's end, by date (the
    history, superseded ones included); ``en_vigor`` only those that set a cell's programado now.
    """

    clave: str
    acumulado_original: int
    acumulado_vigente: int
    anual_original: int
    anual_vigente: int
    ajustes: tuple[Ajuste, ...]
    en_vigor: tuple[Ajuste, ...]

    @property
    def modificado(self) -> bool:
        """Whether any ajuste of the indicator is in force."""
        return bool(self.en_vigor)


def resumen(cells: Sequence[CeldaVigente], ajustes: Iterable[Ajuste], period: Period, clave: str) -> ResumenIndicador:
    """The summary of one indicator from :func:`celdas` of the same period."""
    mine = del_indicador(cells, clave)
    upto = [c for c in mine if c.trimestre <= period.quarter]
    return ResumenIndicador(
        clave=clave,
        acumulado_original=sum(c.programado_original for c in upto),
        acumulado_vigente=sum(c.programado_vigente for c in upto),
        anual_original=sum(c.programado_original for c in mine),
        anual_vigente=sum(c.programado_vigente for c in mine),
        ajustes=tuple(a for a in hasta(ajustes, period) if a.indicador == clave),
        en_vigor=tuple(sorted((c.ajuste for c in mine if c.ajuste), key=lambda a: (a.fecha, a.fila))),
    )


# --- programacion_vigente.csv ---------------------------------------------------------------------


def rows(cells: Iterable[CeldaVigente], period: Period) -> list[dict[str, str]]:
    """One row of text per cell, formatted as ``programacion_vigente.csv`` expects."""
    return [
        {
            "anio": str(period.year),
            "periodo": period.label,
            "indicador": c.indicador,
            "unidad_responsable": c.unidad_responsable,
            "trimestre": str(c.trimestre),
            "programado_original": str(c.programado_original),
            "programado_vigente": str(c.programado_vigente),
            "fecha_ajuste": c.ajuste.fecha.isoformat() if c.ajuste else "",
            "justificacion": c.ajuste.justificacion if c.ajuste else "",
        }
        for c in cells
    ]


def to_csv(cells: Iterable[CeldaVigente], period: Period) -> str:
    """``programacion_vigente.csv`` as text (UTF-8 when written, ``\\n`` line endings)."""
    buffer = io.StringIO(newline="")
    writer = csv.DictWriter(buffer, fieldnames=CSV_COLUMNS, lineterminator="\n")
    writer.writeheader()
    writer.writerows(rows(cells, period))
    return buffer.getvalue()


def write_csv(cells: Iterable[CeldaVigente], period: Period, path: Path) -> None:
    """Write ``programacion_vigente.csv`` to ``path`` (the archive makes it atomic)."""
    Path(path).write_text(to_csv(cells, period), encoding="utf-8", newline="")

