"""Sections about tokens: totals per source, language, code language and shard (from the
shard manifest), tokenizer fertility, the final mixture against the configured weights, and
the code-language and licence mix of the documents."""

from __future__ import annotations

from typing import Any

from polycorpus.pipeline.report.counts import fold_top, n, ranked, ratio
from polycorpus.pipeline.report.model import (
    Bars,
    Block,
    Column,
    Figure,
    Figures,
    Note,
    Section,
    Series,
    Table,
)
from polycorpus.pipeline.report.rundata import ShardSet
from polycorpus.pipeline.report.scan import CodeMix, FertilitySample

#: Shards listed one per row; larger sets show the largest ones and say how many are left out.
SHARD_ROWS = 500


def _token_table(key: str, title: str, groups: dict[str, dict[str, int]]) -> Table:
    total = sum(g["tokens"] for g in groups.values())
    rows = [[name, groups[name]["documents"], groups[name]["tokens"],
             groups[name]["tokens"] / groups[name]["documents"] if groups[name]["documents"] else None,
             ratio(groups[name]["tokens"], total)] for name in ranked(groups, "tokens")]
    return Table([Column(title, "text"), Column("Documents"), Column("Tokens"), Column("Tokens/doc", "rate"),
                  Column("Share of tokens", "pct")], rows, key=key)


def _token_bars(title: str, groups: dict[str, dict[str, int]]) -> Bars:
    labels = ranked(groups, "tokens")
    labels, values = fold_top(labels, [float(groups[x]["tokens"]) for x in labels])
    return Bars(title, labels, [Series("tokens", values)])


def _stats_groups(entry: dict[str, Any], level: str) -> dict[str, dict[str, int]]:
    """``{group: {"documents", "tokens"}}`` from a stage entry, shaped like the manifest's."""
    return {name: {"documents": n(e, "docs_out"), "tokens": n(e, "tokens")}
            for name, e in (entry.get(level) or {}).items()}


def tokens_section(shard_set: ShardSet, entry: dict[str, Any] | None) -> Section | None:
    manifest = shard_set.manifest
    blocks: list[Block] = []
    if manifest is None:
        if not entry or "tokens" not in entry:
            return None
        groups = {"Source": _stats_groups(entry, "by_source"), "Language": _stats_groups(entry, "by_lang")}
        blocks.append(Note(f"The shard manifest ({shard_set.url}/manifest.json) is written when every unit "
                           "is committed; these token counts come from the committed units' statistics."))
        figures = [Figure("tokens", n(entry, "tokens")), Figure("documents", n(entry, "docs_out"))]
    else:
        totals = manifest.totals()
        groups = {"Source": totals["by_source"], "Language": totals["by_lang"],
                  "Code language": totals["by_code_lang"]}
        tok = manifest.tokenizer
        figures = [Figure("tokens", totals["tokens"]), Figure("documents", totals["documents"]),
                   Figure("shards", totals["shards"]), Figure("tokens/doc", ratio(totals["tokens"], totals["documents"]), "rate"),
                   Figure("vocabulary", tok.vocab_size), Figure("token dtype", manifest.dtype, "text"),
                   Figure("tokenizer", f"{tok.name} ({tok.identity[:12]})", "text")]
        if entry is not None and n(entry, "tokens") != totals["tokens"]:
            blocks.append(Note(f"stats.json counts {n(entry, 'tokens'):,} tokens for {shard_set.label}, the "
                               f"manifest {totals['tokens']:,}: the shard set does not match the run.", "warn"))
    blocks.insert(0, Figures(figures))
    keys = {"Source": "tokens_by_source", "Language": "tokens_by_lang", "Code language": "tokens_by_code_lang"}
    for title, table_groups in groups.items():
        if table_groups:
            blocks.append(_token_bars(f"Tokens by {title.lower()}", table_groups))
            blocks.append(_token_table(keys[title], title, table_groups))
    if manifest is not None:
        blocks.append(_shard_table(shard_set))
    intro = (f"Token counts of the shard set {shard_set.url} ({shard_set.label}); every document ends "
             "with one end-of-document token, which the counts include.")
    return Section(f"tokens-{shard_set.label}", "Tokens", blocks, intro=intro, summary=True)


def _shard_table(shard_set: ShardSet) -> Table:
    shards = sorted(shard_set.manifest.shards, key=lambda s: (-s.tokens, s.name))
    rows = [[s.name, s.source, s.kind, s.documents, s.tokens, s.bin_bytes] for s in shards[:SHARD_ROWS]]
    left = len(shards) - len(rows)
    caption = f"The {SHARD_ROWS} largest of {len(shards):,} shards" if left else "Every shard"
    return Table([Column("Shard", "text"), Column("Source", "text"), Column("Kind", "text"), Column("Documents"),
                  Column("Tokens"), Column(".bin size", "bytes")], rows, caption=caption, key="shards")


