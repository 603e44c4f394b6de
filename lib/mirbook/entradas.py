"""The normalised snapshot of a revision's input tables, and what changed record by record.

Why: a director asks *why is there a revision 2*. The manifest's hashes say which files
changed, not which records. So each revision archives its inputs as typed rows
(``entradas/programacion.csv``, ``registros.csv``, ``justificaciones.csv``,
``ajustes.csv``: one row per record, values as mirbook read them, plus the file and the
row they came from), and :func:`cambios` compares two snapshots:

* registros by ``folio``: added, removed, changed (which field, before → after);
* ajustes by their cell and date: added, removed, justificación changed (or programado);
* justificaciones by (indicador, trimestre), programación by its cell: added, removed, changed.

Snapshots are read back as text only, so a revision archived by an older mirbook (without
``entradas/``) simply has nothing to compare.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable, Sequence
from dataclasses import asdict, dataclass, fields
from datetime import date
from pathlib import Path

from .model import Ajuste, Justificacion, Programacion, Registro, YearData

SUBDIR = "entradas"
#: Per table: the record type and the fields that identify a record across revisions.
TABLES: dict[str, tuple[type, tuple[str, ...]]] = {
    "programacion": (Programacion, ("indicador", "unidad_responsable", "trimestre")),
    "registros": (Registro, ("folio",)),
    "justificaciones": (Justificacion, ("indicador", "trimestre")),
    "ajustes": (Ajuste, ("indicador", "unidad_responsable", "trimestre", "fecha")),
}
#: Columns that locate a record, not part of its content (``origen``: file, sheet and row).
WHERE = ("archivo", "fila", "origen")


def columns(name: str) -> tuple[str, ...]:
    """The snapshot's columns of table ``name``: where it came from, then the record's fields."""
    kind, _ = TABLES[name]
    located = tuple(f.name for f in fields(kind) if f.name == "origen")
    return ("archivo", "fila") + located + tuple(f.name for f in fields(kind) if f.name not in ("fila", "origen"))


def _text(value: object) -> str:
    return value.isoformat() if isinstance(value, date) else str(value)


def to_csv(name: str, records: Iterable[object], archivo: str) -> str:
    """The snapshot of one table as CSV text (``\\n`` line endings, UTF-8 when written)."""
    buffer = io.StringIO(newline="")
    writer = csv.DictWriter(buffer, fieldnames=columns(name), lineterminator="\n")
    writer.writeheader()
    for record in records:
        values = asdict(record)
        row = {"archivo": archivo, "fila": str(values.pop("fila"))}
        row.update({k: _text(v) for k, v in values.items()})
        writer.writerow(row)
    return buffer.getvalue()


def snapshot(data: YearData) -> dict[str, str]:
    """``{relative path: CSV text}`` of every table of the year (tables not delivered are empty)."""
    out = {}
    for name in TABLES:
        path = data.archivos.get(name)
        out[f"{SUBDIR}/{name}.csv"] = to_csv(name, getattr(data, name), path.name if path else "")
    return out


def write(data: YearData, folder: Path) -> list[Path]:
    """Write the snapshot into ``folder/entradas/`` (the folder is a staging one)."""
    written = []
    for relative, text in snapshot(data).items():
        target = Path(folder) / relative
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_text(text, encoding="utf-8", newline="")
        written.append(target)
    return written


def read(folder: Path, name: str) -> list[dict[str, str]] | None:
    """The snapshot rows of one table of a revision folder; ``None`` when it has none."""
    path = Path(folder) / SUBDIR / f"{name}.csv"
    if not path.is_file():
        return None
    with open(path, encoding="utf-8", newline="") as handle:
        return list(csv.DictReader(handle))


@dataclass(frozen=True)
class Cambio:
    """One record added, removed or changed between two revisions.

    ``clave``: the record's identity as shown (a folio; ``A1.1 · DRII · T2 · 2026-05-10``);
    ``campos``: for a change, (field, before, after) of every field that differs; ``archivo``
    and ``fila`` locate the record in the newer revision (the older one when removed).
    """

    tabla: str
    tipo: str  # "agregado", "eliminado", "modificado"
    clave: str
    archivo: str
    fila: str
    campos: tuple[tuple[str, str, str], ...] = ()


def _key(row: dict[str, str], key: Sequence[str]) -> tuple[str, ...]:
    return tuple(row.get(k, "") for k in key)


def compare(name: str, old: list[dict[str, str]], new: list[dict[str, str]]) -> list[Cambio]:
    """Records of table ``name`` added, removed and changed from ``old`` to ``new`` (new's order first)."""
    _, key = TABLES[name]
    content = [c for c in columns(name) if c not in WHERE and c not in key]
    before = {_key(r, key): r for r in old}
    after = {_key(r, key): r for r in new}
    out = []
    for k, row in after.items():
        shown = " · ".join(f"T{v}" if field == "trimestre" else v for field, v in zip(key, k))
        previous = before.get(k)
        if previous is None:
            out.append(Cambio(name, "agregado", shown, row["archivo"], row["fila"]))
            continue
        diffs = tuple((c, previous.get(c, ""), row.get(c, "")) for c in content if previous.get(c, "") != row.get(c, ""))
        if diffs:
            out.append(Cambio(name, "modificado", shown, row["archivo"], row["fila"], diffs))
    for k, row in before.items():
        if k not in after:
            shown = " · ".join(f"T{v}" if field == "trimestre" else v for field, v in zip(key, k))
            out.append(Cambio(name, "eliminado", shown, row["archivo"], row["fila"]))
    return out


def cambios(old_folder: Path, new_folder: Path) -> dict[str, list[Cambio]] | None:
    """Per table, what changed between two revision folders; ``None`` when either lacks a snapshot."""
    out = {}
    for name in TABLES:
        old, new = read(old_folder, name), read(new_folder, name)
        if old is None or new is None:
            return None
        out[name] = compare(name, old, new)
    return out
