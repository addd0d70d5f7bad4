"""HTML to plain text, with the extractor the ingest options name.

Resiliparse is the default because it is fast (C++, a DOM parse plus one pass) and never
fails on broken markup. Trafilatura is slower but its main-content heuristics are often
preferred for prose; it is imported only when chosen, so the default path pays nothing for it.
"""

from __future__ import annotations

import re
from collections.abc import Callable

from resiliparse.extract.html2text import extract_plain_text
from resiliparse.parse.html import HTMLTree

from polycorpus.stages.ingest.config import IngestOptions

#: The WHATWG MIME sniffing patterns for text/html (a tag name followed by space or ``>``,
#: or a comment), after an optional BOM and whitespace. Used only when a response has no
#: usable Content-Type.
_HTML_SNIFF = re.compile(
    rb"(?:\xef\xbb\xbf)?[\t\n\x0c\r ]*"
    rb"(?:<!--|<(?:!doctype html|html|head|script|iframe|h1|div|font|table|a|style|title|b|body"
    rb"|br|p)[ >\t\n\r])",
    re.IGNORECASE,
)
_SNIFF_BYTES = 1024

Extractor = Callable[[str], str]


def looks_like_html(body: bytes) -> bool:
    """Whether a payload without a trustworthy Content-Type starts like an HTML document."""
    return _HTML_SNIFF.match(body, 0, _SNIFF_BYTES) is not None


def extractor(options: IngestOptions) -> Extractor:
    """The HTML-to-text function the options ask for ('' when a page has no text).

    Resolved once per file, so an extractor that cannot even be imported fails the unit
    loudly instead of being counted as an extraction error on every page.
    """
    if options.html_extractor == "trafilatura":
        import trafilatura

        if options.main_content:
            settings = options.trafilatura.model_dump()
            return lambda html: trafilatura.extract(html, include_comments=False, **settings) or ""
        return trafilatura.html2txt
    if options.main_content:
        settings = options.resiliparse.model_dump()
        return lambda html: extract_plain_text(HTMLTree.parse(html), main_content=True, **settings)
    return lambda html: extract_plain_text(HTMLTree.parse(html))
