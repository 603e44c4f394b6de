"""``validacion.html``: one static, self-contained page listing every check and its result.

No JavaScript, no web fonts, nothing loaded from the network (unlike Great
Expectations' Data Docs): inline CSS only, readable on a 360 px screen and in print.
Results are shown with a symbol *and* a word (✔ Cumple / ✖ No cumple), never by
colour alone. Every text that comes from the data is escaped.
"""

from __future__ import annotations

from html import escape

from ..formatting import date_es, period_es
from .outcomes import FILES_TABLE, ValidationResult
from .prechecks import encoding_name

_CSS = """
*{box-sizing:border-box}
body{margin:0;font:16px/1.5 system-ui,-apple-system,"Segoe UI",Roboto,Arial,sans-serif;color:#1b1b1b;background:#fff}
main{max-width:60rem;margin:0 auto;padding:1rem .75rem}
h1{font-size:1.5rem;margin:.5rem 0}
h2{font-size:1.2rem;margin:1.5rem 0 .5rem;border-bottom:2px solid #611232;padding-bottom:.2rem}
h3{font-size:1rem;margin:1rem 0 .4rem}
.sub{color:#444;margin:.2rem 0}
.estado{padding:.75rem 1rem;border-left:6px solid;margin:1rem 0}
.estado.ok{border-color:#1e6b35;background:#edf7ef}
.estado.error{border-color:#a11d21;background:#fbeeee}
.tabla{overflow-x:auto}
table{border-collapse:collapse;width:100%;font-size:.92rem}
th,td{border:1px solid #c9c9c9;padding:.35rem .5rem;text-align:left;vertical-align:top;overflow-wrap:anywhere}
th{background:#f2f2f2}
td.largo{overflow-wrap:anywhere}
td.num{text-align:right}
table.exp td:first-child{width:1%}
.si,.no{font-weight:600;white-space:nowrap}
.si{color:#1e6b35}
.no{color:#a11d21}
.aviso{color:#7a5a00;font-weight:600;white-space:nowrap}
.msg{display:block;margin-top:.2rem;color:#5a1010}
ul{padding-left:1.2rem}
li{margin:.25rem 0;overflow-wrap:anywhere}
footer{margin-top:2rem;padding-top:.5rem;border-top:1px solid #c9c9c9;color:#444;font-size:.85rem}
.demo{font-weight:700;color:#611232}
@media print{.tabla{overflow:visible}}
"""


def _e(value: object) -> str:
    return escape(str(value), quote=True)


def _list(title: str, lines: tuple[str, ...], css: str) -> list[str]:
    if not lines:
        return []
    out = [f'<h2 id="{css}">{_e(title)} ({len(lines)})</h2>', "<ul>"]
    out += [f"<li>{_e(line)}</li>" for line in lines]
    out.append("</ul>")
    return out


def _outcome_rows(result: ValidationResult, table: str, with_file: bool) -> list[str]:
    rows = []
    for outcome in (o for o in result.outcomes if o.table == table):
        if outcome.success:
            mark = '<span class="si">✔ Cumple</span>'
        else:
            count = outcome.unexpected_count
            rows_text = f"<br>{count} fila{'s' if count != 1 else ''}" if count and table != FILES_TABLE else ""
            mark = (
                f'<span class="no">✖ No cumple</span>{rows_text}'
                if outcome.severity == "error"
                else f'<span class="aviso">▲ Advertencia</span>{rows_text}'
            )
        detail = "".join(
            f'<span class="msg">{_e(line)}</span>' for line in (outcome.message or "").split("\n") if line
        )
        where = f"<strong>{_e(outcome.filename)}</strong>: " if with_file else ""
        rows.append(f"<tr><td>{mark}</td><td>{where}{_e(outcome.description)}{detail}</td></tr>")
    return rows


