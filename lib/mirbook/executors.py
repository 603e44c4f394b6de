"""How the notebooks of a run are executed: the optimised executor, or the plain reference one.

A run has one order of steps (:mod:`mirbook.pipeline`); what differs between the fast path
and the reference path is only *how* the notebook jobs run and *when* validation happens,
and that is decided once, by choosing an :class:`Executor`:

* :class:`OptimisedExecutor` (the default): one pool of workers for every period of the run
  (:class:`mirbook.workers.WorkerPool`, one process more than the cores), each task in a
  fresh process forked from a forkserver that has already imported everything a task needs
  (:mod:`mirbook.preload`; the PDF tasks from a second one, :mod:`mirbook.preload_pdf`, whose
  WeasyPrint preload runs beside it), each notebook on a real ipykernel forked warm from the worker instead of launched (:mod:`mirbook.warmkernel`).
  A notebook is two tasks — execute + HTML, then the PDF (:class:`NotebookTasks`) — so the
  last, unequal tasks share the cores. Validation runs in the run's own process while the
  workers work, after the fingerprint has shown that something changed. A PDF embeds the
  period's ``validacion.html`` (PDF/A-3 attachments), so the PDF tasks of a period wait behind
  a :class:`Gate` until the run calls :meth:`NotebookRun.tables_written`;
* :class:`PlainExecutor` (``MIRBOOK_PLAIN=1`` or ``Runner(optimised=False)``): validation
  first, then the fingerprint, one period at a time; one ipykernel per notebook (papermill's
  own engine, the notebook saved after every cell), execute and render of a notebook in one
  task of a plain process pool, or serially in the run's process with ``jobs=1``.

Both give the same reports byte for byte (tests/test_speed_equivalence.py).
"""

from __future__ import annotations

import multiprocessing
import os
import threading
from collections.abc import Callable, Iterator, Sequence
from concurrent.futures import FIRST_EXCEPTION, Future, ProcessPoolExecutor, wait
from concurrent.futures.process import BrokenProcessPool
from contextlib import AbstractContextManager, contextmanager
from typing import Protocol, TypeVar

from .errors import MirbookError
from .execute import ENGINE_KERNEL, ENGINE_WARM, NotebookJob, NotebookOutcome, build, build_html, build_pdf
from .portable import start_method
from .workers import CANCELLED, WorkerError, WorkerPool, death

PLAIN_ENV = "MIRBOOK_PLAIN"
PRELOAD = ("mirbook.preload",)
#: The PDF tasks' own forkserver: its preload (WeasyPrint) runs beside the notebooks' one.
PDF_SERVER = "pdf"
SERVERS = {PDF_SERVER: ("mirbook.preload_pdf",)}
CRASH_ADVICE = "revise la memoria disponible o ejecute con MIRBOOK_PLAIN=1 para aislar el problema"
Log = Callable[[str], None]
T = TypeVar("T")


def _cores() -> int:
    return len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else (os.cpu_count() or 1)


def workers_for(jobs: int | None, count: int, spare: int = 0) -> int:
    """Processes for ``count`` tasks: ``jobs`` when given, else the cores plus ``spare``."""
    return max(1, min(jobs or _cores() + spare, count))


def _done(outcome: NotebookOutcome) -> str:
    return f"    ✔ {outcome.name} ({outcome.seconds_execute:.1f} s + {outcome.seconds_render:.1f} s)"


class NotebookRun(Protocol):
    """The notebooks of one period, submitted to an executor."""

    def result(self) -> list[NotebookOutcome]:
        """Wait for every notebook; the first failure raises :class:`MirbookError` (and stops the rest)."""

    def cancel(self) -> None:
        """Stop what still runs (validation found errors)."""

    def tables_written(self) -> None:
        """``indicadores.csv`` and ``validacion.html`` are in the staging folder: PDFs may be printed."""


class Session(Protocol):
    """An executor at work, for the duration of one batch of periods."""

    def submit(self, jobs: list[NotebookJob], group: int) -> NotebookRun:
        """Start the notebooks of one period (``group``: its place in the batch). May raise
        :class:`MirbookError` when the executor runs them right away and one fails; an executor
        that does so is one that ``validates_first``, and the run writes the tables before."""


