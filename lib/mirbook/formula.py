"""LaTeX outputs of a notebook (``display(Math(...))``, ``Latex(...)``) as static images.

JupyterLab typesets a ``text/latex`` output with MathJax, a JavaScript library: a static,
script-free report cannot. Without this module nbconvert picked the ``text/latex`` part of
such an output (it ranks above ``text/plain``) and the template had nothing to print for it,
so a formula a researcher saw in JupyterLab vanished from the archived HTML and PDF.

Here the formula is typeset by matplotlib's own TeX subset (``mathtext``, already loaded by
every report notebook) into an SVG of paths: no fonts, no script, nothing from the network,
the same in HTML and PDF. What ``mathtext`` cannot typeset (``align`` environments, macros it
does not know) is shown as its LaTeX source, as the report shows the math of Markdown cells:
an output is never dropped.
"""

from __future__ import annotations

import base64
import html
import io
import re

#: Display-math delimiters of LaTeX and MathJax, rewritten to mathtext's ``$…$``.
_DELIMITERS = (
    (re.compile(r"\$\$(.+?)\$\$", re.DOTALL), r"$\1$"),
    (re.compile(r"\\\[(.+?)\\\]", re.DOTALL), r"$\1$"),
    (re.compile(r"\\\((.+?)\\\)", re.DOTALL), r"$\1$"),
    (re.compile(r"\\begin\{(equation|displaymath)\*?\}(.+?)\\end\{\1\*?\}", re.DOTALL), r"$\2$"),
)
_MATH = re.compile(r"(?<!\\)\$.+?(?<!\\)\$")  # one ``$…$`` of mathtext (``\$`` is a dollar sign)
#: Style commands MathJax knows and mathtext does not, which change nothing in one formula.
_IGNORED = re.compile(r"\\(displaystyle|textstyle)\b\s*")
FONT_SIZE = 12  # points: the report's body text (see style.base_css)


def _mathtext_lines(source: str) -> list[str] | None:
    """The source as lines of mathtext (text with ``$…$`` math), or ``None`` when it is not
    math mathtext reads: no ``$…$`` at all, or a LaTeX command outside it (mathtext would
    print ``\\begin{align}`` as words)."""
    text = _IGNORED.sub("", source.strip())
    for pattern, replacement in _DELIMITERS:
        text = pattern.sub(lambda m, r=replacement: m.expand(r).replace("\n", " "), text)
    lines = [line.strip() for line in text.splitlines() if line.strip()]
    outside = [_MATH.sub("", line) for line in lines]
    if not any(_MATH.search(line) for line in lines) or any("\\" in rest or "$" in rest for rest in outside):
        return None
    return lines


def _svg(line: str) -> bytes:
    """One line typeset by mathtext as SVG; ``ValueError`` when mathtext cannot parse it.

    What ``matplotlib.mathtext.math_to_image`` does, with the charts' reproducible SVG (no date,
    fixed ids): the same formula gives the same bytes in every run."""
    import matplotlib
    from matplotlib import figure, mathtext
    from matplotlib.font_manager import FontProperties

    prop = FontProperties(size=FONT_SIZE)
    with matplotlib.rc_context({"svg.hashsalt": "mirbook", "svg.fonttype": "path"}):
        width, height, depth, _, _ = mathtext.MathTextParser("path").parse(line, dpi=72, prop=prop)
        fig = figure.Figure(figsize=(width / 72.0, height / 72.0))
        fig.text(0, depth / height, line, fontproperties=prop)
        buffer = io.BytesIO()
        fig.savefig(buffer, format="svg", metadata={"Date": None})
    return buffer.getvalue()


def latex_to_html(source: str) -> str:
    """The HTML of one ``text/latex`` output: typeset images, or the escaped source."""
    lines = _mathtext_lines(source)
    try:
        images = [_svg(line) for line in lines] if lines else []
    except ValueError:  # mathtext cannot parse it
        images = []
    if not images:
        return f'<pre class="salida">{html.escape(source.strip())}</pre>'
    alts = [html.escape(source.strip(), quote=True)] + [""] * (len(images) - 1)  # the source, said once
    tags = "".join(f'<img class="formula" alt="{alt}" src="data:image/svg+xml;base64,'
                   f'{base64.b64encode(svg).decode("ascii")}">' for alt, svg in zip(alts, images))
    return f'<figure class="formula">{tags}</figure>'
