"""Is the archive whole? ``verify`` (every finding, one Spanish line each), the run's gate, and ``reparar``.

Why one module: ``mirbook verificar``, ``mirbook generar`` and ``mirbook reparar`` must agree on
what a sound archive is, or a run would build on a period that ``verify`` calls damaged. The
rules, checked against the manifests *and* the ledger (:mod:`mirbook.ledger`):

* every period and revision the ledger records is there, at its place (the newest at the
  period's top level, the others in ``revisiones/rNNN``), with a ``manifest.json`` whose sha256 is
  the ledger's; every file its manifest lists is there with its sha256; no other file is there
  but the navigation pages; no revision is there that the ledger does not know;
* the navigation pages (the root index, the year indexes, ``revisiones/index.html`` and the pages
  of revisions archived before period pages were evidence) are what :mod:`mirbook.site` renders
  from the archive now;
* optionally, the inputs of each period's newest revision still hash as its manifest says.

The run (:func:`prepare`) refuses a folder that is not a mirbook archive, adopts a sound archive
from before the ledger, finishes or rolls back an operation a killed run left pending, and stops
— touching nothing — when anything is damaged, saying what and how to repair it.

``reparar`` (:func:`repair`) never deletes: a damaged newest revision is moved aside, whole, into
``revisiones/rNNN`` and marked with a ``DANADA.txt``; a damaged earlier revision is marked where it
is; a lost one is recorded as lost; each is a ``repair`` entry of the ledger with the files found.
Afterwards ``verify`` checks that what was set aside stays as it was recorded, and the next run
makes a new revision with the next number.

Hooks for e.firma (and any later check):

* :data:`EXTRA_CHECKERS` — each is called for every revision whose manifest is sound (also by
  the run's gate) and returns its findings: the PDF signatures, the PDFs' embedded files;
* files a manifest cannot list (its own detached signature, ``manifest.json.p7s``) are recorded
  in the ledger by a ``signature`` entry (``ledger.append(dir, "signature", state="completed",
  period=..., revision=..., files={name: sha256})``): ``verify`` then requires them, with those
  hashes, instead of calling them unlisted;
* a revision made by signing goes through :func:`begin` (``kind="signature"``) and :func:`finish`
  like any other.
"""

from __future__ import annotations

import os
import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path

from . import archive, ledger
from .errors import MirbookError
from .manifest import FILE as MANIFEST
from .manifest import Manifest, read as read_manifest
from .model import Period

DAMAGED_MARK = "DANADA.txt"
_REVISION_NAME = re.compile(r"r(\d{3,})")
_PERIOD_KEY = re.compile(r"(\d{4})/T([1-4])")


@dataclass(frozen=True)
class Finding:
    """One thing wrong with the archive, for one period/revision/file."""

    period: str | None
    revision: int | None
    path: str
    text: str
    navigation: bool = False  # a navigation page: ``generar`` rebuilds it, it is not evidence
    source: bool = False  # an input (``--data-dir``) that changed since: not damage to the archive
    location: Path | None = None  # the revision folder concerned (for ``reparar``)

    def message(self) -> str:
        """``2026/T3, revisión 2, 00_resumen.pdf: su contenido cambió …``."""
        where = [self.period or "archivo"]
        if self.revision is not None:
            where.append(f"revisión {self.revision}")
        if self.path:
            where.append(self.path)
        return f"{', '.join(where)}: {self.text}"


@dataclass(frozen=True)
class RevisionView:
    """A revision whose manifest is sound, as the extra checkers receive it."""

    reports_dir: Path
    period: str
    number: int
    folder: Path
    manifest: Manifest
    ca: list | None = None  #: trusted CA certificates for the signatures (``verificar --ca``), if any


#: Further checks run on every sound revision (signatures, embedded files…): ``checker(view)``
#: returns findings. The e.firma module registers its checker here.
Checker = Callable[[RevisionView], Iterable[Finding]]


