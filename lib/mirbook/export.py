"""``mirbook exportar``: a ZIP of archived periods that an auditor can check without mirbook.

Why a module of its own: an audit (the ASF, an internal control body) receives a copy of part
of the archive and must be able to check it with standard tools, years later, without
installing mirbook. So the package carries, beside the period folders as archived (every
revision, manifests and their signatures, byte for byte):

* the navigation pages rebuilt for the periods it holds (links never point outside the copy);
* the archive's ledger, if there is one at the root of the reports folder (``registro*``);
* :data:`EXPORT_FILE` — which periods it holds and which archived ones it leaves out, so that
  ``mirbook verificar`` on an unzipped export says "no incluido" for those instead of reporting
  them as missing (:func:`read_export`, :func:`export_notes`);
* :data:`SUMS` — one ``sha256  path`` line per file, for ``sha256sum -c``;
* :data:`README` — in Spanish, how to check all of it with ``sha256sum``, ``pdfsig``,
  ``pdfdetach`` and ``openssl cms``.

The ZIP has one top folder (the output file's name without ``.zip``) and is written through a
temporary file, so an interrupted export leaves no half ZIP behind. Nothing in the archive is
changed.
"""

from __future__ import annotations

import json
import os
import shutil
import tempfile
import zipfile
from dataclasses import dataclass
from pathlib import Path

from . import __version__, archive
from .errors import MirbookError
from .formatting import datetime_es
from .model import Period
from .paths import period_dir
from .provenance import now

EXPORT_FILE = "exportacion.json"
README = "LEEME.txt"
SUMS = "SHA256SUMS"
LEDGER_PATTERNS = ("registro*", "ledger*")  # the archive's ledger (issue 15), whatever its extension


@dataclass(frozen=True)
class ExportInfo:
    """What an export says it holds (its :data:`EXPORT_FILE`)."""

    incluidos: tuple[str, ...]  # "2026/T1"
    no_incluidos: tuple[str, ...]  # archived periods left out of the export

    def includes(self, period: Period) -> bool:
        """Whether ``period`` is part of the export (the others are "no incluido", not damage)."""
        return f"{period.year}/{period.label}" in self.incluidos


@dataclass(frozen=True)
class ExportOutcome:
    """What ``exportar`` wrote."""

    out: Path
    periods: list[Period]
    files: int


def read_export(reports_dir: Path) -> ExportInfo | None:
    """The :data:`EXPORT_FILE` of an unzipped export; ``None`` for an archive (or an unreadable file)."""
    path = Path(reports_dir) / EXPORT_FILE
    try:
        raw = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    if not isinstance(raw, dict):
        return None
    return ExportInfo(tuple(str(p) for p in raw.get("incluidos", [])),
                      tuple(str(p) for p in raw.get("no_incluidos", [])))


def export_notes(reports_dir: Path) -> tuple[list[str], list[str]]:
    """For ``verificar`` on an export: ``(notes, problems)`` in Spanish.

    Notes: each archived period the export leaves out ("no incluido"). Problems: a period the
    export says it includes whose folder or manifest is missing.
    """
    info = read_export(reports_dir)
    if info is None:
        return [], []
    notes = [f"{label}: no incluido en esta exportación (según {EXPORT_FILE}); no se verificó."
             for label in info.no_incluidos]
    problems = [f"{label}: falta el periodo (según {EXPORT_FILE} está incluido en la exportación)"
                for label in info.incluidos if not (Path(reports_dir) / label / archive.MANIFEST).is_file()]
    return notes, problems


def _selected(reports_dir: Path, year: int, quarter: int | None) -> tuple[list[Period], list[Period]]:
    archived = sorted(archive.archived_periods(reports_dir))
    chosen = [p for p in archived if p.year == year and (quarter is None or p.quarter == quarter)]
    return chosen, [p for p in archived if p not in chosen]


