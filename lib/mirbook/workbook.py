"""Open the workbook of one period: params, the year's data, the previous year's, the evaluation.

This is what notebooks and the command line call first; it is light (no Jupyter,
no Great Expectations, no pandas), so ``mirbook indicadores`` stays fast.

Every evaluation here uses the plan in force at the period's end
(:func:`mirbook.ajustes.vigente`): ``data`` keeps the original ``programacion`` and its
``ajustes``, :attr:`Workbook.plan` is the same data with the adjusted plan. Because an
ajuste counts only from its date, re-opening an earlier period gives its earlier figures.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cached_property
from pathlib import Path

from . import ajustes, perspectiva
from .errors import DataError
from .indicators import Evaluation, evaluate
from .model import Mir, Organizacion, Period, YearData
from .params import load_mir, load_organizacion
from .paths import params_dir as default_params_dir
from .paths import resolve_dir
from .records import year_data
from .sources import YearInputs


@dataclass(frozen=True)
class Params:
    """The MIR and the organisation, as loaded from ``params/``."""

    mir: Mir
    organizacion: Organizacion
    folder: Path


def load_params(folder: Path | None = None) -> Params:
    """Load ``mir.yaml`` and ``organizacion.yaml`` from ``folder`` (default ``params/``)."""
    folder = Path(folder) if folder else default_params_dir()
    mir = load_mir(folder / "mir.yaml")
    return Params(mir, load_organizacion(folder / "organizacion.yaml", mir), folder)


@dataclass(frozen=True)
class Workbook:
    """Everything a report of one period needs (what :func:`mirbook.report.open` returns).

    Attributes:
        period: the period (year, quarter; ``label`` ``"T3"``, ``start``, ``end``).
        params: the MIR and the organisation loaded from ``params/``.
        data_dir: the data folder the year was read from.
        data: the typed rows of the year (``programacion``, ``registros``, ``justificaciones``)
            and the files they came from (``archivos``).
        evaluation: every indicator evaluated for the period (``results``, ``avisos``,
            ``get(clave)``, ``counts()``).
        previous: the data of the whole previous year (records after the period's quarter
            included), ``None`` when there is none; the same period, cut at the quarter's end, is
            :func:`mirbook.datos.mismo_periodo_anterior`.
        previous_evaluation: the same period of the previous year evaluated, or ``None``.
        previous_error: why the previous year's data could not be read, or ``None``.
        plan / previous_plan: ``data`` / ``previous`` with the programación in force at the
            period's end (ajustes applied); what every figure of the reports is computed on.
    """

    period: Period
    params: Params
    data_dir: Path
    data: YearData
    evaluation: Evaluation
    previous: YearData | None
    previous_evaluation: Evaluation | None
    previous_error: str | None

    @cached_property
    def plan(self) -> YearData:
        """The year's data with the programación in force at the period's end."""
        return plan_in_force(self.data, self.period)

    @cached_property
    def previous_plan(self) -> YearData | None:
        """The previous year's data with its programación in force at the same period's end."""
        return None if self.previous is None else plan_in_force(self.previous, self.period.previous_year())

    @cached_property
    def celdas(self) -> list[ajustes.CeldaVigente]:
        """Every cell of the calendar, original against in force (``programacion_vigente.csv``)."""
        return ajustes.celdas(self.data.programacion, self.data.ajustes, self.period, self.mir.claves)

    @cached_property
    def perspectivas(self) -> tuple[perspectiva.Perspectiva, ...]:
        """The year-end outlook of every indicator, in MIR order (``perspectiva.csv``)."""
        return perspectiva.perspectivas(self.mir, self.data, self.period, self.data.ajustes)

    def ajustes_de(self, clave: str) -> ajustes.ResumenIndicador:
        """Original against modified programado of one indicator, with its ajustes."""
        return ajustes.resumen(self.celdas, self.data.ajustes, self.period, clave)

    @property
    def mir(self) -> Mir:
        """The MIR (indicators in MIR order, components, reporting calendar)."""
        return self.params.mir

    @property
    def organizacion(self) -> Organizacion:
        """The administrative units and what each may report."""
        return self.params.organizacion


def plan_in_force(data: YearData, period: Period) -> YearData:
    """``data`` with the programación in force at ``period``'s end (its own ajustes applied)."""
    return ajustes.vigente(data, data.ajustes, period)


def open_workbook(
    year: int | str,
    period: int | str,
    data_dir: str | Path | None = None,
    params_dir: str | Path | None = None,
    *,
    inputs: YearInputs | None = None,
    previous_inputs: YearInputs | None = None,
) -> Workbook:
    """Load and evaluate one period (``period`` as ``"T3"``), plus the same period a year earlier.

    ``inputs`` / ``previous_inputs``: the files of the year and of the year before already
    read once (:meth:`YearInputs.read`, e.g. by the run that validated them); read here
    when ``None``.
    """
    when = Period.parse(year, period)
    folder = resolve_dir(data_dir, "data")
    params = load_params(Path(params_dir) if params_dir else None)
    for given, wanted in ((inputs, when.year), (previous_inputs, when.year - 1)):
        if given is not None and given.year != wanted:
            raise ValueError(f"inputs of {given.year} given where {wanted} was expected")
    data = year_data(inputs if inputs is not None else YearInputs.read(folder, when.year, params.folder))
    previous, previous_evaluation, previous_error = None, None, None
    if (folder / str(when.year - 1)).is_dir():
        try:
            previous = year_data(
                previous_inputs if previous_inputs is not None else YearInputs.read(folder, when.year - 1, params.folder)
            )
            previous_evaluation = evaluate(params.mir, plan_in_force(previous, when.previous_year()),
                                           when.previous_year())
        except DataError as exc:
            previous_error = str(exc)
    return Workbook(
        period=when,
        params=params,
        data_dir=folder,
        data=data,
        evaluation=evaluate(params.mir, plan_in_force(data, when), when),
        previous=previous,
        previous_evaluation=previous_evaluation,
        previous_error=previous_error,
    )
