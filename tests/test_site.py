"""The reviewers' archive pages, checked without a browser: links, offline, language, escaping, clicks."""

from __future__ import annotations

import html
import json
import re
import shutil
from collections import deque
from pathlib import Path
from urllib.parse import unquote, urlsplit

import pytest

from mirbook import style
from mirbook.formatting import datetime_es
from mirbook.site import rebuild_site
from site_archive import CSS_URL, EVIDENCE_URL, HOSTILE, build_archive, parse


@pytest.fixture(scope="module")
def site(tmp_path_factory):
    return build_archive(tmp_path_factory)


def _text(page: Path) -> str:
    return page.read_text(encoding="utf-8")


def _resolve(page: Path, href: str) -> tuple[Path, str]:
    parts = urlsplit(href)
    return (page.parent / unquote(parts.path)).resolve(), parts.fragment


def _is_nav(page: Path) -> bool:
    return page.name == "index.html"


def test_archive_has_the_expected_shape(site):
    rel = {p.relative_to(site.reports).as_posix() for p in site.pages()}
    assert {"index.html", "2025/T4/index.html", "2026/T1/index.html", "2026/T1/revisiones/r001/index.html",
            "2026/T1/00_resumen.html", "2026/T1/revisiones/r001/00_resumen.html", "2025/T4/validacion.html"} <= rel
    assert len(site.revision_folders()) == 3


def test_every_page_is_static_offline_and_spanish(site):
    for page in site.pages():
        text = _text(page)
        links = parse(page)
        assert links.lang == "es", page
        assert links.scripts == 0 and "<script" not in text.lower(), page
        assert not re.search(r"<(iframe|object|embed|link)\b", text, re.IGNORECASE), page
        assert "@import" not in text, page
        for url in CSS_URL.findall(text):
            assert url.startswith("data:") or url.startswith("#"), (page, url)
        for tag, url in links.resources:
            assert url.startswith("data:"), f"{page}: <{tag}> loads {url!r}"


def test_every_link_resolves_inside_the_archive(site):
    root = site.reports.resolve()
    for page in site.pages():
        links = parse(page)
        for href in links.anchors:
            if href.startswith(("http://", "https://")):
                # only evidence URLs inside the reports themselves; navigation pages link locally only
                assert not _is_nav(page), f"{page}: external link {href}"
                continue
            assert ":" not in href.split("/")[0], f"{page}: unexpected scheme in {href!r}"
            if href.startswith("#"):
                assert href[1:] in links.ids, f"{page}: no element with id {href}"
                continue
            target, fragment = _resolve(page, href)
            assert target.is_file(), f"{page}: broken link {href}"
            assert root in target.parents, f"{page}: link leaves the archive: {href}"
            if fragment and target.suffix == ".html":
                assert fragment in parse(target).ids, f"{page}: {href} has no such id"


def test_every_page_has_the_footer(site):
    for page in site.pages():
        text = html.unescape(re.sub(r"<[^>]+>", " ", _text(page)))
        assert "Datos sintéticos de demostración" in text, page
        assert "Generado" in text, page
        if page.name != "validacion.html":  # the validation report is not a page of this module
            assert "Fuente de los datos:" in text, page


def _bfs(start: Path) -> dict[Path, int]:
    """Clicks from ``start`` to every local file reachable through ``<a href>`` (following HTML pages)."""
    depth = {start.resolve(): 0}
    queue = deque([start.resolve()])
    while queue:
        page = queue.popleft()
        for href in parse(page).anchors:
            if href.startswith(("http://", "https://", "#")):
                continue
            target, _ = _resolve(page, href)
            if target not in depth and target.is_file():
                depth[target] = depth[page] + 1
                if target.suffix == ".html":
                    queue.append(target)
    return depth


def test_every_report_of_every_revision_within_two_clicks(site):
    depth = _bfs(site.reports / "index.html")
    for folder in site.revision_folders():
        manifest = json.loads((folder / "manifest.json").read_text(encoding="utf-8"))
        names = [f"{nb['nombre']}.{ext}" for nb in manifest["cuadernos"] for ext in ("html", "pdf")]
        for name in names + ["validacion.html", "indicadores.csv", "manifest.json"]:
            target = (folder / name).resolve()
            assert depth.get(target, 99) <= 2, f"{target} is {depth.get(target)} clicks away"
    newest = site.reports / "2026" / "T1"
    for name in ("00_resumen.html", "00_resumen.pdf", "index.html", "validacion.html"):
        assert depth[(newest / name).resolve()] == 1, name  # the newest reports are one click away