def signature_findings(view: RevisionView) -> list[Finding]:
    """The e.firma and archival-PDF checks of a revision (:func:`mirbook.firma.archive_checks`): its
    PDF signatures, the signatures its manifest records, ``manifest.json.p7s`` and the files
    embedded in its PDFs, which must equal the archived ones."""
    from .firma import archive_checks

    return [Finding(view.period, view.number, line.split(": ", 1)[0], line.split(": ", 1)[-1], location=view.folder)
            for line in archive_checks(view.folder, view.manifest, view.ca)]


EXTRA_CHECKERS: list[Checker] = [signature_findings]


@dataclass
class Report:
    """What ``verify`` found."""

    checked: int = 0
    findings: list[Finding] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    ca: list | None = None  #: the trusted CA certificates verify was given (signatures)

    @property
    def evidence(self) -> list[Finding]:
        """The findings about evidence (not navigation pages)."""
        return [f for f in self.findings if not (f.navigation or f.source)]


def _sha(path: Path) -> str:
    return archive.sha256_file(path)


def _files(folder: Path, top: bool) -> dict[str, Path]:
    """Every file below a revision folder (without the later ones when it is a period's top level)."""
    out = {}
    for path in sorted(folder.rglob("*")):
        rel = path.relative_to(folder)
        if top and rel.parts[0] == archive.REVISIONS:
            continue
        if path.is_file() or path.is_symlink():
            out[rel.as_posix()] = path
    return out


def _check_revision(report: Report, reports_dir: Path, key: str, number: int | None, folder: Path,
                    top: bool, manifest_sha: str | None, side_files: dict[str, str] | None = None) -> Manifest | None:
    """Manifest and listed files of one revision folder; returns the manifest when it is sound."""
    report.checked += 1
    file = folder / MANIFEST

    def add(path: str, text: str, navigation: bool = False) -> None:
        report.findings.append(Finding(key, number, path, text, navigation=navigation, location=folder))

    if not file.is_file():
        add(MANIFEST, "falta el manifiesto de la revisión")
        return None
    if manifest_sha is not None and _sha(file) != manifest_sha:
        add(MANIFEST, "el manifiesto fue modificado o está dañado (su sha256 no es el que guarda el registro)")
    manifest = read_manifest(folder)
    if manifest is None:
        add(MANIFEST, "el manifiesto no se puede leer (no es JSON o no es un manifiesto de mirbook)")
        return None
    actual = _files(folder, top)
    actual.pop(MANIFEST)
    for rel, digest in sorted((side_files or {}).items()):  # recorded by the ledger, beside the manifest
        path = actual.pop(rel, None)
        if path is None:
            add(rel, "falta (está en el registro del archivo)")
        elif _sha(path) != digest:
            add(rel, "su contenido cambió (sha256 distinto al del registro del archivo)")
    for rel, digest in sorted(manifest.salidas.items()):
        if rel not in actual:
            add(rel, "falta (está en el manifiesto)")
        elif _sha(actual[rel]) != digest:
            add(rel, "su contenido cambió (sha256 distinto al del manifiesto)")
    for rel in sorted(set(actual) - set(manifest.salidas)):
        if rel != archive.NAV_PAGE:  # an unlisted page is navigation: checked by _check_navigation
            add(rel, "no está en el manifiesto (archivo añadido)")
    if manifest_sha is not None and _sha(file) != manifest_sha:
        return None
    for checker in EXTRA_CHECKERS:
        report.findings.extend(checker(RevisionView(reports_dir, key, number or manifest.revision, folder, manifest,
                                                    report.ca)))
    return manifest


def _check_damaged(report: Report, key: str, record: ledger.RevisionRecord, folder: Path, top: bool) -> None:
    """A revision set aside by ``reparar``: it must still hold exactly what was recorded."""
    report.checked += 1
    report.notes.append(f"{key}, revisión {record.number}: apartada como dañada por «mirbook reparar» "
                        f"(vea {folder.name}/{DAMAGED_MARK}).")
    actual = {rel: _sha(p) for rel, p in _files(folder, top).items()} if folder.is_dir() else {}
    if actual != dict(record.files):
        for rel in sorted(set(actual) | set(record.files)):
            if actual.get(rel) != record.files.get(rel):
                report.findings.append(Finding(key, record.number, rel, "cambió después de apartarse como dañada "
                                               "(no coincide con lo que anotó «mirbook reparar» en el registro)",
                                               location=folder))


