"""The reviewers' navigation pages, rebuilt from the archived manifests.

* ``<reports>/index.html`` — every archived year and period, newest first, each with its semáforo
  summary (counts and a strip of the ten indicators) and direct links to the period page, every
  report (HTML and PDF), the validation and the earlier revisions;
* ``<reports>/<year>/T<q>/index.html`` — the period page: the MIR at a glance, the reports,
  the validation, the data files, the previous and next period, and what changed;
* ``…/revisiones/rNNN/index.html`` — the same page for each earlier revision.

So every report of every period, including earlier revisions, is at most two clicks from
``<reports>/index.html``: index → report, or index → revision page → report.

Pages are static (no JavaScript), self-contained (CSS inline, nothing from the network),
``lang="es"``, readable at 360 px (wide tables turn into stacked cards) and printable. They are
the templates ``templates/site/*.html.j2`` (rendered by :mod:`mirbook.templating`, with the
reports' badges and legend from ``templates/macros.html.j2``) and use the reports' stylesheet plus
``templates/site/*.css`` (:func:`mirbook.style.site_css`), so they look like the reports. They are
deterministic: they depend only on the manifests and files of the archive, so rebuilding an unchanged archive rewrites nothing. They are navigation and are not listed in the
manifests.
"""

from __future__ import annotations

import csv
import posixpath
from dataclasses import dataclass
from pathlib import Path

from . import archive, entradas, style, templating
from .formatting import date_es, datetime_es, period_es
from .manifest import Cuaderno, Manifest
from .model import Period
from .paths import period_dir

SITE_TITLE = "Evaluación trimestral de la MIR — Unidad de Política Migratoria"
ANTETITULO = "Matriz de Indicadores para Resultados (MIR) · Unidad de Política Migratoria"
ORDEN_SEMAFORO = templating.ORDEN_SEMAFORO
#: Spanish names of the indicadores.csv columns shown in "what changed".
CAMPOS = {
    "realizado": "Realizado",
    "programado": "Programado",
    "avance_pct": "Avance",
    "cumplimiento_pct": "Cumplimiento",
    "semaforo": "Semáforo",
}


@dataclass(frozen=True)
class Revision:
    """One archived revision of a period, as the pages need it."""

    period: Period
    folder: Path
    manifest: Manifest
    rows: list[dict[str, str]]

    @property
    def number(self) -> int:
        return self.manifest.revision

    @property
    def reports(self) -> tuple[Cuaderno, ...]:
        """The notebook reports of this revision (``nombre``, ``titulo``)."""
        return self.manifest.cuadernos

    @property
    def counts(self) -> dict[str, int]:
        """Indicators per semáforo value."""
        return {k: self.manifest.semaforos[k] for k in ORDEN_SEMAFORO}

    @property
    def generated(self) -> str:
        """When the revision was made, in Spanish."""
        return datetime_es(self.manifest.fin) if self.manifest.fin else "—"

    @property
    def reporting(self) -> int:
        """How many indicators report in the period."""
        return sum(1 for r in self.rows if r.get("reporta") == "true")

    @property
    def institucion(self) -> str:
        """The institution named in the revision's parameters (``params/mir.yaml`` when it was made)."""
        return self.manifest.institucion

    @property
    def programa(self) -> str:
        """The programme named in the revision's parameters."""
        return self.manifest.programa


def _rows(folder: Path, name: str = "indicadores.csv") -> list[dict[str, str]]:
    path = folder / name
    if not path.is_file():
        return []
    with open(path, encoding="utf-8", newline="") as handle:
        return list(csv.DictReader(handle))


def load_revision(period: Period, folder: Path) -> Revision | None:
    """Read one revision folder (``None`` when it has no readable manifest)."""
    manifest = archive.read_manifest(folder)
    if manifest is None:
        return None
    return Revision(period, folder, manifest, _rows(folder))


def _size(path: Path) -> str:
    """A file's size for people: ``812 B``, ``14 KB``, ``1.2 MB``."""
    size = path.stat().st_size
    if size < 1024:
        return f"{size} B"
    if size < 1024 * 1024:
        return f"{round(size / 1024):,} KB"
    return f"{size / (1024 * 1024):,.1f} MB"


def _label(period: Period) -> str:
    """``Tercer trimestre de 2026``."""
    return period_es(period.year, period.quarter).capitalize()


