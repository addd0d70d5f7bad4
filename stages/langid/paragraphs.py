"""Paragraph-level language identification: the share of each language in a page.

A page is cut at newlines into paragraphs; each paragraph long enough to identify gets its
own prediction, and shorter ones (headings, menu items, captions) take the language of the
paragraph before them (or after, at the top of a page), so they count where they belong
instead of as noise. The share of a language is its fraction of the page's characters.

A page is *mixed* when its main language holds less than ``mixed_below`` of it. A mixed page
is kept as one document (``keep``), dropped (``drop``), or ``split`` into one document per
language, each with the paragraphs of that language in their original order and an id
derived from the page's id and the language.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from typing import TYPE_CHECKING, Literal

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc
from pydantic import BaseModel, ConfigDict, Field

from pipeline.schema import document_id


if TYPE_CHECKING:
    from stages.langid.stage import LangId

SHARES_TYPE = pa.list_(pa.struct([("lang", pa.string()), ("share", pa.float32())]))


class ParagraphOptions(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    min_chars: int = Field(
        40, ge=1, description="Shorter paragraphs take the language of their neighbour.")
    mixed_below: float = Field(
        0.8, gt=0, le=1, description="A page is mixed when its main language has a smaller share.")
    min_share: float = Field(
        0.05, ge=0, lt=1, description="Smaller shares are folded into the main language.")
    mixed: Literal["keep", "split", "drop"] = Field(
        "keep", description="What to do with a mixed page.")


@dataclass
class PageLanguages:
    """What paragraph identification found in a batch of pages."""

    shares: pa.Array  # list<struct<lang, share>> per page, largest share first
    mixed: pa.Array  # bool per page
    #: per page, in order of first appearance: language -> (its paragraphs' indices in the
    #: page, their character-weighted mean score)
    parts: list[dict[str, tuple[list[int], float]]]
    paragraphs: list[list[str]]


def paragraph_languages(stage: LangId, text: pa.ChunkedArray, page_lang: pa.Array,
                        options: ParagraphOptions) -> PageLanguages:
    """Identify the paragraphs of every page of a batch in one model call."""
    split = pc.split_pattern_regex(text.fill_null(""), r"\n+")
    if isinstance(split, pa.ChunkedArray):
        split = split.combine_chunks()
    flat = pc.list_flatten(split)
    page_of = pc.list_parent_indices(split).to_numpy()
    sizes = pc.utf8_length(flat).to_numpy(zero_copy_only=False)
    long = np.flatnonzero(sizes >= options.min_chars)
    lang, score, _ = stage.identify(flat.take(long))
    para_lang = np.full(len(flat), None, dtype=object)
    para_lang[long] = lang.to_pylist()
    para_score = np.zeros(len(flat), dtype=np.float32)
    para_score[long] = score.to_numpy()

    page_langs = page_lang.to_pylist()
    paragraphs = split.to_pylist()
    shares, mixed, parts = [], [], []
    starts = np.searchsorted(page_of, np.arange(len(page_langs) + 1))
    for page, (start, end) in enumerate(zip(starts[:-1], starts[1:], strict=True)):
        labels = _fill(list(para_lang[start:end]), page_langs[page])
        chars: dict[str, int] = defaultdict(int)
        weighted: dict[str, float] = defaultdict(float)
        members: dict[str, list[int]] = defaultdict(list)
        for i, label in enumerate(labels):
            if label is None:
                continue
            chars[label] += int(sizes[start + i])
            weighted[label] += float(para_score[start + i]) * int(sizes[start + i])
            members[label].append(i)
        total = sum(chars.values())
        _fold_small(chars, weighted, members, total * options.min_share)
        ranked = sorted(chars, key=lambda x: (-chars[x], x))
        shares.append([{"lang": x, "share": chars[x] / total} for x in ranked])
        mixed.append(bool(ranked) and chars[ranked[0]] < options.mixed_below * total)
        in_page_order = sorted(ranked, key=lambda x: members[x][0])
        parts.append({x: (members[x], weighted[x] / max(chars[x], 1)) for x in in_page_order})
    return PageLanguages(pa.array(shares, SHARES_TYPE), pa.array(mixed, pa.bool_()), parts, paragraphs)


def _fill(labels: list[str | None], page_lang: str | None) -> list[str | None]:
    """Short paragraphs take the previous identified language, or the next, or the page's."""
    previous = None
    for i, label in enumerate(labels):
        labels[i] = previous = label or previous
    following = None
    for i in range(len(labels) - 1, -1, -1):
        labels[i] = following = labels[i] or following
    return [label or page_lang for label in labels]


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