def _period_keys_on_disk(report: Report, reports_dir: Path) -> list[str]:
    keys = []
    for year in sorted(p for p in reports_dir.iterdir() if p.is_dir() and re.fullmatch(r"\d{4}", p.name)):
        for entry in sorted(year.iterdir()):
            if entry.is_dir() and re.fullmatch(r"T[1-4]", entry.name):
                keys.append(f"{year.name}/{entry.name}")
            elif entry.name != archive.NAV_PAGE:
                report.findings.append(Finding(year.name, None, entry.name,
                                               "no pertenece al archivo (ni periodo ni página de navegación)"))
    return keys


def _locations(folder: Path) -> dict[str, Path]:
    """``{"top" | "rNNN": folder}`` of the revision folders present in a period folder."""
    out: dict[str, Path] = {}
    if any(p.name != archive.REVISIONS for p in folder.iterdir()):
        out["top"] = folder
    older = folder / archive.REVISIONS
    if older.is_dir():
        for entry in sorted(older.iterdir()):
            if entry.is_dir():
                out[entry.name] = entry
    return out


def _check_period(report: Report, reports_dir: Path, key: str, record: ledger.PeriodRecord | None,
                  has_ledger: bool) -> None:
    folder = reports_dir / key
    if not folder.is_dir():
        for number, rev in sorted(record.revisions.items()) if record is not None else ():
            if rev.status == "lost":
                report.notes.append(f"{key}, revisión {number}: perdida (anotada por «mirbook reparar»).")
        if record is not None and any(r.status == "ok" for r in record.revisions.values()):
            numbers = ", ".join(str(n) for n, r in sorted(record.revisions.items()) if r.status == "ok")
            report.findings.append(Finding(key, None, "", f"falta la carpeta del periodo (el registro tiene las "
                                           f"revisiones {numbers})"))
        return
    present = _locations(folder)
    older = folder / archive.REVISIONS
    if older.is_dir():
        for entry in sorted(older.iterdir()):
            if not entry.is_dir() and entry.name != archive.NAV_PAGE:
                report.findings.append(Finding(key, None, f"{archive.REVISIONS}/{entry.name}",
                                               "no pertenece al archivo (no es una revisión)"))
    if record is not None:
        for number, rev in sorted(record.revisions.items()):
            place = "top" if number == record.top else f"r{number:03d}"
            location = present.pop(place, None)
            if rev.status == "lost":
                report.notes.append(f"{key}, revisión {number}: perdida (anotada por «mirbook reparar»).")
                continue
            if rev.status == "damaged":
                _check_damaged(report, key, rev, location or folder / archive.REVISIONS / place, place == "top")
                continue
            if location is None:
                where = "la carpeta del periodo" if place == "top" else f"{archive.REVISIONS}/{place}"
                report.findings.append(Finding(key, number, "", f"falta la revisión (debía estar en {where})"))
                continue
            _check_revision(report, reports_dir, key, number, location, place == "top", rev.manifest, rev.side_files)
    elif has_ledger:
        report.findings.append(Finding(key, None, "", "el periodo no está en el registro del archivo"))
    for place, location in present.items():
        manifest = read_manifest(location)
        number = manifest.revision if manifest else None
        if has_ledger:
            report.findings.append(Finding(key, number, "" if place == "top" else f"{archive.REVISIONS}/{place}",
                                           "revisión que no está en el registro del archivo", location=location))
        _check_revision(report, reports_dir, key, number, location, place == "top", None)


def _check_navigation(report: Report, reports_dir: Path) -> None:
    from .site import navigation_pages

    for page, html in navigation_pages(reports_dir).items():
        rel = page.relative_to(reports_dir).as_posix()
        if not page.is_file():
            text = "falta la página de navegación (se regenera con «mirbook generar»)"
        elif page.read_bytes() != html.encode("utf-8"):
            text = "la página de navegación no coincide con el archivo (fue modificada, o es de otra versión de mirbook)"
        else:
            continue
        report.findings.append(Finding(None, None, rel, text, navigation=True))


