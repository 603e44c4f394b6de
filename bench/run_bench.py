#!/usr/bin/env python3
"""Benchmark of ``mirbook run`` on this machine (issue #6); writes ``bench/RESULTS.md``.

What it measures, every command in a fresh subprocess, timed with ``time.perf_counter``:

1. **Full run** of one demo period (``mirbook run --year 2026 --period T3`` into an empty
   reports folder) against the **naive pipeline** a user would script from the same
   packages (``bench/naive_pipeline.sh``: for each notebook in turn the papermill CLI,
   ``jupyter nbconvert --to html --no-input`` and the ``weasyprint`` CLI). The two are
   alternated ``--rounds`` times (the order swapped every round) and the median of the
   per-round ratios is reported, so a burst of load on the machine hits both sides.
2. **Unchanged re-run**: ``mirbook run`` again on the archive the full run left.
3. **Start-up of** ``mirbook indicadores``.
4. **All periods in one call**: ``mirbook run --all`` into an empty reports folder, with
   its CPU utilisation ((user + sys) / wall; 2.0 = both cores busy the whole time).
5. **Before / after**: one full run and one re-run with the optimisations off
   (``MIRBOOK_PLAIN=1``, the reference pipeline).
6. All of it again on **data the code was not written against**: a new dataset at each
   run (``bench/make_unseen_data.py`` with a random seed, reported; other years, other
   record counts, Windows-1252 and UTF-8-with-BOM files).

Resources: this script makes itself a child subreaper (Linux ``PR_SET_CHILD_SUBREAPER``),
so every descendant of a measured command — forkserver, workers, kernels — is reaped
here and its CPU time lands in ``RUSAGE_CHILDREN``. Peak memory is reported two ways:
the largest single process (``ru_maxrss``) and the peak of the whole process tree's
proportional set size (PSS, sampled from ``/proc/<pid>/smaps_rollup`` every 50 ms in
untimed runs of their own: sampling costs CPU the measured command would otherwise get).

Usage (from the project root; ``make bench`` does this)::

    .venv/bin/python bench/run_bench.py [--rounds 3] [--no-unseen] [--out bench/RESULTS.md]
"""

from __future__ import annotations

import argparse
import ctypes
import json
import os
import platform
import random
import re
import resource
import shutil
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from dataclasses import dataclass, field
from datetime import datetime
from importlib import metadata
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
BENCH = ROOT / "bench"
BIN = Path(sys.executable).parent
MIRBOOK = BIN / "mirbook"
NOTEBOOKS = ROOT / "notebooks"
PACKAGES = ("papermill", "nbclient", "ipykernel", "nbconvert", "weasyprint", "great-expectations", "pandas",
            "matplotlib", "seaborn", "IPython")
PR_SET_CHILD_SUBREAPER = 36
COMMAND_TIMEOUT = 300
QUIET = 0.15       # a timed run during which other processes used more than this many cores is repeated
RETRIES = 3        # … at most this many times (then the last attempt is kept, and flagged)

TARGET_SPEEDUP = 3.0
TARGET_RERUN = 0.10
TARGET_INDICADORES = 1.0
TARGET_CORES = 1.7  # "both cores busy": at least 85 % of two cores over the whole --all run


# --- measuring one command ------------------------------------------------------------------


@dataclass
class Measure:
    """One command: wall seconds, CPU seconds of its whole process tree, memory peaks (KiB)."""

    wall: float
    cpu: float
    maxrss_kib: int
    peak_pss_kib: int
    returncode: int
    stderr: str = ""
    stdout: str = ""
    machine_busy: float = 0.0  # share of all the machine's CPU time that was busy (any process)

    @property
    def cores(self) -> float:
        return self.cpu / self.wall if self.wall else 0.0

    @property
    def foreign(self) -> float:
        """Cores used by processes that are not the command's (other users of the machine)."""
        ncpu = os.cpu_count() or 1
        return max(0.0, self.machine_busy * ncpu - self.cores)


def _become_subreaper() -> None:
    libc = ctypes.CDLL(None, use_errno=True)
    if libc.prctl(PR_SET_CHILD_SUBREAPER, 1, 0, 0, 0) != 0:
        raise OSError(ctypes.get_errno(), "prctl(PR_SET_CHILD_SUBREAPER) failed")


