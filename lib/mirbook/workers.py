"""A pool of worker processes: each task in a fresh process forked from a (preloaded) forkserver.

Why not :class:`concurrent.futures.ProcessPoolExecutor`: its processes live on from task to
task, so one notebook's imports, globals and matplotlib state would leak into the next; and
it cannot stop a running task. Here every task gets a fresh process (the isolation of a
fresh kernel) that still starts with every import done, because the forkserver imported the
``preload`` modules once; queued tasks start lowest ``priority`` first; and :meth:`cancel`
terminates running tasks at once.

A pool may have more than one forkserver: besides the default one, named ``servers``, each
with its own preload, for kinds of task that need other imports. Their preloads run in
their own processes, side by side, so a task that needs only the default preload does not
wait for imports that only another kind of task uses (:meth:`WorkerPool.warm` starts one
early, :meth:`WorkerPool.submit` picks one by name).

Generic on purpose: nothing here knows about notebooks or mirbook, so the pool can be read,
tested and replaced on its own. Its own failures (a process that could not start or died, a
cancelled task) come back as :class:`WorkerError` with a message for the user (Spanish);
a task's own exception comes back as it was raised.
"""

from __future__ import annotations

import heapq
import itertools
import multiprocessing
import os
import threading
from collections.abc import Callable, Iterator, Mapping, Sequence
from concurrent.futures import Future
from contextlib import contextmanager
from multiprocessing import forkserver
from multiprocessing.connection import wait as wait_ready

CANCELLED = "Tarea cancelada."


class WorkerError(Exception):
    """The pool failed a task (could not start it, it was cancelled, its process died)."""


# --- more than one forkserver ----------------------------------------------------------------------
# ``multiprocessing`` has one forkserver per process; its ``Popen`` reaches it through the module
# function ``forkserver.connect_to_new_process``. That function is replaced, once, by one that asks
# the forkserver chosen for the current thread (``_through``), the standard one when none is chosen:
# a process started outside ``_through`` starts exactly as before.

_SERVERS: dict[tuple[str, ...], forkserver.ForkServer] = {}
_SERVERS_LOCK = threading.Lock()
_CHOSEN = threading.local()
_STANDARD_CONNECT = forkserver.connect_to_new_process


def _connect_to_new_process(fds):
    server = getattr(_CHOSEN, "server", None)
    return server.connect_to_new_process(fds) if server is not None else _STANDARD_CONNECT(fds)


def _server(preload: tuple[str, ...]) -> forkserver.ForkServer:
    """The extra forkserver that preloads ``preload`` (one per process, as the standard one)."""
    with _SERVERS_LOCK:
        if preload not in _SERVERS:
            server = forkserver.ForkServer()
            server.set_forkserver_preload(list(preload))
            _SERVERS[preload] = server
        forkserver.connect_to_new_process = _connect_to_new_process
        return _SERVERS[preload]


@contextmanager
def _through(server: forkserver.ForkServer | None) -> Iterator[None]:
    """Processes started by this thread meanwhile are forked by ``server`` (``None``: the standard one)."""
    saved = getattr(_CHOSEN, "server", None)
    _CHOSEN.server = server
    try:
        yield
    finally:
        _CHOSEN.server = saved


