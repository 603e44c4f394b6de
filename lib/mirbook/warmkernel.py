"""Real IPython kernels that start warm: forked from the preloaded worker, not launched.

papermill's standard engine starts one ipykernel per notebook with
``python -m ipykernel_launcher -f <connection file>``: a process start plus every import
the notebook makes (pandas, seaborn, matplotlib…), about two seconds of CPU per notebook
before its first line runs. The report notebooks run in worker processes that already
hold those modules (:mod:`mirbook.preload`), so :class:`WarmKernelManager` launches the
*same* kernel by forking the worker instead: the child does exactly what
``ipykernel_launcher`` does with the same arguments, environment and working folder —
``IPKernelApp`` initialised from the command line, then started — and only the imports
are already done. Everything else is papermill's and nbclient's own path, unchanged:
the kernel is a real ``ZMQInteractiveShell`` behind ZeroMQ, with ipykernel's output
capture, ``matplotlib_inline`` as the default backend (figures of ``plt.show()`` and the
figures left open at the end of a cell), magics, ``display()``, warnings, tracebacks,
timeouts and kernel death exactly as in JupyterLab. One kernel per notebook, started
fresh from the preloaded state, so nothing leaks from one notebook into the next.

What a fork would otherwise carry over from the worker, and a launched process would not
have, is put back to a fresh process's state in the child (:func:`_as_fresh_process`):
inherited file descriptors, the session and process group, the event loop, the
``multiprocessing`` identity (a worker is a daemonic child; a kernel is a main process),
numpy's global random state, logging and warning filters as the preload left them,
``sys.path`` and ``sys.argv`` as ``python -m ipykernel_launcher`` sets them, and
matplotlib's backend read from ``MPLBACKEND`` once ipykernel has set it (matplotlib was
imported before, when ipykernel had not set it yet). A command that is not this
interpreter running ``ipykernel_launcher`` (another kernel) is launched as usual.

tests/test_kernel_fidelity.py runs researcher-style notebooks with papermill on a
launched kernel and on a warm one and compares them output by output.
"""

from __future__ import annotations

import asyncio
import os
import signal
import sys
import time
from typing import Any

from jupyter_client.manager import AsyncKernelManager
from jupyter_client.provisioning import LocalProvisioner

LAUNCHER = "ipykernel_launcher"


class _ForkedProcess:
    """The part of ``subprocess.Popen`` that jupyter_client uses, for a forked child."""

    stdout = stderr = None

    def __init__(self, pid: int, stdin) -> None:
        self.pid = pid
        self.stdin = stdin  # closed by jupyter_client once the kernel has exited
        self.returncode: int | None = None

    def poll(self) -> int | None:
        if self.returncode is None:
            try:
                pid, status = os.waitpid(self.pid, os.WNOHANG)
            except ChildProcessError:
                self.returncode = -1
                return self.returncode
            if pid:
                self.returncode = os.waitstatus_to_exitcode(status)
        return self.returncode

    def wait(self, timeout: float | None = None) -> int:
        deadline = None if timeout is None else time.monotonic() + timeout
        while self.poll() is None:
            if deadline is not None and time.monotonic() > deadline:
                import subprocess

                raise subprocess.TimeoutExpired(LAUNCHER, timeout or 0)
            time.sleep(0.01)
        assert self.returncode is not None
        return self.returncode

    def send_signal(self, signum: int) -> None:
        if self.poll() is None:
            os.kill(self.pid, signum)

    def terminate(self) -> None:
        self.send_signal(signal.SIGTERM)

    def kill(self) -> None:
        self.send_signal(signal.SIGKILL)


def _launcher_arguments(cmd: list[str]) -> list[str] | None:
    """The arguments of ``ipykernel_launcher`` when ``cmd`` runs it with this interpreter, else None."""
    if len(cmd) < 3 or cmd[1:3] != ["-m", LAUNCHER]:
        return None
    try:
        same = os.path.samefile(cmd[0], sys.executable)
    except OSError:
        return None
    return cmd[3:] if same else None


class WarmProvisioner(LocalProvisioner):
    """``LocalProvisioner`` whose ``ipykernel_launcher`` processes are forks of this process."""

    async def launch_kernel(self, cmd: list[str], **kwargs: Any):
        arguments = _launcher_arguments(cmd)
        if arguments is None or not FRESH_STATE:  # another kernel, or a process without the preload
            return await super().launch_kernel(cmd, **kwargs)
        env = dict(kwargs.get("env") or os.environ)
        env["JPY_PARENT_PID"] = str(os.getpid())  # what jupyter_client's launcher adds: dies with us
        cwd = str(kwargs.get("cwd") or os.getcwd())
        sys.stdout.flush()
        sys.stderr.flush()
        stdin, feeder = os.pipe()  # as Popen(stdin=PIPE): the kernel's stdin is a pipe nobody writes to
        pid = os.fork()
        if pid == 0:  # the kernel: never returns
            os.dup2(stdin, 0)
            _kernel_child(arguments, env, cwd)
        os.close(stdin)
        self.process = _ForkedProcess(pid, os.fdopen(feeder, "wb"))  # type: ignore[assignment]
        self.pid = pid
        self.pgid = pid  # the child starts its own session, as start_new_session=True
        self.cwd = cwd
        return self.connection_info


