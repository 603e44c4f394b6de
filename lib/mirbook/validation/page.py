"""``validacion.html``: one static, self-contained page listing every check and its result.

No JavaScript, no web fonts, nothing loaded from the network (unlike Great
Expectations' Data Docs): inline CSS only, readable on a 360 px screen and in print.
Results are shown with a symbol *and* a word (✔ Cumple / ✖ No cumple), never by
colour alone. This module only gathers what the page shows; the page is the template
``templates/validation/validacion.html.j2`` with the palette's stylesheet
``templates/validation/validacion.css``, rendered by :mod:`mirbook.templating`, which
escapes every text that comes from the data.
"""

from __future__ import annotations

from .. import style, templating
from .outcomes import FILES_TABLE, ValidationResult
from .prechecks import encoding_name

_TABLE_ORDER = ("programacion", "registros", "justificaciones")


def _sections(result: ValidationResult) -> list[dict]:
    """The checks grouped as the page shows them: folder and files first, then one table each."""
    sections = []
    for table in (FILES_TABLE, *_TABLE_ORDER):
        outcomes = [o for o in result.outcomes if o.table == table]
        if not outcomes:
            continue
        sections.append({
            "tabla": table,
            "archivos": table == FILES_TABLE,
            "archivo": outcomes[0].filename,
            "resultados": [
                {"o": o, "lineas": [line for line in (o.message or "").split("\n") if line]} for o in outcomes
            ],
        })
    return sections


def render(result: ValidationResult, generated_at: str, demo: bool = False) -> str:
    """The full page (UTF-8 text, ``<!DOCTYPE html>`` first)."""
    return templating.render(
        "validation/validacion.html.j2",
        css=style.validation_css(),
        r=result,
        periodo=result.period,
        archivos=[{"nombre": i.filename, "codificacion": encoding_name(i.encoding), "filas": i.rows}
                  for i in result.file_info],
        secciones=_sections(result),
        fuente=f"{result.data_dir.name}/{result.period.year}: " + ", ".join(p.name for p in result.files),
        generado=generated_at,
        demo=demo,
    ) + "\n"
