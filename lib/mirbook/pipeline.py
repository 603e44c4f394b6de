"""``mirbook generar``: validate, execute the notebooks, render, archive — for one period or many.

The recipe, in the order :meth:`Runner.run_many` follows it (bad input never touches the archive):

1. **validate first** — only with the plain executor: the input checks (Great Expectations);
   a period with errors stops here;
2. **fingerprint** the inputs, params, notebooks, code and package versions
   (:mod:`mirbook.provenance`);
3. under a lock on the reports folder: **nothing changed?** — identical to the archived
   revision (every data file its manifest recorded hashed again, the year folders listed
   again), whose outputs are intact → done: nothing else runs for that period (those are
   the very bytes validated when that revision was made, so validation would give the same
   verdict, and its ``validacion.html`` stands);
4. **open the workbook**; data that cannot even be read → validate at once and stop with
   validation's message;
5. in a staging folder per period, **start the notebooks** (the executor: :mod:`mirbook.executors`);
6. **validate alongside** — with the optimised executor, while the workers work. Validation
   decides: when it finds errors the period's notebooks are stopped, its staging folder is
   removed and it stops with validation's message and exit code, whatever the notebooks did;
   then the period's tables are written: ``indicadores.csv``, ``perspectiva.csv``,
   ``programacion_vigente.csv``, the normalised snapshot of the inputs (``entradas/``) and
   ``validacion.html``;
7. **wait for the notebooks**: only now do notebook failures count (the failed executed
   notebook is kept in ``borradores/fallidos/``); every data file a notebook read through
   :mod:`mirbook.datos` (its read log, in the staging folder) joins the inputs and the fingerprint;
8. **archive**: ``manifest.json`` (:mod:`mirbook.manifest`, with the revision's ``motivo``:
   ``--motivo``, else asked on a terminal, else "sin motivo"), earlier revisions carried into
   ``revisiones/``, the staged folder swapped into place atomically; finally the navigation
   pages are rebuilt.

The executor is chosen once (``MIRBOOK_PLAIN=1`` or ``Runner(optimised=False)`` for the plain
reference one) and decides only how the notebooks run, whether validation comes first, and
which periods go through the steps together (every period at once, or one at a time).
"""

from __future__ import annotations

import re
import sys
import time
from collections.abc import Callable, Sequence
from contextlib import ExitStack
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING

from . import __version__, archive
from .errors import DataError, MirbookError
from .execute import NotebookJob, NotebookOutcome, notebook_title
from .executors import Executor, NotebookRun, choose
from .formatting import datetime_es, period_es
from .manifest import SIN_MOTIVO, Cuaderno, GitState, Manifest, Parametros
from .model import Period, quarter_of
from .paths import data_years, is_demo_data, notebooks_dir, period_dir, project_root
from .provenance import Provenance, collect, git_state, now, package_versions, read_inputs, recorded_inputs
from .sources import year_files
from .workbook import Params, Workbook, load_params

if TYPE_CHECKING:
    from .indicators import Evaluation
    from .validation import ValidationResult

NOTEBOOK_PATTERN = re.compile(r"\d{2}_[\w\-]+\.ipynb")
Log = Callable[[str], None]
#: Asks for the motivo of new revisions of already archived periods (``None``: not asked).
AskMotivo = Callable[[Sequence[Period]], str | None]


def discover_notebooks(folder: Path | None = None) -> list[Path]:
    """Report notebooks in file-name order: ``NN_name.ipynb`` directly in ``notebooks/``."""
    folder = folder or notebooks_dir()
    return sorted(p for p in folder.glob("*.ipynb") if NOTEBOOK_PATTERN.fullmatch(p.name))


@dataclass
class RunOutcome:
    """The result of archiving one period."""

    period: Period
    folder: Path
    unchanged: bool
    revision: int
    counts: dict[str, int]
    avisos: list[str]
    informacion: list[str] = field(default_factory=list)
    seconds: float = 0.0
    notebooks: list[NotebookOutcome] = field(default_factory=list)


