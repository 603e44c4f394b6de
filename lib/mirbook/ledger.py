"""The archive's ledger (``<reports>/registro.jsonl``): what the archive must contain, hash-chained.

Why: a manifest describes one revision, but nothing described the archive as a whole, so a
deleted or truncated newest ``manifest.json`` made the next run believe the period was new
(and overwrite ``revisiones/r001``), and a deleted period was simply not there for ``verify``.
The ledger is the archive's memory: every revision ever archived, with the sha256 of its
manifest, in an append-only file whose lines are chained by hash (each line carries the hash
of the line before), so a lost, edited or reordered line is detected.

Format — one JSON object per line, UTF-8, keys sorted::

    {"seq": 0, "kind": "archive", "format": "mirbook-ledger/1", "time": ..., "prev": null, "hash": ...}
    {"seq": 1, "kind": "revision", "state": "pending", "period": "2026/T3", "revision": 1,
     "manifest": "<sha256 of manifest.json>", "time": ..., "notes": [], "prev": "<hash of line 0>", "hash": ...}
    {"seq": 2, "kind": "revision", "state": "completed", "ref": 1, ...same period/revision/manifest...}

* The first line (``kind: archive``) is the marker that makes a folder a mirbook archive.
* ``hash`` is the sha256 of the line's canonical JSON without ``hash``; ``prev`` is the hash of
  the line before. The chain protects against accidents (a line lost or edited), not against
  someone who rewrites the whole file on purpose.
* A revision is written ``pending`` before its swap into place and ``completed`` after. A run
  killed in between leaves the pending line alone; the next run finishes it (the folder holds
  the pending manifest: ``completed``) or rolls it back (the folder still holds the previous
  revision: ``cancelled``).
* ``kind`` is ``revision`` (a run), ``adoption`` (a pre-ledger archive taken in as it was),
  ``repair`` (``mirbook reparar``: a revision found damaged or lost, recorded with the files it
  held) or ``signature`` (reserved for e.firma signatures, see :mod:`mirbook.integrity`).

Writing: every append rewrites the whole file through a temporary file, ``fsync`` and
``os.replace`` (plus an ``fsync`` of the folder). A ledger stays small (a few lines per run),
and this way a crash or a full disk leaves either the old file or the new one, never a torn last
line — ``O_APPEND`` gives no such guarantee on a crash, nor on SMB/NFS shares where the archive
may live.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from pathlib import Path

from .archive import write_atomic
from .errors import MirbookError

FILE = "registro.jsonl"
FORMAT = "mirbook-ledger/1"
PENDING, COMPLETED, CANCELLED = "pending", "completed", "cancelled"
#: Kinds of entries that put a revision in the archive (when completed).
ARCHIVING = ("revision", "adoption", "signature")


class LedgerError(MirbookError):
    """The ledger cannot be read or its chain is broken (Spanish message)."""


@dataclass(frozen=True)
class Entry:
    """One line of the ledger."""

    seq: int
    kind: str
    time: str
    prev: str | None
    hash: str
    state: str | None = None
    period: str | None = None
    revision: int | None = None
    manifest: str | None = None
    ref: int | None = None
    notes: tuple[str, ...] = ()
    files: Mapping[str, str] = field(default_factory=dict)
    status: str | None = None  # repair entries: "damaged" | "lost"
    format: str | None = None

    def body(self) -> dict:
        """The JSON object without ``hash`` (what the hash covers)."""
        out = {"seq": self.seq, "kind": self.kind, "time": self.time, "prev": self.prev}
        for key in ("state", "period", "revision", "manifest", "ref", "status", "format"):
            if getattr(self, key) is not None:
                out[key] = getattr(self, key)
        if self.notes:
            out["notes"] = list(self.notes)
        if self.files:
            out["files"] = dict(self.files)
        return out


def _digest(body: Mapping) -> str:
    return hashlib.sha256(json.dumps(body, ensure_ascii=False, sort_keys=True).encode("utf-8")).hexdigest()


def _line(entry: Entry) -> str:
    return json.dumps({**entry.body(), "hash": entry.hash}, ensure_ascii=False, sort_keys=True) + "\n"


def path(reports_dir: Path) -> Path:
    """Where the ledger of a reports folder is."""
    return Path(reports_dir) / FILE


def exists(reports_dir: Path) -> bool:
    """Whether the folder carries a ledger (is a mirbook archive with a ledger)."""
    return path(reports_dir).is_file()


def read(reports_dir: Path) -> list[Entry]:
    """Every entry, with the chain checked; ``[]`` when there is no ledger.

    Raises :class:`LedgerError` naming the line when a line does not parse, is out of
    sequence, does not chain to the line before or does not match its own hash.
    """
    file = path(reports_dir)
    if not file.exists():
        return []
    try:
        lines = file.read_text(encoding="utf-8").splitlines()
    except (OSError, UnicodeDecodeError) as exc:
        raise LedgerError(f"No se puede leer el registro del archivo {file}: {exc}.") from None
    entries: list[Entry] = []
    for number, text in enumerate(lines, start=1):
        where = f"{file}, línea {number}"
        try:
            raw = json.loads(text)
            entry = Entry(
                seq=raw["seq"], kind=raw["kind"], time=raw["time"], prev=raw["prev"], hash=raw["hash"],
                state=raw.get("state"), period=raw.get("period"), revision=raw.get("revision"),
                manifest=raw.get("manifest"), ref=raw.get("ref"), notes=tuple(raw.get("notes", ())),
                files=dict(raw.get("files", {})), status=raw.get("status"), format=raw.get("format"),
            )
        except (ValueError, KeyError, TypeError, AttributeError):
            raise LedgerError(f"El registro del archivo está dañado ({where}: no es una entrada válida).") from None
        expected_prev = entries[-1].hash if entries else None
        if entry.seq != len(entries) or entry.prev != expected_prev:
            raise LedgerError(f"El registro del archivo está dañado ({where}: falta o sobra una entrada antes "
                              "de esta; la cadena de huellas no continúa).")
        if _digest(entry.body()) != entry.hash:
            raise LedgerError(f"El registro del archivo está dañado ({where}: la entrada fue modificada; "
                              "su huella no coincide).")
        if number == 1 and (entry.kind != "archive" or entry.format != FORMAT):
            raise LedgerError(f"El registro del archivo está dañado ({where}: no empieza con la marca de mirbook).")
        entries.append(entry)
    if not entries:
        raise LedgerError(f"El registro del archivo {file} está vacío.")
    return entries


def _now() -> str:
    """The run's clock (``$SOURCE_DATE_EPOCH`` when set, like the manifests)."""
    from .provenance import now

    return now().isoformat(timespec="seconds")