class WorkerPool:
    """Run tasks ``size`` at a time, each in a fresh process forked from a preloaded forkserver.

    A fresh process per task gives every notebook the isolation of a fresh kernel; the
    forkserver's ``preload`` (imported once per process) makes that
    process start with every import done. Queued tasks start lowest ``priority`` first.
    A task's exception comes back through its future; a process that dies fails its
    future with a :class:`WorkerError`. :meth:`cancel` stops tasks at once: queued ones
    never start, running ones are terminated — what a failed validation needs.

    Use as a context manager: leaving it stops whatever still runs.
    """

    def __init__(self, size: int, preload: Sequence[str] = (), crash_advice: str = "",
                 start_method: str = "forkserver", servers: Mapping[str, Sequence[str]] | None = None) -> None:
        """``size`` processes at a time; ``preload``: modules the forkserver imports once (it takes
        effect when this process starts its forkserver, once per process); ``servers``: more
        forkservers by name, each with its preload (also one per process and preload), for the
        tasks submitted with that ``server``; ``crash_advice``: what the message of a process
        that died tells the user to do; ``start_method``: ``spawn`` where there is no forkserver
        (each task still in a fresh process, without any preload)."""
        self._context = multiprocessing.get_context(start_method)
        forking = start_method == "forkserver"
        if preload and forking:
            self._context.set_forkserver_preload(list(preload))
        self._server_names = set(servers or {})
        self._servers = {name: _server(tuple(modules)) for name, modules in (servers or {}).items()} if forking else {}
        self._advice = crash_advice
        self._size = max(1, size)
        self._queue: list = []  # heap of (priority, sequence, future, function, argument, server)
        self._running: dict[Future, tuple] = {}  # future -> (process, reader)
        self._cancelled: set[Future] = set()
        self._lock = threading.Lock()
        self._order = itertools.count()
        self._closed = False
        self._wake_r, self._wake_w = os.pipe()
        self._thread = threading.Thread(target=self._loop, name="worker-pool", daemon=True)
        self._thread.start()

    def __enter__(self) -> WorkerPool:
        return self

    def __exit__(self, *exc_info) -> None:
        self.close()

    def submit(self, function: Callable, argument, priority: tuple = (), server: str | None = None) -> Future:
        """Queue ``function(argument)`` (both must pickle; ``function`` a module-level function), to
        run in a process forked by the forkserver named ``server`` (``None``: the default one)."""
        if server is not None and server not in self._server_names:
            raise ValueError(f"unknown server: {server}")
        future: Future = Future()
        with self._lock:
            if self._closed:
                raise RuntimeError("pool closed")
            heapq.heappush(self._queue, (priority, next(self._order), future, function, argument, server))
        self._wake()
        return future

    def warm(self, server: str) -> None:
        """Start the forkserver ``server`` now (its preload runs meanwhile); without it, the first
        task that needs it starts it (and reports what keeps it from starting). Does not wait;
        nothing to do where there is no forkserver."""
        if server in self._servers:
            try:
                self._servers[server].ensure_running()
            except OSError:
                pass  # the first task that needs it tries again and fails with the reason

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
                _, _, future, function, argument, server = heapq.heappop(self._queue)
                if not future.set_running_or_notify_cancel():
                    continue
                self._running[future] = (None, None)  # holds the slot while it starts
            reader, writer = self._context.Pipe(duplex=False)
            process = self._context.Process(
                target=run_task, args=(writer, function, argument, dict(os.environ), os.getcwd()),
                name="worker-task", daemon=True,
            )
            try:
                with _through(self._servers.get(server) if server is not None else None):
                    process.start()
            except BaseException as exc:  # noqa: BLE001 - reported through the future
                reader.close()
                writer.close()
                with self._lock:
                    del self._running[future]
                future.set_exception(WorkerError(f"No se pudo iniciar un proceso de trabajo: {exc}"))
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
                    future.set_exception(WorkerError(f"Error interno del grupo de procesos: {exc}"))

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
            future.set_exception(WorkerError(CANCELLED))
        elif reply is None:
            advice = f"; {self._advice}" if self._advice else ""
            future.set_exception(WorkerError(f"{death(process.exitcode)}{advice}."))
        elif reply[0] == "ok":
            future.set_result(reply[1])
        else:
            future.set_exception(reply[1])
        process.join(timeout=10)
        if process.is_alive():  # a thread the task left behind keeps it from exiting
            process.terminate()
            process.join()


def memory_limit() -> int | None:
    """The memory this process may use (bytes): the cgroup's ``memory.max`` or ``RLIMIT_AS``; ``None``
    when unlimited or unknown (not Linux)."""
    limits = []
    for path in ("/sys/fs/cgroup/memory.max", "/sys/fs/cgroup/memory/memory.limit_in_bytes"):
        try:
            with open(path, encoding="ascii") as handle:
                text = handle.read().strip()
        except OSError:
            continue
        if text.isdigit() and int(text) < 1 << 60:
            limits.append(int(text))
    try:
        import resource

        soft = resource.getrlimit(resource.RLIMIT_AS)[0]
        if soft != resource.RLIM_INFINITY:
            limits.append(soft)
    except (ImportError, OSError, ValueError):
        pass
    return min(limits) if limits else None


def death(exitcode: int | None) -> str:
    """Why a worker process ended without answering, in Spanish. SIGKILL is what the kernel's
    out-of-memory killer sends, so it is named as a probable lack of memory, with the limit."""
    import signal

    if exitcode == -signal.SIGKILL:
        limit = memory_limit()
        where = f" (límite de memoria de este equipo o contenedor: {limit / (1 << 30):.1f} GB)" if limit else ""
        return ("Un proceso de trabajo fue terminado por el sistema (señal SIGKILL): posible falta de "
                f"memoria{where}")
    if exitcode is not None and exitcode < 0:
        try:
            name = signal.Signals(-exitcode).name
        except ValueError:
            name = str(-exitcode)
        return f"Un proceso de trabajo fue terminado por la señal {name}"
    return f"Un proceso de trabajo terminó inesperadamente (código {exitcode})"


def run_task(connection, function: Callable, argument, environment: dict[str, str], cwd: str) -> None:
    """Body of a worker process: ``function(argument)`` in the caller's environment; the result
    (or the exception) goes back through ``connection``."""
    os.environ.clear()
    os.environ.update(environment)
    try:
        os.chdir(cwd)
    except OSError:
        pass
    try:
        reply = ("ok", function(argument))
    except BaseException as exc:  # noqa: BLE001 - everything goes back to the parent
        reply = ("error", exc)
    try:
        connection.send(reply)
    except Exception as exc:  # noqa: BLE001 - an exception that does not pickle
        connection.send(("error", WorkerError(f"{type(reply[1]).__name__}: {reply[1]}" if reply[0] == "error"
                                                else f"resultado no transferible: {exc}")))
    finally:
        connection.close()