class WarmKernelManager(AsyncKernelManager):
    """nbclient's kernel manager, with kernels launched by :class:`WarmProvisioner`."""

    async def _async_pre_start_kernel(self, **kw: Any):
        if self.provisioner is None:
            import uuid

            self.kernel_id = self.kernel_id or kw.pop("kernel_id", str(uuid.uuid4()))
            self.provisioner = WarmProvisioner(kernel_id=self.kernel_id, kernel_spec=self.kernel_spec, parent=self)
        return await super()._async_pre_start_kernel(**kw)


# --- the state of a fresh process -------------------------------------------------------------------

FRESH_STATE: dict = {}
"""What a fresh process that has done the preload's imports has, recorded by :func:`record_fresh_state`."""

_PATH_VARIABLES = ("PYTHONPATH", "PYTHONHOME", "PYTHONSAFEPATH", "PYTHONNOUSERSITE", "PYTHONUSERBASE")


def _interpreter_path(env: dict[str, str]) -> list[str]:
    """``sys.path`` of this interpreter started afresh with ``env``, without the script's entry."""
    import json
    import subprocess

    code = "import json, sys; print(json.dumps(sys.path[1:]))"
    done = subprocess.run([sys.executable, "-c", code], env=env, capture_output=True, text=True, check=True)
    return json.loads(done.stdout)


def record_fresh_state() -> None:
    """Record, in the preloaded forkserver, what :func:`_as_fresh_process` gives a kernel back.

    Logging and the warning filters as the preload's imports left them (a worker changes
    them afterwards), the forkserver's ``multiprocessing`` identity (a main process; its
    class is private), and ``sys.path`` of a fresh interpreter with this environment (the
    forkserver's is its parent's, with whatever that parent added, pytest's folders say).
    """
    import logging
    import multiprocessing
    import warnings

    if multiprocessing.parent_process() is None:
        FRESH_STATE["main_process_class"] = type(multiprocessing.current_process())
    FRESH_STATE["warning_filters"] = list(warnings.filters)
    FRESH_STATE["root_handlers"] = list(logging.getLogger().handlers)
    FRESH_STATE["root_level"] = logging.getLogger().level
    FRESH_STATE["logger_levels"] = {
        name: logger.level for name, logger in logging.Logger.manager.loggerDict.items()
        if isinstance(logger, logging.Logger)
    }
    environment = dict(os.environ)
    FRESH_STATE["sys_path"] = ({k: environment.get(k) for k in _PATH_VARIABLES}, _interpreter_path(environment))


def _fresh_sys_path(env: dict[str, str]) -> list[str]:
    recorded = FRESH_STATE.get("sys_path")
    if recorded is not None and recorded[0] == {k: env.get(k) for k in _PATH_VARIABLES}:
        return list(recorded[1])
    return _interpreter_path(env)


# --- in the child ---------------------------------------------------------------------------------


def _kernel_child(arguments: list[str], env: dict[str, str], cwd: str) -> None:
    """Become ``python -m ipykernel_launcher *arguments`` (in ``cwd``, with ``env``) and exit with it."""
    code = 1
    try:
        _as_fresh_process(arguments, env, cwd)
        from ipykernel.kernelapp import IPKernelApp

        # These two defaults come from the environment when ipykernel is imported: here, the preload's.
        app = IPKernelApp.instance(parent_handle=int(env.get("JPY_PARENT_PID") or 0),
                                   interrupt=int(env.get("JPY_INTERRUPT_EVENT") or 0))
        app.initialize(arguments)
        _imported_as_in_a_kernel(app.shell)
        app.start()
        code = 0
    except SystemExit as exc:
        code = exc.code if isinstance(exc.code, int) else (0 if exc.code is None else 1)
    except BaseException:  # noqa: BLE001 - reported on stderr, as a launched kernel would
        import traceback

        traceback.print_exc(file=sys.__stderr__)
    finally:
        for stream in (sys.__stdout__, sys.__stderr__):
            try:
                stream.flush()  # type: ignore[union-attr]
            except Exception:  # noqa: BLE001
                pass
        os._exit(code)


