"""Execute one report notebook with papermill and render it to HTML and PDF.

Runs inside a worker process (see :mod:`mirbook.pipeline`); everything it returns
or raises must pickle. A failing cell becomes a :class:`MirbookError` naming the
notebook, the cell and the error, in Spanish.
"""

from __future__ import annotations

import os
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

from .errors import MirbookError


@dataclass(frozen=True)
class NotebookJob:
    """What one worker must do for one notebook."""

    source: Path
    executed: Path
    html: Path
    pdf: Path
    parameters: dict
    title: str
    header: str
    footer: dict
    timeout: int
    cwd: Path
    log: Path | None = None


@dataclass(frozen=True)
class NotebookOutcome:
    """What a worker did, with its timings in seconds."""

    name: str
    executed: Path
    html: Path
    pdf: Path
    seconds_execute: float
    seconds_render: float


def _failure_message(name: str, exc: Exception) -> str:
    ename = getattr(exc, "ename", type(exc).__name__)
    evalue = getattr(exc, "evalue", str(exc))
    count = getattr(exc, "exec_count", None)
    cell = f" en la celda [{count}]" if count else ""
    return f"El cuaderno {name} falló{cell}: {ename}: {evalue}".strip()


def execute(job: NotebookJob) -> float:
    """Run the notebook with its parameters into ``job.executed``; returns the seconds taken."""
    import logging

    import papermill
    from papermill.exceptions import PapermillExecutionError

    logging.getLogger("papermill").setLevel(logging.WARNING)
    start = time.perf_counter()
    try:
        papermill.execute_notebook(
            str(job.source),
            str(job.executed),
            parameters=job.parameters,
            kernel_name="python3",
            language="python",
            progress_bar=False,
            log_output=False,
            execution_timeout=job.timeout,
            cwd=str(job.cwd),
        )
    except PapermillExecutionError as exc:
        raise MirbookError(_failure_message(job.source.stem, exc)) from None
    except Exception as exc:  # kernel death, timeout, unreadable notebook
        raise MirbookError(_failure_message(job.source.stem, exc)) from None
    return time.perf_counter() - start


def render(job: NotebookJob) -> float:
    """Render the executed notebook to HTML and PDF; returns the seconds taken."""
    import nbformat

    from .render import html_to_pdf, notebook_to_html

    start = time.perf_counter()
    notebook = nbformat.read(job.executed, as_version=4)
    html = notebook_to_html(notebook, job.title, job.footer)
    job.html.write_text(html, encoding="utf-8")
    html_to_pdf(html, job.pdf, job.header)
    return time.perf_counter() - start


@contextmanager
def stderr_to(path: Path | None) -> Iterator[None]:
    """Send this process's (and its kernels') standard error to ``path`` for the duration."""
    if path is None:
        yield
        return
    import sys

    sys.stderr.flush()
    saved = os.dup(2)
    with open(path, "ab") as log:
        os.dup2(log.fileno(), 2)
        try:
            yield
        finally:
            sys.stderr.flush()
            os.dup2(saved, 2)
            os.close(saved)


def build(job: NotebookJob) -> NotebookOutcome:
    """Execute then render one notebook (the unit of work of a worker process).

    Kernel chatter goes to ``job.log`` (outside the archive); a failure is reported
    through the raised :class:`MirbookError`.
    """
    with stderr_to(job.log):
        seconds_execute = execute(job)
        seconds_render = render(job)
    return NotebookOutcome(job.source.stem, job.executed, job.html, job.pdf, seconds_execute, seconds_render)


def notebook_title(path: Path) -> str:
    """The first Markdown heading of a notebook, else its file name."""
    import json

    try:
        cells = json.loads(path.read_text(encoding="utf-8")).get("cells", [])
    except (OSError, ValueError):
        return path.stem
    for cell in cells:
        if cell.get("cell_type") != "markdown":
            continue
        source = "".join(cell.get("source", ""))
        for line in source.splitlines():
            if line.lstrip().startswith("#"):
                return line.lstrip("# ").strip()
    return path.stem