def render(result: ValidationResult, generated_at: str, demo: bool = False) -> str:
    """The full page (UTF-8 text, ``<!DOCTYPE html>`` first)."""
    period = result.period
    title = f"Validación de los datos de entrada — {period.year} {period.label}"
    total = len(result.outcomes)
    if result.ok:
        estado = (
            '<section class="estado ok"><p><strong>✔ Datos válidos.</strong> '
            f"Se cumplieron las {total} expectativas y comprobaciones; el reporte puede generarse.</p></section>"
        )
    else:
        estado = (
            '<section class="estado error"><p><strong>✖ Datos con errores.</strong> '
            f"{len(result.errors)} problema(s); {result.failed} de {total} expectativas y comprobaciones no se "
            "cumplieron. El reporte no se genera hasta corregirlos.</p></section>"
        )
    parts = [
        "<!DOCTYPE html>",
        '<html lang="es">',
        "<head>",
        '<meta charset="utf-8">',
        '<meta name="viewport" content="width=device-width, initial-scale=1">',
        f"<title>{_e(title)}</title>",
        f"<style>{_CSS}</style>",
        "</head>",
        "<body>",
        "<main>",
        f"<h1>{_e(title)}</h1>",
        f'<p class="sub">Periodo: {_e(period_es(period.year, period.quarter))}; las cifras se acumulan del '
        f"{_e(date_es(period.start))} al {_e(date_es(period.end))}.</p>",
        f'<p class="sub">Carpeta de datos: {_e(result.data_dir.name)}/{period.year}/</p>',
        estado,
        "<h2>Archivos</h2>",
        '<div class="tabla"><table>',
        "<thead><tr><th>Archivo</th><th>Codificación</th><th>Filas de datos</th></tr></thead><tbody>",
    ]
    if result.file_info:
        for info in result.file_info:
            rows = "—" if info.rows is None else str(info.rows)
            parts.append(
                f'<tr><td class="largo">{_e(info.filename)}</td>'
                f'<td>{_e(encoding_name(info.encoding))}</td><td class="num">{_e(rows)}</td></tr>'
            )
    else:
        parts.append('<tr><td colspan="3">No se pudo leer ningún archivo.</td></tr>')
    parts.append("</tbody></table></div>")
    parts += _list("Errores", result.errors, "errores")
    parts += _list("Advertencias", result.warnings, "advertencias")
    parts += _list("Información", result.infos, "informacion")
    parts.append("<h2>Expectativas y comprobaciones</h2>")
    parts.append(
        f"<p>{result.passed} cumplidas, {result.failed} no cumplidas. Los números de fila son los de Excel "
        "(encabezado = fila 1).</p>"
    )
    tables = [FILES_TABLE] + [t for t in ("programacion", "registros", "justificaciones")]
    for table in tables:
        files_table = table == FILES_TABLE
        rows = _outcome_rows(result, table, with_file=files_table)
        if not rows:
            continue
        if files_table:
            heading = "Carpeta y archivos (antes de Great Expectations)"
        else:
            filename = next(o.filename for o in result.outcomes if o.table == table)
            heading = f"{table} — {filename}"
        parts += [
            f"<h3>{_e(heading)}</h3>",
            '<div class="tabla"><table class="exp">',
            "<thead><tr><th>Resultado</th><th>Expectativa</th></tr></thead><tbody>",
            *rows,
            "</tbody></table></div>",
        ]
    source = f"{result.data_dir.name}/{period.year}: " + ", ".join(p.name for p in result.files)
    footer = (
        f"Fuente de los datos: {_e(source)}. "
        f"Generado el {_e(generated_at)} con Great Expectations {_e(result.gx_version)}. "
        '<a href="index.html">Volver a la página del periodo</a>.'
    )
    if demo:
        footer += ' <span class="demo">Datos sintéticos de demostración.</span>'
    parts += [f"<footer><p>{footer}</p></footer>", "</main>", "</body>", "</html>", ""]
    return "\n".join(parts)
