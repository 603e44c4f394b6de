"""``mirbook run``: validate, execute the notebooks, render, archive — for one period or many.

Order of a run of one period (bad input never touches the archive):

1. fingerprint the inputs, params, notebooks, code and package versions; identical to
   the archived revision, whose outputs are intact → done: nothing else runs (those
   are the very bytes validated when that revision was made, so validation would
   give the same verdict, and its ``validacion.html`` stands);
2. load the period's workbook; data that cannot even be read → validate at once and
   stop with validation's message;
3. under a lock on the reports folder, in a staging folder, the notebook tasks start
   in worker processes while this process validates the inputs (Great Expectations).
   Validation decides: when it finds errors the tasks are stopped, the staging folder
   is removed and the run stops with validation's message and exit code, whatever
   the notebooks did; only then do notebook failures count;
4. ``indicadores.csv``, ``validacion.html`` and ``manifest.json`` are written, earlier
   revisions carried into ``revisiones/``, the staged folder swapped into place
   atomically and the navigation pages rebuilt.

Workers (:class:`WorkerPool`): one more than the cores (or ``--jobs``), each task in a
fresh process forked from a forkserver that has already imported everything a task
needs (:mod:`mirbook.preload`), so a notebook starts with no imports to do: its kernel, a
real ipykernel, is forked from the worker instead of launched (:mod:`mirbook.warmkernel`).
A notebook is two tasks — execute + HTML,
then the PDF — and the spare process lets the last, unequal tasks share the cores
instead of one running alone. ``run --all`` (:meth:`Runner.run_many`) puts the tasks of
every period that changed into the same pool, period by period.

``MIRBOOK_PLAIN=1`` (or ``Runner(optimised=False)``) runs the reference pipeline instead:
validation first, then the fingerprint, one ipykernel per notebook (papermill's own
engine, the notebook saved after every cell), execute and render of a notebook in one
task of a plain process pool (or serially in this process with ``jobs=1``). Both give
the same reports byte for byte (tests/test_speed_equivalence.py).
"""

from __future__ import annotations

import hashlib
import heapq
import itertools
import multiprocessing
import os
import re
import subprocess
import sys
import threading
import time
from collections.abc import Callable, Sequence
from concurrent.futures import FIRST_EXCEPTION, Future, ProcessPoolExecutor, wait
from contextlib import ExitStack
from dataclasses import dataclass, field
from datetime import datetime, timezone
from importlib import metadata
from multiprocessing.connection import wait as wait_ready
from pathlib import Path

from . import __version__, archive
from .errors import DataError, MirbookError
from .execute import (
    ENGINE_KERNEL,
    ENGINE_WARM,
    NotebookJob,
    NotebookOutcome,
    build,
    build_html,
    build_pdf,
    notebook_title,
    run_task,
)
from .formatting import datetime_es, period_es
from .model import Period
from .paths import is_demo_data, notebooks_dir, period_dir, project_root
from .sources import year_files
from .workbook import Params, load_params

NOTEBOOK_PATTERN = re.compile(r"\d{2}_[\w\-]+\.ipynb")
PACKAGES = (
    "mirbook", "pandas", "numpy", "matplotlib", "seaborn", "papermill", "nbconvert", "nbclient", "nbformat",
    "ipykernel", "great-expectations", "weasyprint", "openpyxl", "pyyaml", "jinja2",
)
PLAIN_ENV = "MIRBOOK_PLAIN"
Log = Callable[[str], None]


def discover_notebooks(folder: Path | None = None) -> list[Path]:
    """Report notebooks in file-name order: ``NN_name.ipynb`` directly in ``notebooks/``."""
    folder = folder or notebooks_dir()
    return sorted(p for p in folder.glob("*.ipynb") if NOTEBOOK_PATTERN.fullmatch(p.name))


def now() -> datetime:
    """The run's clock: ``$SOURCE_DATE_EPOCH`` when set (reproducible builds), else local time."""
    epoch = os.environ.get("SOURCE_DATE_EPOCH")
    if epoch and epoch.isdigit():
        return datetime.fromtimestamp(int(epoch), tz=timezone.utc)
    return datetime.now(timezone.utc).astimezone()


def code_files() -> list[Path]:
    """The package's own source and templates: a change in them makes a new revision."""
    package = Path(__file__).resolve().parent
    return sorted(p for p in package.rglob("*") if p.is_file() and p.suffix in (".py", ".j2", ".css", ".tpl", ".json", ".html"))