def _ledger_files(reports_dir: Path) -> list[Path]:
    return sorted({p for pattern in LEDGER_PATTERNS for p in reports_dir.glob(pattern) if p.is_file()})


def _sums(folder: Path) -> str:
    lines = [f"{archive.sha256_file(p)}  {p.relative_to(folder).as_posix()}"
             for p in sorted(folder.rglob("*")) if p.is_file() and p.name != SUMS]
    return "\n".join(lines) + "\n"


def readme(top: str, periods: list[Period], left_out: list[Period], ledger: list[str], when: str) -> str:
    """The Spanish instructions of an export (:data:`README`)."""
    example = f"{periods[0].year}/{periods[0].label}"
    held = ", ".join(f"{p.year}/{p.label}" for p in periods)
    out = ", ".join(f"{p.year}/{p.label}" for p in left_out) or "ninguno"
    ledger_line = (f"- {', '.join(ledger)}: la bitácora del archivo completo, tal como estaba al exportar.\n"
                   if ledger else "")
    return f"""EXPORTACIÓN DEL ARCHIVO DE REPORTES DE LA MIR
Unidad de Política Migratoria — evaluación trimestral de la Matriz de Indicadores para Resultados

Generada el {when} con mirbook {__version__}.
Periodos incluidos: {held}.
Periodos archivados que NO se incluyeron: {out}.

QUÉ CONTIENE
- <año>/<trimestre>/: la revisión más reciente del periodo, tal como se archivó (reportes HTML y
  PDF, indicadores.csv, validacion.html, cuadernos/ con los cuadernos ejecutados) y, en
  revisiones/rNNN/, cada revisión anterior completa. Ningún archivo se modificó al exportar.
- manifest.json (uno por revisión): con qué entradas, código y versiones se hizo la revisión y,
  en «salidas», el sha256 de cada archivo de la revisión. Si la revisión está firmada, «firmas»
  dice quién firmó cada PDF (rol, nombre, RFC, número de serie del certificado, fecha).
- manifest.json.p7s (solo en revisiones firmadas): firma electrónica (CMS) del manifest.json.
  Un manifiesto no puede incluir su propia firma: por eso este archivo no está en «salidas».
- index.html: páginas de navegación, regeneradas para los periodos de esta exportación
  (no están en los manifiestos). Abra index.html en cualquier navegador, sin conexión.
{ledger_line}- {EXPORT_FILE}: qué periodos incluye esta exportación y cuáles quedaron fuera.
- {SUMS}: el sha256 de cada archivo de la exportación (salvo él mismo).
- {README}: estas instrucciones.

CÓMO COMPROBARLA SIN MIRBOOK
(Las órdenes son de Linux; en macOS use «shasum -a 256» en lugar de «sha256sum». Ejecútelas
dentro de la carpeta {top}/ que se obtiene al descomprimir el ZIP.)

1. Que la copia está completa y sin cambios:
       sha256sum -c {SUMS}
   Cada línea debe terminar en «La suma coincide» (o «OK»); al final no debe haber avisos.

2. Que cada archivo es el que registró su manifiesto, por ejemplo:
       sha256sum {example}/indicadores.csv
   y compare el resultado con el valor de "indicadores.csv" en «salidas» de
   {example}/manifest.json. Lo mismo vale para cada archivo de cada revisión.

3. Las firmas electrónicas (e.firma) de un PDF (pdfsig, del paquete poppler-utils):
       pdfsig {example}/00_resumen.pdf
   Cada firma debe decir «Signature is Valid»; la última, además, «Total document signed»
   (las anteriores cubren su propia revisión del documento). Sin la autoridad certificadora
   instalada, pdfsig puede decir que el certificado no es de confianza: eso no significa que
   el documento cambió; la confianza se comprueba con el certificado de la autoridad (paso 4).

4. La firma del manifiesto de una revisión firmada (OpenSSL):
       cd {example}
       openssl cms -verify -binary -inform DER -content manifest.json -in manifest.json.p7s -noverify -out /dev/null
   «Verification successful» significa que manifest.json no cambió desde que se firmó.
   Para comprobar además que el certificado lo emitió una autoridad certificadora (por
   ejemplo, los certificados raíz del SAT, en ac.pem):
       openssl cms -verify -binary -inform DER -content manifest.json -in manifest.json.p7s -CAfile ac.pem -purpose any -out /dev/null

5. Los datos que lleva cada PDF (PDF/A-3: indicadores.csv, procedencia.json y validacion.html
   adjuntos) son los del archivo:
       pdfdetach -saveall -o /tmp/adjuntos {example}/00_resumen.pdf
       cmp /tmp/adjuntos/indicadores.csv {example}/indicadores.csv
       cmp /tmp/adjuntos/validacion.html {example}/validacion.html
   procedencia.json repite, con las mismas claves, la parte de manifest.json que dice de qué
   entradas, código y versiones salieron las cifras (no las salidas: un PDF no puede llevar su
   propio sha256).

CON MIRBOOK
       mirbook verificar --reports-dir {top} [--ca ac.pem]
   comprueba todo lo anterior de una vez; los periodos que no se incluyeron aparecen como
   «no incluido», no como daños.
"""


