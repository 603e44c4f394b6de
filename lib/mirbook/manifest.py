"""The manifest of an archived revision (``manifest.json``): one typed, frozen record, versioned.

Why a module of its own: the manifest is written by the run and read by the archive's
``verify``, the navigation pages and the next run (is anything new?). Each of them used to
read the raw JSON with ``.get()`` and its own idea of what an old manifest lacks. Here the
shape is stated once (:class:`Manifest`), older manifests are brought to it in one place
(:func:`upgrade`), and everyone reads attributes.

Versions (``schema_version``):

* 1 — every manifest written before the field existed (it has no ``schema_version``). Some
  of the oldest list ``cuadernos`` as plain names, or lack the semáforo counts; none names
  the institution or the programme;
* 2 — ``institucion`` and ``programa`` (from ``params/mir.yaml`` at run time),
  ``cuadernos`` as ``{nombre, titulo}``, all four semáforo counts;
* 3 — ``motivo``, why the revision exists (``generar --motivo``; ``"sin
  motivo"`` when a new revision of an archived period was made without one, empty for a
  first revision). Older manifests read with an empty ``motivo``.
  A revision made by ``mirbook firmar`` (``motivo`` ``"firma"``) also has ``firmado`` (when)
  and ``firmas`` (every e.firma signature of its PDFs, :class:`Firma`); these two keys are
  written only when set. Beside such a manifest, :data:`SIGNATURE` is its detached CMS
  signature — the one file of a revision folder that no manifest can list;
* 4 — ``salidas`` also lists the period page ``index.html`` (it shows the
  figures, so it is evidence). In older revisions that page is navigation, unlisted, and
  ``verify`` checks it by rendering it again;
* 5 — the current form: also ``anios_datos``, the year folders of the data folder when the
  revision was made (part of its fingerprint), and ``entradas`` holds, besides the period's
  and the previous year's files, every data file a notebook read through ``mirbook.datos``.
  Older manifests read with an empty ``anios_datos`` (their fingerprint was made without
  it, so the next run of their period makes a new revision).

A manifest on disk is never rewritten: :func:`upgrade` only changes what is read. The
encoding (:meth:`Manifest.to_bytes`) is stable — sorted keys, UTF-8, two-space indent —
so the same revision always gives the same bytes.
"""

from __future__ import annotations

import csv
import json
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path

from .model import SEMAFOROS

FILE = "manifest.json"
SIGNATURE = FILE + ".p7s"  # the detached CMS signature of manifest.json, beside it (mirbook.firma)
SCHEMA_VERSION = 5
#: The motivo recorded when a new revision of an archived period is made without one.
SIN_MOTIVO = "sin motivo"


class ManifestError(ValueError):
    """A file that is not a manifest at all (not a JSON object, no ``salidas`` table)."""


@dataclass(frozen=True)
class Parametros:
    """The run's parameters, as given (paths as the user wrote them)."""

    year: int
    period: str
    data_dir: str
    reports_dir: str


@dataclass(frozen=True)
class GitState:
    """The project's commit when the revision was made, and whether the tree had changes."""

    commit: str | None = None
    sucio: bool | None = None


@dataclass(frozen=True)
class Cuaderno:
    """One notebook report of the revision: ``<nombre>.html``/``.pdf`` and its title."""

    nombre: str
    titulo: str


@dataclass(frozen=True)
class Firma:
    """One e.firma signature of one report PDF, as ``mirbook firmar`` recorded it."""

    archivo: str  # the PDF, relative to the revision folder
    rol: str  # Elaboró | Revisó | Autorizó
    firmante: str
    rfc: str
    curp: str
    serie: str  # certificate serial number, hex
    certificado_sha256: str
    fecha: str  # ISO 8601, the signing time
    sha256: str  # of the PDF right after this signature

    def to_dict(self) -> dict[str, str]:
        return {"archivo": self.archivo, "rol": self.rol, "firmante": self.firmante, "rfc": self.rfc,
                "curp": self.curp, "serie": self.serie, "certificado_sha256": self.certificado_sha256,
                "fecha": self.fecha, "sha256": self.sha256}

    @classmethod
    def from_dict(cls, raw: Mapping) -> "Firma":
        return cls(**{name: str(raw.get(name, "") or "") for name in cls.__dataclass_fields__})


