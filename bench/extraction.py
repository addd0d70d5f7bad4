"""Main-content extraction on pages whose main content is known: token F1 per extractor.

    python bench/extraction.py [--pages 400] [--seed 1]

Each page is built (seeded, in memory) from the labelled text of ../shared/corpus/text: an
article of consecutive UD sentences in one of 22 languages or of English news, poured into one
of five layouts that real sites use, with the boilerplate each kind of site has around it:

- ``html5``: ``<header><nav>``, cookie banner, ``<main><article>``, a comment section, ``<aside>``
  with related links, ``<footer>`` (the template of bench/web_corpus.py);
- ``div_soup``: no semantic tags: ``div.menu``, ``div.post-entry``, ``div.sidebar`` with
  teaser paragraphs of other articles, ``div.footer``;
- ``table``: a 2000s table layout: a navigation cell beside a content cell whose paragraphs
  are separated by ``<br><br>`` inside ``<font>``, no ``<p>``;
- ``blog_comments``: an article followed by a long thread of reader comments (not main
  content: FineWeb extracts with ``include_comments=False``);
- ``rich``: an article whose body mixes paragraphs with inline links, a bullet list, a data
  table and a subheading, all of which are main content.

The expected text is the article: its title (``<h1>``), paragraphs, subheadings, list items
and table cells. Every extractor polycorpus offers runs on every page with the options the
pipeline uses (resiliparse ``main_content=True`` without comments and bylines, and with the
library's defaults that keep them; trafilatura at FineWeb's settings), and for scale the plain
text of the whole page (resiliparse without main-content detection). Scores
are bag-of-token precision, recall and F1 per page (words of letters and digits; each CJK or
other unspaced-script character is a token), averaged over pages, with the time per page.
"""

from __future__ import annotations

import argparse
import html
import random
import re
import statistics
import sys
import time
from collections import Counter
from collections.abc import Callable
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO / "bench"))

from web_corpus import _COOKIE, _NAV, _SCRIPT, _SIDEBAR, _style, labelled_text

from polycorpus.stages.ingest.charset import clean_text
from polycorpus.stages.ingest.config import IngestOptions, ResiliparseOptions
from polycorpus.stages.ingest.html import extractor

LAYOUTS = ("html5", "div_soup", "table", "blog_comments", "rich")
#: A word of letters/digits in a spaced script, or one character of an unspaced one.
_TOKEN = re.compile(r"[\u3040-\u30ff\u3400-\u9fff\uac00-\ud7af\u0e00-\u0e7f]|[^\W_]+")


def tokens(text: str) -> Counter[str]:
    return Counter(t.lower() for t in _TOKEN.findall(text))


def scores(expected: Counter[str], got: Counter[str]) -> tuple[float, float, float]:
    """Bag-of-token precision, recall, F1 (an empty extraction of a non-empty page scores 0)."""
    overlap = sum((expected & got).values())
    precision = overlap / sum(got.values()) if got else 0.0
    recall = overlap / sum(expected.values()) if expected else 0.0
    f1 = 2 * precision * recall / (precision + recall) if precision + recall else 0.0
    return precision, recall, f1


