"""WeasyPrint draws an SVG path once per use: remember what each outline drew, and draw it again.

The report charts are SVG with their text as outlines (``svg.fonttype: path``, see
:mod:`mirbook.charts`): matplotlib writes each glyph's outline once, in ``<defs>``, and a
``<use>`` for each character. When WeasyPrint prints a page, it draws every ``<use>`` by
parsing the referenced ``<path d="…">`` again, number by number: nine tenths of the path
data of a chart are glyphs parsed again: about a third of the time WeasyPrint spends drawing
a chart (a chart is a quarter to a third of the time to print a report PDF).

:func:`install` wraps WeasyPrint's ``path`` drawer (its ``TAGS["path"]``) with a memo:
the first time a path is drawn, the drawing operations it sends to the page's stream
(``move_to``, ``line_to``, ``curve_to``, ``close``) and the vertices it records for the
markers are noted; the next time the same path data is drawn with the same font size and
viewport, the same operations are sent to the stream in the same order, with the same
arguments. The PDF is the same, byte for byte (tests/test_svgpaths.py prints the demo
reports both ways and compares them); only the parsing is not repeated. A path whose
parsing fails is not remembered: what it drew before failing is sent on, and the error
raised, as without the memo.

The memo is installed only on the WeasyPrint version it was checked against
(:data:`CHECKED_VERSION`, the pinned one): on another, WeasyPrint draws as it always does.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

CHECKED_VERSION = "70.0"
#: Distinct paths remembered per process before the memo starts afresh (a few hundred glyphs
#: and shapes per report).
LIMIT = 4096

_memo: dict[tuple, tuple[tuple[tuple[str, tuple], ...], tuple]] = {}
_STREAM_OPERATIONS = ("move_to", "line_to", "curve_to", "close")


class _Recorder:
    """Stands for the page's stream while a path is parsed: notes each drawing operation."""

    def __init__(self) -> None:
        self.operations: list[tuple[str, tuple]] = []

    def __getattr__(self, name: str) -> Callable[..., None]:
        if name not in _STREAM_OPERATIONS:  # the drawer used something else: not safe to remember
            raise AttributeError(name)

        def note(*args: Any) -> None:
            self.operations.append((name, args))

        return note


def _replay(stream: Any, operations: tuple[tuple[str, tuple], ...] | list[tuple[str, tuple]]) -> None:
    for name, args in operations:
        getattr(stream, name)(*args)


def _remembering(draw: Callable[[Any, Any, float], None]) -> Callable[[Any, Any, float], None]:
    def path(svg: Any, node: Any, font_size: float) -> None:
        key = (node.get("d", ""), font_size, svg.inner_width, svg.inner_height)
        known = _memo.get(key)
        if known is not None:
            operations, vertices = known
            _replay(svg.stream, operations)
            node.vertices.extend(vertices)
            return
        stream, recorder = svg.stream, _Recorder()
        before = len(node.vertices)
        svg.stream = recorder
        try:
            draw(svg, node, font_size)
        except AttributeError:  # an operation this memo does not know: draw it plainly
            svg.stream = stream
            while len(node.vertices) > before:
                node.vertices.pop()
            draw(svg, node, font_size)
            return
        except BaseException:
            svg.stream = stream
            _replay(stream, recorder.operations)
            raise
        svg.stream = stream
        _replay(stream, recorder.operations)
        if len(_memo) >= LIMIT:
            _memo.clear()
        _memo[key] = (tuple(recorder.operations), tuple(list(node.vertices)[before:]))

    path.__wrapped__ = draw  # type: ignore[attr-defined]
    return path


def install() -> bool:
    """Wrap WeasyPrint's path drawer with the memo (once per process); whether it is in place."""
    try:
        import weasyprint
        from weasyprint import svg as weasy_svg
    except ImportError:
        return False
    tags = getattr(weasy_svg, "TAGS", None)
    if weasyprint.__version__ != CHECKED_VERSION or not isinstance(tags, dict) or "path" not in tags:
        return False
    if not hasattr(tags["path"], "__wrapped__"):
        tags["path"] = _remembering(tags["path"])
    return True


def uninstall() -> None:
    """Give WeasyPrint its own path drawer back (for the tests)."""
    from weasyprint import svg as weasy_svg

    draw = weasy_svg.TAGS.get("path")
    if draw is not None and hasattr(draw, "__wrapped__"):
        weasy_svg.TAGS["path"] = draw.__wrapped__
    _memo.clear()
