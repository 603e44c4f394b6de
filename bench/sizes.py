#!/usr/bin/env python3
"""Cost against the number of records: ``validar``, ``indicadores`` and ``generar`` on valid years
of 1,000, 20,000 and 200,000 records (issue 15); writes ``bench/SIZES.md``.

Each command runs in a fresh ``bench/peak.py`` wrapper (wall time, peak memory of the largest
process of its tree). The data are written by ``bench/make_sized_data.py``. The table also gives
seconds per thousand records, so "roughly linear" can be read off it, and the machine's load
average before and after (the machine is shared: times vary with it; memory does not).

    .venv/bin/python bench/sizes.py [--sizes 1000,20000,200000] [--out bench/SIZES.md]

``make bench`` runs it after bench/run_bench.py.
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
from datetime import datetime
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
BENCH = ROOT / "bench"
MIRBOOK = Path(sys.executable).with_name("mirbook")
COMMANDS = ("indicadores", "validar", "generar")
LIMIT_MIB = 2048  # issue 15: the largest process under 2 GB


def peak(command: list[str]) -> dict:
    """Wall seconds and peak memory (MiB) of ``command``, measured by ``bench/peak.py``."""
    done = subprocess.run([sys.executable, str(BENCH / "peak.py"), "--", *command], capture_output=True, text=True,
                          check=True)
    return json.loads(done.stdout)


def measure_size(records: int, work: Path, log) -> dict[str, dict]:
    data = work / f"datos-{records}"
    subprocess.run([sys.executable, str(BENCH / "make_sized_data.py"), str(data), "--records", str(records)], check=True)
    out = {}
    for name in COMMANDS:
        command = [str(MIRBOOK), name, "--year", "2026", "--period", "T4", "--data-dir", str(data)]
        if name == "generar":
            command += ["--reports-dir", str(work / f"reportes-{records}")]
        out[name] = result = peak(command)
        log(f"  {records:>7} registros · {name:<11} {result['wall']:8.1f} s  {result['maxrss_mib']:7.0f} MiB  "
            f"(código {result['returncode']})")
    return out


def write(path: Path, sizes: list[int], results: dict[int, dict[str, dict]], loads: tuple[str, str], started: str) -> None:
    lines = [
        "# Costo según el número de registros (issue 15)",
        "",
        f"Generado por `bench/sizes.py` (`make bench`) el {started}. Un año válido de N registros "
        "(`bench/make_sized_data.py`), periodo T4; cada comando en un proceso nuevo (`bench/peak.py`): tiempo "
        "de reloj y memoria del proceso más grande de su árbol (`ru_maxrss`). La máquina es compartida: "
        f"carga media (1/5/15 min) al empezar {loads[0]}, al terminar {loads[1]}; los tiempos varían con ella, "
        "la memoria no.",
        "",
        "| Registros | Comando | Tiempo (s) | s por mil registros | Memoria máx. (MiB) | < 2 GB | Código |",
        "|---|---|---|---|---|---|---|",
    ]
    for records in sizes:
        for name in COMMANDS:
            r = results[records][name]
            ok = "sí" if r["maxrss_mib"] < LIMIT_MIB else "**no**"
            lines.append(f"| {records:,} | `{name}` | {r['wall']:.1f} | {1000 * r['wall'] / records:.2f} | "
                         f"{r['maxrss_mib']:.0f} | {ok} | {r['returncode']} |".replace(",", " "))
    lines.append("")
    path.write_text("\n".join(lines), encoding="utf-8")


def _load() -> str:
    return " ".join(f"{x:.2f}" for x in os.getloadavg())


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", default="1000,20000,200000")
    parser.add_argument("--out", type=Path, default=BENCH / "SIZES.md")
    args = parser.parse_args(argv)
    sizes = [int(x) for x in args.sizes.split(",")]
    started = datetime.now().astimezone().strftime("%Y-%m-%d %H:%M %Z")
    before = _load()
    results = {}
    with tempfile.TemporaryDirectory(prefix="mirbook-sizes-") as tmp:
        for records in sizes:
            results[records] = measure_size(records, Path(tmp), lambda text: print(text, flush=True))
    write(args.out, sizes, results, (before, _load()), started)
    print(f"Resultados en {args.out}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
