"""The archive primitives: atomic writes and swaps, revisions carried whole, verification."""

from __future__ import annotations

import json
import os
from pathlib import Path

import pytest

from mirbook import archive, integrity
from mirbook.model import Period


def _revision(folder: Path, number: int, content: str) -> None:
    (folder / "cuadernos").mkdir(parents=True, exist_ok=True)
    (folder / "00_resumen.html").write_text(content)
    (folder / "cuadernos" / "00_resumen.ipynb").write_text("{}")
    manifest = {"revision": number, "salidas": archive.hash_outputs(folder)}  # a minimal version-1 manifest
    (folder / "index.html").write_text("nav")  # written after: unlisted, a navigation page as before schema 3
    (folder / archive.MANIFEST).write_text(json.dumps(manifest), encoding="utf-8")


def test_write_atomic_skips_identical_content(tmp_path):
    path = tmp_path / "a" / "x.txt"
    assert archive.write_atomic(path, "hola") is True
    mtime = path.stat().st_mtime_ns
    assert archive.write_atomic(path, "hola") is False
    assert path.stat().st_mtime_ns == mtime
    assert archive.write_atomic(path, "adiós") is True and path.read_text() == "adiós"
    assert [p.name for p in path.parent.iterdir()] == ["x.txt"]


def test_swap_replaces_a_folder_whole(tmp_path):
    target, new = tmp_path / "T3", tmp_path / "new"
    _revision(target, 1, "uno")
    _revision(new, 2, "dos")
    archive.swap_into_place(new, target)
    assert (target / "00_resumen.html").read_text() == "dos"
    assert not new.exists()
    assert sorted(p.name for p in tmp_path.iterdir()) == ["T3"]


def test_swap_without_renameat2_uses_two_renames(tmp_path, monkeypatch):
    monkeypatch.setattr(archive, "_libc_exchange", lambda a, b: False)
    target, new = tmp_path / "T3", tmp_path / "new"
    _revision(target, 1, "uno")
    _revision(new, 2, "dos")
    archive.swap_into_place(new, target)
    assert (target / "00_resumen.html").read_text() == "dos"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["T3"]


def test_recover_restores_a_folder_left_aside_by_an_interrupted_swap(tmp_path):
    reports = tmp_path / "reports"
    _revision(reports / "2026" / ".T3.old-123", 1, "uno")
    (reports / archive.STAGING / "junk").mkdir(parents=True)
    archive.recover(reports)
    assert (reports / "2026" / "T3" / "00_resumen.html").read_text() == "uno"
    assert not (reports / archive.STAGING).exists()


def test_carry_history_keeps_every_revision_byte_for_byte(tmp_path):
    current, staged = tmp_path / "T3", tmp_path / "stage"
    _revision(current / "revisiones" / "r001", 1, "uno")
    _revision(current, 2, "dos")
    staged.mkdir()
    names = archive.carry_history(current, staged, 2)
    assert names == ["revisiones/r001", "revisiones/r002"]
    assert (staged / "revisiones" / "r001" / "00_resumen.html").read_text() == "uno"
    assert (staged / "revisiones" / "r002" / "00_resumen.html").read_text() == "dos"
    assert json.loads((staged / "revisiones" / "r002" / "manifest.json").read_text())["revision"] == 2
    assert not (staged / "revisiones" / "r002" / "revisiones").exists()


def test_verify_finds_changed_missing_and_unlisted_files(tmp_path):
    reports = tmp_path / "reports"
    folder = reports / "2026" / "T3"
    _revision(folder / "revisiones" / "r001", 1, "uno")
    _revision(folder, 2, "dos")
    first = integrity.verify(reports, navigation=False)
    assert (first.checked, first.findings) == (2, [])
    with open(folder / "revisiones" / "r001" / "00_resumen.html", "r+b") as handle:
        handle.write(b"U")  # one byte
    (folder / "cuadernos" / "00_resumen.ipynb").unlink()
    (folder / "extra.txt").write_text("?")
    (folder / "index.html").write_text("an unlisted page is navigation, checked by rendering it again")
    report = integrity.verify(reports, navigation=False)
    assert report.checked == 2
    assert sorted(f.message() for f in report.findings) == [
        "2026/T3, revisión 1, 00_resumen.html: su contenido cambió (sha256 distinto al del manifiesto)",
        "2026/T3, revisión 2, cuadernos/00_resumen.ipynb: falta (está en el manifiesto)",
        "2026/T3, revisión 2, extra.txt: no está en el manifiesto (archivo añadido)",
    ]


def test_archived_periods_newest_first(tmp_path):
    for year, quarter in ((2025, 4), (2026, 1), (2025, 2)):
        _revision(tmp_path / str(year) / f"T{quarter}", 1, "x")
    (tmp_path / "2026" / "T2").mkdir()  # no manifest: not archived
    assert archive.archived_periods(tmp_path) == [Period(2026, 1), Period(2025, 4), Period(2025, 2)]


def test_lock_refuses_a_second_writer(tmp_path):
    from mirbook.errors import MirbookError

    with archive.locked(tmp_path):
        pid = os.fork()
        if pid == 0:  # child: must be refused
            try:
                with archive.locked(tmp_path):
                    os._exit(1)
            except MirbookError:
                os._exit(0)
        _, status = os.waitpid(pid, 0)
        assert os.waitstatus_to_exitcode(status) == 0


def test_staging_dir_is_removed_even_on_error(tmp_path):
    with pytest.raises(RuntimeError):
        with archive.staging_dir(tmp_path, Period(2026, 3)) as stage:
            (stage / "partial.html").write_text("x")
            raise RuntimeError("boom")
    assert list(tmp_path.iterdir()) == []