def _as_fresh_process(arguments: list[str], env: dict[str, str], cwd: str) -> None:
    """Undo what the fork carried over that a freshly launched kernel process would not have."""
    import gc

    os.setsid()  # jupyter_client starts kernels in a new session (start_new_session=True)
    gc.collect()  # garbage holding file descriptors closes them now, before their numbers are reused
    _close_inherited_descriptors()
    # Python's own start-up handlers (the worker's event loop had taken SIGINT and SIGTERM).
    signal.set_wakeup_fd(-1)
    signal.signal(signal.SIGINT, signal.default_int_handler)
    signal.signal(signal.SIGTERM, signal.SIG_DFL)
    signal.signal(signal.SIGCHLD, signal.SIG_DFL)
    signal.signal(signal.SIGPIPE, signal.SIG_IGN)
    os.chdir(cwd)
    os.environ.clear()
    os.environ.update(env)
    # ``python -m ipykernel_launcher``: argv[0] is the module's file, and the launcher removes the
    # working folder from the front of sys.path (IPython later inserts '' before site-packages).
    import importlib.util

    spec = importlib.util.find_spec(LAUNCHER)
    sys.argv = [spec.origin if spec and spec.origin else LAUNCHER, *arguments]
    sys.path[:] = _fresh_sys_path(env)
    asyncio.set_event_loop_policy(None)  # the worker's loop (and its selector) is not the kernel's
    asyncio.set_event_loop(asyncio.new_event_loop())
    _fresh_multiprocessing()
    _restore_preloaded_state()


def _close_inherited_descriptors() -> None:
    """Close every descriptor but the standard streams (``close_fds=True`` of a launched process)."""
    try:
        descriptors = [int(name) for name in os.listdir("/proc/self/fd")]
    except OSError:
        os.closerange(3, os.sysconf("SC_OPEN_MAX"))
        return
    for fd in descriptors:
        if fd > 2:
            try:
                os.close(fd)
            except OSError:
                pass


def _fresh_multiprocessing() -> None:
    """The kernel is a main process, not the worker's daemonic child (which may not start processes)."""
    import multiprocessing.process
    import multiprocessing.util

    process, util = sys.modules["multiprocessing.process"], sys.modules["multiprocessing.util"]
    main_process = FRESH_STATE.get("main_process_class")
    if main_process is not None:
        process._current_process = main_process()  # type: ignore[attr-defined]
    process._parent_process = None  # type: ignore[attr-defined]
    process._children = set()  # type: ignore[attr-defined]
    util._run_after_forkers()  # type: ignore[attr-defined]
    for module_name, instance_name, attributes in (
        ("multiprocessing.resource_tracker", "_resource_tracker", ("_fd", "_pid")),
        ("multiprocessing.forkserver", "_forkserver", ("_forkserver_address", "_forkserver_alive_fd",
                                                         "_forkserver_pid", "_inherited_fds")),
    ):
        module = sys.modules.get(module_name)
        instance = getattr(module, instance_name, None) if module else None
        for attribute in attributes:
            if instance is not None and hasattr(instance, attribute):
                setattr(instance, attribute, None)


def _restore_preloaded_state() -> None:
    """Logging, warnings and numpy's global random state as in a fresh process with the imports done."""
    import logging
    import warnings

    state = FRESH_STATE
    warnings.filters[:] = state.get("warning_filters", warnings.filters)
    warnings._filters_mutated()  # type: ignore[attr-defined]
    root = logging.getLogger()
    root.handlers[:] = state.get("root_handlers", [])
    root.setLevel(state.get("root_level", logging.WARNING))
    for name, level in state.get("logger_levels", {}).items():
        logging.getLogger(name).setLevel(level)
    numpy_random = sys.modules.get("numpy.random")
    if numpy_random is not None:
        numpy_random.seed()  # a fresh import seeds it from the OS; a fork would repeat the worker's numbers


def _imported_as_in_a_kernel(shell) -> None:
    """What preloaded libraries decide when imported, decided again now that this is a kernel.

    In a launched kernel they are imported after ipykernel has started; here they were
    imported in the preload, outside any kernel (the decisions are taken again with the
    shell's builtins in place, as they are while a cell runs: ``get_ipython`` among them):

    * matplotlib reads ``MPLBACKEND`` (which ipykernel sets to ``matplotlib_inline``);
    * pandas sets ``display.max_columns`` to 0 in a terminal and to 20 in a Jupyter kernel, and
      ``display.encoding`` to the encoding of ``sys.stdout`` (ipykernel's stream, here).
    """
    matplotlib = sys.modules.get("matplotlib")
    backend = os.environ.get("MPLBACKEND")
    if matplotlib is not None and backend:
        matplotlib.rcParams["backend"] = backend
    config_init = sys.modules.get("pandas.core.config_init")
    if config_init is not None:
        from pandas._config import config
        from pandas._config.display import detect_console_encoding

        with shell.builtin_trap:
            defaults = {  # pandas' own choices (pandas/core/config_init.py, pandas/_config/display.py)
                "display.max_columns": 0 if config_init.is_terminal() else 20,
                "display.encoding": detect_console_encoding(),
            }
        for key, wanted in defaults.items():
            registered = config._registered_options[key]
            if config.get_option(key) == registered.defval != wanted:  # still the default: nobody changed it
                config._registered_options[key] = registered._replace(defval=wanted)
                config.set_option(key, wanted)