@dataclass(frozen=True)
class Manifest:
    """What one revision was made from and what it contains (every artifact with its sha256)."""

    mirbook: str
    anio: int
    periodo: str
    revision: int
    huella: str | None
    parametros: Parametros
    entradas: Mapping[str, str]
    codigo: Mapping[str, str]
    salidas: Mapping[str, str]
    paquetes: Mapping[str, str]
    python: str
    git: GitState
    inicio: str
    fin: str
    cuadernos: tuple[Cuaderno, ...]
    semaforos: Mapping[str, int]
    indicadores: Mapping[str, str]
    avisos: tuple[str, ...]
    informacion: tuple[str, ...]
    demo: bool
    revisiones_anteriores: tuple[str, ...]
    institucion: str
    programa: str
    motivo: str = ""
    schema_version: int = field(default=SCHEMA_VERSION)
    firmado: str | None = None  # when ``mirbook firmar`` made it
    firmas: tuple[Firma, ...] = ()
    anios_datos: tuple[int, ...] = ()

    def to_dict(self) -> dict:
        """The JSON object of ``manifest.json``."""
        out = {
            "schema_version": self.schema_version,
            "mirbook": self.mirbook,
            "anio": self.anio,
            "periodo": self.periodo,
            "revision": self.revision,
            "huella": self.huella,
            "parametros": {
                "year": self.parametros.year, "period": self.parametros.period,
                "data_dir": self.parametros.data_dir, "reports_dir": self.parametros.reports_dir,
            },
            "entradas": dict(self.entradas),
            "codigo": dict(self.codigo),
            "salidas": dict(self.salidas),
            "paquetes": dict(self.paquetes),
            "python": self.python,
            "git": {"commit": self.git.commit, "sucio": self.git.sucio},
            "inicio": self.inicio,
            "fin": self.fin,
            "cuadernos": [{"nombre": c.nombre, "titulo": c.titulo} for c in self.cuadernos],
            "semaforos": dict(self.semaforos),
            "indicadores": dict(self.indicadores),
            "avisos": list(self.avisos),
            "informacion": list(self.informacion),
            "demo": self.demo,
            "revisiones_anteriores": list(self.revisiones_anteriores),
            "institucion": self.institucion,
            "programa": self.programa,
            "motivo": self.motivo,
            "anios_datos": list(self.anios_datos),
        }
        if self.firmado is not None:
            out["firmado"] = self.firmado
        if self.firmas:
            out["firmas"] = [f.to_dict() for f in self.firmas]
        return out

    def to_bytes(self) -> bytes:
        """Stable JSON encoding (what is written to ``manifest.json``)."""
        return (json.dumps(self.to_dict(), ensure_ascii=False, indent=2, sort_keys=True) + "\n").encode("utf-8")


@lru_cache(maxsize=1)
def names_from_params() -> tuple[str, str]:
    """``(institucion, programa)`` of the current ``params/mir.yaml``; empty when it cannot be read."""
    from .errors import MirbookError
    from .workbook import load_params

    try:
        mir = load_params().mir
    except (MirbookError, OSError):
        return "", ""
    return mir.institucion, mir.programa


def _counts_from_table(folder: Path | None) -> dict[str, int]:
    """Semáforo counts from the revision's ``indicadores.csv`` (for manifests without them)."""
    path = folder / "indicadores.csv" if folder is not None else None
    rows: list[dict[str, str]] = []
    if path is not None and path.is_file():
        with open(path, encoding="utf-8", newline="") as handle:
            rows = list(csv.DictReader(handle))
    return {k: sum(1 for r in rows if r.get("semaforo") == k) for k in SEMAFOROS}


def _table(value: object) -> dict[str, str]:
    return {str(k): str(v) for k, v in value.items()} if isinstance(value, dict) else {}


def _texts(value: object) -> tuple[str, ...]:
    return tuple(str(v) for v in value) if isinstance(value, list) else ()


