"""The reviewers' navigation pages, rebuilt from the archived manifests.

* ``<reports>/index.html`` — every archived year and period, newest first, with its semáforo
  summary and links to the period page, the PDFs and earlier revisions;
* ``<reports>/<year>/T<q>/index.html`` — the period page: the MIR at a glance, the reports,
  the validation, the data files, the previous and next period, and what changed;
* ``…/revisiones/rNNN/index.html`` — the same page for each earlier revision.

Pages are static (no JavaScript), self-contained (CSS inline), ``lang="es"``, and deterministic:
they depend only on the manifests and files of the archive, so rebuilding an unchanged archive
rewrites nothing. They are navigation and are not listed in the manifests.
"""

from __future__ import annotations

import csv
import posixpath
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

from . import archive
from .formatting import NOMBRES_TRIMESTRE, datetime_es
from .model import Period
from .paths import period_dir
from .style import SEMAFOROS

SITE_TITLE = "Evaluación trimestral de la MIR — Unidad de Política Migratoria"


@dataclass(frozen=True)
class Revision:
    """One archived revision of a period, as the pages need it."""

    period: Period
    folder: Path
    manifest: dict
    rows: list[dict[str, str]]

    @property
    def number(self) -> int:
        return int(self.manifest.get("revision", 1))

    @property
    def reports(self) -> list[dict[str, str]]:
        """``[{nombre, titulo}]`` of the notebook reports of this revision."""
        items = self.manifest.get("cuadernos", [])
        return [i if isinstance(i, dict) else {"nombre": i, "titulo": i} for i in items]


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


@lru_cache(maxsize=1)
def _environment():
    from jinja2 import DictLoader, Environment, select_autoescape

    return Environment(
        loader=DictLoader(_TEMPLATES),
        autoescape=select_autoescape(default=True, default_for_string=True),
        trim_blocks=True,
        lstrip_blocks=True,
    )


def _css() -> str:
    from .render import page_css

    return page_css() + _SITE_CSS


def _label(period: Period) -> str:
    return f"{NOMBRES_TRIMESTRE[period.quarter].capitalize()} trimestre de {period.year}"


def _changes(current: Revision, previous: Revision | None) -> dict | None:
    """What changed against the previous revision: input files and indicator figures."""
    if previous is None:
        return None
    old_inputs, new_inputs = previous.manifest.get("entradas", {}), current.manifest.get("entradas", {})
    files = sorted(k for k in set(old_inputs) | set(new_inputs) if old_inputs.get(k) != new_inputs.get(k))
    old_rows = {r["clave"]: r for r in previous.rows}
    fields = ("realizado", "programado", "avance_pct", "cumplimiento_pct", "semaforo")
    indicators = []
    for row in current.rows:
        old = old_rows.get(row["clave"])
        diffs = [(f, old.get(f, "") if old else "", row.get(f, "")) for f in fields if not old or old.get(f) != row.get(f)]
        if diffs:
            indicators.append((row["clave"], diffs))
    code_changed = previous.manifest.get("codigo") != current.manifest.get("codigo")
    return {"revision": previous.number, "files": files, "indicators": indicators, "code": code_changed}


def _page(template: str, depth: int, **context) -> str:
    up = "../" * depth
    return _environment().get_template(template).render(
        css=_css(), up=up, semaforos=SEMAFOROS, site_title=SITE_TITLE, **context
    )