def input_files(data_dir: Path, period: Period, params: Params, notebooks: list[Path]) -> dict[str, Path]:
    """``{label: path}`` of everything a revision is made from (labels are stable, portable names)."""
    files: dict[str, Path] = {}
    for year in (period.year, period.year - 1):
        for path in year_files(data_dir, year):
            files[f"datos/{year}/{path.name}"] = path
    for path in sorted(params.folder.glob("*.yaml")):
        files[f"params/{path.name}"] = path
    for path in notebooks:
        files[f"notebooks/{path.name}"] = path
    return files


def fingerprint(inputs: dict[str, str], code: dict[str, str], period: Period, versions: dict[str, str]) -> str:
    """One sha256 over the inputs, the code, the period and the package versions."""
    digest = hashlib.sha256(f"{period.year}-{period.label}\n".encode())
    for group in (inputs, code, versions):
        for key in sorted(group):
            digest.update(f"{key}={group[key]}\n".encode())
    return digest.hexdigest()


def package_versions() -> dict[str, str]:
    """Installed versions of the packages that shape the reports."""
    out = {}
    for name in PACKAGES:
        try:
            out[name] = metadata.version(name)
        except metadata.PackageNotFoundError:
            out[name] = "no instalado"
    return out


def git_state() -> dict[str, object]:
    """The project's git commit and whether the tree had uncommitted changes."""
    root = project_root()
    try:
        commit = subprocess.run(["git", "rev-parse", "HEAD"], cwd=root, capture_output=True, text=True, timeout=10)
        status = subprocess.run(["git", "status", "--porcelain", "--untracked-files=no"], cwd=root,
                                capture_output=True, text=True, timeout=10)
    except (OSError, subprocess.SubprocessError):
        return {"commit": None, "sucio": None}
    if commit.returncode != 0:
        return {"commit": None, "sucio": None}
    return {"commit": commit.stdout.strip(), "sucio": bool(status.stdout.strip())}


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


def _cores() -> int:
    return len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else (os.cpu_count() or 1)


def _workers(jobs: int | None, count: int, spare: int = 0) -> int:
    """Processes for ``count`` tasks: ``jobs`` when given, else the cores plus ``spare``."""
    return max(1, min(jobs or _cores() + spare, count))


def run_notebooks(jobs: list[NotebookJob], workers: int, log: Log) -> list[NotebookOutcome]:
    """Execute and render every notebook, ``workers`` at a time; the first failure stops all.

    The reference (plain) path: one task per notebook in a process pool, or serially here.
    """
    if workers == 1:
        outcomes = []
        for job in jobs:
            outcome = build(job)
            log(f"    ✔ {outcome.name} ({outcome.seconds_execute:.1f} s + {outcome.seconds_render:.1f} s)")
            outcomes.append(outcome)
        return outcomes
    context = multiprocessing.get_context("forkserver")
    with ProcessPoolExecutor(max_workers=workers, mp_context=context) as pool:
        futures = {pool.submit(build, job): job for job in jobs}
        done, pending = wait(futures, return_when=FIRST_EXCEPTION)
        for future in done:
            if future.exception() is not None:
                for other in pending:
                    other.cancel()
                raise future.exception()  # type: ignore[misc]
        outcomes = [f.result() for f in futures]
    for outcome in outcomes:
        log(f"    ✔ {outcome.name} ({outcome.seconds_execute:.1f} s + {outcome.seconds_render:.1f} s)")
    return outcomes