def _check_inputs(report: Report, reports_dir: Path, data_dir: Path, state: ledger.State | None) -> None:
    for key in sorted(k for k in _period_keys_on_disk(Report(), reports_dir)):
        folder = reports_dir / key
        manifest = read_manifest(folder)
        if manifest is None:
            continue
        for label, digest in sorted(manifest.entradas.items()):
            if not label.startswith("datos/"):
                continue
            path = data_dir / label.removeprefix("datos/")
            if not path.is_file():
                text = f"la entrada {path} ya no existe"
            elif _sha(path) != digest:
                text = f"la entrada {path} cambió desde que se archivó la revisión (sha256 distinto)"
            else:
                continue
            report.findings.append(Finding(key, manifest.revision, label, text, source=True))


def verify(reports_dir: Path, data_dir: Path | None = None, navigation: bool = True,
           ca: list | None = None) -> Report:
    """Check the whole archive (see the module docstring); every problem is one finding.
    ``ca``: trusted CA certificates; every signature must then chain to one of them."""
    reports_dir = Path(reports_dir)
    report = Report(ca=ca)
    if not reports_dir.exists():
        report.findings.append(Finding(None, None, str(reports_dir), "no existe la carpeta del archivo"))
        return report
    if not reports_dir.is_dir():
        report.findings.append(Finding(None, None, str(reports_dir), "no es una carpeta"))
        return report
    try:
        keys = _period_keys_on_disk(report, reports_dir)
    except OSError as exc:
        report.findings.append(Finding(None, None, str(reports_dir), f"no se puede leer la carpeta ({exc.strerror})"))
        return report
    state: ledger.State | None = None
    has_ledger = ledger.exists(reports_dir)
    if has_ledger:
        try:
            state = ledger.fold(ledger.read(reports_dir))
        except ledger.LedgerError as exc:
            report.findings.append(Finding(None, None, ledger.FILE, str(exc)))
    elif keys:
        report.notes.append("El archivo no tiene registro (registro.jsonl): es de una versión anterior de mirbook; "
                            "«mirbook generar» lo adopta en su próxima ejecución si está íntegro.")
    if state is not None:
        for entry in state.pending:
            report.findings.append(Finding(entry.period, entry.revision, "", "una ejecución se interrumpió y dejó esta "
                                           "revisión pendiente (la termina o la anula la próxima ejecución de "
                                           "«mirbook generar»)"))
    records = state.periods if state is not None else {}
    from .export import read_export  # an unzipped «mirbook exportar»: the periods it leaves out are not damage

    exported = read_export(reports_dir)
    for key in sorted(set(keys) | set(records)):
        if exported is not None and key not in keys and key not in exported.incluidos:
            continue  # "no incluido" (cmd_verify says so), not a missing period
        _check_period(report, reports_dir, key, records.get(key), state is not None)
    if navigation and not report.evidence and (keys or has_ledger):  # an empty folder has no pages yet
        _check_navigation(report, reports_dir)
    if data_dir is not None:
        _check_inputs(report, reports_dir, Path(data_dir), state)
    return report


# --- the run's gate ------------------------------------------------------------------------------

REPAIR_HINT = ("Nada se modificó. Revise el archivo con «mirbook verificar --reports-dir {dir}»; para apartar lo "
               "dañado sin borrar nada y poder seguir archivando, ejecute «mirbook reparar --reports-dir {dir}» "
               "(vea docs/recuperacion.md).")


def _damage_error(reports_dir: Path, intro: str, findings: list[Finding]) -> MirbookError:
    lines = [intro] + [f"  - {f.message()}" for f in findings] + [REPAIR_HINT.format(dir=reports_dir)]
    return MirbookError("\n".join(lines))


# The empty placeholder git users leave so that a folder survives a clone: a folder holding only it is
# as empty as a new one (a clone's ``reports/`` was refused as foreign by the first ``make report``).
PLACEHOLDERS = (".gitkeep",)