def _period_page(rev: Revision, depth: int, newest: Revision, previous: Revision | None,
                 prev_period: Period | None, next_period: Period | None, history: list[Revision],
                 here: Path) -> str:
    """HTML of a period page (top level, ``depth`` 2) or of an earlier revision (``depth`` 4)."""
    def rel(target: Path) -> str:
        return posixpath.relpath(target.as_posix(), here.as_posix())

    notebooks = sorted(p.relative_to(rev.folder).as_posix() for p in (rev.folder / archive.NOTEBOOKS_SUBDIR).glob("*.ipynb"))
    nav_period = lambda p: rel(period_dir(rev.folder.parents[depth - 1], p)) + "/index.html"  # noqa: E731
    return _page(
        "period.html",
        depth,
        title=f"{_label(rev.period)} — revisión {rev.number}",
        heading=_label(rev.period),
        rev=rev,
        is_newest=rev is newest,
        newest_href=rel(newest.folder) + "/index.html",
        prev_href=nav_period(prev_period) if prev_period else None,
        prev_label=str(prev_period) if prev_period else None,
        next_href=nav_period(next_period) if next_period else None,
        next_label=str(next_period) if next_period else None,
        notebooks=notebooks,
        counts=rev.manifest.get("semaforos", {}),
        changes=_changes(rev, previous),
        history=[(h.number, rel(h.folder) + "/index.html", datetime_es(h.manifest.get("fin", ""))) for h in history],
        demo=bool(rev.manifest.get("demo")),
        fuente=", ".join(sorted(k for k in rev.manifest.get("entradas", {}) if k.startswith(f"datos/{rev.period.year}/"))),
        generado=datetime_es(rev.manifest.get("fin", "")),
    )


def rebuild_site(reports_dir: Path) -> list[Path]:
    """Regenerate every navigation page of the archive; returns the pages actually rewritten."""
    reports_dir = Path(reports_dir)
    periods = sorted(archive.archived_periods(reports_dir))  # oldest first
    written: list[Path] = []
    summaries = []
    for index, period in enumerate(periods):
        folder = period_dir(reports_dir, period)
        revisions = [r for r in (load_revision(period, f) for f in archive.period_revisions(folder)) if r]
        if not revisions:
            continue
        newest = revisions[-1]
        prev_period = periods[index - 1] if index > 0 else None
        next_period = periods[index + 1] if index + 1 < len(periods) else None
        for position, rev in enumerate(revisions):
            depth = 2 if rev is newest else 4
            page = rev.folder / archive.NAV_PAGE
            html = _period_page(rev, depth, newest, revisions[position - 1] if position else None,
                                prev_period, next_period, revisions, rev.folder)
            if archive.write_atomic(page, html):
                written.append(page)
        summaries.append((period, newest, revisions[:-1]))
    years: dict[int, list] = {}
    for period, newest, older in reversed(summaries):
        years.setdefault(period.year, []).append((period, newest, older))
    latest = max((s[1].manifest.get("fin", "") for s in summaries), default="")
    html = _page(
        "index.html",
        0,
        title=SITE_TITLE,
        years=sorted(years.items(), reverse=True),
        label=_label,
        period_dir=lambda p: f"{p.year}/{p.label}",
        demo=any(s[1].manifest.get("demo") for s in summaries),
        generado=datetime_es(latest) if latest else "",
        fuente="manifiestos de cada periodo archivado (manifest.json)",
    )
    if archive.write_atomic(reports_dir / archive.NAV_PAGE, html):
        written.append(reports_dir / archive.NAV_PAGE)
    return written


_SITE_CSS = """
.nav{display:flex;flex-wrap:wrap;gap:.5rem 1.25rem;margin:.5rem 0 1rem;padding:.5rem 0;border-bottom:1px solid #8A8A8A}
.strip{display:flex;flex-wrap:wrap;gap:.25rem;list-style:none;margin:.25rem 0;padding:0}
.strip li{font-size:.8rem;padding:.1rem .35rem;border-radius:.25rem;border:1px solid #8A8A8A;white-space:nowrap}
.period-card{border:1px solid #8A8A8A;border-radius:.4rem;padding:.6rem .8rem;margin:.6rem 0;break-inside:avoid}
.period-card h3{margin:.1rem 0 .3rem}
.links{margin:.3rem 0;padding-left:1.1rem}
.counts{margin:.2rem 0}
.table-wrap{overflow-x:auto}
"""

