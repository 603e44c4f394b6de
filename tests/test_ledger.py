"""The archive knows itself: the ledger, the run's gate, ``reparar``, foreign folders, kills, adoption.

Every scenario runs the real ``mirbook`` command in its own process (a tiny report notebook keeps
a run short) and compares the archive's bytes before and after.
"""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest

from ledger_archive import base_archive, copy_of, ledger_lines, new_project, snapshot
from mirbook import ledger

T3 = Path("2026") / "T3"


@pytest.fixture(scope="module")
def base(tmp_path_factory):
    return base_archive(tmp_path_factory)


@pytest.fixture
def project(base, tmp_path):
    return copy_of(base, tmp_path)


# --- the ledger file -----------------------------------------------------------------------------


def test_ledger_is_a_hash_chain_that_detects_edits_and_lost_lines(tmp_path):
    ledger.append(tmp_path, "revision", state=ledger.PENDING, period="2026/T3", revision=1, manifest="a" * 64)
    ledger.append(tmp_path, "revision", state=ledger.COMPLETED, ref=1, period="2026/T3", revision=1, manifest="a" * 64)
    entries = ledger.read(tmp_path)
    assert [e.kind for e in entries] == ["archive", "revision", "revision"] and entries[0].format == ledger.FORMAT
    assert all(e.prev == p.hash for p, e in zip(entries, entries[1:]))
    state = ledger.fold(entries)
    assert state.periods["2026/T3"].top == 1 and state.pending == []
    assert sorted(p.name for p in tmp_path.iterdir()) == [ledger.FILE]  # no temporary file left
    lines = (tmp_path / ledger.FILE).read_text(encoding="utf-8").splitlines(True)
    (tmp_path / ledger.FILE).write_text(lines[0] + lines[2], encoding="utf-8")
    with pytest.raises(ledger.LedgerError, match="línea 2"):
        ledger.read(tmp_path)
    (tmp_path / ledger.FILE).write_text("".join(lines).replace('"revision": 1', '"revision": 2', 1), encoding="utf-8")
    with pytest.raises(ledger.LedgerError, match="fue modificada"):
        ledger.read(tmp_path)


def test_a_pending_entry_without_its_completion_stays_pending(tmp_path):
    ledger.append(tmp_path, "revision", state=ledger.PENDING, period="2026/T3", revision=1, manifest="a" * 64)
    state = ledger.fold(ledger.read(tmp_path))
    assert [e.revision for e in state.pending] == [1] and "2026/T3" not in state.periods


# --- issue 15, item 1: a lost or corrupt newest manifest must not cost revision 1 ----------------


@pytest.mark.parametrize("damage", ["deleted", "truncated"])
def test_a_lost_newest_manifest_stops_the_run_and_keeps_every_revision(project, damage):
    manifest = project.reports / T3 / "manifest.json"
    if damage == "deleted":
        manifest.unlink()
    else:
        manifest.write_bytes(manifest.read_bytes()[:100])
    before = snapshot(project.reports)
    project.add_record("UPM-2026-9998")  # any change: the old code made "revision 2" again over r001
    result = project.run("T3")
    assert result.returncode == 1, result.stdout
    assert "está dañado; no se archivó nada" in result.stderr and "mirbook reparar" in result.stderr
    assert "2026/T3, revisión 2, manifest.json" in result.stderr and "Traceback" not in result.stderr
    assert snapshot(project.reports) == before  # every revision byte-identical, nothing added
    verify = project.verify()
    assert verify.returncode == 1 and "2026/T3, revisión 2, manifest.json" in verify.stderr