class WorkerPool:
    """Run tasks ``size`` at a time, each in a fresh process forked from a preloaded forkserver.

    A fresh process per task gives every notebook the isolation of a fresh kernel; the
    forkserver's preload (:mod:`mirbook.preload`, imported once per command) makes that
    process start with every import done. Queued tasks start lowest ``priority`` first.
    A task's exception comes back through its future; a process that dies fails its
    future with a :class:`MirbookError`. :meth:`cancel` stops tasks at once: queued ones
    never start, running ones are terminated — what a failed validation needs.

    Use as a context manager: leaving it stops whatever still runs.
    """

    def __init__(self, size: int, preload: bool = True) -> None:
        self._context = multiprocessing.get_context("forkserver")
        if preload:
            # Takes effect when this process starts its forkserver (once per command).
            self._context.set_forkserver_preload(["mirbook.preload"])
        self._size = max(1, size)
        self._queue: list = []  # heap of (priority, sequence, future, function, argument)
        self._running: dict[Future, tuple] = {}  # future -> (process, reader)
        self._cancelled: set[Future] = set()
        self._lock = threading.Lock()
        self._order = itertools.count()
        self._closed = False
        self._wake_r, self._wake_w = os.pipe()
        self._thread = threading.Thread(target=self._loop, name="mirbook-workers", daemon=True)
        self._thread.start()

    def __enter__(self) -> WorkerPool:
        return self

    def __exit__(self, *exc_info) -> None:
        self.close()

    def submit(self, function: Callable, argument, priority: tuple = ()) -> Future:
        """Queue ``function(argument)`` (both must pickle; ``function`` a module-level function)."""
        future: Future = Future()
        with self._lock:
            if self._closed:
                raise RuntimeError("pool closed")
            heapq.heappush(self._queue, (priority, next(self._order), future, function, argument))
        self._wake()
        return future

    def cancel(self, futures) -> None:
        """Stop these tasks: queued ones are cancelled, running ones terminated."""
        with self._lock:
            for future in futures:
                if future in self._running:
                    self._cancelled.add(future)
                    process = self._running[future][0]
                    if process is not None and process.is_alive():
                        process.terminate()
                else:
                    future.cancel()
        self._wake()

    def close(self) -> None:
        """Stop every task still queued or running and wait for the pool's thread."""
        with self._lock:
            self._closed = True
            pending = [entry[2] for entry in self._queue] + list(self._running)
        self.cancel(pending)
        self._thread.join()
        os.close(self._wake_r)
        os.close(self._wake_w)

    def _wake(self) -> None:
        try:
            os.write(self._wake_w, b"x")
        except OSError:
            pass

    def _start(self) -> None:
        """Start queued tasks while there is room.

        The lock is not held while a process starts: the first start waits for the forkserver
        to finish its preload (seconds), and the caller must be free to submit meanwhile.
        """
        while True:
            with self._lock:
                if self._closed or not self._queue or len(self._running) >= self._size:
                    return
                _, _, future, function, argument = heapq.heappop(self._queue)
                if not future.set_running_or_notify_cancel():
                    continue
                self._running[future] = (None, None)  # holds the slot while it starts
            reader, writer = self._context.Pipe(duplex=False)
            process = self._context.Process(
                target=run_task, args=(writer, function, argument, dict(os.environ), os.getcwd()),
                name="mirbook-task", daemon=True,
            )
            try:
                process.start()
            except BaseException as exc:  # noqa: BLE001 - reported through the future
                reader.close()
                writer.close()
                with self._lock:
                    del self._running[future]
                future.set_exception(MirbookError(f"No se pudo iniciar un proceso de trabajo: {exc}"))
                continue
            writer.close()
            with self._lock:
                self._running[future] = (process, reader)
                if future in self._cancelled or self._closed:
                    process.terminate()

    def _loop(self) -> None:
        try:
            self._serve()
        except BaseException as exc:  # noqa: BLE001 - never leave a caller waiting forever
            with self._lock:
                futures = [entry[2] for entry in self._queue] + list(self._running)
                processes = [entry[0] for entry in self._running.values() if entry[0] is not None]
                self._queue.clear()
                self._running.clear()
                self._closed = True
            for process in processes:
                process.terminate()
            for future in futures:
                if not future.done():
                    future.set_exception(MirbookError(f"Error interno del grupo de procesos: {exc}"))

    def _serve(self) -> None:
        while True:
            self._start()
            with self._lock:
                if self._closed and not self._running:
                    for entry in self._queue:
                        entry[2].cancel()
                    self._queue.clear()
                    return
                watch = {}
                for future, (process, reader) in self._running.items():
                    watch[reader] = future
                    watch[process.sentinel] = future
            ready = wait_ready(list(watch) + [self._wake_r])
            if self._wake_r in ready:
                os.read(self._wake_r, 4096)
            done = {watch[obj] for obj in ready if obj in watch}
            for future in done:
                self._collect(future)

    def _collect(self, future: Future) -> None:
        with self._lock:
            process, reader = self._running[future]
            reply = None
            try:
                if reader.poll():
                    reply = reader.recv()
            except (EOFError, OSError):
                reply = None
            if reply is None and process.is_alive():
                return  # the reader woke up with nothing to read yet
            del self._running[future]
            cancelled = future in self._cancelled
            self._cancelled.discard(future)
        reader.close()
        if reply is None:
            process.join()
        if cancelled:
            future.set_exception(MirbookError("Tarea cancelada."))
        elif reply is None:
            future.set_exception(MirbookError(
                f"Un proceso de trabajo terminó inesperadamente (código {process.exitcode}); "
                "revise la memoria disponible o ejecute con MIRBOOK_PLAIN=1 para aislar el problema."))
        elif reply[0] == "ok":
            future.set_result(reply[1])
        else:
            future.set_exception(reply[1])
        process.join(timeout=10)
        if process.is_alive():  # a thread the task left behind keeps it from exiting
            process.terminate()
            process.join()


