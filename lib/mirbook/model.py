"""The domain model: the MIR, the organisation, the input records and the period.

Plain frozen dataclasses, no I/O. Everything else in ``mirbook`` depends on this
module; it depends on nothing but the standard library.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import date
from fractions import Fraction
from pathlib import Path

from .errors import UsageError

#: Every semáforo value, in the one order used everywhere (counts, legends, tables).
#: How each looks (colour, symbol, label) is :data:`mirbook.style.SEMAFOROS`.
SEMAFOROS = ("verde", "amarillo", "rojo", "no_aplica")

_YEAR_RE = re.compile(r"\d{4}")
_PERIOD_RE = re.compile(r"T([1-4])")
_QUARTER_END = {1: (3, 31), 2: (6, 30), 3: (9, 30), 4: (12, 31)}


def parse_year(text: str | int) -> int:
    """Parse a four-digit year (1900–2999); anything else is a :class:`UsageError`."""
    value = str(text).strip()
    if not _YEAR_RE.fullmatch(value) or not 1900 <= int(value) <= 2999:
        raise UsageError(f"Año no válido: «{text}». Escriba el año con cuatro cifras, por ejemplo 2026.")
    return int(value)


def parse_quarter(text: str | int) -> int:
    """Parse a period label ``T1``–``T4`` into the quarter number 1–4."""
    match = _PERIOD_RE.fullmatch(str(text).strip())
    if not match:
        raise UsageError(f"Periodo no válido: «{text}». Use T1, T2, T3 o T4.")
    return int(match.group(1))


@dataclass(frozen=True, order=True)
class Period:
    """A reporting period: year and quarter; figures accumulate from 1 January to its end."""

    year: int
    quarter: int

    @classmethod
    def parse(cls, year: str | int, period: str | int) -> Period:
        """Build a period from user input, validating both parts."""
        return cls(parse_year(year), parse_quarter(period))

    @property
    def label(self) -> str:
        """``T1``…``T4``."""
        return f"T{self.quarter}"

    @property
    def start(self) -> date:
        """1 January of the year."""
        return date(self.year, 1, 1)

    @property
    def end(self) -> date:
        """Last day of the quarter."""
        month, day = _QUARTER_END[self.quarter]
        return date(self.year, month, day)

    def previous_year(self) -> Period:
        """The same quarter one year earlier."""
        return Period(self.year - 1, self.quarter)

    def __str__(self) -> str:
        return f"{self.year} {self.label}"


def quarter_of(day: date) -> int:
    """Quarter (1–4) a date falls in."""
    return (day.month - 1) // 3 + 1


@dataclass(frozen=True)
class TextoMir:
    """The seed's own texts for one MIR row (verbatim)."""

    resumen_narrativo: str
    nombre: str
    definicion: str
    metodo_calculo: str
    medios_verificacion: str
    supuestos: str


@dataclass(frozen=True)
class Indicator:
    """One row of the MIR with its institutional parameters."""

    clave: str
    nivel: str
    padre: str | None
    componente: str | None
    unidad_responsable: str | None
    texto: TextoMir
    numerador: str
    denominador: str
    frecuencia: str
    tipo: str
    dimension: str
    unidad_medida: str
    sentido: str
    meta_pct: Fraction
    metas_pct_por_anio: dict[int, Fraction]
    umbral_verde: Fraction
    umbral_rojo: Fraction
    tipos_producto: tuple[str, ...]
    flujos: tuple[str, ...]

    @property
    def nombre(self) -> str:
        """The indicator's name as the MIR states it."""
        return self.texto.nombre

    def meta_for(self, year: int) -> Fraction:
        """The meta (percentage) in force for ``year``."""
        return self.metas_pct_por_anio.get(year, self.meta_pct)


@dataclass(frozen=True)
class Componente:
    """A MIR component; each one has its own report notebook."""

    clave: str
    nombre: str
    unidad_responsable: str