def _descendants(root: int) -> list[int]:
    parents: dict[int, int] = {}
    for entry in os.scandir("/proc"):
        if not entry.name.isdigit():
            continue
        try:
            with open(f"/proc/{entry.name}/stat", "rb") as handle:
                stat = handle.read()
        except OSError:
            continue
        fields = stat[stat.rindex(b")") + 2:].split()
        parents[int(entry.name)] = int(fields[1])
    out = []
    for pid in parents:
        seen, current = 0, pid
        while current in parents and seen < 64:
            current = parents[current]
            seen += 1
            if current == root:
                out.append(pid)
                break
    return out


def _pss_kib(pid: int) -> int:
    try:
        with open(f"/proc/{pid}/smaps_rollup") as handle:
            for line in handle:
                if line.startswith("Pss:"):
                    return int(line.split()[1])
    except OSError:
        pass
    return 0


def _cpu_ticks() -> tuple[int, int]:
    """(busy, total) jiffies of the whole machine, from /proc/stat."""
    fields = [int(x) for x in Path("/proc/stat").read_text().splitlines()[0].split()[1:]]
    idle = fields[3] + (fields[4] if len(fields) > 4 else 0)
    return sum(fields) - idle, sum(fields)


def _reap_orphans(deadline: float) -> None:
    """Wait for the descendants that outlived the command (reparented to this subreaper)."""
    while time.monotonic() < deadline:
        try:
            pid, _ = os.waitpid(-1, os.WNOHANG)
        except ChildProcessError:
            return
        if pid == 0:
            time.sleep(0.02)


def measure(cmd: list[str], env: dict | None = None, cwd: Path = ROOT, sample: float | None = None) -> Measure:
    """Run ``cmd`` and measure it (see the module docstring).

    ``sample``: seconds between samples of the process tree's memory, or ``None`` for none.
    Sampling reads /proc and costs CPU that the measured command would otherwise get, so
    the timed runs do not sample; memory is measured in runs of their own (or, for the
    long ``--all`` run, once a second).
    """
    full_env = dict(os.environ, **(env or {}))
    peak = [0]
    stop = threading.Event()
    me = os.getpid()

    def watch() -> None:
        while not stop.is_set():
            peak[0] = max(peak[0], sum(_pss_kib(pid) for pid in _descendants(me)))
            stop.wait(sample)

    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    busy_before = _cpu_ticks()
    sampler = threading.Thread(target=watch, daemon=True)
    with tempfile.TemporaryFile("w+", encoding="utf-8") as out, tempfile.TemporaryFile("w+", encoding="utf-8") as err:
        start = time.perf_counter()
        process = subprocess.Popen(cmd, cwd=cwd, env=full_env, stdout=out, stderr=err)
        if sample:
            sampler.start()
        try:
            process.wait(timeout=COMMAND_TIMEOUT)  # done when its own process exits (the prompt is back)
        except subprocess.TimeoutExpired:
            process.kill()
            stop.set()
            raise SystemExit(f"{' '.join(cmd)} took more than {COMMAND_TIMEOUT} s; stopped")
        wall = time.perf_counter() - start
        busy_after = _cpu_ticks()
        _reap_orphans(time.monotonic() + 30)  # then collect what outlived it, for the CPU total
        stop.set()
        if sample:
            sampler.join()
        after = resource.getrusage(resource.RUSAGE_CHILDREN)
        out.seek(0)
        err.seek(0)
        stdout, stderr = out.read(), err.read()
    cpu = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
    total = busy_after[1] - busy_before[1]
    busy = (busy_after[0] - busy_before[0]) / total if total else 0.0
    return Measure(wall, cpu, after.ru_maxrss, peak[0], process.returncode, stderr, stdout, busy)


def checked(m: Measure, what: str) -> Measure:
    if m.returncode != 0:
        raise SystemExit(f"{what} failed (exit {m.returncode}):\n{m.stderr[-3000:]}")
    return m


# --- the commands ---------------------------------------------------------------------------


def quiet(run, log, what: str) -> Measure:
    """``run()``, repeated (up to RETRIES times) while other processes took the machine's CPU."""
    for attempt in range(RETRIES + 1):
        m = run()
        if m.foreign <= QUIET:
            return m
        if attempt < RETRIES:
            log(f"    ({what}: other processes used {m.foreign:.2f} cores; repeating)")
            time.sleep(5)
    return m


