"""A papermill engine that runs a notebook's cells in this process, without a kernel.

papermill's standard engine starts one IPython kernel per notebook and talks to it over
ZeroMQ: a process start plus every import the notebook makes (pandas, seaborn,
matplotlib…), about two seconds of CPU per notebook before the first line of the
report. The report notebooks run in a worker process that already has those modules
loaded (see :mod:`mirbook.preload`), so this engine executes the cells right there,
in a real IPython shell, and records what a kernel would have sent:

* display data, execute results, streams and errors become outputs through the same
  function nbclient uses (``nbformat.v4.output_from_msg``), from the same JSON the
  kernel would put on the wire (``json_clean`` + the session packer);
* execution counts, ``clear_output`` and display updates behave as in nbclient;
* every executed cell gets nbclient's timing keys and papermill's metadata (papermill's
  own execution manager does that part), the notebook the kernel's ``language_info``;
* a cell that raises stops the notebook exactly as with a kernel (papermill then raises
  ``PapermillExecutionError`` with the cell, the error name and value); a cell that
  runs longer than the timeout raises nbclient's ``CellTimeoutError``.

One worker process executes one notebook (see :mod:`mirbook.pipeline`), so nothing
leaks from one notebook into the next, as with a fresh kernel. The executed notebooks
and the reports are compared with the kernel engine's in tests/test_speed_equivalence.py.
"""

from __future__ import annotations

import signal
import sys
import threading
from datetime import datetime, timezone
from typing import Any

import nbformat
from IPython.core.displayhook import DisplayHook
from IPython.core.displaypub import DisplayPublisher
from IPython.core.interactiveshell import InteractiveShell
from ipykernel.compiler import XCachingCompiler
from ipykernel.ipkernel import IPythonKernel
from ipykernel.jsonutil import encode_images, json_clean
from jupyter_client.session import json_packer, json_unpacker
from nbclient.exceptions import CellExecutionError, CellTimeoutError
from papermill.engines import Engine, papermill_engines
from traitlets import Type
from traitlets.config import Config

ENGINE_NAME = "mirbook-inprocess"


def _timestamp() -> str:
    """A message timestamp as nbclient records it (UTC, ISO 8601, ``Z``)."""
    return datetime.now(timezone.utc).isoformat().replace("+00:00", "Z")


def _wire(content: dict) -> dict:
    """``content`` after the round trip through the kernel's JSON encoding."""
    return json_unpacker(json_packer(json_clean(content)))


class _Cell:
    """The outputs of the cell being executed, appended in the order a kernel sends them."""

    def __init__(self, displays: dict[str, list]) -> None:
        self.outputs: list = []
        self.execution_count: int | None = None
        self.error: dict | None = None
        self.clear_before_next = False
        self.displays = displays  # display_id -> outputs showing it, in every cell so far (as nbclient)
        self.buffers: dict[str, list[str]] = {"stdout": [], "stderr": []}

    def add(self, msg_type: str, content: dict, display_id: str | None = None) -> None:
        self.flush()
        if display_id:
            self.update(display_id, content)  # nbclient refreshes every output with this id first
        if self.clear_before_next:
            self.clear()
        output = nbformat.v4.output_from_msg({"header": {"msg_type": msg_type}, "content": _wire(content)})
        if display_id:
            self.displays.setdefault(display_id, []).append(output)
        self.outputs.append(output)

    def update(self, display_id: str, content: dict) -> None:
        content = _wire(content)
        for output in self.displays.get(display_id, []):
            output["data"] = nbformat.from_dict(content["data"])
            output["metadata"] = nbformat.from_dict(content["metadata"])

    def clear(self) -> None:
        for outputs in self.displays.values():
            outputs[:] = [o for o in outputs if not any(o is mine for mine in self.outputs)]
        self.outputs.clear()
        self.clear_before_next = False

    def write(self, name: str, text: str) -> None:
        self.buffers[name].append(text)

    def flush(self) -> None:
        """Send what the streams hold, stdout first (as ipykernel flushes before any other output)."""
        for name in ("stdout", "stderr"):
            if self.buffers[name]:
                text = "".join(self.buffers[name])
                self.buffers[name] = []
                if text:
                    if self.clear_before_next:
                        self.clear()
                    self.outputs.append(
                        nbformat.v4.output_from_msg({"header": {"msg_type": "stream"},
                                                     "content": _wire({"name": name, "text": text})})
                    )


_current: _Cell | None = None


def _cell() -> _Cell:
    if _current is None:
        raise RuntimeError("no cell is being executed")
    return _current


class _Stream:
    """``sys.stdout`` / ``sys.stderr`` while a cell runs: text goes into the cell's outputs."""

    encoding = "utf-8"
    errors = "strict"

    def __init__(self, name: str, fallback) -> None:
        self.name = name
        self.fallback = fallback  # the real stream, for a write when no cell runs (a stray thread)

    def write(self, text: str) -> int:
        if not isinstance(text, str):
            raise TypeError(f"write() argument must be str, not {type(text).__name__}")
        if _current is None:
            return self.fallback.write(text)
        _current.write(self.name, text)
        return len(text)

    def writelines(self, lines) -> None:
        for line in lines:
            self.write(line)

    def flush(self) -> None:
        if _current is not None:
            _current.flush()

    def isatty(self) -> bool:
        return False

    def writable(self) -> bool:
        return True

    def readable(self) -> bool:
        return False


