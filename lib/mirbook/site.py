"""The reviewers' navigation pages, rebuilt from the archived manifests.

* ``<reports>/index.html`` — every archived year and period, newest first, each with its semáforo
  summary (counts and a strip of the ten indicators) and direct links to the period page, every
  report (HTML and PDF), the validation and the earlier revisions;
* ``<reports>/<year>/index.html`` — the same for one year;
* ``<reports>/<year>/T<q>/index.html`` — the period page: the MIR at a glance, the reports,
  who signed each PDF (the manifest's ``firmas``), the validation, the data files and what
  changed against the previous revision;
* ``…/revisiones/index.html`` — the list of a period's revisions;
* ``…/revisiones/rNNN/index.html`` — the period page of each earlier revision.

So every report of every period, including earlier revisions, is at most two clicks from
``<reports>/index.html``: index → report, or index → revision page → report.

The period page shows the figures, so it is **evidence**: it is rendered in the staging folder
before the swap (:func:`period_page`), listed with its sha256 in the revision's manifest and
carried byte for byte into ``revisiones/`` when a newer revision arrives — frozen at archive
time. So its content depends on nothing that changes later: it links only to its own files and
up to ``../index.html`` (the year index while it is the newest, the ``revisiones/`` list once it
is an earlier revision); the previous/next period and the list of revisions live on the
navigation pages. The root, year and ``revisiones/`` indexes (and the pages of revisions
archived before period pages were evidence, which are not in their manifests) are navigation:
:func:`navigation_pages` renders them from the archive, :func:`rebuild_site` writes them and
``verify`` compares them.

Pages are static (no JavaScript), self-contained (CSS inline, nothing from the network),
``lang="es"``, readable at 360 px (wide tables turn into stacked cards) and printable. They are
the templates ``templates/site/*.html.j2`` (rendered by :mod:`mirbook.templating`, with the
reports' badges and legend from ``templates/macros.html.j2``) and use the reports' stylesheet plus
``templates/site/*.css`` (:func:`mirbook.style.site_css`), so they look like the reports. They are
deterministic: they depend only on the manifests and files of the archive, so rebuilding an
unchanged archive rewrites nothing.
"""

from __future__ import annotations

import csv
import posixpath
from dataclasses import dataclass
from pathlib import Path

from . import archive, entradas, style, templating
from .formatting import date_es, datetime_es, period_es
from .manifest import Cuaderno, Manifest, names_from_params
from .model import SEMAFOROS, Period
from .paths import period_dir

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
        return {k: self.manifest.semaforos[k] for k in SEMAFOROS}

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


def revision_of(period: Period, folder: Path, manifest: Manifest) -> Revision:
    """A revision folder with its manifest (possibly still in staging)."""
    return Revision(period, folder, manifest, _rows(folder))


def load_revision(period: Period, folder: Path) -> Revision | None:
    """Read one revision folder (``None`` when it has no readable manifest)."""
    manifest = archive.read_manifest(folder)
    if manifest is None:
        return None
    return revision_of(period, folder, manifest)


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


def _names(rev: Revision | None) -> tuple[str, str]:
    """``(institucion, programa)`` of a revision's manifest; of ``params/mir.yaml`` without one."""
    return (rev.institucion, rev.programa) if rev is not None and rev.institucion else names_from_params()


def site_title(names: tuple[str, str]) -> str:
    """``Evaluación trimestral de la MIR — <institución>``."""
    return f"Evaluación trimestral de la MIR — {names[0]}"