def _is_empty(reports_dir: Path) -> bool:
    """Nothing in it but what a run of mirbook itself holds while it runs (staging, the lock file
    of the portable lock, which is removed when the run ends) and empty placeholders."""
    from .portable import LOCK_FILE

    return all(p.name in (archive.STAGING, LOCK_FILE) or (p.name in PLACEHOLDERS and p.is_file()
                                                          and p.stat().st_size == 0)
               for p in reports_dir.iterdir())


def _looks_like_mirbook(reports_dir: Path) -> bool:
    return any(reports_dir.glob(f"[0-9][0-9][0-9][0-9]/T[1-4]/{MANIFEST}")) or any(
        reports_dir.glob(f"[0-9][0-9][0-9][0-9]/T[1-4]/{archive.REVISIONS}/*/{MANIFEST}"))


def foreign_error(reports_dir: Path) -> MirbookError:
    return MirbookError(
        f"La carpeta {reports_dir} no está vacía y no es un archivo de mirbook (no tiene registro.jsonl ni "
        "periodos con manifest.json). No se modificó nada. Indique una carpeta vacía o nueva con --reports-dir, "
        "o la carpeta de un archivo de mirbook.")


def prepare(reports_dir: Path) -> ledger.State:
    """Before a run writes anything (under the lock): make sure the folder is a sound mirbook archive.

    A new or empty folder is fine (the ledger is created with the first revision); a sound archive
    from before the ledger is adopted; a pending operation is completed or cancelled. Raises
    :class:`MirbookError` — having changed nothing — for a foreign folder or a damaged archive.
    """
    reports_dir = Path(reports_dir)
    if not ledger.exists(reports_dir):
        if _is_empty(reports_dir):
            archive.recover(reports_dir)
            return ledger.State()
        if not _looks_like_mirbook(reports_dir):
            raise foreign_error(reports_dir)
        findings = verify(reports_dir, navigation=False).evidence
        if findings:
            raise _damage_error(reports_dir, f"El archivo {reports_dir} es de una versión anterior de mirbook (sin "
                                "registro) y no se puede adoptar porque no está íntegro:", findings)
        archive.recover(reports_dir)
        adopt(reports_dir)
    try:
        entries = ledger.read(reports_dir)
    except ledger.LedgerError as exc:
        raise _damage_error(reports_dir, f"No se puede usar el archivo {reports_dir}:", [
            Finding(None, None, ledger.FILE, str(exc))]) from None
    archive.recover(reports_dir)
    state = ledger.fold(entries)
    if state.pending:
        settle_pending(reports_dir, state)
        state = ledger.fold(ledger.read(reports_dir))
    findings = verify(reports_dir, navigation=False).evidence
    if findings:
        raise _damage_error(reports_dir, f"El archivo {reports_dir} está dañado; no se archivó nada:", findings)
    return state


def adopt(reports_dir: Path) -> None:
    """Record every revision of a sound pre-ledger archive (``adoption`` entries)."""
    for key in _period_keys_on_disk(Report(), reports_dir):
        folder = reports_dir / key
        for place, location in sorted(_locations(folder).items(), key=lambda kv: kv[0] == "top"):
            manifest = read_manifest(location)
            if manifest is None:
                continue
            ledger.append(reports_dir, "adoption", state=ledger.COMPLETED, period=key, revision=manifest.revision,
                          manifest=_sha(location / MANIFEST),
                          notes=["adoptada: archivada antes de que el archivo tuviera registro"])