def fertility_section(shard_set: ShardSet, entry: dict[str, Any] | None,
                      sample: FertilitySample | None) -> Section | None:
    """Bytes per token exactly from the statistics; tokens per character and word on a sample."""
    if not entry or "tokens" not in entry:
        return None
    blocks: list[Block] = []
    for level, title in (("by_lang", "Language"), ("by_source", "Source")):
        groups = entry.get(level) or {}
        if not groups:
            continue
        rows = []
        for name in ranked(groups, "docs_out"):
            text_tokens = n(groups[name], "tokens") - n(groups[name], "docs_out")  # one <eod> each
            rows.append([name, n(groups[name], "docs_out"), n(groups[name], "bytes_out"), text_tokens,
                         ratio(n(groups[name], "bytes_out"), text_tokens)])
        blocks.append(Table([Column(title, "text"), Column("Documents"), Column("Bytes", "bytes"),
                             Column("Text tokens"), Column("Bytes per token", "rate")], rows,
                            caption="Exact, over every tokenized document (end-of-document tokens excluded)",
                            key=f"fertility_{level}"))
    if sample is not None and sample.by_group:
        groups = sample.by_group if len(sample.by_group) > 2 else {"all": sample.by_group["all"]}  # one group
        rows = [[group, f.documents, f.chars, f.tokens, f.per_char, f.per_word]
                for group, f in sorted(groups.items(), key=lambda kv: (kv[0] == "all", -kv[1].documents, kv[0]))]
        scope = "first documents of each group" + (", within a reading budget" if sample.truncated else "")
        blocks.append(Table([Column("Language or code language", "text"), Column("Documents"), Column("Characters"),
                             Column("Tokens"), Column("Tokens per character", "rate"), Column("Tokens per word", "rate")],
                            rows, caption=f"On a sample of {sample.documents:,} documents ({scope}); words are "
                            "whitespace-separated, so read tokens per character for Chinese, Japanese and Thai",
                            key="fertility_sample"))
    intro = ("How many tokens the tokenizer spends on each language: fewer bytes per token (or tokens "
             "per character) means a cheaper, usually better-fitted vocabulary.")
    return Section(f"fertility-{shard_set.label}", "Tokenizer fertility", blocks, intro=intro)


def mixture_section(shard_set: ShardSet) -> Section | None:
    """Each source's natural share of tokens against the share its blend weight gives it."""
    if shard_set.manifest is None:
        return None
    by_source = shard_set.manifest.totals()["by_source"]
    sources = [s for s in ranked(by_source, "tokens") if by_source[s]["tokens"]]
    if not sources:
        return None
    total_tokens = sum(by_source[s]["tokens"] for s in sources)
    weights = {s: shard_set.weights.get(s, 1.0) for s in sources}
    total_weight = sum(weights.values())
    blend_total = sum(shard_set.blend.values()) if shard_set.blend else 0.0
    rows = []
    for s in sources:
        natural, target = by_source[s]["tokens"] / total_tokens, weights[s] / total_weight
        blend = shard_set.blend.get(s, 0.0) / blend_total if blend_total else None
        rows.append([s, by_source[s]["tokens"], natural, weights[s], target, target / natural, blend])
    table = Table([Column("Source", "text"), Column("Tokens"), Column("Natural share", "pct"),
                   Column("Configured weight", "rate"), Column("Target share", "pct"),
                   Column("Sampling factor", "rate"), Column("Share in blend.txt", "pct")], rows, key="mixture")
    chart = Bars("Share of tokens: as produced vs as configured", sources,
                 [Series("natural", [r[2] for r in rows]), Series("configured", [r[4] for r in rows])], kind="pct")
    blocks: list[Block] = [chart, table]
    unset = [s for s in sources if s not in shard_set.weights]
    if unset:
        blocks.append(Note(f"No weight is configured for {', '.join(unset)}: the blend gives "
                           f"{'each' if len(unset) > 1 else 'it'} the default weight 1.0."))
    off = [r[0] for r in rows if r[6] is not None and abs(r[6] - r[4]) > 1e-6]
    if shard_set.blend is None:
        blocks.append(Note(f"{shard_set.url}/blend.txt is missing.", "warn"))
    elif off:
        blocks.append(Note(f"blend.txt does not realise the configured weights for {', '.join(off)}.", "warn"))
    else:
        blocks.append(Note("blend.txt realises the configured weights exactly (per source, split over its "
                           "shards by tokens)."))
    intro = ("A trainer reading blend.txt draws each source's target share of tokens. A sampling factor "
             "above 1 repeats that source (epochs over it per pass over the mix); below 1 leaves part unseen.")
    return Section(f"mixture-{shard_set.label}", "Mixture against the configured weights", blocks,
                   intro=intro, summary=True)


def code_section(mix: CodeMix, shard_sets: list[ShardSet]) -> Section | None:
    if not mix.docs_by_code_lang and not mix.docs_by_license:
        return None
    tokens: dict[str, int] = {}
    for shard_set in shard_sets:
        if shard_set.manifest is not None:
            for lang, counts in shard_set.manifest.totals()["by_code_lang"].items():
                tokens[lang] = tokens.get(lang, 0) + counts["tokens"]
    blocks: list[Block] = []
    for title, counts, key in (("Code language", mix.docs_by_code_lang, "code_langs"),
                               ("Licence", mix.docs_by_license, "licenses")):
        if not counts:
            continue
        labels = sorted(counts, key=lambda k: (-counts[k], k))
        total = sum(counts.values())
        folded_labels, values = fold_top(labels, [float(counts[k]) for k in labels])
        blocks.append(Bars(f"Documents by {title.lower()}", folded_labels, [Series("documents", values)]))
        columns = [Column(title, "text"), Column("Documents"), Column("Share", "pct")]
        rows = [[k, counts[k], ratio(counts[k], total)] for k in labels]
        if key == "code_langs" and tokens:
            columns.append(Column("Tokens"))
            rows = [row + [tokens.get(row[0])] for row in rows]
        blocks.append(Table(columns, rows, key=key))
    intro = "Code documents by programming language and by licence, counted from the final documents."
    return Section("code", "Code languages and licences", blocks, intro=intro, summary=True)