class Executor(Protocol):
    """How a run executes its notebooks (see the module docstring)."""

    engine: str  #: the papermill engine of the jobs (``ENGINE_WARM`` or ``ENGINE_KERNEL``)
    save_each_cell: bool  #: rewrite the executed notebook after every cell (papermill's default)
    validates_first: bool  #: validate before the fingerprint, instead of alongside the notebooks

    def batches(self, periods: Sequence[T]) -> list[list[T]]:
        """The periods in the groups that go through the run's steps together."""

    def workers(self, jobs: int | None, count: int) -> int:
        """How many processes for ``count`` notebooks (``jobs``: the user's ``--jobs``)."""

    def session(self, workers: int, log: Log) -> AbstractContextManager[Session]:
        """The executor at work; leaving it stops whatever still runs."""


def choose(optimised: bool | None = None) -> Executor:
    """The executor of a run: ``optimised`` when given, else the optimised one unless ``$MIRBOOK_PLAIN``."""
    if optimised is None:
        optimised = os.environ.get(PLAIN_ENV, "") in ("", "0")
    return OptimisedExecutor() if optimised else PlainExecutor()


# --- optimised: preloaded workers, two tasks per notebook ------------------------------------------


class Gate:
    """Work held back until an event: :meth:`when_open` runs it now or when :meth:`open` is called."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._open = False
        self._waiting: list[Callable[[], None]] = []

    def when_open(self, action: Callable[[], None]) -> None:
        with self._lock:
            if not self._open:
                self._waiting.append(action)
                return
        action()

    def open(self) -> None:
        with self._lock:
            self._open, waiting, self._waiting = True, self._waiting, []
        for action in waiting:
            action()


class NotebookTasks:
    """The two tasks of one notebook in a :class:`WorkerPool`: execute + HTML, then the PDF
    (submitted once ``gate`` opens: the PDF embeds the period's tables)."""

    def __init__(self, pool: WorkerPool, job: NotebookJob, group: int, index: int, gate: Gate) -> None:
        # Within a group (a period), every execution before any PDF: a PDF is the longest task,
        # and starting the executions first keeps both cores busy until the end.
        self.pool, self.job, self.group, self.gate = pool, job, group, gate
        self.done = threading.Event()
        self.outcome: NotebookOutcome | None = None
        self.error: BaseException | None = None
        self.stopped = False
        self.current = pool.submit(build_html, job, (group, 0, index))
        self.current.add_done_callback(self._html_done)

    def _fail(self, future: Future) -> bool:
        if future.cancelled() or future.exception() is not None:
            error = MirbookError(CANCELLED) if future.cancelled() else future.exception()
            # The pool's own failures, in the words the user reads.
            self.error = MirbookError(str(error)) if isinstance(error, WorkerError) else error
            self.done.set()
            return True
        return False

    def _html_done(self, future: Future) -> None:
        if self._fail(future):
            return
        if self.stopped:  # cancelled while it ran: the gate may never open
            self.error = MirbookError(CANCELLED)
            self.done.set()
            return
        self.gate.when_open(lambda: self._submit_pdf(*future.result()))

    def _submit_pdf(self, seconds_execute: float, seconds_html: float) -> None:
        try:
            if self.stopped:
                raise RuntimeError("cancelled")
            # Among the PDFs waiting, the largest page first: the last task to finish is a short one.
            size = self.job.html.stat().st_size if self.job.html.exists() else 0
            self.current = self.pool.submit(build_pdf, self.job, (self.group, 1, -size), server=PDF_SERVER)
        except RuntimeError:
            self.error = MirbookError(CANCELLED)
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
        """Stop this notebook's task (queued or running); no further task starts."""
        self.stopped = True
        self.pool.cancel([self.current])
        if self.current.done() and not self.done.is_set():  # held at the gate: it never opens now
            self.error = MirbookError(CANCELLED)
            self.done.set()

    def result(self) -> NotebookOutcome:
        """Wait for both tasks; their failure raises."""
        self.done.wait()
        if self.error is not None:
            raise self.error
        assert self.outcome is not None
        return self.outcome


class _PooledRun:
    """The notebooks of one period in the shared pool."""

    def __init__(self, pool: WorkerPool, jobs: list[NotebookJob], group: int, log: Log) -> None:
        self.pool, self.gate = pool, Gate()
        self.tasks = [NotebookTasks(pool, job, group, index, self.gate) for index, job in enumerate(jobs)]
        self.log = log

    def tables_written(self) -> None:
        # Validation is over and has left a core free: the PDFs' forkserver preloads now, while the
        # notebooks run, rather than beside validation and the notebooks' preload.
        self.pool.warm(PDF_SERVER)
        self.gate.open()

    def result(self) -> list[NotebookOutcome]:
        try:
            outcomes = [tasks.result() for tasks in self.tasks]
        except MirbookError:
            self.cancel()
            raise
        for outcome in outcomes:
            self.log(_done(outcome))
        return outcomes

    def cancel(self) -> None:
        for tasks in self.tasks:
            tasks.cancel()


class _PoolSession:
    def __init__(self, pool: WorkerPool, log: Log) -> None:
        self.pool, self.log = pool, log

    def submit(self, jobs: list[NotebookJob], group: int) -> NotebookRun:
        return _PooledRun(self.pool, jobs, group, self.log)


class OptimisedExecutor:
    """Every period of the run in one pool of preloaded workers, validation alongside."""

    engine = ENGINE_WARM
    save_each_cell = False
    validates_first = False

    def batches(self, periods: Sequence[T]) -> list[list[T]]:
        return [list(periods)]

    def workers(self, jobs: int | None, count: int) -> int:
        # One process more than the cores: the notebooks' tasks are few and unequal (a PDF
        # takes seconds), so the last ones share the cores instead of one running alone.
        return workers_for(jobs, count, spare=1)

    @contextmanager
    def session(self, workers: int, log: Log) -> Iterator[Session]:
        with WorkerPool(workers, preload=PRELOAD, servers=SERVERS, crash_advice=CRASH_ADVICE,
                        start_method=start_method()) as pool:
            yield _PoolSession(pool, log)


# --- plain: the reference pipeline -------------------------------------------------------------------


def run_notebooks(jobs: list[NotebookJob], workers: int, log: Log) -> list[NotebookOutcome]:
    """Execute and render every notebook, ``workers`` at a time; the first failure stops all.

    The reference (plain) path: one task per notebook in a process pool, or serially here.
    """
    if workers == 1:
        outcomes = []
        for job in jobs:
            outcome = build(job)
            log(_done(outcome))
            outcomes.append(outcome)
        return outcomes
    context = multiprocessing.get_context(start_method())
    with ProcessPoolExecutor(max_workers=workers, mp_context=context) as pool:
        futures = {pool.submit(build, job): job for job in jobs}
        done, pending = wait(futures, return_when=FIRST_EXCEPTION)
        for future in done:
            error = future.exception()
            if error is not None:
                for other in pending:
                    other.cancel()
                if isinstance(error, BrokenProcessPool):  # a worker died (the kernel's OOM killer…)
                    raise MirbookError(f"{death(None)}; {CRASH_ADVICE}.") from None
                raise error
        outcomes = [f.result() for f in futures]
    for outcome in outcomes:
        log(_done(outcome))
    return outcomes


class _Finished:
    """Notebooks already run: their outcomes."""

    def __init__(self, outcomes: list[NotebookOutcome]) -> None:
        self.outcomes = outcomes

    def result(self) -> list[NotebookOutcome]:
        return self.outcomes

    def cancel(self) -> None:
        pass

    def tables_written(self) -> None:
        pass


class _PlainSession:
    def __init__(self, workers: int, log: Log) -> None:
        self.workers, self.log = workers, log

    def submit(self, jobs: list[NotebookJob], group: int) -> NotebookRun:
        return _Finished(run_notebooks(jobs, self.workers, self.log))


class PlainExecutor:
    """The reference pipeline: one period at a time, validated first, one kernel per notebook."""

    engine = ENGINE_KERNEL
    save_each_cell = True
    validates_first = True

    def batches(self, periods: Sequence[T]) -> list[list[T]]:
        return [[period] for period in periods]

    def workers(self, jobs: int | None, count: int) -> int:
        return workers_for(jobs, count)

    @contextmanager
    def session(self, workers: int, log: Log) -> Iterator[Session]:
        yield _PlainSession(workers, log)
