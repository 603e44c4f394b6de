"""The typed manifest: older manifests upgraded in one place, a stable encoding, the pool on its own."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from conftest import ROOT
from mirbook import manifest
from mirbook.workbook import load_params


def _write(folder: Path, raw: object) -> None:
    folder.mkdir(parents=True, exist_ok=True)
    (folder / manifest.FILE).write_text(json.dumps(raw, ensure_ascii=False), encoding="utf-8")


def test_a_version_1_manifest_is_upgraded(tmp_path):
    """The oldest form: notebooks as plain names, no semáforo counts, no names, no schema_version."""
    _write(tmp_path, {"revision": 3, "salidas": {"a.html": "0" * 64}, "cuadernos": ["00_resumen"],
                      "parametros": {"year": 2026, "period": "T3"}})
    (tmp_path / "indicadores.csv").write_text(
        "clave,semaforo\nFIN,verde\nPROP,rojo\nC1,verde\nC2,no_aplica\n", encoding="utf-8")
    read = manifest.read(tmp_path)
    assert read is not None and read.schema_version == manifest.SCHEMA_VERSION
    assert read.revision == 3 and read.salidas == {"a.html": "0" * 64}
    assert read.cuadernos == (manifest.Cuaderno("00_resumen", "00_resumen"),)
    assert read.semaforos == {"verde": 2, "amarillo": 0, "rojo": 1, "no_aplica": 1}
    mir = load_params().mir
    assert (read.institucion, read.programa) == (mir.institucion, mir.programa)
    assert read.parametros.data_dir == "" and read.avisos == () and read.demo is False


def test_partial_counts_are_completed_and_version_2_keeps_its_names(tmp_path):
    _write(tmp_path, {"schema_version": 2, "salidas": {}, "semaforos": {"verde": 4},
                      "institucion": "Otra institución", "programa": "Otro programa"})
    read = manifest.read(tmp_path)
    assert read is not None
    assert read.semaforos == {"verde": 4, "amarillo": 0, "rojo": 0, "no_aplica": 0}
    assert (read.institucion, read.programa) == ("Otra institución", "Otro programa")
    assert read.motivo == ""  # version 2 had no motivo
    assert read.anios_datos == (), "a version-2 manifest lists no year folders"


@pytest.mark.parametrize("content", ["[]", "{}", '{"salidas": []}', "no es JSON", '{"schema_version": 99, "salidas": {}}'],
                         ids=["lista", "sin_salidas", "salidas_no_tabla", "no_json", "version_futura"])
def test_what_is_not_a_manifest_reads_as_none(tmp_path, content):
    (tmp_path / manifest.FILE).write_text(content, encoding="utf-8")
    assert manifest.read(tmp_path) is None
    assert manifest.read(tmp_path / "no-existe") is None


def test_encoding_is_stable_and_reads_back_the_same(tmp_path):
    raw = {
        "schema_version": manifest.SCHEMA_VERSION, "mirbook": "0.1.0", "anio": 2026, "periodo": "T3", "revision": 2, "huella": "ab",
        "parametros": {"year": 2026, "period": "T3", "data_dir": "data", "reports_dir": "reports"},
        "entradas": {"datos/2026/registros.csv": "cd"}, "codigo": {"x.py": "ef"}, "salidas": {"a.pdf": "01"},
        "paquetes": {"pandas": "2.2"}, "python": "3.11.9", "git": {"commit": None, "sucio": None},
        "inicio": "2026-09-21T14:13:20+00:00", "fin": "2026-09-21T14:13:29+00:00",
        "cuadernos": [{"nombre": "00_resumen", "titulo": "Resumen «ejecutivo»"}],
        "semaforos": {"verde": 1, "amarillo": 0, "rojo": 0, "no_aplica": 0}, "indicadores": {"FIN": "verde"},
        "avisos": ["A2.3: sin justificación"], "informacion": [], "demo": True,
        "revisiones_anteriores": ["revisiones/r001"], "institucion": "Unidad", "programa": "MIR",
        "motivo": "Se corrigió el folio A1.1-DRII-003",
        "anios_datos": [2025, 2026],
    }
    _write(tmp_path, raw)
    read = manifest.read(tmp_path)
    assert read is not None and read.to_dict() == raw
    assert read.to_bytes() == (json.dumps(raw, ensure_ascii=False, indent=2, sort_keys=True) + "\n").encode()
    (tmp_path / manifest.FILE).write_bytes(read.to_bytes())
    assert manifest.read(tmp_path) == read


def test_the_worker_pool_imports_nothing_from_mirbook():
    code = (
        "import sys\n"
        "import mirbook.workers\n"
        "others = sorted(m for m in sys.modules if m.startswith('mirbook.') and m != 'mirbook.workers')\n"
        "assert not others, others\n"
    )
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, cwd=ROOT)
    assert done.returncode == 0, done.stderr