def test_index_lists_periods_newest_first_with_their_summary(site):
    text = _text(site.reports / "index.html")
    assert text.index('id="anio-2026"') < text.index('id="anio-2025"')
    assert text.index('id="periodo-2026-T1"') < text.index('id="periodo-2025-T4"')
    for year, label in (("2026", "T1"), ("2025", "T4")):
        folder = site.reports / year / label
        manifest = json.loads((folder / "manifest.json").read_text(encoding="utf-8"))
        card = text[text.index(f'id="periodo-{year}-{label}"'):]
        card = card[: card.index("</article>")]
        for value, count in manifest["semaforos"].items():
            assert re.search(rf'<span class="n">{count}</span><span class="sem sem-{value}">', card), (label, value)
        strip = card[card.index('class="franja-mini"'): card.index("</ul>", card.index('class="franja-mini"'))]
        assert strip.count("<li") == 10
        for clave, value in manifest["indicadores"].items():
            assert re.search(rf'<span class="clave">{re.escape(clave)}</span><span class="sem sem-{value}">', strip)
        for ext in ("html", "pdf"):
            assert f'href="{year}/{label}/00_resumen.{ext}"' in card
        assert f'href="{year}/{label}/index.html"' in card and f'href="{year}/{label}/validacion.html"' in card
    assert 'href="2026/T1/revisiones/r001/index.html"' in text


def test_semaforo_is_never_colour_alone(site):
    words = {s.clave: (s.simbolo, s.etiqueta) for s in style.SEMAFOROS.values()}
    for page in site.nav_pages():
        text = _text(page)
        badges = re.findall(r'<span class="sem sem-(\w+)"><span class="sem-sym" aria-hidden="true">(.)</span> ([^<]+)</span>', text)
        assert badges and len(badges) == text.count('class="sem sem-'), page
        for value, symbol, word in badges:
            assert (symbol, word) == words[value], (page, value)


def test_period_pages_are_frozen_evidence_linking_only_their_own_files_and_up(site):
    # A period page is listed in its manifest and carried byte for byte into revisiones/: it may
    # link only to its own files and to ../index.html (the year index, then the revisions' list).
    for page in (site.reports / "2025" / "T4" / "index.html", site.reports / "2026" / "T1" / "index.html",
                 site.reports / "2026" / "T1" / "revisiones" / "r001" / "index.html"):
        manifest = json.loads((page.parent / "manifest.json").read_text(encoding="utf-8"))
        assert "index.html" in manifest["salidas"], page
        for href in parse(page).anchors:
            if href.startswith(("#", "http")):
                continue
            assert href == "../index.html" or not href.startswith(("..", "/")), (page, href)
    year = _text(site.reports / "2026" / "index.html")
    assert 'href="T1/index.html"' in year and 'href="../index.html"' in year and "2025/T4" not in year
    revisions = _text(site.reports / "2026" / "T1" / "revisiones" / "index.html")
    assert 'href="r001/index.html"' in revisions and 'href="../index.html"' in revisions
    index = _text(site.reports / "index.html")  # previous/next in time: the root index, newest first
    assert index.index('href="2026/T1/index.html"') < index.index('href="2025/T4/index.html"')


def test_period_page_shows_the_mir_and_every_document(site):
    folder = site.reports / "2026" / "T1"
    text = _text(folder / "index.html")
    for clave in ("FIN", "PROP", "C1", "C2", "A1.1", "A1.2", "A1.3", "A2.1", "A2.2", "A2.3"):
        assert f'<th scope="row">{clave}<span class="nivel">' in text
    for href in ("00_resumen.html", "00_resumen.pdf", "validacion.html", "indicadores.csv", "manifest.json",
                 "cuadernos/00_resumen.ipynb"):
        assert f'href="{href}"' in text, href
    assert "<h1>Evaluación de la MIR — primer trimestre de 2026</h1>" in text
    assert "Cifras acumuladas del 1 de enero al 31 de marzo de 2026." in text
    assert "Revisión 2" in text


def test_what_changed_against_the_previous_revision(site):
    folder = site.reports / "2026" / "T1"
    text = _text(folder / "index.html")
    assert "Cambios respecto de la revisión 1" in text
    assert "<code>datos/2026/registros.csv</code>" in text
    changes = text[text.index('id="cambios"'):]
    assert re.search(r'<th scope="row">PROP</th><td>Realizado</td>', changes)
    older = _text(folder / "revisiones" / "r001" / "index.html")
    assert "Cambios respecto" not in older and "la revisión 1 del periodo, tal como se archivó" in older
    assert 'href="../index.html"' in older  # up to the list of the period's revisions
    assert 'href="r001/index.html"' in _text(folder / "revisiones" / "index.html")