class LabelledPages:
    """Pages of each layout with the text a main-content extractor should return."""

    def __init__(self, seed: int) -> None:
        self.rng = random.Random(seed)
        self.text = labelled_text()
        self.languages = sorted(self.text)

    def page(self, layout: str) -> tuple[str, str, str]:
        """(language, HTML, expected main text) of one page in ``layout``."""
        lang = "en-news" if self.rng.random() < 0.4 else self.rng.choice(self.languages)
        title, paragraphs = self._article(lang)
        build = getattr(self, f"_{layout}")
        page, extra = build(title, paragraphs, lang)
        return lang, page, "\n".join([title, *paragraphs, *extra])

    def _sentences(self, lang: str, count: int) -> list[str]:
        pool = self.text[lang]
        start = self.rng.randrange(max(1, len(pool) - count))
        return pool[start:start + count]

    def _article(self, lang: str) -> tuple[str, list[str]]:
        sentences = self._sentences(lang, self.rng.randint(8, 40))
        paragraphs, i = [], 0
        while i < len(sentences):
            size = self.rng.randint(2, 5)
            paragraphs.append(" ".join(sentences[i:i + size]))
            i += size
        return sentences[0][:70].rstrip(), paragraphs

    def _links(self, count: int, lang: str = "en-news") -> list[str]:
        return [html.escape(" ".join(self._sentences(lang, 1))[:70]) for _ in range(count)]

    def _nav(self) -> str:
        return "".join(f'<li><a href="/{n.lower()}">{n}</a></li>' for n in self.rng.sample(_NAV, 10))

    def _head(self, title: str) -> str:
        return (f"<!DOCTYPE html><html><head><meta charset='utf-8'><title>{html.escape(title)}</title>"
                f"<style>{_style(self.rng)}</style><script>{_SCRIPT}</script></head>")

    def _framed(self, title: str, inner: str, footer: str) -> str:
        """A page of the header-navigation-and-footer kind around ``inner``."""
        return (f"{self._head(title)}<body><header><nav><ul>{self._nav()}</ul></nav></header>{inner}"
                f"<footer>{footer}</footer></body></html>")

    def _html5(self, title: str, paragraphs: list[str], lang: str) -> tuple[str, list[str]]:
        body = _paragraphs_html(paragraphs)
        side = "".join(f"<li><a href='/a/{i}'>{t}</a></li>" for i, t in enumerate(self._links(6)))
        page = self._framed(title, f"<div class='cookie'>{_COOKIE}</div><main><article><h1>{html.escape(title)}</h1>"
                            f"{body}</article><section class='comments'><div class='comment'><b>user7</b>"
                            f"<p>Great article, thanks!</p></div></section></main>"
                            f"<aside><h3>{self.rng.choice(_SIDEBAR)}</h3><ul>{side}</ul></aside>",
                            "<p>Copyright 2024. All rights reserved.</p>")
        return page, []

    def _div_soup(self, title: str, paragraphs: list[str], lang: str) -> tuple[str, list[str]]:
        body = _paragraphs_html(paragraphs)
        teasers = "".join(f"<div class='teaser'><a href='/p/{i}'>{t}</a><p>{t} ...</p></div>"
                          for i, t in enumerate(self._links(4)))
        page = (f"{self._head(title)}<body><div id='wrapper'><div class='menu'><ul>{self._nav()}</ul></div>"
                f"<div class='content'><div class='post-title'><h1>{html.escape(title)}</h1></div>"
                f"<div class='post-meta'>Posted by admin on 12 March 2019 | 3 comments</div>"
                f"<div class='post-entry'>{body}</div><div class='share'>Share: Facebook Twitter Email</div></div>"
                f"<div class='sidebar'><div class='widget'><h3>{self.rng.choice(_SIDEBAR)}</h3>{teasers}</div></div>"
                f"<div class='footer'>Powered by WordPress | Theme by Example</div></div></body></html>")
        return page, []

    def _table(self, title: str, paragraphs: list[str], lang: str) -> tuple[str, list[str]]:
        body = "<br><br>".join(html.escape(p) for p in paragraphs)
        nav = "<br>".join(f"<a href='/{n.lower()}'>{n}</a>" for n in self.rng.sample(_NAV, 12))
        page = (f"{self._head(title)}<body><table width='100%'><tr><td colspan='2'><img src='/logo.gif' alt=''>"
                f"</td></tr><tr><td width='150' valign='top' class='nav'>{nav}</td><td valign='top'>"
                f"<font size='4'><b>{html.escape(title)}</b></font><br><br><font face='Verdana'>{body}</font>"
                f"</td></tr><tr><td colspan='2'><font size='1'>Last updated 2003. Webmaster</font>"
                f"</td></tr></table></body></html>")
        return page, []

    def _blog_comments(self, title: str, paragraphs: list[str], lang: str) -> tuple[str, list[str]]:
        body = _paragraphs_html(paragraphs)
        comments = "".join(
            f"<li class='comment'><div class='comment-author'>reader{i}</div><div class='comment-body'>"
            f"<p>{html.escape(' '.join(self._sentences(lang, self.rng.randint(1, 3))))}</p></div></li>"
            for i in range(self.rng.randint(4, 12)))
        page = self._framed(title, f"<main><article class='post'><h1>{html.escape(title)}</h1>"
                            f"<div class='entry-content'>{body}</div></article><div id='comments'><h2>Comments</h2>"
                            f"<ol class='comment-list'>{comments}</ol><form><textarea>Leave a reply</textarea></form>"
                            f"</div></main>", "Copyright 2024")
        return page, []

    def _rich(self, title: str, paragraphs: list[str], lang: str) -> tuple[str, list[str]]:
        half = max(1, len(paragraphs) // 2)
        items = [html.unescape(t) for t in self._links(self.rng.randint(3, 6), lang)]
        subheading = " ".join(self._sentences(lang, 1))[:50].rstrip()
        cells = [[f"{w}" for w in self._sentences(lang, 1)[0].split()[:3]] for _ in range(3)]

        def linked(p: str) -> str:
            words = html.escape(p).split(" ")
            for k in range(0, len(words), 9):
                words[k] = f"<a href='/w/{k}'>{words[k]}</a>"
            return " ".join(words)

        body = ("".join(f"<p>{linked(p)}</p>" for p in paragraphs[:half])
                + f"<h2>{html.escape(subheading)}</h2>"
                + "<ul>" + "".join(f"<li>{html.escape(i)}</li>" for i in items) + "</ul>"
                + "<table>" + "".join("<tr>" + "".join(f"<td>{html.escape(c)}</td>" for c in row) + "</tr>"
                                      for row in cells) + "</table>"
                + "".join(f"<p>{linked(p)}</p>" for p in paragraphs[half:]))
        aside = "".join(f"<li>{t}</li>" for t in self._links(5))
        page = self._framed(title, f"<main><article><h1>{html.escape(title)}</h1>{body}</article></main>"
                            f"<aside><ul>{aside}</ul></aside>", "Copyright 2024")
        return page, [subheading, *items, *(c for row in cells for c in row)]


def _paragraphs_html(paragraphs: list[str]) -> str:
    return "".join(f"<p>{html.escape(p)}</p>" for p in paragraphs)


def extractors() -> dict[str, Callable[[str], str]]:
    """The pipeline's extractors as the ingest stage builds them, and the whole page's text."""
    return {
        "resiliparse (default)": extractor(IngestOptions()),
        "resiliparse, comments and bylines kept": extractor(
            IngestOptions(resiliparse=ResiliparseOptions(comments=True, post_meta=True))),
        "trafilatura (FineWeb settings)": extractor(IngestOptions(html_extractor="trafilatura")),
        "whole page text (no main content)": extractor(IngestOptions(main_content=False)),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--pages", type=int, default=400, help="pages in all, spread over the layouts")
    parser.add_argument("--seed", type=int, default=1)
    args = parser.parse_args()

    maker = LabelledPages(args.seed)
    pages = [(layout, *maker.page(layout)) for k in range(args.pages) for layout in [LAYOUTS[k % len(LAYOUTS)]]]
    results: dict[tuple[str, str], list[tuple[float, float, float]]] = {}
    seconds: dict[str, float] = {}
    for name, extract in extractors().items():
        started = time.process_time()
        texts = [clean_text(extract(page)).strip() for _layout, _lang, page, _expected in pages]
        seconds[name] = time.process_time() - started
        for (layout, _lang, _page, expected), text in zip(pages, texts, strict=True):
            score = scores(tokens(expected), tokens(text))
            results.setdefault((name, layout), []).append(score)
            results.setdefault((name, "all"), []).append(score)

    def mean(name: str, layout: str, k: int) -> float:
        return statistics.fmean(s[k] for s in results[(name, layout)])

    print(f"{len(pages)} pages ({len(pages) // len(LAYOUTS)} per layout), seed {args.seed}; "
          f"bag-of-token scores averaged over pages; CPU ms per page on one core\n")
    print("| extractor | precision | recall | F1 | " + " | ".join(f"F1 {layout}" for layout in LAYOUTS)
          + " | ms/page |")
    print("|---|---:|---:|---:|" + "---:|" * len(LAYOUTS) + "---:|")
    for name in seconds:
        per_layout = " | ".join(f"{mean(name, layout, 2):.3f}" for layout in LAYOUTS)
        print(f"| {name} | {mean(name, 'all', 0):.3f} | {mean(name, 'all', 1):.3f} | **{mean(name, 'all', 2):.3f}** "
              f"| {per_layout} | {1000 * seconds[name] / len(pages):.1f} |")
    empty = {name: sum(s[2] == 0 for s in results[(name, "all")]) for name in seconds}
    print("\npages with nothing of the article extracted: "
          + ", ".join(f"{name} {n}" for name, n in empty.items()))


if __name__ == "__main__":
    main()
