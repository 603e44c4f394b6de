"""Faults a person can cause or meet (issue 15): one Spanish line, a non-zero exit, never a traceback.

Real processes and, where the machine allows it (root), real filesystems: a tiny tmpfs that
fills up, a read-only mount. Where it does not, the tests that need a mount are skipped and the
injected fault (``MIRBOOK_FAULT_ENOSPC``) still covers the full disk. The list of what was tried
and what the user sees is docs/fallas.md.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from conftest import ROOT, run_cli
from mirbook import archive, portable
from mirbook.archive import FAULT_ENOSPC_ENV
from mirbook.workers import WorkerError, WorkerPool

DEMO = ROOT / "data"


def _mount(target: Path, options: str) -> Path:
    target.mkdir(parents=True, exist_ok=True)
    if os.geteuid() != 0:
        pytest.skip("montar un tmpfs requiere root")
    done = subprocess.run(["mount", "-t", "tmpfs", "-o", options, "tmpfs", str(target)], capture_output=True)
    if done.returncode != 0:
        pytest.skip(f"no se pudo montar un tmpfs: {done.stderr.decode(errors='replace')}")
    return target


@pytest.fixture
def mounts():
    mounted: list[Path] = []

    def mount(target: Path, options: str) -> Path:
        mounted.append(_mount(target, options))
        return target

    yield mount
    for target in reversed(mounted):
        subprocess.run(["umount", "-l", str(target)], capture_output=True)


def _no_traceback(result) -> None:
    assert "Traceback" not in result.stderr + result.stdout, result.stderr


# --- a full disk -------------------------------------------------------------------------------


def test_a_full_disk_names_the_folder_and_the_space_and_archives_nothing(tmp_path, mounts):
    disk = mounts(tmp_path / "disco", "size=600k")
    reports = disk / "reportes"
    result = run_cli("generar", "--year", "2026", "--period", "T3", "--data-dir", str(DEMO), "--reports-dir", str(reports))
    assert result.returncode == 1
    _no_traceback(result)
    error = result.stderr.strip().splitlines()[-1]
    assert error.startswith("Error: No queda espacio en el disco")
    assert str(reports) in error and "se necesitan al menos" in error and " MB libres" in error
    assert "no se archivó" in error
    assert "cuaderno" not in error  # the disk's fault, not the notebook's that met it
    leftovers = [p for p in reports.rglob("*")] if reports.exists() else []
    assert leftovers == []  # no staging, nothing half archived


def test_a_failed_index_rebuild_says_the_revision_was_archived(tmp_path):
    reports = tmp_path / "reportes"
    result = run_cli("generar", "--year", "2026", "--period", "T1", "--data-dir", str(DEMO), "--reports-dir", str(reports),
                     env={FAULT_ENOSPC_ENV: "index.html"})
    assert result.returncode == 1
    _no_traceback(result)
    assert "Revisión 1 (nueva)" in result.stdout
    assert "SÍ se archivó" in result.stdout and "No queda espacio" in result.stdout
    assert "mirbook generar --year 2026 --period T1" in result.stdout
    assert (reports / "2026" / "T1" / "manifest.json").is_file()
    assert not (reports / "index.html").exists()
    assert not (reports / archive.STAGING).exists()
    # What the summary says to re-run completes the archive without redoing the work.
    again = run_cli("generar", "--year", "2026", "--period", "T1", "--data-dir", str(DEMO), "--reports-dir", str(reports))
    assert again.returncode == 0, again.stderr
    assert "(sin cambios)" in again.stdout
    assert (reports / "index.html").is_file()


# --- folders that cannot be written, paths of the wrong kind --------------------------------------


def test_a_read_only_reports_folder_is_one_spanish_line(tmp_path, mounts):
    reports = mounts(tmp_path / "solo-lectura", "size=1m,ro")
    result = run_cli("generar", "--year", "2026", "--period", "T3", "--data-dir", str(DEMO), "--reports-dir", str(reports))
    assert result.returncode == 1
    _no_traceback(result)
    assert "solo lectura" in result.stderr and str(reports) in result.stderr


def test_reports_dir_that_is_a_file_is_refused_and_left_alone(tmp_path):
    target = tmp_path / "reportes.txt"
    target.write_text("no es una carpeta\n", encoding="utf-8")
    result = run_cli("generar", "--year", "2026", "--period", "T3", "--data-dir", str(DEMO), "--reports-dir", str(target))
    assert result.returncode == 2
    _no_traceback(result)
    assert "es un archivo, no una carpeta" in result.stderr
    assert target.read_text(encoding="utf-8") == "no es una carpeta\n"


def test_run_all_on_an_empty_data_folder_says_so(tmp_path):
    empty = tmp_path / "datos"
    empty.mkdir()
    result = run_cli("generar", "--all", "--data-dir", str(empty), "--reports-dir", str(tmp_path / "reportes"))
    assert result.returncode == 2
    _no_traceback(result)
    assert "No hay datos que archivar" in result.stderr
    assert not (tmp_path / "reportes").exists()


# --- a killed worker -----------------------------------------------------------------------------


def _kill_myself(_argument) -> None:
    os.kill(os.getpid(), signal.SIGKILL)


def _pid(_argument) -> int:
    return os.getpid()


@pytest.mark.parametrize("method", ["forkserver", "spawn"])
def test_a_worker_killed_by_sigkill_is_named_as_lack_of_memory(method):
    with WorkerPool(1, start_method=method) as pool:
        future = pool.submit(_kill_myself, None)
        with pytest.raises(WorkerError) as caught:
            future.result(timeout=120)
        assert pool.submit(_pid, None).result(timeout=120) != os.getpid()  # the pool goes on
    assert "SIGKILL" in str(caught.value) and "posible falta de memoria" in str(caught.value)


def test_the_memory_limit_is_named_when_there_is_one(monkeypatch):
    from mirbook import workers

    monkeypatch.setattr(workers, "memory_limit", lambda: 3 << 30)
    assert "límite de memoria de este equipo o contenedor: 3.0 GB" in workers.death(-signal.SIGKILL)
    assert "SIGTERM" in workers.death(-signal.SIGTERM)


# --- fallbacks: spawn, two-step swap, lock file (forced on Linux) -------------------------------------


def test_spawn_is_used_when_forced_or_without_forkserver(monkeypatch):
    assert portable.start_method() in ("forkserver", "spawn")
    monkeypatch.setenv(portable.FALLBACK_ENV, "spawn")
    assert portable.start_method() == "spawn"
    with WorkerPool(1, start_method=portable.start_method()) as pool:
        assert pool._context.get_start_method() == "spawn"
        assert pool.submit(_pid, None).result(timeout=120) != os.getpid()


def test_forced_two_step_swap_replaces_the_folder_and_recover_finishes_it(tmp_path, monkeypatch):
    monkeypatch.setenv(portable.FALLBACK_ENV, "swap")
    monkeypatch.setattr(archive.ctypes, "CDLL", lambda *a, **k: pytest.fail("renameat2 used although forced off"))
    reports = tmp_path / "reportes"
    target = reports / "2026" / "T3"
    target.mkdir(parents=True)
    (target / "a.txt").write_text("viejo", encoding="utf-8")
    new = tmp_path / "nuevo"
    new.mkdir()
    (new / "a.txt").write_text("nuevo", encoding="utf-8")
    archive.swap_into_place(new, target)
    assert (target / "a.txt").read_text(encoding="utf-8") == "nuevo" and not new.exists()
    assert sorted(p.name for p in target.parent.iterdir()) == ["T3"]
    # Killed after the first rename: the period folder is missing; the next run puts it back.
    old = target.with_name(".T3.old-12345")
    os.rename(target, old)
    archive.recover(reports)
    assert (target / "a.txt").read_text(encoding="utf-8") == "nuevo" and not old.exists()
    # Killed after the second rename: both exist; the next run drops the old one.
    old.mkdir()
    (old / "a.txt").write_text("viejo", encoding="utf-8")
    archive.recover(reports)
    assert (target / "a.txt").read_text(encoding="utf-8") == "nuevo" and not old.exists()


_HOLD = """
import sys, time
from pathlib import Path
from mirbook import archive
with archive.locked(Path(sys.argv[1])):
    print("dentro", flush=True)
    time.sleep(120)
