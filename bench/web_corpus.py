"""A gzip-WARC web corpus with the variety of a real crawl, for the web benchmarks.

    python bench/web_corpus.py [--mb 64] [--files 4]     # build (once) and describe it

Written once per (size, files, seed) under ``$POLYCORPUS_BENCH_CACHE`` (default
``/tmp/polycorpus-bench``) and never committed. Every page is HTML inside a per-record gzip
WARC response, with the request and metadata records Common Crawl ships around it. Pages are
drawn, by a seeded generator, from these kinds:

- ``real``: the real HTML responses of ../shared/corpus/warc (Common Crawl, Heritrix and wget
  captures), re-served under fresh URLs;
- ``article``: a news-site template (navigation, cookie banner, sidebar, comments, footer,
  inline script and style) around an article built from the labelled text of
  ../shared/corpus/text: English news articles, or consecutive UD sentences in 22 languages;
- ``listing``: a catalogue of short link lines (what FineWeb's short-line rule is for);
- ``spam``: an article whose paragraphs or keyword lines repeat (Gopher repetition);
- ``near_copy``: an earlier article with a few words changed (mirrors, syndication);
- ``stub``: a page with a line or two of content;
- ``code``: a tutorial page with code blocks (C4's curly-bracket rule).

The kind of every page is in its URL (``https://<site>/<kind>/<lang>/<n>.html``), so a
benchmark can break its results down without a side file.
"""

from __future__ import annotations

import argparse
import io
import os
import random
import sys
from collections import Counter
from pathlib import Path

from fastwarc.warc import ArchiveIterator, WarcRecordType
from warcio.statusandheaders import StatusAndHeaders
from warcio.warcwriter import WARCWriter

REPO = Path(__file__).resolve().parents[1]
SHARED = REPO.parent / "shared" / "corpus"
CACHE = Path(os.environ.get("POLYCORPUS_BENCH_CACHE", "/tmp/polycorpus-bench")) / "web"

#: Share of each page kind (the rest of the mix is articles).
KINDS = {"real": 0.16, "article": 0.52, "listing": 0.08, "spam": 0.08, "near_copy": 0.08, "stub": 0.04, "code": 0.04}
#: Share of English among generated articles (the recipe keeps English only).
ENGLISH = 0.6


def real_pages() -> list[tuple[str, bytes]]:
    """(Content-Type, payload) of every 200 text/html response in the shared WARCs."""
    pages = []
    for path in sorted((SHARED / "warc").rglob("*.warc*")):
        if ".wet" in path.name or ".wat" in path.name or "clipped" in path.name:
            continue
        with path.open("rb") as stream:
            for record in ArchiveIterator(stream, record_types=WarcRecordType.response, parse_http=True):
                headers = record.http_headers
                if headers is None or headers.status_code != 200:
                    continue
                content_type = headers.get("Content-Type") or ""
                if "html" not in content_type or headers.get("Transfer-Encoding"):
                    continue
                body = record.reader.read()
                if len(body) > 2000:
                    pages.append((content_type, body))
    if not pages:
        raise SystemExit(f"no HTML pages under {SHARED / 'warc'}: the shared corpus is needed")
    return pages


def labelled_text() -> dict[str, list[str]]:
    """Sentences per language: UD treebank sentences, and English news split into sentences."""
    by_lang: dict[str, list[str]] = {}
    for folder in sorted(p for p in (SHARED / "text").iterdir() if p.is_dir() and p.name != "near-duplicates"):
        for path in sorted(folder.glob("*.conllu")):
            for line in path.read_text(encoding="utf-8").splitlines():
                if line.startswith("# text = "):
                    by_lang.setdefault(folder.name, []).append(line[len("# text = "):])
    news = SHARED / "text" / "near-duplicates" / "chrisjmccormick__MinHash" / "articles_1000.train"
    for line in news.read_text(encoding="utf-8").splitlines():
        text = line.split(" ", 1)[1] if " " in line else ""
        by_lang.setdefault("en-news", []).extend(s.strip() + "." for s in text.split(". ") if s.strip())
    return by_lang


_NAV = ["Home", "News", "World", "Politics", "Business", "Tech", "Science", "Health", "Sport", "Culture",
        "Opinion", "Travel", "Video", "Podcasts", "Newsletters", "Subscribe", "Log in", "Contact", "About us"]
_SIDEBAR = ["Most read", "Related articles", "Trending now", "Editor's picks", "More from this author"]
_SCRIPT = ("window.dataLayer=window.dataLayer||[];function gtag(){dataLayer.push(arguments)}"
           "gtag('js',new Date());gtag('config','UA-000000-1');" * 6)
_COOKIE = ("This site uses cookies to improve your experience. By continuing to browse you agree to our "
           "use of cookies. Read our cookie policy.")
_CODE = ["def read_config(path):\n    with open(path) as f:\n        return json.load(f)",
         "for (let i = 0; i < items.length; i++) {\n  total += items[i].price;\n}",
         "int main(void) {\n    printf(\"hello\\n\");\n    return 0;\n}"]