_BADGE = (
    "{% macro badge(value) %}{% set s = semaforos[value] if value in semaforos else semaforos['no_aplica'] %}"
    '<span class="semaforo semaforo-{{ s.clave }}" style="background:{{ s.fondo }};color:{{ s.texto }}">'
    '<span aria-hidden="true">{{ s.simbolo }}</span> {{ s.etiqueta }}</span>{% endmacro %}'
)

_HEAD = """<!DOCTYPE html>
<html lang="es">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>{{ title }}</title>
<style>{{ css | safe }}</style>
</head>
<body>
<div class="page">
"""

_FOOT = """<footer class="report-footer">
<p>Fuente de los datos: {{ fuente }}.</p>
<p>Generado: {{ generado or "—" }}. Páginas estáticas, sin conexión a la red.</p>
{% if demo %}<p class="demo-note"><strong>Datos sintéticos de demostración</strong> — no son cifras reales de la UPM.</p>{% endif %}
</footer>
</div>
</body>
</html>
"""

_TEMPLATES = {
    "index.html": _BADGE + _HEAD + """
<header>
<p class="kicker">{{ site_title }}</p>
<h1>Reportes archivados</h1>
{% if demo %}<p class="demo-banner" role="note"><strong>Datos sintéticos de demostración.</strong> Las cifras no son reales.</p>{% endif %}
</header>
<main>
{% if not years %}<p>Aún no hay periodos archivados. Ejecute <code>make report</code>.</p>{% endif %}
{% for year, items in years %}
<section>
<h2>{{ year }}</h2>
{% for period, rev, older in items %}
<article class="period-card">
<h3><a href="{{ period_dir(period) }}/index.html">{{ label(period) }} ({{ period.label }})</a></h3>
<p class="counts">Revisión {{ rev.number }} ·
{% for key in ["verde", "amarillo", "rojo", "no_aplica"] %}{{ badge(key) }} {{ rev.manifest.semaforos[key] if rev.manifest.semaforos else 0 }}{% if not loop.last %} · {% endif %}{% endfor %}</p>
<ul class="strip" aria-label="Semáforo de los diez indicadores">
{% for row in rev.rows %}{% set s = semaforos[row.semaforo] if row.semaforo in semaforos else semaforos['no_aplica'] %}
<li style="background:{{ s.fondo }};color:{{ s.texto }}" title="{{ row.nombre }}">{{ row.clave }} {{ s.simbolo }} <span class="visually-hidden">{{ s.etiqueta }}</span></li>
{% endfor %}
</ul>
<ul class="links">
<li><a href="{{ period_dir(period) }}/index.html">Página del periodo</a></li>
{% for nb in rev.reports %}<li>{{ nb.titulo }}: <a href="{{ period_dir(period) }}/{{ nb.nombre }}.html">HTML</a> · <a href="{{ period_dir(period) }}/{{ nb.nombre }}.pdf">PDF</a></li>
{% endfor %}
{% if older %}<li>Revisiones anteriores: {% for old in older %}<a href="{{ period_dir(period) }}/revisiones/{{ old.folder.name }}/index.html">revisión {{ old.number }}</a>{% if not loop.last %}, {% endif %}{% endfor %}</li>{% endif %}
</ul>
</article>
{% endfor %}
</section>
{% endfor %}
</main>
""" + _FOOT,
    "period.html": _BADGE + _HEAD + """
<header>
<p class="kicker">{{ site_title }}</p>
<h1>{{ heading }}</h1>
<p>Revisión {{ rev.number }}{% if not is_newest %} — <strong>revisión anterior</strong>; la más reciente está en <a href="{{ newest_href }}">la página del periodo</a>{% endif %}.</p>
{% if demo %}<p class="demo-banner" role="note"><strong>Datos sintéticos de demostración.</strong> Las cifras no son reales.</p>{% endif %}
<nav class="nav" aria-label="Navegación">
<a href="{{ up }}index.html">Índice de todos los periodos</a>
{% if prev_href %}<a href="{{ prev_href }}">← Periodo anterior ({{ prev_label }})</a>{% endif %}
{% if next_href %}<a href="{{ next_href }}">Periodo siguiente ({{ next_label }}) →</a>{% endif %}
</nav>
</header>
<main>
<section>
<h2>La MIR de un vistazo</h2>
<p class="counts">{% for key in ["verde", "amarillo", "rojo", "no_aplica"] %}{{ badge(key) }} {{ counts[key] or 0 }}{% if not loop.last %} · {% endif %}{% endfor %}</p>
<div class="table-wrap">
<table>
<caption>Indicadores acumulados al cierre del periodo (indicadores.csv)</caption>
<thead><tr><th scope="col">Clave</th><th scope="col">Nivel</th><th scope="col">Indicador</th><th scope="col">Reporta</th><th scope="col">Realizado / programado</th><th scope="col">Avance</th><th scope="col">Meta</th><th scope="col">Cumplimiento</th><th scope="col">Semáforo</th></tr></thead>
<tbody>
{% for row in rev.rows %}
<tr><th scope="row">{{ row.clave }}</th><td>{{ row.nivel }}</td><td>{{ row.nombre }}</td><td>{{ "Sí" if row.reporta == "true" else "No" }}</td><td class="num">{{ row.realizado }} / {{ row.programado }}</td><td class="num">{{ row.avance_pct ~ " %" if row.avance_pct else "—" }}</td><td class="num">{{ row.meta_pct ~ " %" if row.meta_pct else "—" }}</td><td class="num">{{ row.cumplimiento_pct ~ " %" if row.cumplimiento_pct else "—" }}</td><td>{{ badge(row.semaforo) }}</td></tr>
{% endfor %}
</tbody>
</table>
</div>
</section>
<section>
<h2>Reportes</h2>
<ul class="links">
{% for nb in rev.reports %}<li>{{ nb.titulo }}: <a href="{{ nb.nombre }}.html">HTML</a> · <a href="{{ nb.nombre }}.pdf">PDF</a></li>
{% endfor %}
</ul>
</section>
<section>
<h2>Datos y trazabilidad</h2>
<ul class="links">
<li><a href="validacion.html">Reporte de validación de las entradas</a></li>
<li><a href="indicadores.csv">indicadores.csv</a> (tabla de indicadores)</li>
<li><a href="manifest.json">manifest.json</a> (huellas sha256 de entradas y salidas, versiones, commit)</li>
{% for nb in notebooks %}<li>Cuaderno ejecutado: <a href="{{ nb }}">{{ nb }}</a></li>
{% endfor %}
</ul>
</section>
<section>
<h2>Revisiones</h2>
{% if history|length > 1 %}
<ul class="links">
{% for number, href, when in history %}<li>{% if number == rev.number %}Revisión {{ number }} (esta página){% else %}<a href="{{ href }}">Revisión {{ number }}</a>{% endif %} — {{ when }}</li>
{% endfor %}
</ul>
{% else %}<p>Esta es la única revisión del periodo.</p>{% endif %}
{% if changes %}
<h3>Cambios respecto de la revisión {{ changes.revision }}</h3>
{% if changes.files %}<p>Archivos de entrada modificados: {{ changes.files | join(", ") }}.</p>{% else %}<p>Ningún archivo de entrada cambió.</p>{% endif %}
{% if changes.code %}<p>Cambió el código o las plantillas de mirbook.</p>{% endif %}
{% if changes.indicators %}
<div class="table-wrap"><table>
<caption>Indicadores con cifras distintas</caption>
<thead><tr><th scope="col">Clave</th><th scope="col">Campo</th><th scope="col">Antes</th><th scope="col">Ahora</th></tr></thead>
<tbody>
{% for clave, diffs in changes.indicators %}{% for field, old, new in diffs %}
<tr><th scope="row">{{ clave }}</th><td>{{ field }}</td><td>{{ old or "—" }}</td><td>{{ new or "—" }}</td></tr>
{% endfor %}{% endfor %}
</tbody>
</table></div>
{% else %}<p>Las cifras de los indicadores no cambiaron.</p>{% endif %}
{% endif %}
</section>
</main>
""" + _FOOT,
}
