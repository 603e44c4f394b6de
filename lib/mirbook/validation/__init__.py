"""Input validation: pre-checks, Great Expectations checks and the ``validacion.html`` report.

Where things are: what GX cannot see (folders, files, encodings) is :mod:`.prechecks`;
the frame GX sees is :mod:`.frame`; the checks are declared in :mod:`.checks`, run by
:mod:`.gx` and phrased in Spanish by :mod:`.messages`; results are :mod:`.outcomes`.

:func:`validate` never raises for a data problem: every problem becomes one Spanish
line in :attr:`ValidationResult.errors` (file, column, Excel rows, the offending
values and what was expected). An empty ``errors`` means the data may be used;
``warnings`` (from the indicator evaluation) never stop a run.

Great Expectations is imported only inside :func:`validate`, so importing this
package (for example to render a stored result) stays light.
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

from ..errors import DataError
from ..model import Period
from ..sources import RawTable, YearInputs
from .outcomes import FILES_TABLE, ExpectationOutcome, FileInfo, ValidationResult
from .prechecks import run_prechecks

if TYPE_CHECKING:
    from ..workbook import Params
    from .gx import GxSession

__all__ = [
    "FILES_TABLE",
    "ExpectationOutcome",
    "FileInfo",
    "ValidationResult",
    "render_validation_html",
    "validate",
]

def _check_table(
    session: GxSession, table: RawTable, params: Params, year: int
) -> tuple[list[ExpectationOutcome], list[str], list[str]]:
    """Declare, run and phrase the checks of one table: outcomes, error lines, warning lines."""
    from .checks import table_checks
    from .frame import frame
    from .messages import phrase_results

    df = frame(table, params)
    checks = table_checks(table, df, params, year)
    return phrase_results(table, df, checks, session.run(table.name, df, checks))


def validate(
    data_dir: Path, period: Period, params: Params, inputs: YearInputs | None = None
) -> ValidationResult:
    """Check every input file of ``period.year`` in ``data_dir`` against the data contract.

    ``inputs``: the year's files already read once (:meth:`YearInputs.read`), so a run that
    also opens the workbook reads and parses each file once; read here when ``None``.

    First what Great Expectations cannot see (folder, files, encodings, unreadable
    content), then one suite per table readable, all in one ephemeral context. When
    there are no errors the data are typed and evaluated for ``period`` to gather the
    warnings (realizado without programación, amarillo/rojo without justification) and
    the information notes (records dated after the period).
    """
    from ..ajustes import vigente
    from ..indicators import evaluate
    from ..contract import READ_TABLES
    from ..records import to_year_data
    from .gx import GX_VERSION, GxSession

    data_dir = Path(data_dir)
    if inputs is not None and inputs.year != period.year:
        raise ValueError(f"inputs of {inputs.year} cannot validate {period}")
    found = run_prechecks(data_dir, period.year, inputs, params.folder)
    errors = list(found.errors)
    infos = list(found.infos)
    warnings: list[str] = list(found.warnings)
    outcomes = list(found.outcomes)

    if found.tables:
        session = GxSession()
        for name in READ_TABLES:
            if name not in found.tables:
                continue
            table = found.tables[name]
            try:
                table_outcomes, table_errors, table_warnings = _check_table(session, table, params, period.year)
                warnings.extend(table_warnings)
            except Exception as exc:  # noqa: BLE001 - a fault of ours must still stop the run, in Spanish
                table_errors = [
                    f"{table.filename}: no se pudo completar la validación del archivo (error interno: "
                    f"{type(exc).__name__}: {exc}). No se usarán estos datos; avise al equipo de evaluación."
                ]
                table_outcomes = [
                    ExpectationOutcome(name, table.filename, None, "la validación del archivo se completa",
                                       False, 0, table_errors[0])
                ]
            outcomes.extend(table_outcomes)
            errors.extend(table_errors)

    if not errors:
        try:
            data = to_year_data(period.year, found.tables)
        except DataError as exc:  # the suites should have caught it; never lose a problem
            errors.extend(exc.problems)
        else:
            evaluation = evaluate(params.mir, vigente(data, data.ajustes, period), period)
            for aviso in evaluation.avisos:
                (warnings if aviso.nivel == "advertencia" else infos).append(aviso.mensaje)

    return ValidationResult(
        period=period,
        data_dir=data_dir,
        files=tuple(found.files),
        errors=tuple(errors),
        warnings=tuple(warnings),
        infos=tuple(infos),
        outcomes=tuple(outcomes),
        gx_version=GX_VERSION,
        file_info=tuple(found.file_info),
    )


def render_validation_html(result: ValidationResult, generated_at: str, demo: bool = False) -> str:
    """The static, self-contained ``validacion.html`` page of one validation run."""
    from .page import render

    return render(result, generated_at, demo)
