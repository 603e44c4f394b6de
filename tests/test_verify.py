"""``mirbook verificar`` misses nothing: every kind of tampering, in any revision, through the command line."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from ledger_archive import base_archive, copy_of
from mirbook import integrity, ledger


@pytest.fixture(scope="module")
def base(tmp_path_factory):
    return base_archive(tmp_path_factory)


@pytest.fixture
def project(base, tmp_path):
    return copy_of(base, tmp_path)


T3 = Path("2026") / "T3"
R001 = T3 / "revisiones" / "r001"


def _flip_byte(path: Path) -> None:
    data = bytearray(path.read_bytes())
    data[len(data) // 2] ^= 0x01
    path.write_bytes(bytes(data))


def test_an_untouched_archive_passes(project):
    result = project.verify()
    assert result.returncode == 0, result.stderr
    assert "Archivo íntegro: 3 revisión(es)" in result.stdout


def _edit_manifest(path: Path) -> None:
    manifest = json.loads(path.read_text(encoding="utf-8"))
    manifest["semaforos"]["rojo"] = 0  # still a valid manifest, with its hashes — but not the one archived
    path.write_text(json.dumps(manifest), encoding="utf-8")


def _sed(path: Path, old: str, new: str) -> None:
    text = path.read_text(encoding="utf-8")
    assert old in text
    path.write_text(text.replace(old, new), encoding="utf-8")


# (what is done, expected words in the one line that names it)
TAMPERING = {
    "byte in a report of the newest revision": (lambda r: _flip_byte(r / T3 / "00_mini.pdf"),
                                                "2026/T3, revisión 2, 00_mini.pdf: su contenido cambió"),
    "byte in a report of an earlier revision": (lambda r: _flip_byte(r / R001 / "00_mini.html"),
                                                "2026/T3, revisión 1, 00_mini.html: su contenido cambió"),
    "byte in an executed notebook": (lambda r: _flip_byte(r / "2026" / "T2" / "cuadernos" / "00_mini.ipynb"),
                                     "2026/T2, revisión 1, cuadernos/00_mini.ipynb: su contenido cambió"),
    "deleted file": (lambda r: (r / R001 / "validacion.html").unlink(),
                     "2026/T3, revisión 1, validacion.html: falta"),
    "added file": (lambda r: (r / R001 / "nota.txt").write_text("?"),
                   "2026/T3, revisión 1, nota.txt: no está en el manifiesto"),
    "deleted newest manifest": (lambda r: (r / T3 / "manifest.json").unlink(),
                                "2026/T3, revisión 2, manifest.json: falta el manifiesto"),
    "truncated manifest of an earlier revision": (lambda r: (r / R001 / "manifest.json").write_bytes(b'{"sal'),
                                                  "2026/T3, revisión 1, manifest.json: el manifiesto fue modificado"),
    "rewritten manifest": (lambda r: _edit_manifest(r / T3 / "manifest.json"),
                           "2026/T3, revisión 2, manifest.json: el manifiesto fue modificado"),
    "deleted period": (lambda r: __import__("shutil").rmtree(r / "2026" / "T2"),
                       "2026/T2: falta la carpeta del periodo"),
    "deleted earlier revision": (lambda r: __import__("shutil").rmtree(r / R001),
                                 "2026/T3, revisión 1: falta la revisión"),
    "edited period page": (lambda r: _sed(r / T3 / "index.html", "sem-rojo", "sem-verde"),
                           "2026/T3, revisión 2, index.html: su contenido cambió"),
    "edited page of an earlier revision": (lambda r: _sed(r / R001 / "index.html", "sem-rojo", "sem-verde"),
                                           "2026/T3, revisión 1, index.html: su contenido cambió"),
    "edited ledger line": (lambda r: _sed(r / "registro.jsonl", '"revision": 1', '"revision": 7'),
                           "registro.jsonl: El registro del archivo está dañado"),
    "removed ledger line": (lambda r: (r / "registro.jsonl").write_text(
        "".join(l for n, l in enumerate((r / "registro.jsonl").read_text().splitlines(True)) if n != 2)),
        "la cadena de huellas no continúa"),
    "stray file in a year folder": (lambda r: (r / "2026" / "borrador.txt").write_text("x"),
                                    "2026, borrador.txt: no pertenece al archivo"),
}


@pytest.mark.parametrize("kind", sorted(TAMPERING))
def test_each_kind_of_tampering_is_caught(project, kind):
    tamper, expected = TAMPERING[kind]
    tamper(project.reports)
    result = project.verify()
    assert result.returncode == 1, result.stdout
    assert expected in result.stderr, result.stderr
    assert "Archivo íntegro" not in result.stdout and "Traceback" not in result.stderr


def test_an_edited_navigation_page_is_caught_by_rendering_it_again(project):
    _sed(project.reports / "index.html", "sem-rojo", "sem-verde")
    (project.reports / "2026" / "index.html").unlink()
    result = project.verify()
    assert result.returncode == 1
    assert "index.html: la página de navegación no coincide" in result.stderr
    assert "2026/index.html: falta la página de navegación" in result.stderr
    assert "«mirbook generar» las vuelve a escribir" in result.stderr


def test_a_missing_or_non_folder_reports_dir_is_an_error(project, tmp_path):
    missing = project.verify(reports=tmp_path / "no-existe")
    assert missing.returncode == 1 and "no existe la carpeta del archivo" in missing.stderr
    (tmp_path / "archivo.txt").write_text("x")
    file = project.verify(reports=tmp_path / "archivo.txt")
    assert file.returncode == 1 and "no es una carpeta" in file.stderr


def test_inputs_are_checked_against_the_newest_manifest_with_data_dir(project):
    # 2026 T2 was archived before the record that made T3's revision 2 was added; T3 is current
    result = project.verify("--data-dir", str(project.data))
    assert result.returncode == 1
    assert "2026/T2, revisión 1, datos/2026/registros.csv: la entrada" in result.stderr
    assert "2026/T3" not in result.stderr
    project.add_record("UPM-2026-9997")
    result = project.verify("--data-dir", str(project.data))
    assert "2026/T3, revisión 2, datos/2026/registros.csv: la entrada" in result.stderr
    assert "cambió desde que se archivó" in result.stderr and "archiva una revisión nueva" in result.stderr
    assert project.verify().returncode == 0  # without --data-dir the archive alone is sound


def test_extra_checkers_see_every_sound_revision_and_their_findings_count(project, monkeypatch):
    seen = []

    def checker(view: integrity.RevisionView):
        seen.append((view.period, view.number, view.folder.name))
        if view.number == 1 and view.period == "2026/T3":
            yield integrity.Finding(view.period, view.number, "00_mini.pdf", "firma no válida")

    monkeypatch.setattr(integrity, "EXTRA_CHECKERS", [checker])
    report = integrity.verify(project.reports)
    assert sorted(seen) == [("2026/T2", 1, "T2"), ("2026/T3", 1, "r001"), ("2026/T3", 2, "T3")]
    assert [f.message() for f in report.findings] == ["2026/T3, revisión 1, 00_mini.pdf: firma no válida"]


def test_a_pre_ledger_archive_is_still_verified_and_says_it_has_no_ledger(project):
    (project.reports / ledger.FILE).unlink()
    result = project.verify()
    assert result.returncode == 0 and "no tiene registro" in result.stdout
    _flip_byte(project.reports / R001 / "00_mini.pdf")
    result = project.verify()
    assert result.returncode == 1 and "2026/T3, revisión 1, 00_mini.pdf: su contenido cambió" in result.stderr


def test_files_beside_a_manifest_recorded_by_a_signature_entry_are_required_and_hashed(project, monkeypatch):
    monkeypatch.setattr(integrity, "EXTRA_CHECKERS", [])  # the bytes here are no real CMS signature

    def lines():
        return [f.message() for f in integrity.verify(project.reports).findings]

    signature = project.reports / T3 / "manifest.json.p7s"
    signature.write_bytes(b"CMS detached signature")
    assert any("manifest.json.p7s: no está en el manifiesto" in line for line in lines())
    ledger.append(project.reports, "signature", state=ledger.COMPLETED, period="2026/T3", revision=2,
                  files={"manifest.json.p7s": ledger.sha256_bytes(b"CMS detached signature")})
    assert lines() == []
    signature.write_bytes(b"otra firma")
    assert any("2026/T3, revisión 2, manifest.json.p7s: su contenido cambió (sha256 distinto al del registro" in line
               for line in lines())
    signature.unlink()
    assert any("manifest.json.p7s: falta (está en el registro del archivo)" in line for line in lines())