class _NotebookTasks:
    """The two tasks of one notebook in a :class:`WorkerPool`: execute + HTML, then the PDF."""

    def __init__(self, pool: WorkerPool, job: NotebookJob, group: int, index: int) -> None:
        # Within a group (a period), every execution before any PDF: a PDF is the longest task,
        # and starting the executions first keeps both cores busy until the end.
        self.pool, self.job, self.group = pool, job, group
        self.done = threading.Event()
        self.outcome: NotebookOutcome | None = None
        self.error: BaseException | None = None
        self.stopped = False
        self.current = pool.submit(build_html, job, (group, 0, index))
        self.current.add_done_callback(self._html_done)

    def _fail(self, future: Future) -> bool:
        if future.cancelled() or future.exception() is not None:
            self.error = MirbookError("Tarea cancelada.") if future.cancelled() else future.exception()
            self.done.set()
            return True
        return False

    def _html_done(self, future: Future) -> None:
        if self._fail(future):
            return
        seconds_execute, seconds_html = future.result()
        try:
            if self.stopped:
                raise RuntimeError("cancelled")
            # Among the PDFs waiting, the largest page first: the last task to finish is a short one.
            size = self.job.html.stat().st_size if self.job.html.exists() else 0
            self.current = self.pool.submit(build_pdf, self.job, (self.group, 1, -size))
        except RuntimeError:
            self.error = MirbookError("Tarea cancelada.")
            self.done.set()
            return

        def pdf_done(second: Future) -> None:
            if self._fail(second):
                return
            job = self.job
            self.outcome = NotebookOutcome(job.source.stem, job.executed, job.html, job.pdf,
                                           seconds_execute, seconds_html + second.result())
            self.done.set()

        self.current.add_done_callback(pdf_done)

    def cancel(self) -> None:
        self.stopped = True
        self.pool.cancel([self.current])

    def result(self) -> NotebookOutcome:
        self.done.wait()
        if self.error is not None:
            raise self.error
        assert self.outcome is not None
        return self.outcome


@dataclass
class _Plan:
    """One period on its way through a run."""

    period: Period
    target: Path
    inputs: dict[str, str] | None = None
    code: dict[str, str] | None = None
    versions: dict[str, str] | None = None
    huella: str | None = None
    workbook: object = None
    validation: object = None
    staged: Path | None = None
    jobs: list[NotebookJob] = field(default_factory=list)
    tasks: list[_NotebookTasks] = field(default_factory=list)