def _data_source(manifest: Manifest, year: int) -> str:
    """``data/2026: programacion.csv, registros.csv`` — the inputs of one year, as the reports say it."""
    prefix = f"datos/{year}/"
    order = {"programacion": 0, "registros": 1, "justificaciones": 2, "ajustes": 3, "shcp_oficial": 4}
    files = sorted((k[len(prefix):] for k in manifest.entradas if k.startswith(prefix)),
                   key=lambda name: (order.get(name.rsplit(".", 1)[0], len(order)), name))
    folder = Path(manifest.parametros.data_dir or "datos").name or "datos"
    return f"{folder}/{year}: {', '.join(files)}" if files else f"{folder}/{year}"


# --- templates -----------------------------------------------------------------------------------


def _page(template: str, **context) -> str:
    return templating.render(f"site/{template}.j2", css=style.site_css(), site_title=SITE_TITLE,
                             CAMPOS=CAMPOS, ANTETITULO=ANTETITULO, **context)


def _changes(current: Revision, previous: Revision | None) -> dict | None:
    """What changed against the previous revision: input files, code and indicator figures."""
    if previous is None:
        return None
    old_inputs, new_inputs = previous.manifest.entradas, current.manifest.entradas
    files = sorted(k for k in set(old_inputs) | set(new_inputs) if old_inputs.get(k) != new_inputs.get(k))
    old_rows = {r["clave"]: r for r in previous.rows}
    indicators = []
    for row in current.rows:
        old = old_rows.get(row["clave"])
        diffs = [(f, old.get(f, "") if old else "", row.get(f, "")) for f in CAMPOS if not old or old.get(f) != row.get(f)]
        if diffs:
            indicators.append((row["clave"], diffs))
    old_code, new_code = previous.manifest.codigo, current.manifest.codigo
    code = sorted(k for k in set(old_code) | set(new_code) if old_code.get(k) != new_code.get(k))
    return {"revision": previous.number, "files": files, "indicators": indicators, "code": code,
            "records": entradas.cambios(previous.folder, current.folder)}


def _documents(rev: Revision, base: str = "") -> list[dict]:
    """The reports of a revision, each with its HTML and PDF link (``None`` when the file is missing)."""
    out = []
    for nb in rev.reports:
        entry = {"titulo": nb.titulo or nb.nombre, "nombre": nb.nombre}
        for ext in ("html", "pdf"):
            path = rev.folder / f"{nb.nombre}.{ext}"
            entry[ext] = f"{base}{path.name}" if path.is_file() else None
            entry[f"{ext}_size"] = _size(path) if path.is_file() else ""
        out.append(entry)
    return out


def _data_files(rev: Revision) -> list[dict]:
    """The traceability files of a revision: validation, indicator table, manifest, executed notebooks."""
    titles = {nb.nombre: nb.titulo for nb in rev.reports}
    fixed = [
        ("validacion.html", "Reporte de validación de las entradas",
         "Cada comprobación de los archivos de entrada y su resultado."),
        ("captura.html", "Estado de la captura por unidad",
         "Qué entregó cada unidad: archivo, fecha de modificación, filas por tabla, registros contra lo programado."),
        ("registros_periodo.csv", "Registros del periodo (registros_periodo.csv)",
         "Cada producto contado en el periodo con su origen: archivo, hoja y fila de Excel."),
        ("indicadores.csv", "Tabla de indicadores (indicadores.csv)",
         "Los diez indicadores del periodo, en CSV UTF-8; se abre con Excel o LibreOffice."),
        ("perspectiva.csv", "Perspectiva al cierre del año (perspectiva.csv)",
         "Por indicador: productos que faltan para cerrar en verde, margen y proyección al ritmo actual."),
        ("programacion_vigente.csv", "Programación vigente (programacion_vigente.csv)",
         "Cada celda del calendario: programado original y vigente, con la fecha y la justificación del ajuste."),
        ("manifest.json", "Manifiesto de la revisión (manifest.json)",
         "Huellas sha256 de entradas y salidas, versiones de los paquetes y commit del código."),
    ]
    out = [{"href": name, "titulo": title, "detalle": detail, "size": _size(rev.folder / name)}
           for name, title, detail in fixed if (rev.folder / name).is_file()]
    for path in sorted((rev.folder / archive.NOTEBOOKS_SUBDIR).glob("*.ipynb")):
        title = titles.get(path.stem)
        out.append({
            "href": path.relative_to(rev.folder).as_posix(),
            "titulo": f"Cuaderno ejecutado: {path.name}",
            "detalle": (f"{title}: " if title else "") + "el cuaderno de Jupyter con sus resultados, tal como se ejecutó.",
            "size": _size(path),
        })
    return out