def settle_pending(reports_dir: Path, state: ledger.State) -> None:
    """Finish (the swap happened) or cancel (it did not) what a killed run left pending."""
    for entry in state.pending:
        assert entry.period is not None
        top = reports_dir / entry.period / MANIFEST
        current = _sha(top) if top.is_file() else None
        record = state.periods.get(entry.period)
        before = record.revisions[record.top].manifest if record and record.top in record.revisions else None
        common = dict(kind=entry.kind, ref=entry.seq, period=entry.period, revision=entry.revision,
                      manifest=entry.manifest)
        if current == entry.manifest:
            ledger.append(reports_dir, state=ledger.COMPLETED, notes=[
                "completada por la ejecución siguiente: la anterior se interrumpió después de archivarla"], **common)
        elif current == before:
            ledger.append(reports_dir, state=ledger.CANCELLED, notes=[
                "anulada: la ejecución se interrumpió antes de archivarla; el periodo quedó como estaba"], **common)


def begin(reports_dir: Path, key: str, revision: int, manifest: bytes, kind: str = "revision",
          notes: Iterable[str] = ()) -> ledger.Entry:
    """The pending entry of a revision about to be swapped into place (``kind="signature"`` for a
    revision made by signing)."""
    return ledger.append(reports_dir, kind, state=ledger.PENDING, period=key, revision=revision,
                         manifest=ledger.sha256_bytes(manifest), notes=list(notes))


def finish(reports_dir: Path, pending: ledger.Entry, files: dict[str, str] | None = None) -> None:
    """The completed entry of a revision now in place; ``files``: its side files (``{name: sha256}``,
    e.g. the manifest's detached signature), which its manifest cannot list."""
    ledger.append(reports_dir, pending.kind, state=ledger.COMPLETED, ref=pending.seq, period=pending.period,
                  revision=pending.revision, manifest=pending.manifest, files=files or {})


def fault(point: str) -> None:
    """Fault injection for the tests: ``MIRBOOK_FAULT=<point>`` kills the run (SIGKILL) right there."""
    if os.environ.get("MIRBOOK_FAULT") == point:
        import signal

        os.kill(os.getpid(), signal.SIGKILL)


def period_key(period: Period) -> str:
    """``2026/T3``: how the ledger names a period."""
    return f"{period.year}/{period.label}"


# --- reparar -------------------------------------------------------------------------------------


def _mark(folder: Path, lines: list[str]) -> None:
    text = ("Esta revisión se encontró dañada y «mirbook reparar» la apartó aquí sin borrar nada.\n"
            "Lo que se encontró:\n" + "".join(f"- {line}\n" for line in lines) +
            "Sus archivos se conservan tal como estaban; el registro del archivo (registro.jsonl) anota cada uno "
            "con su sha256.\n")
    archive.write_atomic(folder / DAMAGED_MARK, text)


def _aside_name(folder: Path, number: int) -> Path:
    target = folder / archive.REVISIONS / f"r{number:03d}"
    suffix = 1
    while target.exists():
        target = folder / archive.REVISIONS / f"r{number:03d}-danada-{suffix}"
        suffix += 1
    return target