class Runner:
    """Archive periods into one reports folder (the work behind ``mirbook run``)."""

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
    ) -> None:
        self.data_dir = Path(data_dir)
        self.reports_dir = Path(reports_dir)
        self.params = params or load_params()
        self.notebooks = notebooks if notebooks is not None else discover_notebooks()
        self.jobs = jobs
        self.timeout = timeout
        self.log = log
        self.optimised = (os.environ.get(PLAIN_ENV, "") in ("", "0")) if optimised is None else optimised
        self._versions: dict[str, str] | None = None
        self._git: dict[str, object] | None = None
        if not self.notebooks:
            raise MirbookError(f"No hay cuadernos de reporte (NN_nombre.ipynb) en {notebooks_dir()}.")

    # --- the steps --------------------------------------------------------------------------

    def validate(self, period: Period):
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

    def _plan(self, period: Period) -> _Plan:
        """Fingerprint one period (cheap: hashes only). Unreadable inputs leave no fingerprint."""
        plan = _Plan(period, period_dir(self.reports_dir, period))
        try:
            files = input_files(self.data_dir, period, self.params, self.notebooks)
            plan.inputs = {k: archive.sha256_file(p) for k, p in files.items()}
        except (OSError, DataError):
            return plan  # validation will explain
        package = Path(__file__).resolve().parent
        plan.code = {p.relative_to(package).as_posix(): archive.sha256_file(p) for p in code_files()}
        if self._versions is None:
            self._versions = package_versions()
        plan.versions = self._versions
        plan.huella = fingerprint(plan.inputs, plan.code, period, plan.versions)
        return plan

    def _unchanged(self, plan: _Plan, clock: float) -> RunOutcome | None:
        """The archived revision when it was made from exactly these inputs and is intact."""
        current = archive.read_manifest(plan.target)
        if not (plan.huella and current and current.get("huella") == plan.huella):
            return None
        if archive.hash_outputs(plan.target) != current.get("salidas"):
            return None
        counts = current.get("semaforos")
        if not isinstance(counts, dict) or not {"verde", "amarillo", "rojo", "no_aplica"} <= set(counts):
            return None  # an older manifest: rebuild rather than guess
        self.log(f"[2/4] Sin cambios: las entradas y el código son idénticos a la revisión "
                 f"{current.get('revision')} archivada de {plan.period}; no se modificó nada.")
        return RunOutcome(plan.period, plan.target, True, int(current.get("revision", 1)), counts,
                          list(current.get("avisos", [])), list(current.get("informacion", [])),
                          time.perf_counter() - clock)

    def _open(self, plan: _Plan) -> None:
        from .workbook import open_workbook

        plan.workbook = open_workbook(plan.period.year, plan.period.label, self.data_dir, self.params.folder)

    def _jobs(self, plan: _Plan, started: datetime, engine: str, save_each_cell: bool) -> list[NotebookJob]:
        period, staged = plan.period, plan.staged
        assert staged is not None
        (staged / archive.NOTEBOOKS_SUBDIR).mkdir(parents=True)
        sources = ", ".join(p.name for p in year_files(self.data_dir, period.year))
        footer = {
            "fuente": f"{self.data_dir.name}/{period.year}: {sources}",
            "generado": datetime_es(started),
            "demo": "1" if is_demo_data(self.data_dir) else "",
        }
        header = f"{self.params.mir.programa} — {self.params.mir.institucion} — {period_es(period.year, period.quarter)}"
        return [
            NotebookJob(
                source=nb,
                executed=staged / archive.NOTEBOOKS_SUBDIR / nb.name,
                html=staged / f"{nb.stem}.html",
                pdf=staged / f"{nb.stem}.pdf",
                parameters={"year": period.year, "period": period.label, "data_dir": str(self.data_dir)},
                title=f"{notebook_title(nb)} — {period_es(period.year, period.quarter)}",
                header=header,
                footer=footer,
                timeout=self.timeout,
                cwd=nb.parent,
                log=staged.parent / f"{nb.stem}.log",
                engine=engine,
                save_each_cell=save_each_cell,
            )
            for nb in self.notebooks
        ]

    def _finish(self, plan: _Plan, started: datetime) -> int:
        """Manifest and the swap into place of a staged period (tables written); returns its revision."""
        period, staged, target = plan.period, plan.staged, plan.target
        assert staged is not None and plan.inputs is not None
        current = archive.read_manifest(target)
        revision = int(current.get("revision", 0)) + 1 if current else (1 if not target.exists() else 2)
        earlier = archive.carry_history(target, staged, revision - 1) if target.exists() else []
        evaluation = plan.workbook.evaluation
        manifest = {
            "mirbook": __version__,
            "anio": period.year,
            "periodo": period.label,
            "revision": revision,
            "huella": plan.huella,
            "parametros": {
                "year": period.year, "period": period.label,
                "data_dir": str(self.data_dir), "reports_dir": str(self.reports_dir),
            },
            "entradas": plan.inputs,
            "codigo": plan.code,
            "salidas": archive.hash_outputs(staged),
            "paquetes": plan.versions,
            "python": sys.version.split()[0],
            "git": self._git if self._git is not None else git_state(),
            "inicio": started.isoformat(timespec="seconds"),
            "fin": now().isoformat(timespec="seconds"),
            "cuadernos": [{"nombre": nb.stem, "titulo": notebook_title(nb)} for nb in self.notebooks],
            "semaforos": evaluation.counts(),
            "indicadores": {r.clave: r.semaforo for r in evaluation.results},
            "avisos": _avisos(evaluation, "advertencia"),
            "informacion": _avisos(evaluation, "informacion"),
            "demo": is_demo_data(self.data_dir),
            "revisiones_anteriores": earlier,
        }
        archive.write_atomic(staged / archive.MANIFEST, archive.manifest_bytes(manifest))
        self.log(f"[4/4] Archivando la revisión de {period} y actualizando los índices…")
        archive.swap_into_place(staged, target)
        return revision

    def _outcome(self, plan: _Plan, revision: int, clock: float, notebooks: list[NotebookOutcome]) -> RunOutcome:
        evaluation = plan.workbook.evaluation
        return RunOutcome(plan.period, plan.target, False, revision, evaluation.counts(),
                          _avisos(evaluation, "advertencia"), _avisos(evaluation, "informacion"),
                          time.perf_counter() - clock, notebooks)

    def _write_tables(self, workbook, validation, staged: Path, started: datetime) -> None:
        from .table import write_csv
        from .validation import render_validation_html

        self.log("[3/4] Escribiendo indicadores.csv y validacion.html…")
        write_csv(workbook.evaluation, staged / "indicadores.csv")
        html = render_validation_html(validation, datetime_es(started), demo=is_demo_data(self.data_dir))
        (staged / "validacion.html").write_text(html, encoding="utf-8")

    # --- one period, many periods -------------------------------------------------------------

    def run(self, period: Period) -> RunOutcome:
        """Validate, and archive a new revision of ``period`` unless nothing changed."""
        if not self.optimised:
            return self._run_plain(period)
        result = self.run_many([period])[0]
        if isinstance(result, BaseException):
            raise result
        return result

    def run_many(self, periods: Sequence[Period]) -> list[RunOutcome | MirbookError]:
        """Archive every period (what ``run --all`` does): one outcome or one error per period.

        The notebook tasks of every period that changed share one pool of workers, while
        this process validates period after period; a period whose data or notebooks fail
        is left as it was and the others are archived.
        """
        if not self.optimised:
            out: list[RunOutcome | MirbookError] = []
            for period in periods:
                try:
                    out.append(self._run_plain(period))
                except MirbookError as exc:
                    out.append(exc)
            return out
        clock = time.perf_counter()
        started = now()
        for period in periods:
            self.log(f"[1/4] Comprobando las entradas de {period} ({self.data_dir / str(period.year)})…")
        plans = [self._plan(period) for period in periods]
        results: dict[Period, RunOutcome | MirbookError] = {}
        created = not self.reports_dir.exists()
        try:
            with archive.locked(self.reports_dir):
                archive.recover(self.reports_dir)
                todo = []
                for plan in plans:
                    same = self._unchanged(plan, clock)
                    if same is not None:
                        results[plan.period] = same
                    else:
                        todo.append(plan)
                try:
                    if todo:
                        self._build_many(todo, started, clock, results)
                finally:  # whatever was archived (even if a later period broke) is in the index
                    if any(isinstance(r, RunOutcome) for r in results.values()):
                        from .site import rebuild_site

                        rebuild_site(self.reports_dir)
        finally:
            if created:
                try:
                    self.reports_dir.rmdir()  # only when the run left it empty (bad data): as if never run
                except OSError:
                    pass
        return [results[p] for p in periods]

    def _build_many(self, plans: list[_Plan], started: datetime, clock: float,
                    results: dict[Period, RunOutcome | MirbookError]) -> None:
        ready = []
        for plan in plans:
            try:
                if plan.inputs is None:
                    raise DataError(f"No se pudieron leer las entradas de {plan.period}.")
                self._open(plan)
            except DataError as exc:
                # Unreadable data: validation's full message, before any task starts.
                try:
                    self.validate(plan.period)
                except DataError as problems:
                    exc = problems
                results[plan.period] = exc
                continue
            ready.append(plan)
        if not ready:
            return
        with ExitStack() as stack:
            for plan in ready:
                stage = stack.enter_context(archive.staging_dir(self.reports_dir, plan.period))
                plan.staged = stage / plan.period.label
            total = len(ready) * len(self.notebooks)
            # One process more than the cores: the notebooks' tasks are few and unequal (a PDF
            # takes seconds), so the last ones share the cores instead of one running alone.
            workers = _workers(self.jobs, total, spare=1)
            pool = stack.enter_context(WorkerPool(workers))  # leaves first: tasks stop before staging goes
            for number, plan in enumerate(ready):
                plan.jobs = self._jobs(plan, started, ENGINE_WARM, save_each_cell=False)
                plan.tasks = [_NotebookTasks(pool, job, number, index) for index, job in enumerate(plan.jobs)]
            self.log(f"[2/4] Ejecutando y representando {total} cuaderno(s) en {workers} proceso(s) "
                     "mientras se validan las entradas…")
            for plan in ready:
                try:
                    plan.validation = self.validate(plan.period)
                except DataError as exc:
                    for tasks in plan.tasks:
                        tasks.cancel()
                    results[plan.period] = exc
                    continue
                self._write_tables(plan.workbook, plan.validation, plan.staged, started)
            self._git = git_state()
            for plan in ready:
                if plan.period in results:
                    continue
                try:
                    outcomes = [tasks.result() for tasks in plan.tasks]
                except MirbookError as exc:
                    for tasks in plan.tasks:
                        tasks.cancel()
                    results[plan.period] = exc
                    continue
                for outcome in outcomes:
                    self.log(f"    ✔ {outcome.name} ({outcome.seconds_execute:.1f} s + {outcome.seconds_render:.1f} s)")
                revision = self._finish(plan, started)
                results[plan.period] = self._outcome(plan, revision, clock, outcomes)

    def _run_plain(self, period: Period) -> RunOutcome:
        """The reference pipeline (see the module docstring): validation first, kernels, no preload."""
        started = now()
        clock = time.perf_counter()
        self.log(f"[1/4] Validando las entradas de {period} ({self.data_dir / str(period.year)})…")
        validation = self.validate(period)
        plan = self._plan(period)
        plan.validation = validation
        self._open(plan)
        with archive.locked(self.reports_dir):
            archive.recover(self.reports_dir)
            same = self._unchanged(plan, clock)
            if same is None:
                with archive.staging_dir(self.reports_dir, period) as stage:
                    plan.staged = stage / period.label
                    jobs = self._jobs(plan, started, ENGINE_KERNEL, save_each_cell=True)
                    workers = _workers(self.jobs, len(jobs))
                    self.log(f"[2/4] Ejecutando y representando {len(jobs)} cuaderno(s) en {workers} proceso(s)…")
                    outcomes = run_notebooks(jobs, workers, self.log)
                    self._write_tables(plan.workbook, plan.validation, plan.staged, started)
                    revision = self._finish(plan, started)
            from .site import rebuild_site

            rebuild_site(self.reports_dir)
        return same if same is not None else self._outcome(plan, revision, clock, outcomes)


