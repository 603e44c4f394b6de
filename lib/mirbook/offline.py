"""What a report page would load from outside itself: the network, or files it does not carry.

A report is read offline, years later: every image, frame and stylesheet must be inside the
page (``data:`` URIs). mirbook's own blocks are; a researcher's output may not be —
``display(HTML('<img src="https://…/logo.png">'))``, ``Image(url=…)``, ``IFrame(…)``, a
Markdown ``![logo](logo.png)``, a Styler with ``background-image: url(…)``. JupyterLab shows
them (it is online and next to the file); the archived page would show a hole, and would
reach the network each time it is opened. Links (``<a href>``) are not loads: a reader
follows them or not.

:func:`remote_loads` finds those references in a finished page; the message that names the
cell holding one is :mod:`mirbook.execute`'s, with its other failure messages.
"""

from __future__ import annotations

import re
from html.parser import HTMLParser

#: Attributes that make the browser (or WeasyPrint) fetch a URL, per tag ("*": any tag).
LOADING_ATTRIBUTES: dict[str, tuple[str, ...]] = {
    "img": ("src", "srcset"), "source": ("src", "srcset"), "iframe": ("src",), "frame": ("src",),
    "embed": ("src",), "object": ("data",), "video": ("src", "poster"), "audio": ("src",), "track": ("src",),
    "input": ("src",), "link": ("href",), "script": ("src",), "image": ("href", "xlink:href"),
    "use": ("href", "xlink:href"), "feimage": ("href", "xlink:href"), "*": ("background",),
}
_CSS_URL = re.compile(r"""url\(\s*(['"]?)(.*?)\1\s*\)|@import\s+(['"])(.*?)\3""", re.IGNORECASE | re.DOTALL)


def _embedded(url: str) -> bool:
    url = url.strip()
    return not url or url.startswith(("data:", "#"))


def _css_urls(css: str) -> list[str]:
    return [m.group(2) if m.group(2) is not None else m.group(4) for m in _CSS_URL.finditer(css)]


class _Loads(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.urls: list[str] = []
        self._in_style = False

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        names = LOADING_ATTRIBUTES.get(tag, ()) + LOADING_ATTRIBUTES["*"]
        for name, value in attrs:
            if value is None:
                continue
            if name in names:
                urls = [part.split()[0] for part in value.split(",") if part.strip()] if name == "srcset" else [value]
                self.urls.extend(urls)
            elif name == "style":
                self.urls.extend(_css_urls(value))
        self._in_style = tag == "style"

    def handle_endtag(self, tag: str) -> None:
        self._in_style = False

    def handle_data(self, data: str) -> None:
        if self._in_style:
            self.urls.extend(_css_urls(data))


def remote_loads(html: str) -> list[str]:
    """The URLs the page would load that are not inside it (not ``data:``), in page order, once each."""
    parser = _Loads()
    parser.feed(html)
    parser.close()
    return list(dict.fromkeys(url.strip() for url in parser.urls if not _embedded(url)))
