"""Input validation: pre-checks, Great Expectations suites and the ``validacion.html`` report.

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
from .outcomes import FILES_TABLE, ExpectationOutcome, FileInfo, ValidationResult
from .prechecks import run_prechecks

if TYPE_CHECKING:
    from ..workbook import Params

__all__ = [
    "FILES_TABLE",
    "ExpectationOutcome",
    "FileInfo",
    "ValidationResult",
    "render_validation_html",
    "validate",
]

_TABLE_ORDER = ("programacion", "registros", "justificaciones")


def validate(data_dir: Path, period: Period, params: Params) -> ValidationResult:
    """Check every input file of ``period.year`` in ``data_dir`` against the data contract.

    First what Great Expectations cannot see (folder, files, encodings, unreadable
    content), then one suite per table readable, all in one ephemeral context. When
    there are no errors the data are typed and evaluated for ``period`` to gather the
    warnings (realizado without programación, amarillo/rojo without justification) and
    the information notes (records dated after the period).
    """
    from ..indicators import evaluate
    from ..records import to_year_data
    from .suites import GX_VERSION, Runner

    data_dir = Path(data_dir)
    found = run_prechecks(data_dir, period.year)
    errors = list(found.errors)
    infos = list(found.infos)
    warnings: list[str] = []
    outcomes = list(found.outcomes)

    if found.tables:
        runner = Runner()
        for name in _TABLE_ORDER:
            if name not in found.tables:
                continue
            table = found.tables[name]
            try:
                table_outcomes, table_errors, table_warnings = runner.run(table, params, period.year)
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
            evaluation = evaluate(params.mir, data, period)
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