def _period_page(rev: Revision, newest: Revision, previous: Revision | None,
                 prev_period: Period | None, next_period: Period | None, history: list[Revision],
                 reports_dir: Path) -> str:
    """HTML of a period page (the newest revision) or of an earlier revision's page."""
    here = rev.folder

    def rel(target: Path) -> str:
        return posixpath.relpath(target.as_posix(), here.as_posix())

    def nav_period(p: Period | None) -> dict | None:
        if p is None:
            return None
        return {"href": rel(period_dir(reports_dir, p)) + "/index.html", "label": _label(p), "short": str(p)}

    period = rev.period
    return _page(
        "period.html",
        title=f"{_label(period)} — revisión {rev.number} — {SITE_TITLE}",
        heading=f"Evaluación de la MIR — {period_es(period.year, period.quarter)}",
        period=period,
        label=_label(period),
        corte=f"Cifras acumuladas del 1 de enero al {date_es(period.end)}.",
        cierre=date_es(period.end),
        rev=rev,
        is_newest=rev is newest,
        newest=newest,
        newest_href=rel(newest.folder) + "/index.html",
        index_href=rel(reports_dir) + "/index.html",
        year_href=rel(reports_dir) + f"/index.html#anio-{period.year}",
        prev=nav_period(prev_period),
        next=nav_period(next_period),
        documents=_documents(rev),
        data_files=_data_files(rev),
        changes=_changes(rev, previous),
        motivo=rev.manifest.motivo,
        perspectiva=_rows(rev.folder, "perspectiva.csv"),
        history=[{"number": h.number, "href": rel(h.folder) + "/index.html", "when": h.generated,
                  "current": h is rev, "newest": h is newest} for h in reversed(history)],
        avisos=list(rev.manifest.avisos),
        informacion=list(rev.manifest.informacion),
        demo=rev.manifest.demo,
        fuente=_data_source(rev.manifest, period.year),
        generado=rev.generated,
    )


def _index_page(summaries: list[tuple[Period, Revision, list[Revision]]]) -> str:
    """HTML of ``<reports>/index.html``; ``summaries`` oldest first."""
    years: dict[int, list] = {}
    for period, newest, older in reversed(summaries):
        base = f"{period.year}/{period.label}/"
        years.setdefault(period.year, []).append({
            "period": period,
            "label": _label(period),
            "href": base + "index.html",
            "rev": newest,
            "documents": _documents(newest, base),
            "validation": base + "validacion.html" if (newest.folder / "validacion.html").is_file() else None,
            "older": [{"number": o.number, "href": f"{base}{o.folder.relative_to(newest.folder).as_posix()}/index.html",
                       "when": o.generated} for o in reversed(older)],
            "corte": date_es(period.end),
        })
    latest = max((s[1].manifest.fin for s in summaries), default="")
    sources = sorted({_data_source(s[1].manifest, s[0].year).split(":")[0] for s in summaries})
    return _page(
        "index.html",
        title=SITE_TITLE,
        years=sorted(years.items(), reverse=True),
        count=len(summaries),
        demo=any(s[1].manifest.demo for s in summaries),
        generado=datetime_es(latest) if latest else "—",
        fuente=(", ".join(sources) + " (programación, registros y justificaciones de cada año); "
                "las huellas de cada archivo están en el manifest.json de cada periodo") if sources else "—",
    )


def rebuild_site(reports_dir: Path) -> list[Path]:
    """Regenerate every navigation page of the archive; returns the pages actually rewritten."""
    reports_dir = Path(reports_dir)
    periods = sorted(archive.archived_periods(reports_dir))  # oldest first
    written: list[Path] = []
    summaries = []
    loaded = []
    for period in periods:
        folder = period_dir(reports_dir, period)
        revisions = [r for r in (load_revision(period, f) for f in archive.period_revisions(folder)) if r]
        if revisions:
            loaded.append((period, revisions))
    for index, (period, revisions) in enumerate(loaded):
        newest = revisions[-1]
        prev_period = loaded[index - 1][0] if index > 0 else None
        next_period = loaded[index + 1][0] if index + 1 < len(loaded) else None
        for position, rev in enumerate(revisions):
            page = rev.folder / archive.NAV_PAGE
            html = _period_page(rev, newest, revisions[position - 1] if position else None,
                                prev_period, next_period, revisions, reports_dir)
            if archive.write_atomic(page, html):
                written.append(page)
        summaries.append((period, newest, revisions[:-1]))
    if archive.write_atomic(reports_dir / archive.NAV_PAGE, _index_page(summaries)):
        written.append(reports_dir / archive.NAV_PAGE)
    return written