def export(reports_dir: Path, year: int, quarter: int | None, out: Path) -> ExportOutcome:
    """Write the ZIP of the year's (or one period's) archived folders to ``out``."""
    reports_dir, out = Path(reports_dir), Path(out)
    label = f"{year}" + (f" T{quarter}" if quarter else "")
    if not reports_dir.is_dir():
        raise MirbookError(f"No existe la carpeta del archivo de reportes: {reports_dir}.")
    if out.suffix.lower() != ".zip":
        raise MirbookError(f"El archivo de salida debe terminar en .zip: {out}.")
    from .site import rebuild_site

    top = out.stem
    with archive.locked(reports_dir), tempfile.TemporaryDirectory(prefix="mirbook-exportar-") as tmp:
        periods, left_out = _selected(reports_dir, year, quarter)
        if not periods:
            raise MirbookError(f"No hay periodos archivados de {label} en {reports_dir}; no se exportó nada.")
        root = Path(tmp) / top
        root.mkdir()
        for period in periods:
            shutil.copytree(period_dir(reports_dir, period), period_dir(root, period), symlinks=False)
        ledger = _ledger_files(reports_dir)
        for path in ledger:
            shutil.copy2(path, root / path.name)
        rebuild_site(root)
        moment = now()
        info = {"mirbook": __version__, "exportado": moment.isoformat(timespec="seconds"), "anio": year,
                "periodo": f"T{quarter}" if quarter else None,
                "incluidos": [f"{p.year}/{p.label}" for p in periods],
                "no_incluidos": [f"{p.year}/{p.label}" for p in left_out]}
        (root / EXPORT_FILE).write_text(json.dumps(info, ensure_ascii=False, indent=2) + "\n", encoding="utf-8")
        (root / README).write_text(readme(top, periods, left_out, [p.name for p in ledger], datetime_es(moment)),
                                   encoding="utf-8")
        (root / SUMS).write_text(_sums(root), encoding="utf-8")
        files = sorted(p for p in root.rglob("*") if p.is_file())
        out.parent.mkdir(parents=True, exist_ok=True)
        fd, partial = tempfile.mkstemp(prefix=f".{out.name}.", suffix=".tmp", dir=out.parent)
        try:
            with os.fdopen(fd, "wb") as handle, zipfile.ZipFile(handle, "w", zipfile.ZIP_DEFLATED) as bundle:
                for path in files:
                    bundle.write(path, path.relative_to(root.parent).as_posix())
            os.chmod(partial, 0o644)
            os.replace(partial, out)
        except BaseException:
            Path(partial).unlink(missing_ok=True)
            raise
    return ExportOutcome(out, periods, len(files))
