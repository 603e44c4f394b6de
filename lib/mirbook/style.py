"""The look of the reports: semáforo colours, words and symbols, and the shared CSS.

One palette serves the HTML pages, the PDFs and the charts, so a semáforo looks the
same everywhere. A semáforo is never shown by colour alone: every badge carries
its word and a symbol of its own shape (✔ ▲ ✖ ○), and every chart marks it with a
marker shape and, for the bands, a hatch pattern, so grey print and colour-blind
readers can tell them apart.

Text colours meet WCAG AA contrast (4.5:1) against their backgrounds; the test
suite checks it with :func:`contrast_ratio`.

Light module: standard library only.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from string import Template

TEMPLATES_DIR = Path(__file__).resolve().parent / "templates"
CSS_FILE = TEMPLATES_DIR / "mirbook" / "report.css"
NARROW_CSS_FILE = TEMPLATES_DIR / "mirbook" / "narrow.css"
#: Media query of the narrow-screen rules (phones down to 360 px).
NARROW_MEDIA = "screen and (max-width: 40rem)"

#: Institutional colours (Gobierno de México): guinda for headings, gold for rules only (never text).
GUINDA = "#691C32"
DORADO = "#BC955C"
TEXTO = "#1A1A1A"
TEXTO_SUAVE = "#4D4D4D"
ENLACE = "#0B4FA8"
FONDO_SUAVE = "#F4F1EC"
BORDE = "#8A8A8A"


@dataclass(frozen=True)
class Semaforo:
    """How one semáforo value is shown."""

    clave: str
    etiqueta: str          # the word, as the users say it
    simbolo: str           # a symbol of its own shape
    fondo: str             # badge background
    texto: str             # badge text (AA contrast against ``fondo``)
    tinte: str             # light tint for chart bands and table cells
    trama: str             # matplotlib hatch of the chart band (grey print)
    marcador: str          # matplotlib marker of the chart points
    oscuro: str            # the colour used for lines and text on white


SEMAFOROS: dict[str, Semaforo] = {
    "verde": Semaforo("verde", "Verde", "✔", "#1B7A3A", "#FFFFFF", "#D3EBD9", "", "o", "#1B6E35"),
    "amarillo": Semaforo("amarillo", "Amarillo", "▲", "#F2C230", "#1A1A1A", "#FCEFC0", "\\\\\\", "^", "#8A6500"),
    "rojo": Semaforo("rojo", "Rojo", "✖", "#B3261E", "#FFFFFF", "#F7D4D1", "xxx", "X", "#A3221B"),
    "no_aplica": Semaforo("no_aplica", "No aplica", "○", "#E3E3E3", "#1A1A1A", "#F2F2F2", "", "s", "#595959"),
}

#: Level names as the MIR says them.
NIVEL_ORDEN = ("Fin", "Propósito", "Componente", "Actividad")


def semaforo(value: str) -> Semaforo:
    """The display attributes of a semáforo value (``verde``, ``amarillo``, ``rojo``, ``no_aplica``)."""
    return SEMAFOROS[value]


def etiqueta(value: str) -> str:
    """The word of a semáforo: ``Verde``, ``Amarillo``, ``Rojo``, ``No aplica``."""
    return SEMAFOROS[value].etiqueta


def _css_variables() -> dict[str, str]:
    values = {
        "guinda": GUINDA,
        "dorado": DORADO,
        "texto": TEXTO,
        "texto_suave": TEXTO_SUAVE,
        "enlace": ENLACE,
        "fondo_suave": FONDO_SUAVE,
        "borde": BORDE,
    }
    for key, sem in SEMAFOROS.items():
        values[f"{key}_fondo"] = sem.fondo
        values[f"{key}_texto"] = sem.texto
        values[f"{key}_tinte"] = sem.tinte
        values[f"{key}_oscuro"] = sem.oscuro
    return values


@lru_cache(maxsize=1)
def base_css() -> str:
    """Screen, print and PDF rules, with the palette filled in."""
    return Template(CSS_FILE.read_text(encoding="utf-8")).substitute(_css_variables())


@lru_cache(maxsize=1)
def narrow_css() -> str:
    """The rules for narrow screens only (to be used under :data:`NARROW_MEDIA`)."""
    return Template(NARROW_CSS_FILE.read_text(encoding="utf-8")).substitute(_css_variables())


@lru_cache(maxsize=1)
def page_css() -> str:
    """The whole shared CSS as one stylesheet: :func:`base_css` plus the narrow-screen rules in an
    ``@media`` block. (The report pages put the narrow rules in a separate ``<style media=…>``
    element instead, which WeasyPrint skips silently.)"""
    return f"{base_css()}\n@media {NARROW_MEDIA} {{\n{narrow_css()}}}\n"


# --- contrast (WCAG 2.x) ---------------------------------------------------------------------


def _channel(value: int) -> float:
    c = value / 255
    return c / 12.92 if c <= 0.03928 else ((c + 0.055) / 1.055) ** 2.4


def relative_luminance(hex_colour: str) -> float:
    """WCAG relative luminance of ``#RRGGBB``."""
    h = hex_colour.lstrip("#")
    r, g, b = (int(h[i : i + 2], 16) for i in (0, 2, 4))
    return 0.2126 * _channel(r) + 0.7152 * _channel(g) + 0.0722 * _channel(b)


def contrast_ratio(foreground: str, background: str) -> float:
    """WCAG contrast ratio between two ``#RRGGBB`` colours (1–21)."""
    a, b = relative_luminance(foreground), relative_luminance(background)
    hi, lo = max(a, b), min(a, b)
    return (hi + 0.05) / (lo + 0.05)