def _page(template: str, names: tuple[str, str], **context) -> str:
    institucion, programa = names
    return templating.render(f"site/{template}.j2", css=style.site_css(), CAMPOS=CAMPOS,
                             ANTETITULO=f"{programa} · {institucion}", **context)


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
        (archive.MANIFEST_SIGNATURE, "Firma del manifiesto (manifest.json.p7s)",
         "Firma electrónica (CMS) de manifest.json; se comprueba con «openssl cms -verify»."),
    ]
    # manifest.json and its signature are listed even before they are written (the page is made
    # in staging, and it is itself among what the manifest lists and the signature covers)
    signed = bool(rev.manifest.firmas)
    out = [{"href": name, "titulo": title, "detalle": detail,
            "size": _size(rev.folder / name) if (rev.folder / name).is_file() and name != "manifest.json" else ""}
           for name, title, detail in fixed
           if (rev.folder / name).is_file() or name == "manifest.json"
           or (name == archive.MANIFEST_SIGNATURE and signed)]
    for path in sorted((rev.folder / archive.NOTEBOOKS_SUBDIR).glob("*.ipynb")):
        title = titles.get(path.stem)
        out.append({
            "href": path.relative_to(rev.folder).as_posix(),
            "titulo": f"Cuaderno ejecutado: {path.name}",
            "detalle": (f"{title}: " if title else "") + "el cuaderno de Jupyter con sus resultados, tal como se ejecutó.",
            "size": _size(path),
        })
    return out


def _signatures(rev: Revision, base: str = "") -> list[dict]:
    """Every e.firma signature of the revision's PDFs, in the order they were made."""
    titles = {f"{nb.nombre}.pdf": nb.titulo or nb.nombre for nb in rev.reports}
    return [{"documento": titles.get(f.archivo, f.archivo), "href": base + f.archivo, "rol": f.rol,
             "firmante": f.firmante, "rfc": f.rfc or "—", "fecha": datetime_es(f.fecha) if f.fecha else "—"}
            for f in rev.manifest.firmas]


def _signers(rev: Revision) -> list[dict]:
    """The signatures grouped by role and signer, each with the PDFs it covers (for the index)."""
    groups: dict[tuple[str, str, str], dict] = {}
    for entry in _signatures(rev):
        group = groups.setdefault((entry["rol"], entry["firmante"], entry["rfc"]), dict(entry, documentos=[]))
        group["documentos"].append(entry["documento"])
        group["fecha"] = entry["fecha"]
    total = sum(1 for nb in rev.reports if f"{nb.nombre}.pdf" in rev.manifest.salidas)
    for group in groups.values():
        group["todos"] = len(group["documentos"]) == total
    return list(groups.values())


def period_page(rev: Revision, previous: Revision | None) -> str:
    """HTML of a period page (the evidence page of one revision, frozen when it is archived).

    ``rev.folder`` may be the staging folder: every link is relative to the page's own folder.
    """
    period = rev.period
    return _page(
        "period.html",
        _names(rev),
        title=f"{_label(period)} — revisión {rev.number} — {site_title(_names(rev))}",
        heading=f"Evaluación de la MIR — {period_es(period.year, period.quarter)}",
        period=period,
        label=_label(period),
        corte=f"Cifras acumuladas del 1 de enero al {date_es(period.end)}.",
        cierre=date_es(period.end),
        rev=rev,
        documents=_documents(rev),
        signatures=_signatures(rev),
        data_files=_data_files(rev),
        changes=_changes(rev, previous),
        motivo=rev.manifest.motivo,
        perspectiva=_rows(rev.folder, "perspectiva.csv"),
        avisos=list(rev.manifest.avisos),
        informacion=list(rev.manifest.informacion),
        demo=rev.manifest.demo,
        fuente=_data_source(rev.manifest, period.year),
        generado=rev.generated,
    )


def _revisions_page(period: Period, revisions: list[Revision], top: Revision | None) -> str:
    """HTML of ``<period>/revisiones/index.html``: every revision of the period, newest first."""
    rows = [{"number": r.number, "when": r.generated, "newest": r is top, "counts": r.counts,
             "href": "../index.html" if r is top else f"{r.folder.name}/index.html"} for r in reversed(revisions)]
    newest = top or revisions[-1]
    names = _names(newest)
    return _page("revisiones.html", names, title=f"{_label(period)} — revisiones — {site_title(names)}",
                 heading=f"Revisiones del {period_es(period.year, period.quarter)}", period=period,
                 rows=rows, has_top=top is not None, demo=newest.manifest.demo,
                 fuente=_data_source(newest.manifest, period.year), generado=newest.generated)


