"""The worker pool's forkservers: a task runs in a process forked by the server it names.

mirbook's PDF tasks are forked by a second forkserver whose preload (WeasyPrint) runs beside the
notebooks' one (:mod:`mirbook.workers`, :mod:`mirbook.executors`). These tests use two standard
library modules as the two preloads and ask each task which of them its process already holds.
"""

from __future__ import annotations

import multiprocessing
import os
import subprocess
import sys
from multiprocessing import forkserver

import pytest

from mirbook import executors, workers
from mirbook.workers import WorkerPool

# Modules nothing else here imports: what a process holds of them, its forkserver preloaded.
DEFAULT_PRELOAD = ("tabnanny",)
OTHER_PRELOAD = ("pyclbr",)


def _preloaded(_argument) -> tuple[list[str], int, int]:
    """Which of the two preloads this process holds, its pid and its parent's (the forkserver)."""
    held = [name for name in DEFAULT_PRELOAD + OTHER_PRELOAD if name in sys.modules]
    return held, os.getpid(), os.getppid()


def test_each_task_is_forked_by_the_server_it_names():
    with WorkerPool(2, preload=DEFAULT_PRELOAD, servers={"otro": OTHER_PRELOAD}) as pool:
        pool.warm("otro")
        default = pool.submit(_preloaded, None).result(timeout=300)
        other = pool.submit(_preloaded, None, server="otro").result(timeout=300)
        again = pool.submit(_preloaded, None, server="otro").result(timeout=300)
    # The standard forkserver starts once per process, with the preload set when it started (an
    # earlier test's, maybe): the other server's module is what must not be there.
    assert default[2] == forkserver._forkserver._forkserver_pid and "pyclbr" not in default[0]
    assert other[0] == ["pyclbr"]
    assert default[2] != other[2]  # two forkservers
    assert other[2] == again[2]  # the same one for every task that names it
    assert len({default[1], other[1], again[1], os.getpid()}) == 4  # a fresh process per task


def test_processes_started_outside_the_pool_still_use_the_standard_forkserver():
    with WorkerPool(1, preload=DEFAULT_PRELOAD, servers={"otro": OTHER_PRELOAD}) as pool:
        in_pool = pool.submit(_preloaded, None, server="otro").result(timeout=300)
    context = multiprocessing.get_context("forkserver")
    with context.Pool(1) as plain:
        outside = plain.apply(_preloaded, (None,))
    assert outside[2] != in_pool[2]
    assert outside[2] == forkserver._forkserver._forkserver_pid


def test_an_unknown_server_is_refused_and_spawn_ignores_the_servers():
    with WorkerPool(1, servers={"otro": OTHER_PRELOAD}) as pool:
        with pytest.raises(ValueError, match="fantasma"):
            pool.submit(_preloaded, None, server="fantasma")
    with WorkerPool(1, start_method="spawn", servers={"otro": OTHER_PRELOAD}) as pool:
        pool.warm("otro")  # nothing to start
        held, pid, _ = pool.submit(_preloaded, None, server="otro").result(timeout=300)
    assert pid != os.getpid() and "pyclbr" not in held  # spawned: a fresh interpreter, no preload


def test_a_failed_start_through_a_server_fails_only_its_task(monkeypatch):
    with WorkerPool(1, preload=DEFAULT_PRELOAD, servers={"otro": OTHER_PRELOAD}) as pool:
        server = pool._servers["otro"]

        def refuse(_fds):
            raise OSError("sin conexión")

        monkeypatch.setattr(server, "connect_to_new_process", refuse)
        failed = pool.submit(_preloaded, None, server="otro")
        with pytest.raises(workers.WorkerError, match="sin conexión"):
            failed.result(timeout=300)
        assert "pyclbr" not in pool.submit(_preloaded, None).result(timeout=300)[0]  # the pool goes on


def test_the_pdf_tasks_have_their_own_preload_without_the_notebooks_imports():
    """The PDF forkserver's preload loads WeasyPrint and none of the notebooks' libraries (that is
    what lets it run beside theirs); the notebooks' preload leaves WeasyPrint to the PDFs."""
    script = (
        "import sys, importlib; importlib.import_module(sys.argv[1]); "
        "print(' '.join(m for m in ('weasyprint', 'pandas', 'matplotlib', 'papermill', 'IPython') if m in sys.modules))"
    )

    def held(module: str) -> set[str]:
        done = subprocess.run([sys.executable, "-c", script, module], capture_output=True, text=True,
                              timeout=300, check=True)
        return set(done.stdout.split())

    (pdf_preload,) = executors.SERVERS[executors.PDF_SERVER]
    (notebook_preload,) = executors.PRELOAD
    assert held(pdf_preload) == {"weasyprint"}
    assert held(notebook_preload) == {"pandas", "matplotlib", "papermill", "IPython"}
