"""Email HTML made safe to look at: nh3 first, then a sandboxed frame under its own CSP.

Nothing in the result may fetch anything: image sources, link targets and every URL-bearing
attribute are dropped, styles keep only a short list of layout and colour properties (no
``background`` shorthand, so no ``url()``), and scripts, styles, forms, frames and SVG are
removed with their content. The page shows the result in ``<iframe sandbox srcdoc>``
(no scripts, opaque origin), and both the page's and the frame's CSP block remote loads:
three layers, each enough on its own to keep a tracking pixel from firing.
"""

from __future__ import annotations

import re

import nh3

_TAGS = set(nh3.ALLOWED_TAGS) - {"area", "map"}
# Removed together with everything inside them.
_DROP_WITH_CONTENT = {
    "script",
    "style",
    "title",
    "head",
    "noscript",
    "template",
    "textarea",
    "select",
    "option",
    "svg",
    "math",
    "object",
    "embed",
    "iframe",
    "frame",
    "frameset",
    "noembed",
    "noframes",
    "xmp",
    "plaintext",
    "button",
    "form",
}
_LAYOUT = {"align", "width", "height", "colspan", "rowspan", "valign", "style"}
_ATTRIBUTES: dict[str, set[str]] = {
    "*": {"style", "lang", "dir", "title"},
    "a": {"hreflang"},
    "img": {"alt", "width", "height"},
    "td": _LAYOUT,
    "th": _LAYOUT | {"scope"},
    "table": _LAYOUT | {"cellpadding", "cellspacing", "border"},
    "tr": _LAYOUT,
    "col": _LAYOUT | {"span"},
    "colgroup": _LAYOUT | {"span"},
    "ol": {"start"},
}
_STYLE_PROPERTIES = {
    "color",
    "background-color",
    "font-weight",
    "font-style",
    "font-size",
    "font-family",
    "line-height",
    "text-align",
    "text-decoration",
    "vertical-align",
    "white-space",
    "width",
    "max-width",
    "padding",
    "padding-top",
    "padding-bottom",
    "padding-left",
    "padding-right",
    "margin",
    "margin-top",
    "margin-bottom",
    "margin-left",
    "margin-right",
    "border",
    "border-collapse",
    "border-top",
    "border-bottom",
    "border-left",
    "border-right",
    "border-radius",
    "display",
}
# Defence in depth: a style value naming a URL or an old script hook is dropped whole.
_RISKY_STYLE = re.compile(r"url\s*\(|image-set|expression|@import|\\|javascript:", re.IGNORECASE)


def _filter_attribute(tag: str, attribute: str, value: str) -> str | None:
    if attribute == "style" and _RISKY_STYLE.search(value):
        return None
    return value


FRAME_CSP = "default-src 'none'; style-src 'unsafe-inline'; img-src data:"
_FRAME_HEAD = (
    '<!doctype html><html><head><meta charset="utf-8">'
    f'<meta http-equiv="Content-Security-Policy" content="{FRAME_CSP}">'
    "<style>body{font:14px/1.5 system-ui,sans-serif;color:#1d2330;margin:12px;"
    "overflow-wrap:anywhere}img{max-width:100%}table{max-width:100%}</style>"
    "</head><body>"
)


def clean_html(html: str) -> str:
    """The email's HTML with everything active or remote removed."""
    return nh3.clean(
        html,
        tags=_TAGS,
        clean_content_tags=_DROP_WITH_CONTENT,
        attributes=_ATTRIBUTES,
        url_schemes=set(),
        filter_style_properties=_STYLE_PROPERTIES,
        strip_comments=True,
        link_rel="noopener noreferrer",
        attribute_filter=_filter_attribute,
    )


def frame_document(html: str) -> str:
    """A complete document for the sandboxed frame's ``srcdoc``."""
    return _FRAME_HEAD + clean_html(html) + "</body></html>"
