"""Convert email HTML to clean plain text with the stdlib HTML parser."""

from __future__ import annotations

import re
from html.parser import HTMLParser
from typing import Final

#: Elements whose content is never text a reader sees.
_SKIP: Final = frozenset({"script", "style", "head", "title", "noscript", "template", "svg"})
#: Elements that start and end a line.
_BLOCK: Final = frozenset(
    {
        "address", "article", "aside", "blockquote", "center", "dd", "div", "dl", "dt",
        "fieldset", "figcaption", "figure", "footer", "form", "header", "hr", "main", "nav",
        "ol", "pre", "section", "table", "tbody", "thead", "tfoot", "tr", "ul",
    }
)  # fmt: skip
#: Elements followed by a blank line.
_PARAGRAPH: Final = frozenset({"p", "h1", "h2", "h3", "h4", "h5", "h6"})
#: Elements that never have an end tag, so they are never pushed on the open-element stack.
_VOID: Final = frozenset(
    {"area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta", "source", "wbr"}
)
_HIDDEN_STYLE: Final = re.compile(r"display\s*:\s*none|visibility\s*:\s*hidden", re.IGNORECASE)
_SPACES: Final = re.compile(r"[ \t\r\n\f\v\u00a0\u200b\u200c\u034f\ufeff]+")
_BLANK_LINES: Final = re.compile(r"\n{3,}")
_BREAKS: Final = re.compile("[ \x00\x01\x02]*[\x00\x01\x02][ \x00\x01\x02]*")

# Markers kept out of band while collecting, resolved to whitespace at the end.
_NL: Final = "\x00"
_PARA: Final = "\x01"
_BR: Final = "\x02"  # two in a row ("<br><br>") end a paragraph, as they do on screen


class _TextCollector(HTMLParser):
    """Collects visible text, turning structure into line breaks."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.parts: list[str] = []
        self._stack: list[tuple[str, bool]] = []
        self._hidden = 0

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag in _VOID:
            if not self._hidden:
                if tag == "br":
                    self.parts.append(_BR)
                elif tag == "hr":
                    self.parts.append(_PARA)
            return
        style = next((value or "" for name, value in attrs if name == "style"), "")
        hides = tag in _SKIP or bool(style and _HIDDEN_STYLE.search(style))
        self._stack.append((tag, hides))
        self._hidden += hides
        if self._hidden:
            return
        if tag in _PARAGRAPH:
            self.parts.append(_PARA)
        elif tag == "li":
            self.parts.append(_NL + "- ")
        elif tag in _BLOCK:
            self.parts.append(_NL)
        elif tag in ("td", "th"):
            self.parts.append(" ")

    def handle_startendtag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag in _VOID:
            self.handle_starttag(tag, attrs)

    def handle_endtag(self, tag: str) -> None:
        if not any(open_tag == tag for open_tag, _ in self._stack):
            return  # a stray end tag: ignore it, as browsers do
        while self._stack:
            open_tag, hides = self._stack.pop()
            self._hidden -= hides
            if open_tag == tag:
                break
        if self._hidden:
            return
        if tag in _PARAGRAPH:
            self.parts.append(_PARA)
        elif tag in _BLOCK or tag == "li":
            self.parts.append(_NL)

    def handle_data(self, data: str) -> None:
        if not self._hidden:
            self.parts.append(data)


def _resolve_breaks(match: re.Match[str]) -> str:
    """A run of break markers is one line break, or a blank line if it ends a paragraph."""
    run = match.group()
    return "\n\n" if _PARA in run or run.count(_BR) >= 2 else "\n"


def html_to_text(html: str) -> str:
    """Return the visible text of an HTML document, one block per line, entities unescaped."""
    collector = _TextCollector()
    try:
        collector.feed(html)
        collector.close()
    except Exception:  # html.parser rarely fails; keep what was collected
        pass
    raw = _SPACES.sub(" ", "".join(collector.parts))
    raw = _BREAKS.sub(_resolve_breaks, raw)
    lines = [line.strip() for line in raw.split("\n")]
    return _BLANK_LINES.sub("\n\n", "\n".join(lines)).strip()