def test_reparar_sets_the_damaged_revision_aside_and_numbers_keep_growing(project):
    (project.reports / T3 / "manifest.json").unlink()
    r001 = snapshot(project.reports / T3 / "revisiones" / "r001")
    top_files = {p.name for p in (project.reports / T3).iterdir() if p.name != "revisiones"}
    repaired = project.repair()
    assert repaired.returncode == 0, repaired.stdout + repaired.stderr
    assert "2026/T3, revisión 2: dañada; apartada" in repaired.stdout and "no se borró nada" in repaired.stdout
    aside = project.reports / T3 / "revisiones" / "r002"
    assert top_files <= {p.name for p in aside.iterdir()}  # moved whole, nothing deleted
    assert "falta el manifiesto" in (aside / "DANADA.txt").read_text(encoding="utf-8")
    assert snapshot(project.reports / T3 / "revisiones" / "r001") == r001
    last = ledger_lines(project.reports)[-1]
    assert (last["kind"], last["status"], last["revision"]) == ("repair", "damaged", 2)
    assert "DANADA.txt" in last["files"]
    verify = project.verify()
    assert verify.returncode == 0 and "apartada como dañada" in verify.stdout, verify.stderr
    (aside / "00_mini.pdf").write_bytes(b"otra cosa")  # what was set aside stays checked
    assert "2026/T3, revisión 2, 00_mini.pdf: cambió después de apartarse" in project.verify().stderr


def test_after_reparar_the_next_run_makes_revision_3_and_keeps_1_and_2(project):
    (project.reports / T3 / "manifest.json").unlink()
    assert project.repair().returncode == 0
    kept = snapshot(project.reports / T3 / "revisiones")
    kept.pop("index.html")  # the navigation list of revisions
    result = project.run("T3")
    assert result.returncode == 0, result.stderr
    assert "Revisión 3 (nueva)" in result.stdout
    after = snapshot(project.reports / T3 / "revisiones")
    assert {k: v for k, v in after.items() if k in kept} == kept
    assert json.loads((project.reports / T3 / "manifest.json").read_text())["revision"] == 3
    assert project.verify().returncode == 0


def test_a_deleted_period_stops_the_run_and_reparar_records_it_as_lost(project):
    shutil.rmtree(project.reports / "2026" / "T2")
    before = snapshot(project.reports)
    result = project.run("T3")
    assert result.returncode == 1 and "2026/T2: falta la carpeta del periodo" in result.stderr
    assert snapshot(project.reports) == before
    repaired = project.repair()
    assert repaired.returncode == 0 and "2026/T2, revisión 1: perdida" in repaired.stdout
    assert ledger_lines(project.reports)[-1]["status"] == "lost"
    verify = project.verify()
    assert verify.returncode == 0 and "perdida" in verify.stdout


# --- issue 15, item 2: foreign folders -----------------------------------------------------------


def test_a_foreign_non_empty_folder_is_refused_and_left_byte_identical(base, tmp_path):
    foreign = tmp_path / "mis-documentos"
    (foreign / "2026" / "T3").mkdir(parents=True)
    (foreign / ".staging").mkdir()
    (foreign / ".staging" / "borrador.txt").write_text("mío")
    (foreign / "index.html").write_text("<p>mi página</p>")
    (foreign / "2026" / "T3" / "informe.docx").write_bytes(b"PK\x03\x04 ajeno")
    before = snapshot(foreign)
    result = base.run("T3", reports=foreign)
    assert result.returncode == 1
    assert "no está vacía y no es un archivo de mirbook" in result.stderr and "No se modificó nada" in result.stderr
    assert snapshot(foreign) == before


def test_an_empty_folder_is_initialised_with_the_ledger(base, tmp_path):
    empty = tmp_path / "nuevo"
    empty.mkdir()
    result = base.run("T2", reports=empty)
    assert result.returncode == 0, result.stderr
    kinds = [(e["kind"], e.get("state")) for e in ledger_lines(empty)]
    assert kinds == [("archive", None), ("revision", "pending"), ("revision", "completed")]
    assert not (empty / ".staging").exists()


def test_a_folder_holding_only_a_git_placeholder_is_empty(base, tmp_path):
    kept = tmp_path / "reports"
    kept.mkdir()
    (kept / ".gitkeep").write_bytes(b"")
    result = base.run("T2", reports=kept)
    assert result.returncode == 0, result.stderr
    assert ledger.exists(kept) and (kept / ".gitkeep").exists()
    assert base.verify(reports=kept).returncode == 0