def repair(reports_dir: Path) -> list[str]:
    """Set aside what is damaged, record it in the ledger, delete nothing; returns what was done (Spanish)."""
    reports_dir = Path(reports_dir)
    done: list[str] = []
    if not reports_dir.is_dir():
        raise MirbookError(f"No existe la carpeta del archivo {reports_dir}.")
    if not ledger.exists(reports_dir) and not _is_empty(reports_dir) and not _looks_like_mirbook(reports_dir):
        raise foreign_error(reports_dir)
    try:
        state = ledger.fold(ledger.read(reports_dir))
    except ledger.LedgerError as exc:
        kept = reports_dir / f"registro-danado-{datetime.now():%Y%m%dT%H%M%S}.jsonl"
        os.rename(ledger.path(reports_dir), kept)
        done.append(f"{exc} Se conservó como {kept.name} y se empezó un registro nuevo con lo que está íntegro.")
        state = ledger.State()
    archive.recover(reports_dir)
    if state.pending:
        settle_pending(reports_dir, state)
        state = ledger.fold(ledger.read(reports_dir))
    if not ledger.exists(reports_dir):
        _adopt_sound(reports_dir, done)
        state = ledger.fold(ledger.read(reports_dir)) if ledger.exists(reports_dir) else ledger.State()
    for entry in state.pending:  # neither finished nor cancellable: the folder holds something else
        ledger.append(reports_dir, entry.kind, state=ledger.CANCELLED, ref=entry.seq, period=entry.period,
                      revision=entry.revision, manifest=entry.manifest,
                      notes=["anulada por «mirbook reparar»: el periodo no tiene ni la revisión pendiente ni la anterior"])
        done.append(f"{entry.period}, revisión {entry.revision}: la operación pendiente se anuló.")
    state = ledger.fold(ledger.read(reports_dir)) if ledger.exists(reports_dir) else state
    report = verify(reports_dir, navigation=False)
    by_place: dict[tuple[str, Path], list[Finding]] = {}
    for finding in report.evidence:
        if finding.period is None or not _PERIOD_KEY.fullmatch(finding.period):
            done.append(f"Sin reparar (revíselo a mano): {finding.message()}")
            continue
        if finding.location is None:
            continue
        by_place.setdefault((finding.period, finding.location), []).append(finding)
    for (key, location), findings in sorted(by_place.items(), key=lambda kv: (kv[0][0], str(kv[0][1]))):
        record = state.period(key)
        folder = reports_dir / key
        lines = [f.message() for f in findings]
        number = next((f.revision for f in findings if f.revision is not None), None)
        if number is None:
            match = _REVISION_NAME.fullmatch(location.name)
            number = int(match.group(1)) if match and location != folder else record.last_number + 1
        if location == folder:
            aside = _aside_name(folder, number)
            aside.mkdir(parents=True)
            for entry in sorted(folder.iterdir()):
                if entry.name != archive.REVISIONS:
                    os.rename(entry, aside / entry.name)
            lines.append(f"la revisión {number} se movió de {key}/ a {aside.relative_to(reports_dir).as_posix()}/")
            location = aside
        _mark(location, lines)
        files = {rel: _sha(p) for rel, p in _files(location, False).items()}
        known = record.revisions.get(number)
        ledger.append(reports_dir, "repair", state=ledger.COMPLETED, status="damaged", period=key, revision=number,
                      manifest=known.manifest if known else None, files=files, notes=lines)
        state = ledger.fold(ledger.read(reports_dir))
        done.append(f"{key}, revisión {number}: dañada; apartada y marcada en "
                    f"{location.relative_to(reports_dir).as_posix()}/{DAMAGED_MARK}.")
    for finding in report.evidence:  # what is gone: recorded as lost
        if finding.location is not None or finding.period is None or finding.period not in state.periods:
            continue
        record = state.periods[finding.period]
        numbers = [finding.revision] if finding.revision is not None else [
            n for n, r in sorted(record.revisions.items()) if r.status == "ok"]
        for number in numbers:
            ledger.append(reports_dir, "repair", state=ledger.COMPLETED, status="lost", period=finding.period,
                          revision=number, manifest=record.revisions[number].manifest, notes=[finding.message()])
            done.append(f"{finding.period}, revisión {number}: perdida (no está en el archivo; no se puede "
                        "recuperar); se anotó en el registro.")
    from .site import rebuild_site

    rebuild_site(reports_dir)
    return done


def _adopt_sound(reports_dir: Path, done: list[str]) -> None:
    """A pre-ledger archive (or one whose ledger was damaged): record the revisions that are sound."""
    report = verify(reports_dir, navigation=False)
    damaged = {f.location for f in report.evidence if f.location is not None}
    for key in _period_keys_on_disk(Report(), reports_dir):
        for place, location in sorted(_locations(reports_dir / key).items(), key=lambda kv: kv[0] == "top"):
            manifest = read_manifest(location)
            if manifest is None or location in damaged:
                continue
            ledger.append(reports_dir, "adoption", state=ledger.COMPLETED, period=key, revision=manifest.revision,
                          manifest=_sha(location / MANIFEST), notes=["adoptada por «mirbook reparar»"])
            done.append(f"{key}, revisión {manifest.revision}: íntegra; se anotó en el registro.")
    if not ledger.exists(reports_dir):
        ledger.append(reports_dir, "repair", state=ledger.COMPLETED, notes=["registro iniciado por «mirbook reparar»"])