@dataclass(frozen=True)
class Mir:
    """The whole MIR: indicators in MIR order and the reporting calendar."""

    programa: str
    institucion: str
    fuente: str
    frecuencias: dict[str, frozenset[int]]
    componentes: tuple[Componente, ...]
    indicadores: tuple[Indicator, ...]

    def get(self, clave: str) -> Indicator:
        """The indicator with ``clave`` (KeyError if unknown)."""
        for indicator in self.indicadores:
            if indicator.clave == clave:
                return indicator
        raise KeyError(clave)

    @property
    def claves(self) -> tuple[str, ...]:
        """Indicator claves in MIR order."""
        return tuple(i.clave for i in self.indicadores)

    def reports_in(self, indicator: Indicator, quarter: int) -> bool:
        """Whether the indicator's frequency falls in ``quarter``."""
        return quarter in self.frecuencias[indicator.frecuencia]

    def children(self, clave: str | None) -> tuple[Indicator, ...]:
        """Indicators whose ``padre`` is ``clave``."""
        return tuple(i for i in self.indicadores if i.padre == clave)

    def of_component(self, componente: str | None) -> tuple[Indicator, ...]:
        """Indicators of one component (``None``: the strategic level, Fin and Propósito)."""
        return tuple(i for i in self.indicadores if i.componente == componente)


@dataclass(frozen=True)
class Unidad:
    """An administrative unit that reports products."""

    clave: str
    nombre: str
    nombre_alterno: str | None
    descripcion: str
    nota: str | None
    puede_reportar: tuple[str, ...]


@dataclass(frozen=True)
class Organizacion:
    """The units of the Coordinación de Política Migratoria and the CEM."""

    institucion: str
    area_evaluacion: str
    unidades: tuple[Unidad, ...]

    def get(self, clave: str) -> Unidad:
        """The unit with ``clave`` (KeyError if unknown)."""
        for unidad in self.unidades:
            if unidad.clave == clave:
                return unidad
        raise KeyError(clave)

    @property
    def claves(self) -> tuple[str, ...]:
        """Unit claves in file order."""
        return tuple(u.clave for u in self.unidades)


@dataclass(frozen=True)
class Programacion:
    """One row of ``programacion``: what a unit plans to deliver in a quarter."""

    indicador: str
    unidad_responsable: str
    trimestre: int
    programado: int
    fila: int
    #: Where the row is, as the user finds it: ``unidades/DGA.xlsx, hoja «registros», fila 7``.
    origen: str = ""


@dataclass(frozen=True)
class Registro:
    """One row of ``registros``: a product actually delivered, with its evidence."""

    folio: str
    indicador: str
    unidad_responsable: str
    fecha: date
    titulo: str
    medio_verificacion: str
    tipo: str
    flujo: str
    fila: int
    #: Where the row is, as the user finds it: ``unidades/DGA.xlsx, hoja «registros», fila 7``.
    origen: str = ""


@dataclass(frozen=True)
class Justificacion:
    """One row of ``justificaciones``: why an indicator deviated in a quarter."""

    indicador: str
    trimestre: int
    causa: str
    efecto: str
    otros_motivos: str
    fila: int
    #: Where the row is, as the user finds it: ``unidades/DGA.xlsx, hoja «registros», fila 7``.
    origen: str = ""


@dataclass(frozen=True)
class Ajuste:
    """One row of ``ajustes``: an authorised new programado for one cell of the calendar.

    The cell is (indicador, unidad_responsable, trimestre); ``fecha`` is the day the change
    was authorised, so a report of a period ends before it keeps the original plan.
    """

    indicador: str
    unidad_responsable: str
    trimestre: int
    programado: int
    fecha: date
    justificacion: str
    fila: int


@dataclass(frozen=True)
class YearData:
    """The typed inputs of one year, with the files they came from.

    ``programacion`` is always the original plan; ``ajustes`` are the authorised changes to
    it, applied per period by :func:`mirbook.ajustes.vigente` (the date decides which are in force).
    """

    year: int
    programacion: tuple[Programacion, ...]
    registros: tuple[Registro, ...]
    justificaciones: tuple[Justificacion, ...]
    archivos: dict[str, Path] = field(default_factory=dict)
    ajustes: tuple[Ajuste, ...] = ()
