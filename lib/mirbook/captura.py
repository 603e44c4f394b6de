"""Capture status: what each unit delivered for one quarter (``mirbook captura``, ``captura.html``).

Why: in the quarterly capture cycle the evaluation area sends one workbook per unit and
waits for them to come back. Before it validates and reports, it needs to see at a glance
who answered, when, how many rows each table holds and whether what each unit reported
in the quarter matches what it programmed — and which files cannot be read. This module
gathers that from the year's inputs as read once (:class:`~mirbook.sources.YearInputs`);
it judges nothing the validation does not: read errors are the readers' own lines, and a
unit without a file is a warning (a unit may have nothing to report), never an error.

Counts are per quarter (registros dated inside the quarter, ``programado`` of that
quarter), unlike the report's figures, which accumulate from 1 January: the question
here is what arrived this time.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

from . import style, templating
from .contract import READ_TABLES, TABLES, parse_date, parse_int
from .model import Period, quarter_of
from .sources import UNIT_COLUMN, RawTable, YearInputs
from .workbook import Params


@dataclass(frozen=True)
class IndicatorCount:
    """One indicator of one unit in the quarter: records dated in it against its programado."""

    clave: str
    registros: int
    programado: int


@dataclass(frozen=True)
class UnitStatus:
    """What one unit of ``params/organizacion.yaml`` delivered (or a unit found only in the files)."""

    clave: str
    nombre: str
    archivo: str | None            # unidades/<CLAVE>.xlsx (or folder); None: no file of its own
    modificado: datetime | None
    filas: dict[str, int]          # table → rows of this unit, every file combined
    lugares: tuple[str, ...]       # where its rows are (file, sheet)
    indicadores: tuple[IndicatorCount, ...]
    errores: tuple[str, ...]
    advertencias: tuple[str, ...]


@dataclass(frozen=True)
class CaptureStatus:
    """The capture status of one quarter: every unit, and what concerns the year as a whole."""

    period: Period
    folder: str
    units: tuple[UnitStatus, ...]
    errores: tuple[str, ...]       # the year-level files' read problems
    advertencias: tuple[str, ...]  # year-level warnings (missing units, files that are no unit)
    archivos: tuple[str, ...] = ()  # every input file read, relative to the year folder

    @property
    def ok(self) -> bool:
        """No read errors anywhere (warnings, such as a missing unit, do not count)."""
        return not self.errores and not any(u.errores for u in self.units)


def _unit_rows(table: RawTable, clave: str) -> list[tuple[int, dict[str, str]]]:
    return [(key, values) for key, values in table.rows if values.get(UNIT_COLUMN, "").strip() == clave]


def _counts(tables: dict[str, RawTable], clave: str, period: Period) -> tuple[IndicatorCount, ...]:
    registros: Counter[str] = Counter()
    programado: Counter[str] = Counter()
    if "registros" in tables:
        for _, values in _unit_rows(tables["registros"], clave):
            fecha = parse_date(values.get("fecha", ""))
            if fecha is not None and fecha.year == period.year and quarter_of(fecha) == period.quarter:
                registros[values.get("indicador", "")] += 1
    if "programacion" in tables:
        for _, values in _unit_rows(tables["programacion"], clave):
            if parse_int(values.get("trimestre", "")) == period.quarter:
                programado[values.get("indicador", "")] += parse_int(values.get("programado", "")) or 0
    claves = sorted(set(registros) | set(programado))
    return tuple(IndicatorCount(c, registros[c], programado[c]) for c in claves)


def capture_status(data_dir: Path, period: Period, params: Params, inputs: YearInputs | None = None) -> CaptureStatus:
    """The status of every unit for ``period`` (reads the year once unless ``inputs`` is given)."""
    inputs = inputs if inputs is not None else YearInputs.read(Path(data_dir), period.year, params.folder)
    tables = inputs.tables
    errores = list(inputs.folder_problems)
    for item in inputs.files:
        errores.extend(item.lookup_problems + item.read_problems)
    by_unit = {u.clave: u for u in inputs.units}
    known = params.organizacion.claves
    advertencias = []
    units = []
    for clave in (*known, *(c for c in by_unit if c not in known)):
        unit = by_unit.get(clave)
        rows = {name: _unit_rows(tables[name], clave) for name in READ_TABLES
                if name in tables and UNIT_COLUMN in TABLES[name].column_names}
        places = tuple(dict.fromkeys(
            tables[name].origin(key)[0] for name, found in rows.items() for key, _ in found
        ))
        unit_warnings = list(unit.warnings) if unit else []
        if unit is None:
            advertencias.append(
                f"La unidad {clave} no entregó archivo propio (unidades/{clave}.xlsx)"
                + (f"; sus filas vienen de {', '.join(places)}." if places else " ni tiene filas en los archivos del año.")
            )
        try:
            nombre = params.organizacion.get(clave).nombre
        except KeyError:
            nombre = "unidad no registrada en params/organizacion.yaml"
            unit_warnings.append(f"{clave}: el archivo no corresponde a ninguna unidad de params/organizacion.yaml.")
        counts = _counts(tables, clave, period)
        allowed = params.organizacion.get(clave).puede_reportar if clave in known else ()
        for count in counts:
            if allowed and count.clave not in allowed:
                unit_warnings.append(f"{clave} tiene filas del indicador {count.clave}, que no puede reportar "
                                     f"(puede: {', '.join(allowed)}); «mirbook validar» lo rechazará.")
        units.append(UnitStatus(
            clave=clave,
            nombre=nombre,
            archivo=unit.path.relative_to(inputs.folder).as_posix() if unit and inputs.folder else None,
            modificado=datetime.fromtimestamp(unit.modified).astimezone() if unit and unit.modified else None,
            filas={name: len(found) for name, found in rows.items()},
            lugares=places,
            indicadores=counts,
            errores=unit.problems if unit else (),
            advertencias=tuple(unit_warnings),
        ))
    folder = f"{inputs.data_dir.name}/{period.year}/"
    read = tuple(p.relative_to(inputs.folder).as_posix() for p in inputs.sha256) if inputs.folder else ()
    return CaptureStatus(period, folder, tuple(units), tuple(errores), tuple(advertencias), read)


def _when(moment: datetime | None) -> str:
    return moment.strftime("%Y-%m-%d %H:%M") if moment else "—"


def to_text(status: CaptureStatus) -> str:
    """What ``mirbook captura`` prints: one block per unit."""
    lines = [f"Estado de la captura de {status.period} ({status.folder}):", ""]
    for unit in status.units:
        found = f"archivo {unit.archivo}, modificado {_when(unit.modificado)}" if unit.archivo else "sin archivo propio"
        lines.append(f"{unit.clave} — {unit.nombre}: {found}")
        lines.append("  Filas: " + (", ".join(f"{name} {n}" for name, n in unit.filas.items()) or "ninguna"))
        for count in unit.indicadores:
            lines.append(f"  {count.clave}: {count.registros} registro(s) en el trimestre; programado {count.programado}")
        lines.extend(f"  Error: {line}" for line in unit.errores)
        lines.extend(f"  Advertencia: {line}" for line in unit.advertencias)
        lines.append("")
    lines.extend(f"Error: {line}" for line in status.errores)
    lines.extend(f"Advertencia: {line}" for line in status.advertencias)
    delivered = sum(1 for u in status.units if u.archivo)
    errors = len(status.errores) + sum(len(u.errores) for u in status.units)
    lines.append(f"{delivered} de {len(status.units)} unidad(es) con archivo propio; {errors} error(es) de lectura.")
    return "\n".join(lines) + "\n"


def render_html(status: CaptureStatus, generated_at: str, demo: bool = False) -> str:
    """The static, self-contained ``captura.html`` (the validation page's stylesheet, no JavaScript)."""
    return templating.render(
        "captura/captura.html.j2",
        css=style.validation_css(),
        s=status,
        periodo=status.period,
        cuando=_when,
        generado=generated_at,
        demo=demo,
    ) + "\n"