@dataclass
class _PeriodRun:
    """One period on its way through the recipe; ``result`` set ends its way."""

    period: Period
    target: Path
    validation: ValidationResult | None = None
    provenance: Provenance | None = None
    workbook: Workbook | None = None
    staged: Path | None = None
    jobs: list[NotebookJob] = field(default_factory=list)
    notebooks: NotebookRun | None = None
    motivo: str = ""
    result: RunOutcome | MirbookError | None = None


class Runner:
    """Archive periods into one reports folder (the work behind ``mirbook generar``)."""

    def __init__(
        self,
        data_dir: Path,
        reports_dir: Path,
        params: Params | None = None,
        notebooks: list[Path] | None = None,
        jobs: int | None = None,
        timeout: int = 600,
        log: Log = print,
        optimised: bool | None = None,
        motivo: str | None = None,
        ask_motivo: AskMotivo | None = None,
    ) -> None:
        self.data_dir = Path(data_dir)
        self.reports_dir = Path(reports_dir)
        self.params = params or load_params()
        self.notebooks = notebooks if notebooks is not None else discover_notebooks()
        self.jobs = jobs
        self.timeout = timeout
        self.log = log
        self.motivo = " ".join(motivo.split()) if motivo else None
        self.ask_motivo = ask_motivo
        self.executor: Executor = choose(optimised)
        self._versions: dict[str, str] | None = None
        if not self.notebooks:
            raise MirbookError(f"No hay cuadernos de reporte (NN_nombre.ipynb) en {notebooks_dir()}.")

    # --- the recipe ----------------------------------------------------------------------------

    def run(self, period: Period) -> RunOutcome:
        """Validate, and archive a new revision of ``period`` unless nothing changed."""
        result = self.run_many([period])[0]
        if isinstance(result, BaseException):
            raise result
        return result

    def run_many(self, periods: Sequence[Period]) -> list[RunOutcome | MirbookError]:
        """Archive every period (what ``generar --all`` does): one outcome or one error per period.

        A period whose data or notebooks fail is left as it was and the others are archived.
        """
        results: dict[Period, RunOutcome | MirbookError] = {}
        for batch in self.executor.batches(list(periods)):
            for run in self._run_batch(batch):
                assert run.result is not None
                results[run.period] = run.result
        return [results[p] for p in periods]

    def _run_batch(self, periods: list[Period]) -> list[_PeriodRun]:
        clock = time.perf_counter()
        started = now()
        runs = [_PeriodRun(period, period_dir(self.reports_dir, period)) for period in periods]
        verb = "Validando" if self.executor.validates_first else "Comprobando"
        for run in runs:
            self.log(f"[1/4] {verb} las entradas de {run.period} ({self.data_dir / str(run.period.year)})…")
        if self.executor.validates_first:
            for run in runs:
                self._validate(run)
        if self._versions is None:
            self._versions = package_versions()
        for run in _pending(runs):
            run.provenance = collect(self.data_dir, run.period, self.params, self.notebooks, self._versions)
        created = not self.reports_dir.exists()
        try:
            with archive.locked(self.reports_dir):
                archive.recover(self.reports_dir)
                for run in _pending(runs):
                    run.result = self._unchanged(run, clock)
                try:
                    self._build(_pending(runs), started, clock)
                finally:  # whatever was archived (even if a later period broke) is in the index
                    if any(isinstance(run.result, RunOutcome) for run in runs):
                        from .site import rebuild_site

                        rebuild_site(self.reports_dir)
        finally:
            if created:
                try:
                    self.reports_dir.rmdir()  # only when the run left it empty (bad data): as if never run
                except OSError:
                    pass
        return runs

    def _build(self, runs: list[_PeriodRun], started: datetime, clock: float) -> None:
        """Steps 4 to 8 for the periods that changed."""
        for run in runs:
            self._open(run)
        runs = _pending(runs)
        if not runs:
            return
        self._motivos(runs)
        with ExitStack() as stack:
            for run in runs:
                stage = stack.enter_context(archive.staging_dir(self.reports_dir, run.period))
                run.staged = stage / run.period.label
            total = len(runs) * len(self.notebooks)
            workers = self.executor.workers(self.jobs, total)
            session = stack.enter_context(self.executor.session(workers, self.log))  # leaves first
            overlap = "" if self.executor.validates_first else " mientras se validan las entradas"
            self.log(f"[2/4] Ejecutando y representando {total} cuaderno(s) en {workers} proceso(s){overlap}…")
            for group, run in enumerate(runs):
                try:
                    run.jobs = self._jobs(run, started)
                    run.notebooks = session.submit(run.jobs, group)
                except MirbookError as exc:
                    run.result = exc
            for run in _pending(runs):
                if self._validate(run):
                    self._write_tables(run, started)
                elif run.notebooks is not None:
                    run.notebooks.cancel()
            git = git_state()
            for run in _pending(runs):
                assert run.notebooks is not None
                try:
                    outcomes = run.notebooks.result()
                    self._add_reads(run)
                except MirbookError as exc:
                    run.result = exc
                    continue
                revision = self._archive(run, started, git)
                run.result = self._outcome(run, revision, clock, outcomes)

    # --- the steps -----------------------------------------------------------------------------

    def validate(self, period: Period) -> ValidationResult:
        """The input checks; raises :class:`DataError` listing every problem."""
        from .execute import defer_slow_imports

        defer_slow_imports()
        from .validation import validate

        result = validate(self.data_dir, period, self.params)
        if not result.ok:
            raise DataError(
                [f"Los datos de {period} tienen {len(result.errors)} problema(s); no se generó ningún reporte "
                 "y el archivo de reportes no se modificó:"] + [f"  - {line}" for line in result.errors]
            )
        return result

    def _validate(self, run: _PeriodRun) -> bool:
        """Validate once (unless already done); errors end the period's run."""
        if run.validation is None:
            try:
                run.validation = self.validate(run.period)
            except DataError as exc:
                run.result = exc
                return False
        return True

    def _unchanged(self, run: _PeriodRun, clock: float) -> RunOutcome | None:
        """The archived revision when it was made from exactly these inputs and is intact."""
        current = archive.read_manifest(run.target)
        if run.provenance is None or current is None:
            return None
        if current.huella != run.provenance.plus(recorded_inputs(self.data_dir, current)).huella:
            return None
        if archive.hash_outputs(run.target) != current.salidas:
            return None
        self.log(f"[2/4] Sin cambios: las entradas y el código son idénticos a la revisión "
                 f"{current.revision} archivada de {run.period}; no se modificó nada.")
        return RunOutcome(run.period, run.target, True, current.revision, dict(current.semaforos),
                          list(current.avisos), list(current.informacion), time.perf_counter() - clock)

    def _motivos(self, runs: list[_PeriodRun]) -> None:
        """Why each new revision exists: ``--motivo`` for all; for periods already archived and
        no ``--motivo``, asked once (on a terminal), else "sin motivo"; a first revision needs none."""
        if self.motivo:
            for run in runs:
                run.motivo = self.motivo
            return
        again = [run for run in runs if archive.read_manifest(run.target) is not None]
        if not again:
            return
        answer = self.ask_motivo([run.period for run in again]) if self.ask_motivo else None
        for run in again:
            run.motivo = " ".join(answer.split()) if answer and answer.strip() else SIN_MOTIVO

    def _open(self, run: _PeriodRun) -> None:
        """Load the period's workbook; unreadable data ends the period with validation's message."""
        from .workbook import open_workbook

        try:
            if run.provenance is None:
                raise DataError(f"No se pudieron leer las entradas de {run.period}.")
            run.workbook = open_workbook(run.period.year, run.period.label, self.data_dir, self.params.folder)
        except DataError as exc:
            # Unreadable data: validation's full message, before any notebook starts.
            try:
                self.validate(run.period)
            except DataError as problems:
                exc = problems
            run.result = exc

    def _jobs(self, run: _PeriodRun, started: datetime) -> list[NotebookJob]:
        period, staged = run.period, run.staged
        assert staged is not None
        (staged / archive.NOTEBOOKS_SUBDIR).mkdir(parents=True)
        return [
            notebook_job(nb, period, self.data_dir, self.params, started, self.executor, self.timeout,
                         executed=staged / archive.NOTEBOOKS_SUBDIR / nb.name, pages=staged, scratch=staged.parent,
                         failed=failed_notebook(period, nb))
            for nb in self.notebooks
        ]

    def _add_reads(self, run: _PeriodRun) -> None:
        """Every data file the period's notebooks read joins its inputs and its fingerprint (the
        notebooks all ran)."""
        from .datos import read_log

        assert run.provenance is not None
        for job in run.jobs:
            assert job.read_log is not None
            run.provenance = run.provenance.plus(read_inputs(self.data_dir, read_log(job.read_log), job.source.stem))
            if job.failed is not None:
                job.failed.unlink(missing_ok=True)  # the notebook runs now: an earlier failure's copy is stale

    def _write_tables(self, run: _PeriodRun, started: datetime) -> None:
        from . import ajustes, entradas, perspectiva
        from .captura import capture_status
        from .captura import render_html as render_captura
        from .table import period_records_csv, write_csv
        from .validation import render_validation_html

        assert run.workbook is not None and run.validation is not None and run.staged is not None
        wb = run.workbook
        self.log("[3/4] Escribiendo indicadores.csv, perspectiva.csv, programacion_vigente.csv, registros_periodo.csv, "
                 "entradas/, validacion.html y captura.html…")
        write_csv(wb.evaluation, run.staged / "indicadores.csv")
        perspectiva.write_csv(wb.perspectivas, run.staged / "perspectiva.csv")
        ajustes.write_csv(wb.celdas, wb.period, run.staged / "programacion_vigente.csv")
        records = period_records_csv(wb.data, run.period)
        (run.staged / "registros_periodo.csv").write_text(records, encoding="utf-8", newline="")
        entradas.write(wb.data, run.staged)
        html = render_validation_html(run.validation, datetime_es(started), demo=is_demo_data(self.data_dir))
        (run.staged / "validacion.html").write_text(html, encoding="utf-8")
        status = capture_status(self.data_dir, run.period, self.params)
        page = render_captura(status, datetime_es(started), demo=is_demo_data(self.data_dir))
        (run.staged / "captura.html").write_text(page, encoding="utf-8")

    def _archive(self, run: _PeriodRun, started: datetime, git: GitState) -> int:
        """Manifest and the swap into place of a staged period (tables written); returns its revision."""
        period, staged, target, provenance = run.period, run.staged, run.target, run.provenance
        assert staged is not None and provenance is not None and run.workbook is not None
        current = archive.read_manifest(target)
        revision = current.revision + 1 if current else (1 if not target.exists() else 2)
        earlier = archive.carry_history(target, staged, revision - 1) if target.exists() else []
        evaluation = run.workbook.evaluation
        manifest = Manifest(
            mirbook=__version__,
            anio=period.year,
            periodo=period.label,
            revision=revision,
            huella=provenance.huella,
            parametros=Parametros(period.year, period.label, str(self.data_dir), str(self.reports_dir)),
            entradas=provenance.inputs,
            codigo=provenance.code,
            salidas=archive.hash_outputs(staged),
            paquetes=provenance.versions,
            python=sys.version.split()[0],
            git=git,
            inicio=started.isoformat(timespec="seconds"),
            fin=now().isoformat(timespec="seconds"),
            cuadernos=tuple(Cuaderno(nb.stem, notebook_title(nb)) for nb in self.notebooks),
            semaforos=evaluation.counts(),
            indicadores={r.clave: r.semaforo for r in evaluation.results},
            avisos=tuple(_avisos(evaluation, "advertencia")),
            informacion=tuple(_avisos(evaluation, "informacion")),
            demo=is_demo_data(self.data_dir),
            revisiones_anteriores=tuple(earlier),
            institucion=self.params.mir.institucion,
            programa=self.params.mir.programa,
            anios_datos=provenance.years,
            motivo=run.motivo,
        )
        archive.write_atomic(staged / archive.MANIFEST, manifest.to_bytes())
        self.log(f"[4/4] Archivando la revisión de {period} y actualizando los índices…")
        archive.swap_into_place(staged, target)
        return revision

    def _outcome(self, run: _PeriodRun, revision: int, clock: float,
                 notebooks: list[NotebookOutcome]) -> RunOutcome:
        assert run.workbook is not None
        evaluation = run.workbook.evaluation
        return RunOutcome(run.period, run.target, False, revision, evaluation.counts(),
                          _avisos(evaluation, "advertencia"), _avisos(evaluation, "informacion"),
                          time.perf_counter() - clock, notebooks)