class _DisplayPublisher(DisplayPublisher):
    """``display()`` → a ``display_data`` output (``update_display_data`` with ``update=True``)."""

    def publish(self, data, metadata=None, source=None, *, transient=None, update=False, **kwargs) -> None:
        content = {"data": encode_images(data), "metadata": metadata or {}, "transient": transient or {}}
        display_id = (transient or {}).get("display_id")
        if update:
            _cell().flush()
            if display_id:
                _cell().update(display_id, content)
            return
        _cell().add("display_data", content, display_id)

    def clear_output(self, wait: bool = False) -> None:
        cell = _cell()
        cell.flush()
        if wait:
            cell.clear_before_next = True
        else:
            cell.clear()


class _DisplayHook(DisplayHook):
    """The value of a cell's last expression → an ``execute_result`` output."""

    def start_displayhook(self) -> None:
        self.content = {"data": {}, "metadata": {}}

    def write_output_prompt(self) -> None:
        self.content["execution_count"] = self.prompt_count

    def write_format_data(self, format_dict, md_dict=None) -> None:
        self.content["data"] = encode_images(format_dict)
        self.content["metadata"] = md_dict

    def finish_displayhook(self) -> None:
        content, self.content = self.content, None
        if content and content["data"]:
            _cell().add("execute_result", content)
        else:
            _cell().flush()


class _Shell(InteractiveShell):
    """An IPython shell whose outputs and tracebacks become notebook outputs, as in ipykernel."""

    display_pub_class = Type(_DisplayPublisher)
    displayhook_class = Type(_DisplayHook)
    compiler_class = Type(XCachingCompiler)  # cells named as in ipykernel (warnings, tracebacks)

    def _showtraceback(self, etype, evalue, stb) -> None:
        cell = _cell()
        content = {"traceback": stb, "ename": str(etype.__name__), "evalue": str(evalue)}
        cell.add("error", content)
        cell.error = content


class _Timeout(BaseException):
    """Raised into a cell that runs past the timeout (not an ``Exception``: user code cannot swallow it)."""


def _new_shell() -> _Shell:
    config = Config()
    config.HistoryManager.enabled = False  # no history database: the notebook is the record
    return _Shell.instance(config=config)


def _run_cell(shell: _Shell, cell, timeout: float | None, displays: dict[str, list]) -> _Cell:
    """Execute one code cell; returns what it produced."""
    global _current
    record = _current = _Cell(displays)
    record.execution_count = shell.execution_count
    timed_out = False
    if threading.current_thread() is not threading.main_thread():
        timeout = None  # signals reach the main thread only (the workers run tasks there)

    def expire(signum, frame):
        nonlocal timed_out
        timed_out = True
        raise _Timeout()

    saved = sys.stdout, sys.stderr
    previous = signal.signal(signal.SIGALRM, expire) if timeout else None
    sys.stdout, sys.stderr = _Stream("stdout", saved[0]), _Stream("stderr", saved[1])
    try:
        try:
            if timeout:
                signal.setitimer(signal.ITIMER_REAL, timeout)
            shell.run_cell(cell.source, store_history=True)
        except _Timeout:
            pass  # raised outside the user's code (the shell reports it inside): handled below
        finally:
            if timeout:
                signal.setitimer(signal.ITIMER_REAL, 0)
        record.flush()
    finally:
        sys.stdout, sys.stderr = saved
        if timeout:
            signal.signal(signal.SIGALRM, previous)
        _current = None
    if timed_out:
        # As with a kernel: what the cell showed so far stays, and the timeout is no cell output.
        cell.outputs = [o for o in record.outputs if o.get("ename") != _Timeout.__name__]
        cell.execution_count = record.execution_count
        raise CellTimeoutError.error_from_timeout_and_cell("Cell execution timed out", timeout, cell)
    return record


class InProcessEngine(Engine):
    """papermill engine: the cells run in this process's IPython shell (see the module docstring)."""

    @classmethod
    def execute_managed_notebook(cls, nb_man, kernel_name, execution_timeout=None, **kwargs: Any):
        shell = _new_shell()
        displays: dict[str, list] = {}
        try:
            for index, cell in enumerate(nb_man.nb.cells):
                try:
                    nb_man.cell_start(cell, index)
                    if cell.cell_type != "code" or not cell.source.strip():
                        continue
                    cell.metadata["execution"] = {}
                    timing = cell.metadata["execution"]
                    timing["iopub.status.busy"] = _timestamp()
                    timing["iopub.execute_input"] = _timestamp()
                    cell.outputs = []
                    record = _run_cell(shell, cell, execution_timeout, displays)
                    timing["shell.execute_reply"] = _timestamp()
                    timing["iopub.status.idle"] = _timestamp()
                    cell.execution_count = record.execution_count
                    cell.outputs = record.outputs
                    if record.error is not None:
                        raise CellExecutionError.from_cell_and_msg(cell, record.error)
                except CellExecutionError as exc:
                    nb_man.cell_exception(nb_man.nb.cells[index], cell_index=index, exception=exc)
                    break
                finally:
                    nb_man.cell_complete(nb_man.nb.cells[index], cell_index=index)
            nb_man.nb.metadata["language_info"] = _wire({"language_info": IPythonKernel.language_info})["language_info"]
        finally:
            InteractiveShell.clear_instance()
        return nb_man.nb


papermill_engines.register(ENGINE_NAME, InProcessEngine)