def upgrade(raw: object, folder: Path | None = None,
            names: Callable[[], tuple[str, str]] = names_from_params) -> Manifest:
    """Turn a manifest as read from JSON (any version) into the current :class:`Manifest`.

    Every fix for an older form lives here: a missing field takes the value the readers
    used to assume, ``cuadernos`` given as plain names get the name as their title, missing
    semáforo counts are counted from the revision's ``indicadores.csv`` (``folder``), and a
    version-1 manifest takes ``institucion``/``programa`` from ``names()`` (the current
    ``params/mir.yaml``). Raises :class:`ManifestError` when ``raw`` is not a manifest.
    """
    if not isinstance(raw, dict):
        raise ManifestError("not a JSON object")
    salidas = raw.get("salidas")
    if not isinstance(salidas, dict):
        raise ManifestError("no «salidas» table")
    version = raw.get("schema_version", 1)
    if not isinstance(version, int) or version > SCHEMA_VERSION:
        raise ManifestError(f"unknown schema_version {version!r}")
    params = raw.get("parametros") if isinstance(raw.get("parametros"), dict) else {}
    git = raw.get("git") if isinstance(raw.get("git"), dict) else {}
    cuadernos = tuple(
        Cuaderno(str(i.get("nombre", "")), str(i.get("titulo") or i.get("nombre", "")))
        if isinstance(i, dict) else Cuaderno(str(i), str(i))
        for i in (raw.get("cuadernos") if isinstance(raw.get("cuadernos"), list) else [])
    )
    counts = raw.get("semaforos")
    if isinstance(counts, dict):
        semaforos = {k: int(counts.get(k, 0) or 0) for k in SEMAFOROS}
    else:
        semaforos = _counts_from_table(folder)
    if version >= 2:
        institucion, programa = str(raw.get("institucion", "")), str(raw.get("programa", ""))
    else:
        institucion, programa = names()
    return Manifest(
        mirbook=str(raw.get("mirbook", "")),
        anio=int(raw.get("anio", 0) or 0),
        periodo=str(raw.get("periodo", "")),
        revision=int(raw.get("revision", 1)),
        huella=raw.get("huella") if isinstance(raw.get("huella"), str) else None,
        parametros=Parametros(
            year=int(params.get("year", 0) or 0), period=str(params.get("period", "")),
            data_dir=str(params.get("data_dir") or ""), reports_dir=str(params.get("reports_dir") or ""),
        ),
        entradas=_table(raw.get("entradas")),
        codigo=_table(raw.get("codigo")),
        salidas=_table(salidas),
        paquetes=_table(raw.get("paquetes")),
        python=str(raw.get("python", "")),
        git=GitState(git.get("commit"), git.get("sucio")),
        inicio=str(raw.get("inicio", "")),
        fin=str(raw.get("fin", "")),
        cuadernos=cuadernos,
        semaforos=semaforos,
        indicadores=_table(raw.get("indicadores")),
        avisos=_texts(raw.get("avisos")),
        informacion=_texts(raw.get("informacion")),
        demo=bool(raw.get("demo")),
        revisiones_anteriores=_texts(raw.get("revisiones_anteriores")),
        institucion=institucion,
        programa=programa,
        motivo=str(raw.get("motivo") or "") if version >= 3 else "",
        firmado=raw.get("firmado") if isinstance(raw.get("firmado"), str) else None,
        firmas=tuple(Firma.from_dict(f) for f in (raw.get("firmas") if isinstance(raw.get("firmas"), list) else [])
                     if isinstance(f, dict)),
        anios_datos=tuple(y for y in raw.get("anios_datos") or [] if isinstance(y, int)) if version >= 5 else (),
    )


def read(folder: Path) -> Manifest | None:
    """The manifest of a revision folder in its current form, or ``None`` when there is no
    readable manifest (no file, not JSON, not a manifest, or a newer schema)."""
    path = Path(folder) / FILE
    if not path.is_file():
        return None
    try:
        return upgrade(json.loads(path.read_text(encoding="utf-8")), Path(folder))
    except (OSError, ValueError, TypeError):
        return None
