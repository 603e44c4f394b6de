"""A valid year of 20,000 records: ``indicadores`` and ``validar`` complete, each process far under
2 GB (issue 15). Memory is the child's own (``resource.getrusage`` in ``bench/peak.py``); no timing
is asserted. ``make bench`` (bench/sizes.py) measures 1,000, 20,000 and 200,000 records, and ``generar``.
"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from conftest import ROOT

RECORDS = 20_000
LIMIT_MIB = 2048


@pytest.fixture(scope="module")
def big_year(tmp_path_factory) -> Path:
    out = tmp_path_factory.mktemp("grande")
    subprocess.run([sys.executable, str(ROOT / "bench" / "make_sized_data.py"), str(out), "--records", str(RECORDS)],
                   check=True)
    return out


@pytest.mark.parametrize("command", ["indicadores", "validar"])
def test_twenty_thousand_records_in_bounded_memory(big_year, command):
    mirbook = Path(sys.executable).with_name("mirbook")
    done = subprocess.run([sys.executable, str(ROOT / "bench" / "peak.py"), "--", str(mirbook), command,
                           "--year", "2026", "--period", "T4", "--data-dir", str(big_year)],
                          capture_output=True, text=True, check=True)
    result = json.loads(done.stdout)
    assert result["returncode"] == 0, result["stderr"]
    assert "Traceback" not in result["stderr"]
    assert result["maxrss_mib"] < LIMIT_MIB