def _avisos(evaluation, nivel: str) -> list[str]:
    return [a.mensaje for a in evaluation.avisos if a.nivel == nivel]


def periods_with_data(data_dir: Path) -> list[Period]:
    """Every period that has data: each quarter of each year folder up to its last dated record."""
    from .records import load_year

    out = []
    for folder in sorted(p for p in Path(data_dir).iterdir() if p.is_dir() and re.fullmatch(r"\d{4}", p.name)):
        year = int(folder.name)
        try:
            data = load_year(Path(data_dir), year)
        except DataError:
            out.extend(Period(year, q) for q in (1, 2, 3, 4))  # validation will explain the problem
            continue
        last = max((r.fecha for r in data.registros if r.fecha.year == year), default=None)
        quarters = (last.month - 1) // 3 + 1 if last else 0
        out.extend(Period(year, q) for q in range(1, quarters + 1))
    return out


def summary(outcome: RunOutcome) -> str:
    """The closing screen of a run (Spanish)."""
    counts = outcome.counts
    lines = [
        "",
        f"Reporte de {outcome.period}: {outcome.folder / 'index.html'}",
        f"  Revisión {outcome.revision}" + (" (sin cambios)" if outcome.unchanged else " (nueva)")
        + f" · {outcome.seconds:.1f} s",
        f"  Semáforo: {counts['verde']} verde · {counts['amarillo']} amarillo · {counts['rojo']} rojo · "
        f"{counts['no_aplica']} no aplica",
    ]
    if outcome.avisos:
        lines.append(f"  Advertencias ({len(outcome.avisos)}):")
        lines.extend(f"    - {a}" for a in outcome.avisos)
    else:
        lines.append("  Sin advertencias.")
    lines.extend(f"  Información: {i}" for i in outcome.informacion)
    return "\n".join(lines)
