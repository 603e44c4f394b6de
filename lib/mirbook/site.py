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
``lang="es"``, readable at 360 px (wide tables turn into stacked cards) and printable. They use
the reports' stylesheet (:func:`mirbook.render.page_css`) and badges, so they look like the
reports. They are deterministic: they depend only on the manifests and files of the archive, so
rebuilding an unchanged archive rewrites nothing. They are navigation and are not listed in the
manifests.
"""

from __future__ import annotations

import csv
import posixpath
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from functools import lru_cache
from pathlib import Path
from string import Template

from . import archive, style
from .formatting import NOMBRES_TRIMESTRE, date_es, datetime_es
from .manifest import Cuaderno, Manifest
from .model import Period
from .paths import period_dir
from .style import NARROW_MEDIA, SEMAFOROS

SITE_TITLE = "Evaluación trimestral de la MIR — Unidad de Política Migratoria"
ANTETITULO = "Matriz de Indicadores para Resultados (MIR) · Unidad de Política Migratoria"
ORDEN_SEMAFORO = ("verde", "amarillo", "rojo", "no_aplica")
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


def _rows(folder: Path) -> list[dict[str, str]]:
    path = folder / "indicadores.csv"
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


# --- formatting helpers (filters of the templates) ----------------------------------------------


def _pct(value: str | None) -> str:
    """``"1066.67"`` → ``1,066.67 %``; empty → ``—``."""
    try:
        return f"{Decimal(value):,.2f} %" if value not in (None, "") else "—"
    except InvalidOperation:
        return str(value)


def _int(value: str | None) -> str:
    """``"1234"`` → ``1,234``; anything else as it is."""
    try:
        return f"{int(value):,}"
    except (TypeError, ValueError):
        return "—" if value in (None, "") else str(value)


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
    return f"{NOMBRES_TRIMESTRE[period.quarter].capitalize()} trimestre de {period.year}"


def _data_source(manifest: Manifest, year: int) -> str:
    """``data/2026: programacion.csv, registros.csv`` — the inputs of one year, as the reports say it."""
    prefix = f"datos/{year}/"
    order = {"programacion": 0, "registros": 1, "justificaciones": 2}
    files = sorted((k[len(prefix):] for k in manifest.entradas if k.startswith(prefix)),
                   key=lambda name: (order.get(name.rsplit(".", 1)[0], 3), name))
    folder = Path(manifest.parametros.data_dir or "datos").name or "datos"
    return f"{folder}/{year}: {', '.join(files)}" if files else f"{folder}/{year}"


# --- templates -----------------------------------------------------------------------------------


@lru_cache(maxsize=1)
def _environment():
    from jinja2 import DictLoader, Environment, select_autoescape

    env = Environment(
        loader=DictLoader(_TEMPLATES),
        autoescape=select_autoescape(default=True, default_for_string=True),
        trim_blocks=True,
        lstrip_blocks=True,
    )
    env.filters.update(pct=_pct, entero=_int)
    env.globals.update(SEMAFOROS=SEMAFOROS, ORDEN=ORDEN_SEMAFORO, CAMPOS=CAMPOS, ANTETITULO=ANTETITULO)
    return env


def _site_css() -> str:
    values = {
        "guinda": style.GUINDA,
        "dorado": style.DORADO,
        "texto": style.TEXTO,
        "texto_suave": style.TEXTO_SUAVE,
        "enlace": style.ENLACE,
        "fondo_suave": style.FONDO_SUAVE,
        "borde": style.BORDE,
    }
    for key, sem in SEMAFOROS.items():
        values[f"{key}_fondo"] = sem.fondo
    return Template(_SITE_CSS).substitute(values) + f"@media {NARROW_MEDIA} {{\n{_SITE_NARROW_CSS}}}\n"


@lru_cache(maxsize=1)
def _css() -> str:
    from .render import page_css

    return page_css() + _site_css()


def _page(template: str, **context) -> str:
    return _environment().get_template(template).render(css=_css(), site_title=SITE_TITLE, **context)


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
    return {"revision": previous.number, "files": files, "indicators": indicators, "code": code}


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
        ("indicadores.csv", "Tabla de indicadores (indicadores.csv)",
         "Los diez indicadores del periodo, en CSV UTF-8; se abre con Excel o LibreOffice."),
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
        heading=f"Evaluación de la MIR — {NOMBRES_TRIMESTRE[period.quarter]} trimestre de {period.year}",
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


# --- stylesheet of the navigation pages (added to the reports' one) -------------------------------

_SITE_CSS = """
/* --- navigation pages (mirbook.site) ---------------------------------------------------------- */
.saltar { position: absolute; left: -100vw; top: .5rem; z-index: 10; background: #FFFFFF; color: ${enlace};
  padding: .45rem .8rem; border: 2px solid ${guinda}; border-radius: .3rem; font-weight: bold; }