def _pending(runs: list[_PeriodRun]) -> list[_PeriodRun]:
    """The periods still on their way (no outcome or error yet)."""
    return [run for run in runs if run.result is None]


def _avisos(evaluation: Evaluation, nivel: str) -> list[str]:
    return [a.mensaje for a in evaluation.avisos if a.nivel == nivel]


def notebook_job(nb: Path, period: Period, data_dir: Path, params: Params, started: datetime, executor: Executor,
                 timeout: int, *, executed: Path, pages: Path, scratch: Path, failed: Path | None,
                 pdf: bool = True) -> NotebookJob:
    """The job of one notebook for one period: its parameters, title, header and footer, and
    where each file goes (``pages``: the HTML and PDF; ``scratch``: its logs, outside the archive)."""
    sources = ", ".join(p.name for p in year_files(data_dir, period.year))
    footer = {
        "fuente": f"{data_dir.name}/{period.year}: {sources}",
        "generado": datetime_es(started),
        "demo": "1" if is_demo_data(data_dir) else "",
    }
    mir = params.mir
    return NotebookJob(
        source=nb,
        executed=executed,
        html=pages / f"{nb.stem}.html",
        pdf=pages / f"{nb.stem}.pdf" if pdf else None,
        parameters={"year": period.year, "period": period.label, "data_dir": str(data_dir)},
        title=f"{notebook_title(nb)} — {period_es(period.year, period.quarter)}",
        header=f"{mir.programa} — {mir.institucion} — {period_es(period.year, period.quarter)}",
        footer=footer,
        timeout=timeout,
        cwd=nb.parent,
        log=scratch / f"{nb.stem}.log",
        engine=executor.engine,
        save_each_cell=executor.save_each_cell,
        read_log=scratch / f"{nb.stem}.lecturas.jsonl",
        failed=failed,
    )