def naive(data: Path, out: Path, year: int, period: str, sample: float | None = None) -> Measure:
    shutil.rmtree(out, ignore_errors=True)
    cmd = ["bash", str(BENCH / "naive_pipeline.sh"), str(BIN), str(NOTEBOOKS), str(data), str(out), str(year), period]
    return checked(measure(cmd, sample=sample), "naive pipeline")


def full(data: Path, reports: Path, year: int, period: str, plain: bool = False,
         sample: float | None = None) -> Measure:
    shutil.rmtree(reports, ignore_errors=True)
    return rerun(data, reports, year, period, plain, sample)


def rerun(data: Path, reports: Path, year: int, period: str, plain: bool = False,
          sample: float | None = None) -> Measure:
    cmd = [str(MIRBOOK), "run", "--year", str(year), "--period", period, "--data-dir", str(data),
           "--reports-dir", str(reports)]
    return checked(measure(cmd, env={"MIRBOOK_PLAIN": "1"} if plain else None, sample=sample), "mirbook run")


def run_all(data: Path, reports: Path) -> Measure:
    shutil.rmtree(reports, ignore_errors=True)
    cmd = [str(MIRBOOK), "run", "--all", "--data-dir", str(data), "--reports-dir", str(reports)]
    return checked(measure(cmd, sample=1.0), "mirbook run --all")


def indicadores(data: Path, year: int, period: str) -> Measure:
    cmd = [str(MIRBOOK), "indicadores", "--year", str(year), "--period", period, "--data-dir", str(data)]
    return checked(measure(cmd), "mirbook indicadores")


# --- the machine ----------------------------------------------------------------------------


def machine() -> dict[str, str]:
    cpu = "?"
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    ram = "?"
    try:
        kib = int(next(l for l in Path("/proc/meminfo").read_text().splitlines() if l.startswith("MemTotal")).split()[1])
        ram = f"{kib / 1024 / 1024:.1f} GiB"
    except (OSError, StopIteration):
        pass
    versions = []
    for name in PACKAGES:
        try:
            versions.append(f"{name} {metadata.version(name)}")
        except metadata.PackageNotFoundError:
            pass
    return {
        "Núcleos (nproc / afinidad)": f"{os.cpu_count()} / {len(os.sched_getaffinity(0))}",
        "CPU": cpu,
        "Memoria": ram,
        "Sistema": f"{platform.system()} {platform.release()} ({platform.machine()})",
        "Python": platform.python_version(),
        "Paquetes": ", ".join(versions),
    }


def load_average() -> str:
    return " / ".join(f"{x:.2f}" for x in os.getloadavg())


# --- the report -----------------------------------------------------------------------------


@dataclass
class Suite:
    """The measurements on one dataset."""

    name: str
    data: Path
    year: int
    period: str
    naive: list[Measure] = field(default_factory=list)
    full: list[Measure] = field(default_factory=list)
    reruns: list[Measure] = field(default_factory=list)
    all_runs: list[Measure] = field(default_factory=list)
    plain: Measure | None = None
    plain_rerun: Measure | None = None
    memory_naive: Measure | None = None
    memory_full: Measure | None = None
    seed: int | None = None
    periods: int = 0
    records: int = 0

    @property
    def breakdown(self) -> list[tuple[str, float, float]]:
        """(notebook, execute s, render s) from the last full run's own report."""
        out = []
        for line in (self.full[-1].stdout if self.full else "").splitlines():
            found = re.search(r"✔ (\S+) \(([\d.]+) s \+ ([\d.]+) s\)", line)
            if found:
                out.append((found.group(1), float(found.group(2)), float(found.group(3))))
        return out

    @property
    def ratios(self) -> list[float]:
        return [n.wall / f.wall for n, f in zip(self.naive, self.full)]


def median(values) -> float:
    return statistics.median(values) if values else float("nan")