.saltar:focus { left: .5rem; }
.visually-hidden { position: absolute !important; width: 1px; height: 1px; margin: -1px; padding: 0; border: 0;
  overflow: hidden; clip: rect(0 0 0 0); clip-path: inset(50%); white-space: nowrap; }
a:focus-visible { outline: 3px solid ${guinda}; outline-offset: 2px; }
header.cabecera { padding-bottom: 0; }
main.pagina { padding-top: 0; }
main:focus { outline: none; }
.migas { font-size: .85rem; color: ${texto_suave}; margin: 0 0 .5rem; }
.migas ol { list-style: none; display: flex; flex-wrap: wrap; gap: .1rem .45rem; margin: 0; padding: 0; }
.migas li + li::before { content: "›"; margin-right: .45rem; color: ${texto_suave}; }
.intro { max-width: 46rem; }
.anios { display: flex; flex-wrap: wrap; gap: .4rem; list-style: none; margin: .6rem 0 0; padding: 0; }
.boton, .anios a {
  display: inline-block; padding: .2rem .6rem; border: 1px solid ${enlace}; border-radius: .3rem;
  background: #FFFFFF; color: ${enlace}; font-weight: bold; text-decoration: none; white-space: nowrap; line-height: 1.4;
}
.boton:hover, .anios a:hover { background: #EAF1FB; text-decoration: underline; }
.boton .formato { font-weight: normal; font-size: .85em; color: ${texto_suave}; }
.falta { color: ${texto_suave}; font-style: italic; }

/* previous / next period */
nav.periodos { display: flex; flex-wrap: wrap; gap: .5rem; justify-content: space-between; margin: .8rem 0 0; }
nav.periodos a, nav.periodos span.vacio {
  flex: 1 1 12rem; display: block; padding: .45rem .7rem; border: 1px solid ${borde}; border-radius: .3rem;
  background: ${fondo_suave}; text-decoration: none; color: ${enlace};
}
nav.periodos span.vacio { color: ${texto_suave}; background: #FFFFFF; border-style: dashed; }
nav.periodos .rumbo { display: block; font-size: .8rem; color: ${texto_suave}; }
nav.periodos a strong { text-decoration: underline; }
nav.periodos .siguiente { text-align: right; }

/* one period on the global index */
.tarjeta-periodo {
  border: 1px solid ${borde}; border-top: .35rem solid ${guinda}; border-radius: .3rem;
  padding: .5rem .9rem .8rem; margin: 1rem 0; background: #FFFFFF; break-inside: avoid; page-break-inside: avoid;
}
.tarjeta-periodo h3 { border: 0; margin: .3rem 0 .15rem; padding: 0; font-size: 1.2rem; }
.tarjeta-periodo h4 { margin: .8rem 0 .3rem; font-size: .92rem; color: ${texto_suave}; }
.meta { color: ${texto_suave}; font-size: .85rem; margin: .1rem 0 .4rem; }
.etiqueta-reciente { display: inline-block; font-size: .75rem; font-weight: bold; color: #FFFFFF; background: ${guinda};
  border-radius: .3rem; padding: .05rem .4rem; vertical-align: middle; margin-left: .3rem; }
.conteos-linea { display: flex; flex-wrap: wrap; gap: .3rem .9rem; list-style: none; margin: .4rem 0; padding: 0; }
.conteos-linea li { white-space: nowrap; }
.conteos-linea .n { font-weight: bold; font-size: 1.15rem; margin-right: .2rem; }
.franja-mini { display: grid; grid-template-columns: repeat(5, minmax(0, 1fr)); gap: .3rem;
  list-style: none; margin: .5rem 0; padding: 0; }
.franja-mini li { border: 1px solid #BFBFBF; border-left-width: .4rem; border-radius: .3rem; padding: .2rem .35rem;
  font-size: .78rem; background: #FFFFFF; }
.franja-mini .clave { display: block; font-weight: bold; }

/* documents: a title and its links, one per row */
ul.documentos { list-style: none; margin: .3rem 0 .6rem; padding: 0; border-top: 1px solid #D9D9D9; }
ul.documentos li { display: flex; flex-wrap: wrap; align-items: center; justify-content: space-between; gap: .3rem .8rem;
  padding: .4rem .1rem; border-bottom: 1px solid #D9D9D9; break-inside: avoid; page-break-inside: avoid; }
ul.documentos .doc { flex: 1 1 16rem; min-width: 0; }
ul.documentos .doc-titulo { font-weight: bold; }
ul.documentos .detalle { display: block; font-size: .85rem; color: ${texto_suave}; }
ul.documentos .enlaces { display: flex; flex-wrap: wrap; gap: .4rem; }
.mas { margin: .5rem 0 0; }

/* the indicator table of a period page */
.tabla-periodo td.indicador { min-width: 14rem; }
.tabla-periodo .nivel { display: block; font-weight: normal; font-size: .85em; color: ${texto_suave}; }
.cambios td, .cambios th { white-space: nowrap; }
tr.actual th, tr.actual td { background: #FFF8E6; }

@media print {
  .saltar, nav.periodos, .anios { display: none !important; }
  header.cabecera, main.pagina { padding: 0; }
  .tarjeta-periodo { border-width: 1px; border-top-width: 3px; margin: .5rem 0; padding: .3rem .6rem .5rem; }
  .franja-mini { grid-template-columns: repeat(5, 1fr); }
  .boton { border: 0; padding: 0; font-weight: normal; color: ${texto}; }
  ul.documentos a::after, .mas a::after { content: " (" attr(href) ")"; font-size: .8em; color: ${texto_suave}; }
  .sem, .etiqueta-reciente { -webkit-print-color-adjust: exact; print-color-adjust: exact; }
  .pie { break-inside: avoid; page-break-inside: avoid; }
}
"""

#: Narrow screens (phones, 360 px): the indicator table becomes one card per indicator.
_SITE_NARROW_CSS = """
.tarjeta-periodo { padding: .4rem .6rem .6rem; }
.franja-mini { grid-template-columns: repeat(auto-fill, minmax(5.6rem, 1fr)); }
nav.periodos .siguiente { text-align: left; }
.tabla table.apilable { min-width: 0; }
table.apilable, table.apilable tbody, table.apilable tr, table.apilable th, table.apilable td, table.apilable caption { display: block; }
table.apilable thead { position: absolute; width: 1px; height: 1px; overflow: hidden; clip: rect(0 0 0 0); clip-path: inset(50%); }
table.apilable tr { display: grid; grid-template-columns: repeat(2, minmax(0, 1fr)); column-gap: .6rem;
  border: 1px solid #BFBFBF; border-left-width: .4rem; border-radius: .3rem; margin: .5rem 0; padding: .3rem .55rem; }
table.apilable tr > th, table.apilable td.indicador, table.apilable td.semaforo { grid-column: 1 / -1; }
table.apilable td.indicador { margin-bottom: .15rem; }
table.apilable th, table.apilable td { border: 0; padding: .12rem 0; min-width: 0 !important; white-space: normal; text-align: left; }
table.apilable td[data-etiqueta]::before { content: attr(data-etiqueta) ": "; font-weight: bold; color: #4D4D4D; }
table.apilable td.num { text-align: left; }
"""

_HEAD = """<!DOCTYPE html>
<html lang="es">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="generator" content="mirbook">
<title>{{ title }}</title>
<style>
{{ css | safe }}
</style>
</head>
<body>
<a class="saltar" href="#contenido">Saltar al contenido</a>
"""

_FOOT = """<footer class="pie pagina">
{% if demo %}
<p class="demo">Datos sintéticos de demostración: no son cifras reales de la Unidad de Política Migratoria.</p>
{% endif %}
<p>Fuente de los datos: {{ fuente }}</p>
<p>Generado: {{ generado }}</p>
<p>Páginas estáticas: se leen sin conexión a la red, desde cualquier carpeta o memoria USB.</p>
</footer>
</body>
</html>
"""

_MACROS = """
{% macro sem(value) -%}
{%- set s = SEMAFOROS[value] if value in SEMAFOROS else SEMAFOROS['no_aplica'] -%}
<span class="sem sem-{{ s.clave }}"><span class="sem-sym" aria-hidden="true">{{ s.simbolo }}</span> {{ s.etiqueta }}</span>
{%- endmacro %}
{% macro demo_banner(demo) -%}
{% if demo %}
<p class="aviso-demo" role="note">Datos sintéticos de demostración. <span class="suave">Las cifras, folios, fechas y documentos de estos reportes no son reales de la Unidad de Política Migratoria y no deben citarse.</span></p>
{% endif %}
{%- endmacro %}
{% macro leyenda() -%}
<p class="leyenda">Semáforo: {{ sem('verde') }} cumplimiento dentro del umbral ·
{{ sem('amarillo') }} desviación moderada · {{ sem('rojo') }} desviación mayor (también por sobrecumplimiento) ·
{{ sem('no_aplica') }} el indicador no reporta en el periodo o no tiene programación.</p>
{%- endmacro %}
{% macro documentos(items, contexto) -%}
<ul class="documentos">
{% for d in items %}
<li><span class="doc"><span class="doc-titulo">{{ d.titulo }}</span></span>
<span class="enlaces">
{% if d.html %}<a class="boton" href="{{ d.html }}">HTML<span class="visually-hidden"> de {{ d.titulo }}, {{ contexto }},</span>{% if d.html_size %} <span class="formato">{{ d.html_size }}</span>{% endif %}</a>{% else %}<span class="falta">HTML no disponible</span>{% endif %}
{% if d.pdf %}<a class="boton" href="{{ d.pdf }}">PDF<span class="visually-hidden"> de {{ d.titulo }}, {{ contexto }},</span>{% if d.pdf_size %} <span class="formato">A4 · {{ d.pdf_size }}</span>{% endif %}</a>{% else %}<span class="falta">PDF no disponible</span>{% endif %}
</span></li>
{% endfor %}
</ul>
{%- endmacro %}
"""

_TEMPLATES = {
    "macros.html": _MACROS,
    "index.html": """{% from "macros.html" import sem, demo_banner, leyenda, documentos %}""" + _HEAD + """
<header class="pagina cabecera">
<div class="portada">
<p class="antetitulo">{{ ANTETITULO }}</p>
<h1>Reportes trimestrales archivados</h1>
<p class="corte">{{ count }} periodo{{ "s" if count != 1 }} archivado{{ "s" if count != 1 }}, del más reciente al más antiguo.</p>
{% if years|length > 1 %}
<nav aria-label="Años">
<ul class="anios">
{% for year, items in years %}<li><a href="#anio-{{ year }}">{{ year }}</a></li>
{% endfor %}
</ul>
</nav>
{% endif %}
</div>
{{ demo_banner(demo) }}
</header>
<main id="contenido" class="pagina" tabindex="-1">
<p class="intro">Cada periodo reúne sus reportes en HTML y en PDF (A4), la validación de las entradas, la tabla de indicadores y los cuadernos ejecutados. Las cifras se acumulan del 1 de enero al cierre de cada trimestre.</p>
{{ leyenda() }}
{% if not years %}<p class="nota">Aún no hay periodos archivados. Ejecute <code>make report</code>.</p>{% endif %}
{% for year, items in years %}
<section aria-labelledby="anio-{{ year }}">
<h2 id="anio-{{ year }}">{{ year }}</h2>
{% for item in items %}
{% set rev = item.rev %}
<article class="tarjeta-periodo" aria-labelledby="periodo-{{ item.period.year }}-{{ item.period.label }}">
<h3 id="periodo-{{ item.period.year }}-{{ item.period.label }}"><a href="{{ item.href }}">{{ item.label }} ({{ item.period.label }})</a>{% if loop.first and year == years[0][0] %} <span class="etiqueta-reciente">Más reciente</span>{% endif %}</h3>
<p class="meta">Revisión {{ rev.number }} · generada el {{ rev.generated }} · cifras al {{ item.corte }}</p>
<ul class="conteos-linea" aria-label="Indicadores por semáforo">
{% for key in ORDEN %}<li><span class="n">{{ rev.counts[key] }}</span>{{ sem(key) }}</li>
{% endfor %}
</ul>
{% if rev.rows %}
<ul class="franja-mini" aria-label="Semáforo de cada indicador en {{ item.period }}">
{% for row in rev.rows %}
<li class="borde-{{ row.semaforo if row.semaforo in SEMAFOROS else 'no_aplica' }}" title="{{ row.nombre }}"><span class="clave">{{ row.clave }}</span>{{ sem(row.semaforo) }}</li>
{% endfor %}
</ul>
{% endif %}
<h4>Reportes</h4>
{{ documentos(item.documents, item.period) }}
<p class="mas"><a href="{{ item.href }}">Página del periodo</a>: tabla de indicadores, validación, datos, cuadernos y revisiones{% if item.validation %} · <a href="{{ item.validation }}">Validación de las entradas<span class="visually-hidden">, {{ item.period }}</span></a>{% endif %}</p>
{% if item.older %}
<p class="mas">Revisiones anteriores: {% for o in item.older %}<a href="{{ o.href }}">revisión {{ o.number }}<span class="visually-hidden"> de {{ item.period }}</span></a> ({{ o.when }}){{ "; " if not loop.last }}{% endfor %}</p>
{% endif %}
</article>
{% endfor %}
</section>
{% endfor %}
</main>
""" + _FOOT,
    "period.html": """{% from "macros.html" import sem, demo_banner, leyenda, documentos %}""" + _HEAD + """
<header class="pagina cabecera">
<nav class="migas" aria-label="Ruta">
<ol>
<li><a href="{{ index_href }}">Reportes archivados</a></li>
<li><a href="{{ year_href }}">{{ period.year }}</a></li>
{% if is_newest %}<li aria-current="page">{{ period.label }}</li>
{% else %}<li><a href="{{ newest_href }}">{{ period.label }}</a></li>
<li aria-current="page">Revisión {{ rev.number }}</li>{% endif %}
</ol>
</nav>
<div class="portada">
<p class="antetitulo">{{ ANTETITULO }}</p>
<h1>{{ heading }}</h1>
<p class="corte">{{ corte }}</p>
<p class="corte">Revisión {{ rev.number }} · generada el {{ rev.generated }}{% if rev.rows %} · reportan {{ rev.reporting }} de {{ rev.rows|length }} indicadores{% endif %}</p>
</div>
{% if not is_newest %}
<p class="nota" role="note"><strong>Esta es una revisión anterior (revisión {{ rev.number }}).</strong> La más reciente es la revisión {{ newest.number }}: <a href="{{ newest_href }}">ir a la página del periodo</a>.</p>
{% endif %}
{{ demo_banner(demo) }}
<nav class="periodos" aria-label="Periodo anterior y siguiente">
{% if prev %}<a class="anterior" href="{{ prev.href }}"><span class="rumbo">← Periodo anterior</span><strong>{{ prev.label }}</strong></a>{% else %}<span class="vacio"><span class="rumbo">← Periodo anterior</span>No hay un periodo anterior archivado</span>{% endif %}
{% if next %}<a class="siguiente" href="{{ next.href }}"><span class="rumbo">Periodo siguiente →</span><strong>{{ next.label }}</strong></a>{% else %}<span class="vacio siguiente"><span class="rumbo">Periodo siguiente →</span>No hay un periodo siguiente archivado</span>{% endif %}
</nav>
</header>
<main id="contenido" class="pagina" tabindex="-1">
<section aria-labelledby="reportes">
<h2 id="reportes">Reportes</h2>
{{ documentos(documents, period ~ (", revisión " ~ rev.number if not is_newest else "")) }}
</section>
<section aria-labelledby="vistazo">
<h2 id="vistazo">La MIR de un vistazo</h2>
<ul class="conteos" aria-label="Indicadores por semáforo">
{% for key in ORDEN %}<li class="conteo-{{ key }}"><span class="n">{{ rev.counts[key] }}</span>{{ sem(key) }}</li>
{% endfor %}
</ul>
{% if rev.rows %}
<div class="tabla">
<table class="tabla-periodo apilable">
<caption>Indicadores acumulados del 1 de enero al {{ cierre }} (fuente: <a href="indicadores.csv">indicadores.csv</a>)</caption>
<thead><tr><th scope="col">Clave</th><th scope="col">Indicador</th><th scope="col" class="num">Realizado / programado</th><th scope="col" class="num">Avance</th><th scope="col" class="num">Meta</th><th scope="col" class="num">Cumplimiento</th><th scope="col">Semáforo</th></tr></thead>
<tbody>
{% for row in rev.rows %}
<tr class="borde-{{ row.semaforo if row.semaforo in SEMAFOROS else 'no_aplica' }}"><th scope="row">{{ row.clave }}<span class="nivel">{{ row.nivel }}</span></th><td class="indicador">{{ row.nombre }}</td><td class="num" data-etiqueta="Realizado / programado">{{ row.realizado | entero }} / {{ row.programado | entero }}</td><td class="num" data-etiqueta="Avance">{{ row.avance_pct | pct }}</td><td class="num" data-etiqueta="Meta">{{ row.meta_pct | pct }}</td><td class="num" data-etiqueta="Cumplimiento">{{ row.cumplimiento_pct | pct }}</td><td class="semaforo" data-etiqueta="Semáforo">{{ sem(row.semaforo) }}{% if row.reporta != "true" %} <span class="sem-nota">no reporta en {{ period.label }}; cifras informativas</span>{% elif row.semaforo == "no_aplica" %} <span class="sem-nota">sin programación</span>{% endif %}</td></tr>
{% endfor %}
</tbody>
</table>
</div>
{% endif %}
{{ leyenda() }}
{% if avisos or informacion %}
<h3 id="avisos">Avisos de la revisión</h3>
<ul class="avisos">
{% for a in avisos %}<li class="aviso aviso-advertencia"><span aria-hidden="true">⚠</span> <strong>Advertencia:</strong> {{ a }}</li>
{% endfor %}
{% for a in informacion %}<li class="aviso aviso-informacion"><span aria-hidden="true">ℹ</span> <strong>Información:</strong> {{ a }}</li>
{% endfor %}
</ul>
{% endif %}
</section>
<section aria-labelledby="datos">
<h2 id="datos">Datos y trazabilidad</h2>
<ul class="documentos">
{% for f in data_files %}
<li><span class="doc"><a class="doc-titulo" href="{{ f.href }}">{{ f.titulo }}</a><span class="detalle">{{ f.detalle }}</span></span><span class="formato suave">{{ f.size }}</span></li>
{% endfor %}
</ul>
</section>
<section aria-labelledby="revisiones">
<h2 id="revisiones">Revisiones</h2>
{% if history|length > 1 %}
<div class="tabla">
<table class="compacta">
<caption>Revisiones del periodo, de la más reciente a la más antigua</caption>
<thead><tr><th scope="col">Revisión</th><th scope="col">Generada</th><th scope="col">Página</th></tr></thead>
<tbody>
{% for h in history %}
<tr{% if h.current %} class="actual"{% endif %}><th scope="row">{{ h.number }}{% if h.newest %} (la más reciente){% endif %}</th><td>{{ h.when }}</td><td>{% if h.current %}esta página{% else %}<a href="{{ h.href }}">revisión {{ h.number }}</a>{% endif %}</td></tr>
{% endfor %}
</tbody>
</table>
</div>
{% else %}<p>Esta es la única revisión del periodo.</p>{% endif %}
{% if changes %}
<h3 id="cambios">Cambios respecto de la revisión {{ changes.revision }}</h3>
{% if changes.files %}<p>Archivos de entrada modificados:</p>
<ul>{% for f in changes.files %}<li><code>{{ f }}</code></li>{% endfor %}</ul>
{% else %}<p>Ningún archivo de entrada cambió.</p>{% endif %}
{% if changes.code %}<p>Cambió el código o las plantillas de mirbook ({{ changes.code|length }} archivo{{ "s" if changes.code|length != 1 }}: {{ changes.code|join(", ") }}).</p>{% endif %}
{% if changes.indicators %}
<div class="tabla">
<table class="compacta cambios">
<caption>Indicadores con cifras distintas</caption>
<thead><tr><th scope="col">Clave</th><th scope="col">Dato</th><th scope="col">Antes</th><th scope="col">Ahora</th></tr></thead>
<tbody>
{% for clave, diffs in changes.indicators %}{% for field, old, new in diffs %}
<tr><th scope="row">{{ clave }}</th><td>{{ CAMPOS[field] }}</td>
{% for value in (old, new) %}<td{% if field != "semaforo" %} class="num"{% endif %}>{% if field == "semaforo" %}{{ sem(value) if value else "—" }}{% elif field.endswith("_pct") %}{{ value | pct }}{% else %}{{ value | entero }}{% endif %}</td>{% endfor %}</tr>
{% endfor %}{% endfor %}
</tbody>
</table>
</div>
{% else %}<p>Las cifras de los indicadores no cambiaron.</p>{% endif %}
{% endif %}
</section>
</main>
""" + _FOOT,
}