FAILED_DIR = "borradores/fallidos"  #: where failed executed notebooks are kept (under the project root)


def failed_notebook(period: Period, notebook: Path) -> Path:
    """Where the executed notebook of a failed run is kept: outside the archive, never removed by the run."""
    return project_root() / FAILED_DIR / f"{period.year}-{period.label}" / notebook.name


def periods_with_data(data_dir: Path) -> list[Period]:
    """Every period that has data: each quarter of each year folder up to its last dated record."""
    from .records import load_year

    out = []
    for year in data_years(data_dir):
        try:
            data = load_year(Path(data_dir), year)
        except DataError:
            out.extend(Period(year, q) for q in (1, 2, 3, 4))  # validation will explain the problem
            continue
        last = max((r.fecha for r in data.registros if r.fecha.year == year), default=None)
        quarters = (last.month - 1) // 3 + 1 if last else 0
        out.extend(Period(year, q) for q in range(1, quarters + 1))
    return out


def latest_period(data_dir: Path) -> Period:
    """The latest quarter with at least one registro dated in it (the default of ``generar``).

    Years are tried newest first; a year whose data cannot be read stops the choice with
    its message, rather than silently reporting an older year.
    """
    from .records import load_year

    folders = sorted((p for p in Path(data_dir).iterdir() if p.is_dir() and re.fullmatch(r"\d{4}", p.name)),
                     key=lambda p: p.name, reverse=True) if Path(data_dir).is_dir() else []
    for folder in folders:
        year = int(folder.name)
        try:
            data = load_year(Path(data_dir), year)
        except DataError as exc:
            raise DataError([f"No se puede elegir el periodo por omisión: los datos de {year} no se pueden leer "
                             "(corríjalos, o indique --year y --period):"] + [f"  - {p}" for p in exc.problems]) from None
        last = max((r.fecha for r in data.registros if r.fecha.year == year), default=None)
        if last is not None:
            return Period(year, quarter_of(last))
    raise DataError(f"No hay registros fechados en ningún año de {data_dir}; indique --year y --period.")