"""


def _holder(reports: Path, env: dict) -> subprocess.Popen:
    process = subprocess.Popen([sys.executable, "-c", _HOLD, str(reports)], stdout=subprocess.PIPE, text=True,
                               env={**os.environ, **env})
    assert process.stdout is not None and process.stdout.readline().strip() == "dentro"
    return process


@pytest.mark.parametrize("fallback", ["", "lockfile"])
def test_one_run_at_a_time_with_flock_or_the_lock_file(tmp_path, monkeypatch, fallback):
    from mirbook.errors import MirbookError

    reports = tmp_path / "reportes"
    monkeypatch.setenv(portable.FALLBACK_ENV, fallback)
    holder = _holder(reports, {portable.FALLBACK_ENV: fallback})
    try:
        assert (reports / portable.LOCK_FILE).is_file() == bool(fallback)
        with pytest.raises(MirbookError, match="está escribiendo en"):
            with archive.locked(reports):
                pass
    finally:
        holder.send_signal(signal.SIGKILL)  # killed while holding the lock
        holder.wait()
    # The lock of a killed run does not block the next one (flock: released by the kernel;
    # lock file: its process no longer exists on this host, so it is taken over).
    with archive.locked(reports):
        pass
    assert not (reports / portable.LOCK_FILE).exists()


def test_flock_refused_by_the_mount_falls_back_to_the_lock_file(tmp_path, monkeypatch):
    import errno

    def refuse(fd, operation):
        raise OSError(errno.ENOLCK, "No locks available")

    monkeypatch.setattr(archive.fcntl, "flock", refuse)
    reports = tmp_path / "reportes"
    with archive.locked(reports):
        assert (reports / portable.LOCK_FILE).is_file()
    assert not (reports / portable.LOCK_FILE).exists()


def test_a_lock_file_of_another_host_is_named(tmp_path):
    from mirbook.errors import MirbookError

    reports = tmp_path / "reportes"
    reports.mkdir()
    (reports / portable.LOCK_FILE).write_text("otra-maquina 4242\n", encoding="utf-8")
    with pytest.raises(portable.LockBusy, match="El proceso 4242 del equipo otra-maquina"):
        with portable.lock_file(reports):
            pass
    with pytest.raises(MirbookError, match="borre"):
        with archive._lock_file(reports):
            pass


def test_a_whole_run_with_every_fallback_forced(tmp_path):
    reports = tmp_path / "reportes"
    env = {portable.FALLBACK_ENV: "spawn,swap,lockfile"}
    first = run_cli("generar", "--year", "2026", "--period", "T2", "--data-dir", str(DEMO), "--reports-dir", str(reports), env=env)
    assert first.returncode == 0, first.stderr
    assert "Revisión 1 (nueva)" in first.stdout
    verified = run_cli("verificar", "--reports-dir", str(reports))
    assert verified.returncode == 0, verified.stderr
    assert not (reports / portable.LOCK_FILE).exists() and not (reports / archive.STAGING).exists()


# --- kills in the middle of a run ---------------------------------------------------------------


def _children(pid: int) -> list[int]:
    out = []
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                stat = (entry / "stat").read_bytes()
            except OSError:
                continue
            if int(stat[stat.rindex(b")") + 2:].split()[1]) == pid:
                out.append(int(entry.name))
    return out


def _descendants(pid: int) -> list[int]:
    found, todo = [], [pid]
    while todo:
        for child in _children(todo.pop()):
            found.append(child)
            todo.append(child)
    return found


def _start_run(reports: Path, period: str = "T3") -> subprocess.Popen:
    exe = Path(sys.executable).with_name("mirbook")
    return subprocess.Popen([str(exe), "generar", "--year", "2026", "--period", period, "--data-dir", str(DEMO),
                             "--reports-dir", str(reports)], stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                            text=True, start_new_session=True)


def _wait_for(condition, process: subprocess.Popen, seconds: float = 300):
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        found = condition()
        if found:
            return found
        assert process.poll() is None, process.communicate()
        time.sleep(0.05)
    pytest.fail("the run never reached the expected moment")


def test_a_worker_killed_in_a_real_run_names_memory_and_leaves_no_staging(tmp_path):
    reports = tmp_path / "reportes"
    process = _start_run(reports)
    try:
        def forked(pid: int) -> bool:  # a fork of the forkserver (not a program it ran)
            try:
                return b"forkserver" in Path(f"/proc/{pid}/cmdline").read_bytes()
            except OSError:
                return False

        def worker() -> int | None:
            # run → forkserver → worker task (forked, so it shows the forkserver's command line) → kernel.
            # A task with a kernel is running a notebook: its death must fail the run (a task found
            # earlier may be one whose work is done or not needed, and killing it proves nothing).
            for server in filter(forked, _children(process.pid)):
                for task in filter(forked, _children(server)):
                    if _children(task):
                        return task
            return None

        os.kill(_wait_for(worker, process), signal.SIGKILL)
        out, err = process.communicate(timeout=600)
    finally:
        if process.poll() is None:
            os.killpg(process.pid, signal.SIGKILL)
    assert process.returncode == 1
    assert "Traceback" not in err
    assert "SIGKILL" in err and "posible falta de memoria" in err
    assert not (reports / archive.STAGING).exists()  # removed at the end of the run
    assert not (reports / "2026" / "T3").exists()


def test_staging_left_by_a_killed_run_is_removed_by_the_next_run(tmp_path):
    reports = tmp_path / "reportes"
    process = _start_run(reports, "T1")
    staging = reports / archive.STAGING
    try:
        _wait_for(lambda: staging.is_dir() and any(staging.iterdir()), process)
    finally:
        try:
            os.killpg(process.pid, signal.SIGKILL)  # the run and every process it started
        except ProcessLookupError:
            pass
        process.wait()
    for pid in _descendants(process.pid):
        os.kill(pid, signal.SIGKILL)
    assert staging.is_dir()  # what a kill leaves (nothing can clean after SIGKILL)
    again = run_cli("generar", "--year", "2026", "--period", "T1", "--data-dir", str(DEMO), "--reports-dir", str(reports))
    assert again.returncode == 0, again.stderr
    assert not staging.exists()
    assert run_cli("verificar", "--reports-dir", str(reports)).returncode == 0