def test_a_placeholder_with_content_is_not_a_placeholder(base, tmp_path):
    kept = tmp_path / "reports"
    kept.mkdir()
    (kept / ".gitkeep").write_text("mis notas")
    result = base.run("T2", reports=kept)
    assert result.returncode == 1 and "no es un archivo de mirbook" in result.stderr


# --- kills between pending and completed ---------------------------------------------------------


@pytest.mark.parametrize("point, settled", [
    ("antes-del-intercambio", "anulada"),
    ("tras-el-intercambio", "completada por la ejecución siguiente"),
    ("tras-el-registro", None),
])
def test_a_run_killed_around_the_swap_is_settled_by_the_next_run(tmp_path, point, settled):
    project = new_project(tmp_path)
    killed = project.run("T2", env={"MIRBOOK_FAULT": point})
    assert killed.returncode == -9, killed.stdout + killed.stderr
    page = project.reports / "2026" / "T2" / "index.html"
    if point != "antes-del-intercambio":
        assert page.is_file()  # the period page came with the swap: never missing after it
        verify = project.verify()
        if settled:
            assert verify.returncode == 1 and "se interrumpió" in verify.stderr
    else:
        assert not page.exists()
    again = project.run("T2")
    assert again.returncode == 0, again.stderr
    assert "Revisión 1" in again.stdout
    lines = ledger_lines(project.reports)
    notes = [n for e in lines for n in e.get("notes", [])]
    assert any(n.startswith(settled) for n in notes) if settled else notes == [], notes
    assert not (project.reports / ".staging").exists()
    assert project.verify().returncode == 0


# --- adoption of an archive made before the ledger -----------------------------------------------


def _make_pre_ledger(reports: Path) -> None:
    """Turn an archive into what mirbook wrote before the ledger: no registro.jsonl, schema-2
    manifests that do not list the period page."""
    (reports / ledger.FILE).unlink()
    for manifest in reports.rglob("manifest.json"):
        raw = json.loads(manifest.read_text(encoding="utf-8"))
        raw["salidas"].pop("index.html")
        raw["schema_version"] = 2
        manifest.write_text(json.dumps(raw, ensure_ascii=False, indent=2, sort_keys=True) + "\n", encoding="utf-8")


def test_a_sound_pre_ledger_archive_is_adopted_on_its_first_run(project):
    _make_pre_ledger(project.reports)
    r001 = snapshot(project.reports / T3 / "revisiones" / "r001")
    result = project.run("T3")
    assert result.returncode == 0, result.stderr
    assert "Revisión 2 (sin cambios)" in result.stdout
    adopted = [(e["period"], e["revision"]) for e in ledger_lines(project.reports) if e["kind"] == "adoption"]
    assert sorted(adopted) == [("2026/T2", 1), ("2026/T3", 1), ("2026/T3", 2)]
    assert snapshot(project.reports / T3 / "revisiones" / "r001") == r001
    assert project.verify().returncode == 0


def test_a_damaged_pre_ledger_archive_is_not_adopted_and_says_what_to_repair(project):
    _make_pre_ledger(project.reports)
    pdf = project.reports / T3 / "revisiones" / "r001" / "00_mini.pdf"
    pdf.write_bytes(pdf.read_bytes() + b"x")
    before = snapshot(project.reports)
    result = project.run("T3")
    assert result.returncode == 1
    assert "no se puede adoptar" in result.stderr and "2026/T3, revisión 1, 00_mini.pdf" in result.stderr
    assert "mirbook reparar" in result.stderr
    assert snapshot(project.reports) == before
    repaired = project.repair()
    assert repaired.returncode == 0, repaired.stdout + repaired.stderr
    assert "2026/T3, revisión 1: dañada" in repaired.stdout and "2026/T3, revisión 2: íntegra" in repaired.stdout
    assert (pdf.parent / "DANADA.txt").is_file()
    assert project.verify().returncode == 0