def _escaped_forms(value: str) -> list[str]:
    return [html.escape(value, quote=True), html.escape(value, quote=False),
            value.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;").replace('"', "&#34;")]


def test_user_text_from_the_data_is_escaped_everywhere(site):
    seen = []
    for page in site.pages():
        text = _text(page)
        assert "<b>x</b>" not in text, page
        if any(form in text for form in _escaped_forms(HOSTILE)):
            seen.append(page.relative_to(site.reports).as_posix())
    assert "2026/T1/00_resumen.html" in seen
    report = _text(site.reports / "2026" / "T1" / "00_resumen.html")
    assert f'href="{html.escape(EVIDENCE_URL)}"' in report


def test_text_from_the_manifests_is_escaped_in_the_navigation_pages(site, tmp_path):
    reports = tmp_path / "reports"
    shutil.copytree(site.reports, reports)
    path = reports / "2026" / "T1" / "manifest.json"
    manifest = json.loads(path.read_text(encoding="utf-8"))
    manifest["cuadernos"][0]["titulo"] = HOSTILE
    manifest["avisos"] = [f"PROP: {HOSTILE}"]
    path.write_text(json.dumps(manifest, ensure_ascii=False), encoding="utf-8")
    written = rebuild_site(reports)
    # the period page is evidence (frozen, listed in the manifest): only the indexes are rebuilt
    assert {p.relative_to(reports).as_posix() for p in written} == {"index.html", "2026/index.html"}
    for page in written:
        text = _text(page)
        assert "<b>x</b>" not in text
        assert any(form in text for form in _escaped_forms(HOSTILE)), page


def test_rebuilding_an_unchanged_archive_rewrites_nothing(site):
    assert site.rebuilt_after_runs == ()
    before = {p: p.stat().st_mtime_ns for p in site.reports.rglob("*") if p.is_file()}
    assert rebuild_site(site.reports) == []
    assert {p: p.stat().st_mtime_ns for p in site.reports.rglob("*") if p.is_file()} == before


def test_navigation_pages_are_printable_and_fit_phones(site):
    for page in site.nav_pages():
        text = _text(page)
        assert '<meta name="viewport" content="width=device-width, initial-scale=1">' in text
        assert "@media print" in text and "@media screen and (max-width: 40rem)" in text
        assert '<a class="saltar" href="#contenido">' in text and '<main id="contenido"' in text
        assert "<header" in text and "<footer" in text
        if page != site.reports / "index.html":
            assert '<nav class="migas"' in text


def test_generation_time_is_the_manifests(site):
    manifest = json.loads((site.reports / "2025" / "T4" / "manifest.json").read_text(encoding="utf-8"))
    assert f"Generado: {datetime_es(manifest['fin'])}" in _text(site.reports / "2025" / "T4" / "index.html")


@pytest.mark.parametrize(
    ("foreground", "background"),
    [
        (style.ENLACE, "#FFFFFF"), (style.ENLACE, style.FONDO_SUAVE), (style.ENLACE, "#EAF1FB"),
        (style.TEXTO_SUAVE, "#FFFFFF"), (style.TEXTO_SUAVE, style.FONDO_SUAVE), (style.TEXTO_SUAVE, "#FFF8E6"),
        ("#FFFFFF", style.GUINDA), (style.GUINDA, "#FFFFFF"),
    ],
)
def test_colours_of_the_navigation_pages_meet_wcag_aa(foreground, background):
    assert style.contrast_ratio(foreground, background) >= 4.5


def test_an_empty_archive_gets_an_index(tmp_path):
    assert rebuild_site(tmp_path) == [tmp_path / "index.html"]
    text = _text(tmp_path / "index.html")
    assert '<html lang="es">' in text and "Aún no hay periodos archivados" in text and "<script" not in text
    assert rebuild_site(tmp_path) == []


def test_the_pages_name_the_institution_of_the_manifests(site, tmp_path):
    reports = tmp_path / "reports"
    shutil.copytree(site.reports, reports)
    for path in reports.rglob("manifest.json"):
        manifest = json.loads(path.read_text(encoding="utf-8"))
        manifest["institucion"], manifest["programa"] = "Instituto de Prueba", "Programa de Prueba"
        path.write_text(json.dumps(manifest, ensure_ascii=False), encoding="utf-8")
    rebuild_site(reports)
    # the navigation pages are rebuilt from the manifests (a period page is evidence, frozen when archived)
    for page in [reports / "index.html", reports / "2026" / "index.html"]:
        text = _text(page)
        assert "Programa de Prueba · Instituto de Prueba" in text, page
        assert "<title>" in text and "Evaluación trimestral de la MIR — Instituto de Prueba</title>" in text, page


def test_an_empty_archive_names_the_institution_of_the_params(tmp_path):
    from mirbook.workbook import load_params

    rebuild_site(tmp_path)
    mir = load_params().mir
    assert f"{mir.programa} · {mir.institucion}" in _text(tmp_path / "index.html")