def run_suite(suite: Suite, rounds: int, work: Path, log) -> None:
    out, reports = work / f"{suite.name}-naive", work / f"{suite.name}-reports"
    registros = next((suite.data / str(suite.year)).glob("registros.*"))
    suite.records = max(0, len(registros.read_bytes().splitlines()) - 1)
    log(f"== {suite.name}: {suite.data} {suite.year} {suite.period} ({suite.records} registros)")
    # Memory, in runs of their own (sampling /proc takes CPU from what is timed). On the first
    # dataset these are also the warm-up: page cache, bytecode, font caches; never timed.
    log("  memory runs (not timed)…")
    suite.memory_naive = naive(suite.data, out, suite.year, suite.period, sample=0.05)
    suite.memory_full = full(suite.data, reports, suite.year, suite.period, sample=0.05)
    for number in range(rounds):
        order = ("naive", "full") if number % 2 == 0 else ("full", "naive")
        for which in order:
            if which == "naive":
                m = quiet(lambda: naive(suite.data, out, suite.year, suite.period), log, which)
                suite.naive.append(m)
            else:
                m = quiet(lambda: full(suite.data, reports, suite.year, suite.period), log, which)
                suite.full.append(m)
            log(f"  round {number + 1} {which:5s}: {m.wall:6.2f} s wall, {m.cpu:6.2f} s CPU, "
                f"others {m.foreign:.2f} cores")
    for _ in range(5):
        m = rerun(suite.data, reports, suite.year, suite.period)
        if "Sin cambios" not in m.stdout:
            raise SystemExit(f"the re-run was not recognised as unchanged:\n{m.stdout}")
        suite.reruns.append(m)
    log(f"  unchanged re-run: {median(r.wall for r in suite.reruns):.3f} s (median of {len(suite.reruns)})")
    plain = work / f"{suite.name}-plain"
    suite.plain = quiet(lambda: full(suite.data, plain, suite.year, suite.period, plain=True), log, "plain")
    suite.plain_rerun = rerun(suite.data, plain, suite.year, suite.period, plain=True)
    log(f"  reference without the optimisations (MIRBOOK_PLAIN=1): {suite.plain.wall:.2f} s, "
        f"re-run {suite.plain_rerun.wall:.2f} s")
    m = quiet(lambda: run_all(suite.data, work / f"{suite.name}-all"), log, "run --all")
    suite.all_runs.append(m)
    suite.periods = sum(1 for _ in (work / f"{suite.name}-all").glob("*/T?/manifest.json"))
    log(f"  run --all ({suite.periods} periods): {m.wall:6.2f} s wall, {m.cpu:6.2f} s CPU = {m.cores:.2f} cores, "
        f"others {m.foreign:.2f} cores")


def verdict(ok: bool) -> str:
    return "**cumplido**" if ok else "**no cumplido**"