def _index_page(summaries: list[tuple[Period, Revision, list[Revision]]], year: int | None = None) -> str:
    """HTML of ``<reports>/index.html`` (or, with ``year``, of ``<reports>/<year>/index.html``);
    ``summaries`` oldest first."""
    years: dict[int, list] = {}
    for period, newest, older in reversed(summaries):
        base = f"{period.year}/{period.label}/" if year is None else f"{period.label}/"
        years.setdefault(period.year, []).append({
            "period": period,
            "label": _label(period),
            "href": base + "index.html",
            "rev": newest,
            "documents": _documents(newest, base),
            "signers": _signers(newest),
            "validation": base + "validacion.html" if (newest.folder / "validacion.html").is_file() else None,
            "older": [{"number": o.number, "href": f"{base}{o.folder.relative_to(newest.folder).as_posix()}/index.html",
                       "when": o.generated} for o in reversed(older)],
            "corte": date_es(period.end),
        })
    latest = max((s[1].manifest.fin for s in summaries), default="")
    sources = sorted({_data_source(s[1].manifest, s[0].year).split(":")[0] for s in summaries})
    names = _names(summaries[-1][1] if summaries else None)
    return _page(
        "index.html",
        names,
        title=site_title(names) if year is None else f"{year} — {site_title(names)}",
        heading="Reportes trimestrales archivados" if year is None else f"Reportes trimestrales archivados de {year}",
        up_href=None if year is None else "../index.html",
        year=year,
        years=sorted(years.items(), reverse=True),
        count=len(summaries),
        demo=any(s[1].manifest.demo for s in summaries),
        generado=datetime_es(latest) if latest else "—",
        fuente=(", ".join(sources) + " (programación, registros y justificaciones de cada año); "
                "las huellas de cada archivo están en el manifest.json de cada periodo") if sources else "—",
    )


def navigation_pages(reports_dir: Path) -> dict[Path, str]:
    """Every navigation page of the archive with the HTML it must have now."""
    reports_dir = Path(reports_dir)
    pages: dict[Path, str] = {}
    summaries = []
    for period in sorted(archive.archived_periods(reports_dir) + _set_aside(reports_dir)):  # oldest first
        folder = period_dir(reports_dir, period)
        revisions = [r for r in (load_revision(period, f) for f in archive.period_revisions(folder)) if r]
        if not revisions:
            continue
        top = revisions[-1] if revisions[-1].folder == folder else None
        for position, rev in enumerate(revisions):
            if archive.NAV_PAGE not in rev.manifest.salidas:  # archived before pages were evidence
                pages[rev.folder / archive.NAV_PAGE] = period_page(rev, revisions[position - 1] if position else None)
        if (folder / archive.REVISIONS).is_dir():
            pages[folder / archive.REVISIONS / archive.NAV_PAGE] = _revisions_page(period, revisions, top)
        if top is not None:
            summaries.append((period, top, revisions[:-1]))
    for year in sorted({p.year for p, _, _ in summaries}):
        pages[reports_dir / str(year) / archive.NAV_PAGE] = _index_page([s for s in summaries if s[0].year == year], year)
    pages[reports_dir / archive.NAV_PAGE] = _index_page(summaries)
    return pages


def _set_aside(reports_dir: Path) -> list[Period]:
    """Periods without a top-level revision (``mirbook reparar`` set it aside) that still have earlier ones."""
    out = []
    for folder in reports_dir.glob(f"[0-9][0-9][0-9][0-9]/T[1-4]/{archive.REVISIONS}"):
        period_folder = folder.parent
        if not (period_folder / archive.MANIFEST).is_file():
            out.append(Period(int(period_folder.parent.name), int(period_folder.name[1])))
    return out


def rebuild_site(reports_dir: Path) -> list[Path]:
    """Regenerate every navigation page of the archive; returns the pages actually rewritten."""
    return [page for page, html in navigation_pages(reports_dir).items() if archive.write_atomic(page, html)]
