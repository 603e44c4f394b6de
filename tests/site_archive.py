"""One small real archive, shared by test_site, test_browser and test_pdf.

Built once per test session (cached by pytest's session temp folder): the demo data copied,
two periods in two years (2025 T4, 2026 T1) archived with the summary notebook only, then a
record with a hostile title (HTML markup, ampersand, quotes) and an evidence URL appended to the
2026 data, and 2026 T1 archived again as revision 2.
"""

from __future__ import annotations

import csv
import re
import shutil
from dataclasses import dataclass
from html.parser import HTMLParser
from pathlib import Path

from mirbook.model import Period
from mirbook.pipeline import Runner

ROOT = Path(__file__).resolve().parents[1]
DEMO = ROOT / "data"
RESUMEN = ROOT / "notebooks" / "00_resumen.ipynb"
ARTIFACTS = ROOT / "test-artifacts"

PERIODS = (Period(2025, 4), Period(2026, 1))
REVISED = Period(2026, 1)
HOSTILE = '<b>x</b> & "q"'
HOSTILE_FOLIO = "UPM-2026-9001"
EVIDENCE_URL = "https://example.org/evidencia?a=1&b=2"


@dataclass(frozen=True)
class Archive:
    reports: Path
    data: Path
    rebuilt_after_runs: tuple[Path, ...]  # what rebuild_site rewrote right after the last run

    def pages(self) -> list[Path]:
        """Every HTML page of the archive."""
        return sorted(self.reports.rglob("*.html"))

    def pdfs(self) -> list[Path]:
        return sorted(self.reports.rglob("*.pdf"))

    def nav_pages(self) -> list[Path]:
        """The navigation pages (global index, period pages, revision pages)."""
        return [p for p in self.pages() if p.name == "index.html"]

    def revision_folders(self) -> list[Path]:
        """Every revision folder (the ones holding a manifest.json)."""
        return sorted(p.parent for p in self.reports.rglob("manifest.json"))


_CACHE: dict[Path, Archive] = {}


def _append_hostile_record(data: Path) -> None:
    path = data / "2026" / "registros.csv"
    with open(path, encoding="utf-8", newline="") as handle:
        header = next(csv.reader(handle))
    row = {"folio": HOSTILE_FOLIO, "indicador": "PROP", "unidad_responsable": "CEM", "fecha": "2026-02-20",
           "titulo": HOSTILE, "medio_verificacion": EVIDENCE_URL, "tipo": "", "flujo": ""}
    text = path.read_text(encoding="utf-8")
    with open(path, "a", encoding="utf-8", newline="") as handle:
        if not text.endswith("\n"):
            handle.write("\n")
        csv.writer(handle, lineterminator="\n").writerow([row.get(c, "") for c in header])


def build_archive(tmp_path_factory) -> Archive:
    """The shared archive (built on the first call of the session)."""
    base = Path(tmp_path_factory.getbasetemp())
    if base not in _CACHE:
        from mirbook.site import rebuild_site

        root = tmp_path_factory.mktemp("site-archive")
        data, reports = root / "data", root / "reports"
        shutil.copytree(DEMO, data)
        runner = Runner(data, reports, notebooks=[RESUMEN], jobs=1, log=lambda _: None)
        for period in PERIODS:
            runner.run(period)
        _append_hostile_record(data)
        outcome = runner.run(REVISED)
        assert outcome.revision == 2 and not outcome.unchanged
        _CACHE[base] = Archive(reports, data, tuple(rebuild_site(reports)))
    return _CACHE[base]


# --- HTML parsing helpers ------------------------------------------------------------------------


class Links(HTMLParser):
    """Collects links (``<a href>``), resources (``src``, ``<link href>``), ids, scripts and ``lang``."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.anchors: list[str] = []
        self.resources: list[tuple[str, str]] = []
        self.ids: set[str] = set()
        self.scripts = 0
        self.lang: str | None = None

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if attrs.get("id"):
            self.ids.add(attrs["id"])
        if tag == "html":
            self.lang = attrs.get("lang")
        if tag == "script":
            self.scripts += 1
        if tag == "a" and attrs.get("href") is not None:
            self.anchors.append(attrs["href"])
        elif tag in ("link", "area", "base") and attrs.get("href") is not None:
            self.resources.append((tag, attrs["href"]))
        for key in ("src", "srcset", "poster", "data"):
            if attrs.get(key):
                self.resources.append((tag, attrs[key]))


def parse(page: Path) -> Links:
    parser = Links()
    parser.feed(page.read_text(encoding="utf-8"))
    return parser


CSS_URL = re.compile(r"url\(\s*['\"]?([^'\")]+)", re.IGNORECASE)
