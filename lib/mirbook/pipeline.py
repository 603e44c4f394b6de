"""``mirbook generar``: validate, execute the notebooks, render, archive — for one period or many.

The recipe, in the order :meth:`Runner.run_many` follows it (bad input never touches the archive):

1. **validate first** — only with the plain executor: the input checks (Great Expectations);
   a period with errors stops here;
2. **fingerprint** the inputs, params, notebooks, code and package versions
   (:mod:`mirbook.provenance`);
3. under a lock on the reports folder: **is the archive sound?** (:func:`mirbook.integrity.prepare`:
   a foreign folder is refused, a damaged archive stops the run touching nothing, an interrupted
   run's pending revision is completed or cancelled); **nothing changed?** — identical to the archived
   revision (every data file its manifest recorded hashed again, the year folders listed
   again), whose outputs are intact → done: nothing else runs for that period (those are
   the very bytes validated when that revision was made, so validation would give the same
   verdict, and its ``validacion.html`` stands);
4. **open the workbook**; data that cannot even be read → validate at once and stop with
   validation's message;
5. **plan the revision**: its number and the manifest as far as it is known before the
   notebooks run (inputs, code, versions, start time), so that every report PDF can carry its
   metadata and provenance; ``indicadores.csv`` is written to the staging folder at once (it
   depends on the workbook only), and ``validacion.html`` too when validation came first;
6. in that staging folder, **start the notebooks** (the executor: :mod:`mirbook.executors`);
7. **validate alongside** — with the optimised executor, while the workers work. Validation
   decides: when it finds errors the period's notebooks are stopped, its staging folder is
   removed and it stops with validation's message and exit code, whatever the notebooks did;
   then ``validacion.html`` is written, and only then may the PDFs be printed (they embed
   ``indicadores.csv`` and ``validacion.html`` as PDF/A-3 attachments,
   :func:`mirbook.render.period_attachments`); the other tables (``perspectiva.csv``,
   ``programacion_vigente.csv``, ``registros_periodo.csv``, ``entradas/``) are written in step 5;
8. **wait for the notebooks**: only now do notebook failures count (the failed executed
   notebook is kept in ``borradores/fallidos/``); every data file a notebook read through
   :mod:`mirbook.datos` (its read log, in the staging folder) joins the inputs and the fingerprint;
9. **archive**: earlier revisions carried into ``revisiones/``, the period page and
   ``manifest.json`` (:mod:`mirbook.manifest`, with the revision's ``motivo``: ``--motivo``, else
   asked on a terminal, else "sin motivo") written in staging, the revision recorded as pending
   in the ledger (:mod:`mirbook.ledger`), the staged folder swapped into place atomically, the
   revision recorded as completed; finally the navigation pages are rebuilt.

Each year's input files are read and parsed once per run (:class:`~mirbook.sources.YearInputs`,
shared by every period of the batch): validation, the workbook and the manifest's hashes use
that one reading. Only the quick "nothing changed?" check of the optimised executor hashes the
files before reading them, so that an unchanged re-run parses nothing.

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
from dataclasses import dataclass, field, replace
from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING

from . import __version__, archive, integrity, ledger
from .errors import DataError, DiskError, MirbookError, is_no_space, os_error_message
from .execute import NotebookJob, NotebookOutcome, notebook_title
from .executors import Executor, NotebookRun, choose
from .formatting import datetime_es, period_es
from .manifest import SIN_MOTIVO, Cuaderno, GitState, Manifest, Parametros
from .model import Period, quarter_of
from .paths import data_years, is_demo_data, notebooks_dir, period_dir, project_root
from .provenance import Provenance, collect, git_state, now, package_versions, read_inputs, recorded_inputs
from .render import PdfMetadata
from .sources import YearInputs, year_files
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
    #: Why the navigation pages could not be rebuilt after this revision was archived, or ``None``.
    index_error: str | None = None


@dataclass
class _PeriodRun:
    """One period on its way through the recipe; ``result`` set ends its way."""

    period: Period
    target: Path
    inputs: YearInputs | None = None
    previous_inputs: YearInputs | None = None
    validation: ValidationResult | None = None
    provenance: Provenance | None = None
    workbook: Workbook | None = None
    staged: Path | None = None
    jobs: list[NotebookJob] = field(default_factory=list)
    notebooks: NotebookRun | None = None
    plan: Manifest | None = None  # the manifest as known before the notebooks run
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
        self._ledger: ledger.State = ledger.State()
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
        read: dict[int, YearInputs] = {}  # each year read once for the whole batch
        if self.executor.validates_first:
            for run in runs:
                self._read(run, read)
                self._validate(run)
        if self._versions is None:
            self._versions = package_versions()
        for run in _pending(runs):
            run.provenance = collect(self.data_dir, run.period, self.params, self.notebooks, self._versions,
                                     _read_so_far(run))
        created = not self.reports_dir.exists()
        try:
            with archive.locked(self.reports_dir):
                try:
                    self._ledger = integrity.prepare(self.reports_dir)
                except MirbookError as damaged:  # bad data still gets validation's message first
                    for run in _pending(runs):
                        if self._validate(run):
                            run.result = damaged
                    return runs
                for run in _pending(runs):
                    run.result = self._unchanged(run, clock)
                try:
                    self._build(_pending(runs), started, clock, read)
                finally:  # whatever was archived (even if a later period broke) is in the index
                    self._rebuild_index(runs)
        except OSError as exc:  # the folder itself: read-only, a file, no room for the staging folder
            for run in runs:
                if not isinstance(run.result, RunOutcome):
                    run.result = DiskError(os_error_message(exc, self.reports_dir, archived=False))
        finally:
            if created:
                try:
                    self.reports_dir.rmdir()  # only when the run left it empty (bad data): as if never run
                except OSError:
                    pass
        return runs

    def _rebuild_index(self, runs: list[_PeriodRun]) -> None:
        """Rebuild the navigation pages when something is archived; a failure here never makes an
        archived revision look failed: each outcome carries what went wrong and what to re-run."""
        archived = [run.result for run in runs if isinstance(run.result, RunOutcome)]
        if not archived:
            return
        from .site import rebuild_site

        try:
            rebuild_site(self.reports_dir)
        except OSError as exc:
            problem = os_error_message(exc, self.reports_dir)
            for outcome in archived:
                outcome.index_error = problem

    def _disk_error(self, run: _PeriodRun, exc: BaseException) -> DiskError:
        """A full disk (or another refused write) while staging ``run``: nothing was archived."""
        needed = max(_size(run.staged), _size(run.target, skip=archive.REVISIONS)) * 3 // 2
        if not isinstance(exc, OSError):  # came back from a notebook's worker as text
            exc = OSError(28, "No space left on device")
        return DiskError(os_error_message(exc, self.reports_dir, needed or None, archived=False))

    def _build(self, runs: list[_PeriodRun], started: datetime, clock: float, read: dict[int, YearInputs]) -> None:
        """Steps 4 to 8 for the periods that changed."""
        for run in runs:
            if run.inputs is None:  # only hashed so far: read now, and record the hashes of what was read
                self._read(run, read)
                if run.provenance is not None:
                    run.provenance = run.provenance.with_read(_read_so_far(run))
            self._open(run)
        runs = _pending(runs)
        if not runs:
            return
        self._motivos(runs)
        with ExitStack() as stack:
            for run in runs:
                stage = stack.enter_context(archive.staging_dir(self.reports_dir, run.period))
                run.staged = stage / run.period.label
            git = git_state()
            for run in runs:
                run.plan = self._plan(run, started, git)
                try:
                    self._write_table(run)
                    if run.validation is not None:  # validated first: its page goes in before any PDF
                        self._write_validation(run, started)
                except OSError as exc:
                    run.result = self._disk_error(run, exc)
            runs = _pending(runs)
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
                assert run.notebooks is not None
                if run.staged is not None and (run.staged / "validacion.html").is_file():
                    run.notebooks.tables_written()
                elif self._validate(run):
                    try:
                        self._write_validation(run, started)
                    except OSError as exc:
                        run.result = self._disk_error(run, exc)
                        run.notebooks.cancel()
                    else:
                        run.notebooks.tables_written()
                else:
                    run.notebooks.cancel()
            for run in _pending(runs):
                assert run.notebooks is not None
                try:
                    outcomes = run.notebooks.result()
                    self._add_reads(run)
                    revision = self._archive(run)
                except (MirbookError, OSError) as exc:
                    # A full disk is the disk's fault, not the notebook's that met it.
                    run.result = self._disk_error(run, exc) if isinstance(exc, OSError) or is_no_space(exc) else exc
                    continue
                run.result = self._outcome(run, revision, clock, outcomes)

    # --- the steps -----------------------------------------------------------------------------

    def validate(self, period: Period, inputs: YearInputs | None = None) -> ValidationResult:
        """The input checks (of ``inputs`` when the year is already read); raises :class:`DataError`
        listing every problem."""
        from .validation import validate

        result = validate(self.data_dir, period, self.params, inputs=inputs)
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
                run.validation = self.validate(run.period, run.inputs)
            except DataError as exc:
                run.result = exc
                return False
        return True

    def _unchanged(self, run: _PeriodRun, clock: float) -> RunOutcome | None:
        """The archived revision when it was made from exactly these inputs and is intact."""
        current = archive.read_manifest(run.target)
        if run.provenance is None or current is None:
            return None
        if current.huella != run.provenance.plus(recorded_inputs(self.data_dir, current, run.provenance.inputs)).huella:
            return None
        outputs = archive.hash_outputs(run.target)
        if archive.NAV_PAGE not in current.salidas:  # archived before period pages were evidence
            outputs.pop(archive.NAV_PAGE, None)
        if outputs != current.salidas:
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
            run.workbook = open_workbook(run.period.year, run.period.label, self.data_dir, self.params.folder,
                                         inputs=run.inputs, previous_inputs=run.previous_inputs)
        except DataError as exc:
            # Unreadable data: validation's full message, before any notebook starts.
            try:
                self.validate(run.period, run.inputs)
            except DataError as problems:
                exc = problems
            run.result = exc

    def _read(self, run: _PeriodRun, read: dict[int, YearInputs]) -> None:
        """The period's year and the year before (when it has a folder), from ``read`` or read now."""
        for year in (run.period.year, run.period.year - 1):
            if year not in read and (year == run.period.year or (self.data_dir / str(year)).is_dir()):
                read[year] = YearInputs.read(self.data_dir, year, self.params.folder)
        run.inputs, run.previous_inputs = read[run.period.year], read.get(run.period.year - 1)

    def _jobs(self, run: _PeriodRun, started: datetime) -> list[NotebookJob]:
        period, staged = run.period, run.staged
        assert staged is not None
        (staged / archive.NOTEBOOKS_SUBDIR).mkdir(parents=True)
        return [
            notebook_job(nb, period, self.data_dir, self.params, started, self.executor, self.timeout,
                         executed=staged / archive.NOTEBOOKS_SUBDIR / nb.name, pages=staged, scratch=staged.parent,
                         failed=failed_notebook(period, nb), plan=run.plan)
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

    def _write_table(self, run: _PeriodRun) -> None:
        """The tables that depend on the workbook only, into the staging folder: ``indicadores.csv``,
        ``perspectiva.csv``, ``programacion_vigente.csv``, ``registros_periodo.csv``, ``entradas/``."""
        from . import ajustes, entradas, perspectiva
        from .table import period_records_csv, write_csv

        assert run.workbook is not None and run.staged is not None
        wb = run.workbook
        run.staged.mkdir(parents=True, exist_ok=True)
        write_csv(wb.evaluation, run.staged / "indicadores.csv")
        perspectiva.write_csv(wb.perspectivas, run.staged / "perspectiva.csv")
        ajustes.write_csv(wb.celdas, wb.period, run.staged / "programacion_vigente.csv")
        records = period_records_csv(wb.data, run.period)
        (run.staged / "registros_periodo.csv").write_text(records, encoding="utf-8", newline="")
        entradas.write(wb.data, run.staged)

    def _write_validation(self, run: _PeriodRun, started: datetime) -> None:
        from .captura import capture_status
        from .captura import render_html as render_captura
        from .validation import render_validation_html

        assert run.validation is not None and run.staged is not None
        self.log("[3/4] Escribiendo indicadores.csv, perspectiva.csv, programacion_vigente.csv, registros_periodo.csv, "
                 "entradas/, validacion.html y captura.html…")
        html = render_validation_html(run.validation, datetime_es(started), demo=is_demo_data(self.data_dir))
        (run.staged / "validacion.html").write_text(html, encoding="utf-8")
        status = capture_status(self.data_dir, run.period, self.params, inputs=run.inputs)
        page = render_captura(status, datetime_es(started), demo=is_demo_data(self.data_dir))
        (run.staged / "captura.html").write_text(page, encoding="utf-8")

    def _plan(self, run: _PeriodRun, started: datetime, git: GitState) -> Manifest:
        """The revision's manifest as known before the notebooks run: number (from the ledger:
        numbers only grow), inputs, code, versions, start time (outputs, end time and earlier
        revisions are filled in by :meth:`_archive`)."""
        period, provenance = run.period, run.provenance
        assert provenance is not None and run.workbook is not None
        key = integrity.period_key(period)
        record = self._ledger.periods.get(key) or ledger.PeriodRecord(key)
        revision = record.last_number + 1
        evaluation = run.workbook.evaluation
        return Manifest(
            mirbook=__version__,
            anio=period.year,
            periodo=period.label,
            revision=revision,
            huella=provenance.huella,
            parametros=Parametros(period.year, period.label, str(self.data_dir), str(self.reports_dir)),
            entradas=provenance.inputs,
            codigo=provenance.code,
            salidas={},
            paquetes=provenance.versions,
            python=sys.version.split()[0],
            git=git,
            inicio=started.isoformat(timespec="seconds"),
            fin="",
            cuadernos=tuple(Cuaderno(nb.stem, notebook_title(nb)) for nb in self.notebooks),
            semaforos=evaluation.counts(),
            indicadores={r.clave: r.semaforo for r in evaluation.results},
            avisos=tuple(_avisos(evaluation, "advertencia")),
            informacion=tuple(_avisos(evaluation, "informacion")),
            demo=is_demo_data(self.data_dir),
            revisiones_anteriores=(),
            institucion=self.params.mir.institucion,
            programa=self.params.mir.programa,
            anios_datos=provenance.years,
            motivo=run.motivo,
        )

    def _archive(self, run: _PeriodRun) -> int:
        """Manifest and the swap into place of a staged period (tables written); returns its revision."""
        period, staged, target, plan = run.period, run.staged, run.target, run.plan
        assert staged is not None and plan is not None
        key = integrity.period_key(period)
        record = self._ledger.periods.get(key) or ledger.PeriodRecord(key)
        revision = plan.revision
        earlier = archive.carry_history(target, staged, record.top) if target.exists() else []
        assert run.provenance is not None  # with the files the notebooks read (see _add_reads)
        manifest = replace(plan, entradas=run.provenance.inputs, huella=run.provenance.huella,
                           salidas=archive.hash_outputs(staged), fin=now().isoformat(timespec="seconds"),
                           revisiones_anteriores=tuple(earlier))
        manifest = _with_period_page(manifest, period, staged, target if record.top is not None else None)
        archive.write_atomic(staged / archive.MANIFEST, manifest.to_bytes())
        self.log(f"[4/4] Archivando la revisión de {period} y actualizando los índices…")
        pending = integrity.begin(self.reports_dir, key, revision, manifest.to_bytes())
        integrity.fault("antes-del-intercambio")
        archive.swap_into_place(staged, target)
        integrity.fault("tras-el-intercambio")
        integrity.finish(self.reports_dir, pending)
        self._ledger = ledger.fold(ledger.read(self.reports_dir))
        integrity.fault("tras-el-registro")
        return revision

    def _outcome(self, run: _PeriodRun, revision: int, clock: float,
                 notebooks: list[NotebookOutcome]) -> RunOutcome:
        assert run.workbook is not None
        evaluation = run.workbook.evaluation
        return RunOutcome(run.period, run.target, False, revision, evaluation.counts(),
                          _avisos(evaluation, "advertencia"), _avisos(evaluation, "informacion"),
                          time.perf_counter() - clock, notebooks)


def _with_period_page(manifest: Manifest, period: Period, staged: Path, previous: Path | None) -> Manifest:
    """Render the period page in staging (it is evidence) and list it in the manifest."""
    from dataclasses import replace

    from .site import load_revision, period_page, revision_of

    html = period_page(revision_of(period, staged, manifest),
                       load_revision(period, previous) if previous is not None else None)
    (staged / archive.NAV_PAGE).write_text(html, encoding="utf-8")
    return replace(manifest, salidas=archive.hash_outputs(staged))


def _pending(runs: list[_PeriodRun]) -> list[_PeriodRun]:
    """The periods still on their way (no outcome or error yet)."""
    return [run for run in runs if run.result is None]


def _size(folder: Path | None, skip: str = "") -> int:
    """Bytes of the files under ``folder`` (not under its ``skip`` subfolder); 0 when absent."""
    if folder is None or not folder.is_dir():
        return 0
    total = 0
    for path in folder.rglob("*"):
        rel = path.relative_to(folder).parts
        if skip and rel[0] == skip:
            continue
        try:
            total += path.stat().st_size if path.is_file() else 0
        except OSError:
            pass
    return total


def _read_so_far(run: _PeriodRun) -> list[YearInputs]:
    """The period's input years the run has already read (none before the optimised quick check)."""
    return [inputs for inputs in (run.inputs, run.previous_inputs) if inputs is not None]


def _avisos(evaluation: Evaluation, nivel: str) -> list[str]:
    return [a.mensaje for a in evaluation.avisos if a.nivel == nivel]


def notebook_job(nb: Path, period: Period, data_dir: Path, params: Params, started: datetime, executor: Executor,
                 timeout: int, *, executed: Path, pages: Path, scratch: Path, failed: Path | None,
                 pdf: bool = True, plan: Manifest | None = None) -> NotebookJob:
    """The job of one notebook for one period: its parameters, title, header and footer, and
    where each file goes (``pages``: the HTML and PDF; ``scratch``: its logs, outside the archive).
    ``plan``: the revision's manifest as planned; with it the PDF is archival (metadata and the
    period's files embedded), without it (a draft) a plain PDF/A."""
    sources = ", ".join(p.name for p in year_files(data_dir, period.year))
    footer = {
        "fuente": f"{data_dir.name}/{period.year}: {sources}",
        "generado": datetime_es(started),
        "demo": "1" if is_demo_data(data_dir) else "",
    }
    mir = params.mir
    in_words = period_es(period.year, period.quarter)
    metadata = None if plan is None else PdfMetadata(
        title=f"{notebook_title(nb)} — {in_words}", institution=mir.institucion, period=in_words,
        revision=plan.revision, created=started)
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
        pdf_metadata=metadata,
        manifest=plan.to_dict() if plan is not None else {},
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
