"""Paragraph-level language identification: the share of each language in a page.

A page is cut at newlines into paragraphs; each paragraph long enough to identify gets its
own prediction, and shorter ones (headings, menu items, captions) take the language of the
paragraph before them (or after, at the top of a page), so they count where they belong
instead of as noise. The share of a language is its fraction of the page's characters.

The page's ``lang`` is then its main language (the largest share) and ``lang_score`` the
character-weighted mean score of that language's paragraphs; ``lang_top`` stays the
prediction on the whole page. A page is *mixed* when its main language holds less than ``mixed_below`` of it. A mixed page
is kept as one document (``keep``), dropped (``drop``), or ``split`` into one document per
language, each with the paragraphs of that language in their original order and an id
derived from the page's id and the language.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass
from itertools import pairwise
from typing import Any

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from polycorpus.stages.langid.config import ParagraphOptions
from polycorpus.stages.schema import document_id

#: Identifies a batch of texts: (language, score, anything else) per text. The stage passes
#: its own ``identify``, so paragraphs get the same labels and thresholds as pages.
Identify = Callable[[pa.Array], tuple[pa.Array, pa.Array, Any]]

SHARES_TYPE = pa.list_(pa.struct([("lang", pa.string()), ("share", pa.float32())]))


@dataclass
class PageLanguages:
    """What paragraph identification found in a batch of pages."""

    shares: pa.Array  # list<struct<lang, share>> per page, largest share first
    mixed: pa.Array  # bool per page
    lang: pa.Array  # the main language of each page (largest share)
    score: pa.Array  # the character-weighted mean score of the main language's paragraphs
    #: per page, in order of first appearance: language -> (its paragraphs' indices in the
    #: page, their character-weighted mean score)
    parts: list[dict[str, tuple[list[int], float]]]
    paragraphs: list[list[str]]


def paragraph_languages(identify: Identify, text: pa.ChunkedArray, page_lang: pa.Array, page_score: pa.Array,
                        options: ParagraphOptions) -> PageLanguages:
    """Identify the paragraphs of every page of a batch in one model call."""
    split = pc.split_pattern_regex(text.fill_null(""), r"\n+")
    if isinstance(split, pa.ChunkedArray):
        split = split.combine_chunks()
    flat = pc.list_flatten(split)
    page_of = pc.list_parent_indices(split).to_numpy()
    sizes = pc.utf8_length(flat).to_numpy(zero_copy_only=False)
    long = np.flatnonzero(pc.binary_length(flat).to_numpy(zero_copy_only=False) >= options.min_bytes)
    lang, score, _ = identify(flat.take(long))
    para_lang = np.full(len(flat), None, dtype=object)
    para_lang[long] = lang.to_pylist()
    para_score = np.zeros(len(flat), dtype=np.float32)
    para_score[long] = score.to_numpy()

    page_langs, page_scores = page_lang.to_pylist(), page_score.to_pylist()
    paragraphs = split.to_pylist()
    shares, mixed, parts, main, main_score = [], [], [], [], []
    starts = np.searchsorted(page_of, np.arange(len(page_langs) + 1))
    for page, (start, end) in enumerate(pairwise(starts)):
        found = [(x, float(y)) if x is not None else None for x, y in zip(para_lang[start:end], para_score[start:end], strict=True)]
        labelled = _fill(found, (page_langs[page], page_scores[page]))
        chars: dict[str, int] = defaultdict(int)
        weighted: dict[str, float] = defaultdict(float)
        members: dict[str, list[int]] = defaultdict(list)
        for i, (label, score) in enumerate(labelled):
            if label is None:
                continue
            chars[label] += int(sizes[start + i])
            weighted[label] += score * int(sizes[start + i])
            members[label].append(i)
        total = sum(chars.values())
        _fold_small(chars, weighted, members, total * options.min_share)
        ranked = sorted(chars, key=lambda x: (-chars[x], x))
        shares.append([{"lang": x, "share": chars[x] / total} for x in ranked])
        mixed.append(bool(ranked) and chars[ranked[0]] < options.mixed_below * total)
        main.append(ranked[0] if ranked else None)
        main_score.append(weighted[ranked[0]] / max(chars[ranked[0]], 1) if ranked else 0.0)
        in_page_order = sorted(ranked, key=lambda x: members[x][0])
        parts.append({x: (members[x], weighted[x] / max(chars[x], 1)) for x in in_page_order})
    return PageLanguages(pa.array(shares, SHARES_TYPE), pa.array(mixed, pa.bool_()), pa.array(main, pa.string()),
                         pa.array(main_score, pa.float32()), parts, paragraphs)


def _fill(found: list[tuple[str, float] | None], page: tuple[str | None, float]) -> list[tuple[str | None, float]]:
    """Short paragraphs take the (language, score) of the previous identified paragraph, or
    of the next, or the page's own prediction when no paragraph was long enough."""
    previous = None
    for i, entry in enumerate(found):
        found[i] = previous = entry or previous
    following = None
    for i in range(len(found) - 1, -1, -1):
        found[i] = following = found[i] or following
    return [entry or page for entry in found]


def _fold_small(chars: dict[str, int], weighted: dict[str, float], members: dict[str, list[int]],
                floor: float) -> None:
    """Languages with less than ``floor`` characters are stray misdetections: their
    paragraphs go to the main language (keeping their order within it)."""
    if len(chars) < 2:
        return
    main = max(chars, key=lambda x: (chars[x], x))
    for small in [x for x in chars if x != main and chars[x] < floor]:
        chars[main] += chars.pop(small)
        weighted[main] += weighted.pop(small)
        members[main] = sorted(members[main] + members.pop(small))


def split_by_language(table: pa.Table, found: PageLanguages) -> pa.Table:
    """Each mixed page becomes one row per language, in place (other rows are unchanged).

    A part holds the page's paragraphs of its language, in order; its id derives from the
    page's id and the language, so it is as stable as the page's.
    """
    ids, sources = table.column("id").to_pylist(), table.column("source").to_pylist()
    order, parents = [], []
    parts: dict[str, list] = {"id": [], "text": [], "lang": [], "lang_score": [], "lang_shares": [], "lang_top": []}
    for row, is_mixed in enumerate(found.mixed.to_pylist()):
        if not is_mixed:
            order.append(row)
            continue
        for lang, (members, score) in found.parts[row].items():
            order.append(table.num_rows + len(parents))
            parents.append(row)
            parts["id"].append(document_id(sources[row], f"{ids[row]}#lang={lang}"))
            parts["text"].append("\n".join(found.paragraphs[row][i] for i in members))
            parts["lang"].append(lang)
            parts["lang_score"].append(score)
            parts["lang_shares"].append([{"lang": lang, "share": 1.0}])
            parts["lang_top"].append([{"lang": lang, "score": score}])
    split = table.take(pa.array(parents, pa.int64()))
    for name, values in parts.items():
        field = split.field(name)
        split = split.set_column(split.schema.get_field_index(name), field, pa.array(values, field.type))
    return pa.concat_tables([table, split]).take(pa.array(order, pa.int64()))