def append(reports_dir: Path, kind: str, **fields) -> Entry:
    """Add one entry (creating the ledger, with its marker line, when there is none); returns it."""
    entries = read(reports_dir)
    new: list[Entry] = []
    if not entries:
        new.append(_make(0, None, kind="archive", format=FORMAT))
    last = (new or entries)[-1]
    new.append(_make(last.seq + 1, last.hash, kind=kind, **fields))
    text = "".join(_line(e) for e in entries + new)
    write_atomic(path(reports_dir), text, durable=True)
    return new[-1]


def _make(seq: int, prev: str | None, **fields) -> Entry:
    fields.setdefault("time", _now())
    if "notes" in fields:
        fields["notes"] = tuple(fields["notes"])
    draft = Entry(seq=seq, prev=prev, hash="", **fields)
    return Entry(**{**draft.__dict__, "hash": _digest(draft.body())})


# --- what the ledger says the archive holds ------------------------------------------------------


@dataclass
class RevisionRecord:
    """One revision as the ledger knows it."""

    number: int
    manifest: str
    status: str = "ok"  # "ok" | "damaged" (files recorded as found) | "lost"
    files: Mapping[str, str] = field(default_factory=dict)
    notes: tuple[str, ...] = ()
    #: Files beside the manifest that the manifest cannot list (e.g. its own detached signature,
    #: ``manifest.json.p7s``): recorded with their sha256 by ``signature`` entries.
    side_files: dict[str, str] = field(default_factory=dict)


@dataclass
class PeriodRecord:
    """One period as the ledger knows it: its revisions and which one sits at the top level."""

    key: str  # "2026/T3"
    revisions: dict[int, RevisionRecord] = field(default_factory=dict)
    top: int | None = None

    @property
    def last_number(self) -> int:
        """The highest revision number ever used (damaged and lost ones count: numbers only grow)."""
        return max(self.revisions, default=0)


@dataclass
class State:
    """The archive according to its ledger."""

    periods: dict[str, PeriodRecord] = field(default_factory=dict)
    pending: list[Entry] = field(default_factory=list)

    def period(self, key: str) -> PeriodRecord:
        return self.periods.setdefault(key, PeriodRecord(key))


def fold(entries: Iterable[Entry]) -> State:
    """Replay the ledger into the state it describes."""
    state = State()
    open_entries: dict[int, Entry] = {}
    for entry in entries:
        if entry.state == PENDING:
            open_entries[entry.seq] = entry
            continue
        if entry.ref is not None:
            open_entries.pop(entry.ref, None)
        if entry.period is None or entry.revision is None:
            continue
        record = state.period(entry.period)
        if entry.kind in ARCHIVING and entry.state == COMPLETED and entry.manifest:
            record.revisions[entry.revision] = RevisionRecord(entry.revision, entry.manifest)
            record.top = entry.revision
        if entry.kind == "signature" and entry.state == COMPLETED and entry.revision in record.revisions:
            record.revisions[entry.revision].side_files.update(entry.files)
        elif entry.kind == "repair" and entry.status in ("damaged", "lost"):
            known = record.revisions.get(entry.revision)
            record.revisions[entry.revision] = RevisionRecord(
                entry.revision, known.manifest if known else (entry.manifest or ""), entry.status,
                dict(entry.files), entry.notes)
            if record.top == entry.revision:
                record.top = None
    state.pending = sorted(open_entries.values(), key=lambda e: e.seq)
    return state


def sha256_bytes(data: bytes) -> str:
    """Hex sha256 of some bytes."""
    return hashlib.sha256(data).hexdigest()