def _style(rng: random.Random) -> str:
    """A page's own style sheet: sites differ, so it compresses as real ones do (~5 KB)."""
    return "".join(f".c{i}{{margin:{rng.randrange(20)}px;color:#{rng.randrange(1 << 24):06x};"
                   f"background:url(/img/{rng.randrange(1 << 32):08x}.png)}}" for i in range(250))


class PageMaker:
    """Builds the HTML of each page kind from the shared text, with a seeded generator."""

    def __init__(self, seed: int) -> None:
        self.rng = random.Random(seed)
        self.text = labelled_text()
        self.languages = sorted(lang for lang in self.text if not lang.startswith("en"))
        self.real = real_pages()
        self.articles: list[tuple[str, list[str]]] = []  # (lang, paragraphs), for near-copies

    def page(self, k: int) -> tuple[str, str, bytes]:
        """(kind, lang, HTML bytes) of page number ``k``."""
        kind = self.rng.choices(list(KINDS), weights=list(KINDS.values()))[0]
        if kind == "near_copy" and not self.articles:
            kind = "article"
        if kind == "real":
            content_type, body = self.real[k % len(self.real)]
            return kind, "real", body
        lang = "en" if kind in ("listing", "code") or self.rng.random() < ENGLISH else self.rng.choice(self.languages)
        title, paragraphs, extra = self._content(kind, lang)
        return kind, lang, self._html(title, paragraphs, extra).encode("utf-8")

    def _sentences(self, lang: str, count: int) -> list[str]:
        """``count`` consecutive sentences (an article does not repeat itself by chance)."""
        pool = self.text["en-news" if lang == "en" and self.rng.random() < 0.6 else lang]
        start = self.rng.randrange(max(1, len(pool) - count))
        return pool[start:start + count]

    def _paragraphs(self, lang: str, chars: int) -> list[str]:
        sentences = self._sentences(lang, max(2, chars // 120))
        paragraphs, i = [], 0
        while i < len(sentences) and sum(map(len, paragraphs)) < chars:
            size = self.rng.randint(2, 5)
            paragraphs.append(" ".join(sentences[i:i + size]))
            i += size
        return paragraphs

    def _content(self, kind: str, lang: str) -> tuple[str, list[str], str]:
        rng = self.rng
        if kind == "near_copy":
            lang, paragraphs = rng.choice(self.articles)
            paragraphs = [self._change_words(p) for p in paragraphs]
            return paragraphs[0][:60], paragraphs, ""
        if kind == "stub":
            return "Page", self._sentences(lang, rng.randint(1, 2)), ""
        if kind == "listing":
            items = [f"{rng.choice(_NAV)} {rng.choice(['deals', 'guide', 'review', 'list', 'top 10'])} {i}"
                     for i in range(rng.randint(30, 120))]
            return "Catalogue", items, ""
        if kind == "code":
            paragraphs = self._paragraphs("en", rng.randint(1500, 4000))
            return "Tutorial", paragraphs, "".join(f"<pre><code>{c}</code></pre>" for c in rng.sample(_CODE, 2))
        paragraphs = self._paragraphs(lang, int(rng.lognormvariate(8.1, 0.5)))  # median ~3.3 KB
        if kind == "spam":
            if rng.random() < 0.5:
                paragraphs = paragraphs[:2] * rng.randint(4, 10)
            else:
                words = " ".join(paragraphs).split()[:8]
                paragraphs = [" ".join(rng.sample(words, len(words))) for _ in range(rng.randint(20, 60))]
        else:
            self.articles.append((lang, paragraphs))
            if len(self.articles) > 500:
                self.articles.pop(rng.randrange(len(self.articles)))
        return paragraphs[0][:60], paragraphs, ""

    def _change_words(self, paragraph: str) -> str:
        words = paragraph.split()
        for _ in range(max(1, len(words) // 30)):
            words[self.rng.randrange(len(words))] = self.rng.choice(words)
        return " ".join(words)

    def _html(self, title: str, paragraphs: list[str], extra: str) -> str:
        rng = self.rng
        nav = "".join(f'<li class="c{rng.randrange(120)}"><a href="/{n.lower()}">{n}</a></li>'
                      for n in rng.sample(_NAV, rng.randint(8, 15)))
        side = "".join(f"<li><a href='/a/{rng.randrange(10**6)}'>{' '.join(self._sentences('en', 1))[:70]}</a></li>"
                       for _ in range(rng.randint(4, 8)))
        body = "".join(f"<p>{p}</p>" for p in paragraphs)
        comments = "".join(f"<div class='comment'><b>user{rng.randrange(999)}</b><p>{c}</p></div>"
                           for c in rng.choice([[], ["Great article, thanks!", "I disagree with this."]]))
        return (f"<!DOCTYPE html><html><head><meta charset='utf-8'><title>{title}</title>"
                f"<style>{_style(rng)}</style><script>{_SCRIPT}</script></head><body>"
                f"<header><nav><ul>{nav}</ul></nav></header><div class='cookie'>{_COOKIE}</div>"
                f"<main><article><h1>{title}</h1>{body}{extra}</article>"
                f"<section class='comments'>{comments}</section></main>"
                f"<aside><h3>{rng.choice(_SIDEBAR)}</h3><ul>{side}</ul></aside>"
                f"<footer><p>Copyright 2024. All rights reserved.</p><p><a href='/terms'>Terms of use</a> | "
                f"<a href='/privacy'>Privacy policy</a></p></footer></body></html>")


def build(target_mb: float, files: int, seed: int = 0) -> list[Path]:
    """Write (once) ``files`` gzip WARC files totalling about ``target_mb`` MB; their paths."""
    out = CACHE / f"{target_mb:g}mb-{files}files-seed{seed}"
    if (out / "DONE").exists():
        return sorted(out.glob("*.warc.gz"))
    out.mkdir(parents=True, exist_ok=True)
    maker = PageMaker(seed)
    per_file = target_mb * 1_000_000 / files
    k = 0
    for f in range(files):
        with (out / f"crawl-{f:03d}.warc.gz").open("wb") as stream:
            writer = WARCWriter(stream, gzip=True)
            while stream.tell() < per_file:
                kind, lang, body = maker.page(k)
                url = f"https://site{k % 997}.example/{kind}/{lang}/{k}.html"
                _write_exchange(writer, url, body)
                k += 1
    (out / "DONE").write_text(f"{k} pages\n")
    return sorted(out.glob("*.warc.gz"))


def _write_exchange(writer: WARCWriter, url: str, body: bytes) -> None:
    request = StatusAndHeaders("GET / HTTP/1.1", [("Host", url.split("/")[2])], is_http_request=True)
    response = StatusAndHeaders("200 OK", [("Content-Type", "text/html; charset=utf-8"),
                                           ("Content-Length", str(len(body)))], protocol="HTTP/1.1")
    writer.write_record(writer.create_warc_record(url, "request", payload=None, http_headers=request))
    writer.write_record(writer.create_warc_record(url, "response", payload=io.BytesIO(body), http_headers=response))
    writer.write_record(writer.create_warc_record(url, "metadata", payload=io.BytesIO(b"fetchTimeMs: 100\r\n"),
                                                  warc_content_type="application/warc-fields"))


def corpus_arguments(parser: argparse.ArgumentParser, runs: int, quick_runs: int) -> None:
    """The options every benchmark on this corpus takes: its size, files, runs and --quick."""
    parser.add_argument("--mb", type=float, default=64, help="corpus size (gzip WARC)")
    parser.add_argument("--files", type=int, default=4)
    parser.add_argument("--runs", type=int, default=runs)
    parser.add_argument("--quick", action="store_true", help=f"the 10 MB corpus, {quick_runs} run(s) each")


def quick_settings(args: argparse.Namespace, quick_runs: int) -> None:
    """Apply ``--quick``: the 10 MB corpus and fewer runs, for trying changes."""
    if args.quick:
        args.mb, args.runs = 10, quick_runs


def extracted_texts(warcs: list[Path], html_extractor: str) -> list[tuple[str, str]]:
    """(URL, text) of every page with text, as polycorpus's ingest extracts it with
    ``html_extractor`` (its default options), in file order."""
    from polycorpus.stages.ingest.charset import clean_text, decode_html, split_content_type
    from polycorpus.stages.ingest.config import IngestOptions
    from polycorpus.stages.ingest.html import extractor

    extract = extractor(IngestOptions(html_extractor=html_extractor))
    pages = []
    for path in warcs:
        with path.open("rb") as stream:
            for record in ArchiveIterator(stream, record_types=WarcRecordType.response, parse_http=True):
                _mime, charset = split_content_type(record.http_headers.get("Content-Type"))
                html, _ = decode_html(record.reader.read(), charset)
                text = clean_text(extract(html)).strip()
                if text:
                    pages.append((record.headers.get("WARC-Target-URI"), text))
    return pages


def page_kind(url: str) -> tuple[str, str]:
    """(kind, language) of a page of this corpus, from its URL."""
    parts = url.split("/")
    return parts[3], parts[4]


def describe(paths: list[Path]) -> str:
    kinds: Counter[str] = Counter()
    for path in paths:
        with path.open("rb") as stream:
            for record in ArchiveIterator(stream, record_types=WarcRecordType.response, parse_http=False):
                kind, lang = page_kind(record.headers.get("WARC-Target-URI"))
                kinds[kind if kind != "article" else f"article-{'en' if lang == 'en' else 'other'}"] += 1
    size = sum(p.stat().st_size for p in paths) / 1e6
    return f"{len(paths)} files, {size:.1f} MB gzip WARC, {sum(kinds.values())} pages: " + ", ".join(
        f"{kind} {n}" for kind, n in sorted(kinds.items()))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--mb", type=float, default=64)
    parser.add_argument("--files", type=int, default=4)
    parser.add_argument("--seed", type=int, default=0)
    args = parser.parse_args()
    print(describe(build(args.mb, args.files, args.seed)), file=sys.stderr)


if __name__ == "__main__":
    main()
