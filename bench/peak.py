#!/usr/bin/env python3
"""Run one command and report its wall time and the memory of its largest process, as JSON.

Why a wrapper: ``ru_maxrss`` of ``RUSAGE_CHILDREN`` is the peak of the largest process among
*all* the children a process ever reaped, so measuring several commands from one process mixes
them up. This wrapper is a fresh process per command that makes itself a child subreaper
(Linux ``PR_SET_CHILD_SUBREAPER``), so every descendant (forkserver, workers) is reaped here and
counts. Used by ``bench/sizes.py`` and tests/test_sizes.py.

    python bench/peak.py -- mirbook validar --year 2026 --period T4 --data-dir DIR
    → {"wall": 12.3, "maxrss_mib": 410.5, "returncode": 0}
"""

from __future__ import annotations

import ctypes
import json
import os
import resource
import subprocess
import sys
import time

PR_SET_CHILD_SUBREAPER = 36


def main(argv: list[str]) -> int:
    command = argv[1:] if argv[:1] == ["--"] else argv
    try:
        ctypes.CDLL(None, use_errno=True).prctl(PR_SET_CHILD_SUBREAPER, 1, 0, 0, 0)
    except (OSError, AttributeError):
        pass  # not Linux: the direct children still count
    start = time.perf_counter()
    done = subprocess.run(command, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
    wall = time.perf_counter() - start
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:  # descendants that outlived the command
        try:
            pid, _ = os.waitpid(-1, os.WNOHANG)
        except ChildProcessError:
            break
        if pid == 0:
            time.sleep(0.05)
    peak = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024
    print(json.dumps({"wall": round(wall, 2), "maxrss_mib": round(peak, 1), "returncode": done.returncode,
                      "stderr": done.stderr[-2000:]}))
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