def write_results(path: Path, suites: list[Suite], ind: list[Measure], info: dict, started: str,
                  loads: tuple[str, str], seconds: float, rounds: int) -> None:
    demo = suites[0]

    def label(suite: Suite) -> str:
        return "datos de demostración" if suite is demo else "datos no vistos"

    lines = [
        "# Benchmark de `mirbook run` (issue #6)",
        "",
        f"Generado por `make bench` (`bench/run_bench.py`) el {started}, en {seconds / 60:.1f} min. "
        "Tiempos de reloj (`time.perf_counter`) de comandos lanzados como subprocesos; la comparación con "
        f"el pipeline ingenuo es la mediana de las razones de {rounds} rondas alternadas (el orden se "
        "invierte en cada ronda, así la carga pasajera de la máquina cae en ambos lados).",
        "",
        "## Máquina",
        "",
        "| | |",
        "|---|---|",
    ]
    lines += [f"| {k} | {v} |" for k, v in info.items()]
    lines += [
        f"| Carga media (1/5/15 min) al empezar — al terminar | {loads[0]} — {loads[1]} |",
        "",
        f"La máquina es compartida con otros procesos. Cada corrida cronometrada mide también cuánta CPU "
        f"usaron los demás procesos de la máquina; si pasan de {QUIET} núcleos, la corrida se repite (hasta "
        f"{RETRIES} veces) y la columna «Otros procesos» lo deja ver.",
        "",
        "## Objetivos",
        "",
        "| Objetivo | Medido | Resultado |",
        "|---|---|---|",
    ]
    for suite in suites:
        speed = median(suite.ratios)
        full_wall = median(m.wall for m in suite.full)
        rerun_wall = median(m.wall for m in suite.reruns)
        cores = median(m.cores for m in suite.all_runs)
        lines += [
            f"| Corrida completa ≥ {TARGET_SPEEDUP:.0f}× más rápida que el pipeline ingenuo ({label(suite)}) | "
            f"{speed:.2f}× ({median(m.wall for m in suite.naive):.2f} s → {full_wall:.2f} s) | "
            f"{verdict(speed >= TARGET_SPEEDUP)} |",
            f"| Re-ejecución sin cambios ≤ 1/10 de la corrida completa ({label(suite)}) | "
            f"{rerun_wall / full_wall:.3f} ({rerun_wall:.2f} s / {full_wall:.2f} s) | "
            f"{verdict(rerun_wall / full_wall <= TARGET_RERUN)} |",
            f"| `run --all` mantiene ocupados los dos núcleos ({label(suite)}, {suite.periods} periodos) | "
            f"{cores:.2f} núcleos ((user+sys)/reloj; umbral {TARGET_CORES}) | {verdict(cores >= TARGET_CORES)} |",
        ]
    ind_wall = median(m.wall for m in ind)
    lines += [
        f"| `mirbook indicadores` en menos de 1 s | {ind_wall:.3f} s (mediana de {len(ind)}) | "
        f"{verdict(ind_wall < TARGET_INDICADORES)} |",
        "",
        "## Antes y después",
        "",
        "*Antes*: la misma versión con las optimizaciones apagadas (`MIRBOOK_PLAIN=1`: valida primero, "
        "un kernel por cuaderno con el motor de papermill, sin precarga ni tareas separadas, la huella "
        "se compara después de validar). Una corrida de cada una; no alternadas.",
        "",
        "| Datos | Medida | Antes (`MIRBOOK_PLAIN=1`) | Después | Mejora |",
        "|---|---|---|---|---|",
    ]
    for suite in suites:
        full_wall = median(m.wall for m in suite.full)
        rerun_wall = median(m.wall for m in suite.reruns)
        lines += [
            f"| {label(suite)} | corrida completa | {suite.plain.wall:.2f} s | {full_wall:.2f} s | "
            f"{suite.plain.wall / full_wall:.1f}× |",
            f"| {label(suite)} | re-ejecución sin cambios | {suite.plain_rerun.wall:.2f} s | {rerun_wall:.2f} s | "
            f"{suite.plain_rerun.wall / rerun_wall:.0f}× |",
        ]
    lines.append("")
    for suite in suites:
        where = suite.data.relative_to(ROOT) if suite.data.is_relative_to(ROOT) else f"(generados) {suite.data.name}"
        lines += [
            f"## {label(suite).capitalize()}: `{where}`, {suite.year} {suite.period} ({suite.records} registros en {suite.year})",
            "",
            "| Ronda | Ingenuo (s) | `mirbook run` (s) | Razón | CPU ingenuo (s) | CPU mirbook (s) | Otros procesos (núcleos) |",
            "|---|---|---|---|---|---|---|",
        ]
        for number, (n, f) in enumerate(zip(suite.naive, suite.full), start=1):
            lines.append(f"| {number} | {n.wall:.2f} | {f.wall:.2f} | {n.wall / f.wall:.2f}× | {n.cpu:.1f} | {f.cpu:.1f} | "
                         f"{n.foreign:.2f} / {f.foreign:.2f} |")
        all_run = suite.all_runs[-1]
        lines += [
            f"| **Mediana** | **{median(m.wall for m in suite.naive):.2f}** | **{median(m.wall for m in suite.full):.2f}** | "
            f"**{median(suite.ratios):.2f}×** | {median(m.cpu for m in suite.naive):.1f} | {median(m.cpu for m in suite.full):.1f} | |",
            "",
            "| Medida | Valor |",
            "|---|---|",
            f"| Re-ejecución sin cambios (mediana de {len(suite.reruns)}) | {median(m.wall for m in suite.reruns):.3f} s |",
            f"| `run --all`: {suite.periods} periodos en una llamada | {all_run.wall:.2f} s reloj, {all_run.cpu:.1f} s CPU "
            f"= {all_run.cores:.2f} núcleos; máquina ocupada {100 * all_run.machine_busy:.0f} % (todos los procesos); "
            f"{all_run.wall / max(1, suite.periods):.2f} s por periodo |",
            f"| Memoria, corrida completa: pico del árbol de procesos (PSS) | {suite.memory_full.peak_pss_kib / 1024:.0f} MiB |",
            f"| Memoria, pipeline ingenuo: pico del árbol de procesos (PSS) | {suite.memory_naive.peak_pss_kib / 1024:.0f} MiB |",
            f"| Memoria, `run --all`: pico del árbol de procesos (PSS, muestreo cada segundo) | {all_run.peak_pss_kib / 1024:.0f} MiB |",
            f"| Memoria: el proceso más grande de todo el benchmark (ru_maxrss) | {all_run.maxrss_kib / 1024:.0f} MiB |",
            "",
        ]
        if suite.breakdown:
            lines += [
                "Última corrida completa, por cuaderno (lo que informa `mirbook run`; las tareas corren en paralelo):",
                "",
                "| Cuaderno | Ejecución + HTML (s) | PDF (s) |",
                "|---|---|---|",
            ]
            lines += [f"| {name} | {ex:.1f} | {pdf:.1f} |" for name, ex, pdf in suite.breakdown]
            lines.append("")
    lines += [
        "## Cómo se mide",
        "",
        "- *Ingenuo*: `bench/naive_pipeline.sh`, por cada cuaderno en orden: `papermill` (un kernel por "
        "cuaderno), `jupyter nbconvert --to html --no-input` y `weasyprint`, cada uno como proceso aparte. "
        "No valida los datos; `mirbook run` sí (Great Expectations).",
        "- *Corrida completa*: `mirbook run --year … --period …` sobre una carpeta de reportes vacía: valida, "
        "ejecuta, genera HTML y PDF, escribe tablas, manifiesto e índices. Sin cachés previos.",
        "- *Re-ejecución sin cambios*: el mismo comando otra vez sobre el archivo que dejó la corrida completa.",
        "- *`run --all`*: todos los periodos con datos en una sola llamada, carpeta de reportes vacía.",
        "- Un comando termina cuando termina su proceso (vuelve el prompt). CPU: `RUSAGE_CHILDREN` de este "
        "script, que se declara *subreaper* para recoger a todos los descendientes (forkserver, procesos de "
        "trabajo, kernels). Memoria: `ru_maxrss` (el proceso más grande de todos los medidos) y la suma de PSS "
        "de todo el árbol, muestreada cada 50 ms en corridas aparte, no cronometradas (leer /proc le quita CPU "
        "a lo que se mide); en `run --all`, cada segundo.",
        f"- Datos no vistos: `bench/make_unseen_data.py` genera en cada corrida un conjunto nuevo, con una "
        f"semilla al azar (esta vez {suites[-1].seed}; se repite con `--seed`), otros años, otra cantidad de "
        "registros y otras codificaciones (Windows-1252 y UTF-8 con BOM); el código no se escribió ni se "
        "ajustó con esos datos.",
        "- *Antes*: el modo simple conserva dos mejoras que no dependen de él: la gramática IRI de jsonschema "
        "se carga solo si se usa (Great Expectations la importa; ~1 s de CPU por proceso) y el proceso termina "
        "sin recorrer todo el montón al salir (~0,5 s). La primera medición de la issue (30–35 s) se hizo con "
        "la máquina cargada.",
        "",
    ]
    path.write_text("\n".join(lines), encoding="utf-8")


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=3, help="alternated rounds of the full-run comparison")
    parser.add_argument("--no-unseen", action="store_true", help="skip the generated (unseen) dataset")
    parser.add_argument("--seed", type=int, default=None, help="seed of the unseen dataset (default: random)")
    parser.add_argument("--out", type=Path, default=BENCH / "RESULTS.md")
    args = parser.parse_args(argv)

    _become_subreaper()
    clock = time.perf_counter()
    started = datetime.now().astimezone().strftime("%Y-%m-%d %H:%M %Z")
    load_start = load_average()
    log = lambda text: print(text, flush=True)  # noqa: E731
    with tempfile.TemporaryDirectory(prefix="mirbook-bench-") as tmp:
        work = Path(tmp)
        suites = [Suite("demo", ROOT / "data", 2026, "T3")]
        if not args.no_unseen:
            unseen = work / "datos-no-vistos"
            seed = args.seed if args.seed is not None else random.SystemRandom().randrange(1_000_000)
            subprocess.run([sys.executable, str(BENCH / "make_unseen_data.py"), str(unseen), "--seed", str(seed)],
                           check=True)
            meta = json.loads((unseen / "bench.json").read_text(encoding="utf-8"))
            suites.append(Suite("unseen", unseen, meta["year"], meta["period"], seed=seed))
        for suite in suites:
            run_suite(suite, args.rounds, work, log)
        log("== mirbook indicadores")
        ind = [indicadores(ROOT / "data", 2026, "T3") for _ in range(10)]
        log(f"  {median(m.wall for m in ind):.3f} s (median of {len(ind)})")
    write_results(args.out, suites, ind, machine(), started, (load_start, load_average()),
                  time.perf_counter() - clock, args.rounds)
    log(f"Resultados en {args.out}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
