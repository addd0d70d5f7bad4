"""The global dedup step: group keys, candidate edges, connected components, decisions.

Everything moves through hash-partitioned Parquet files under ``RUN/dedup/work`` and tasks
(Ray tasks, or the driver itself on a small local run) that each read one partition, so
memory is bounded by a partition, never the corpus,
and the driver only sees counts. The steps:

1. scatter: each unit's signatures -> partitions by exact hash, URL hash, band key and node;
2. group: per partition, rows sharing a key become star edges to their smallest node
   (optionally verified by exact shingle Jaccard); exact and URL groups also flag their
   non-smallest members;
3. components: large-star / small-star rounds over the edge partitions until the edge set
   stops changing: every node then points at its component's smallest node, the copy kept;
4. decide: per node partition, the dropped documents with their reason and cluster, the
   duplicates table, and the index (signatures of the kept documents) for later runs.

Every step is deterministic (sorted groups, minimum-based choices), so the result is the same
for any number of workers and any partition count.
"""

from __future__ import annotations

import math
import posixpath
from dataclasses import dataclass
from typing import Any

import fsspec
import numpy as np
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.parquet as pq
import xxhash

from polycorpus.stages.base import TaskRunner
from polycorpus.stages.dedup.components import (
    both_directions,
    checksum,
    large_star,
    larger_first,
    small_star,
)
from polycorpus.stages.dedup.config import MinHashParams
from polycorpus.stages.dedup.signatures import ID_BYTES, NODE_BYTES, OLD, signatures_dir

ROWS_PER_PARTITION = 500_000
#: A dropped row: its unit and ordinal there (ids may repeat), its id, why, and its cluster.
DECISION_SCHEMA = pa.schema([("unit", pa.string()), ("row", pa.int64()), ("id", pa.string()),
                             ("reason", pa.string()), ("cluster", pa.string())])
DUPLICATES_SCHEMA = pa.schema([("id", pa.string()), ("cluster", pa.string()), ("kept", pa.bool_()),
                               ("reason", pa.string())])


@dataclass(frozen=True)
class Layout:
    """Where the global step reads and writes; every task gets one."""

    run_url: str
    partitions: int

    def path(self, *parts: str) -> str:
        return posixpath.join(self.run_url, "dedup", *parts)

    def work(self, *parts: str) -> str:
        return self.path("work", *parts)


# -- partitioned files --------------------------------------------------------------------------


def _u64(array: pa.Array | pa.ChunkedArray, start: int = 0) -> np.ndarray:
    """Eight bytes of each value of a fixed-size binary column as uint64 (they are hashes)."""
    array = array.combine_chunks() if isinstance(array, pa.ChunkedArray) else array
    width = array.type.byte_width
    raw = np.frombuffer(array.buffers()[1], dtype=np.uint8)
    rows = raw[array.offset * width : (array.offset + len(array)) * width].reshape(-1, width)
    return np.ascontiguousarray(rows[:, start : start + 8]).view("<u8").ravel()


def _node_partition(nodes: pa.Array | pa.ChunkedArray, partitions: int) -> np.ndarray:
    return _u64(nodes, NODE_BYTES - 8) % np.uint64(partitions)


def _write_partitioned(fs: fsspec.AbstractFileSystem, base: str, table: pa.Table, part: np.ndarray,
                       partitions: int, name: str) -> None:
    order = np.argsort(part, kind="stable")
    table, part = table.take(pa.array(order)), part[order]
    bounds = np.searchsorted(part, np.arange(partitions + 1))
    for p in range(partitions):
        if bounds[p + 1] > bounds[p]:
            _write(fs, posixpath.join(base, f"p={p:05d}", f"{name}.parquet"),
                   table.slice(bounds[p], bounds[p + 1] - bounds[p]))


def _write(fs: fsspec.AbstractFileSystem, path: str, table: pa.Table, **options: Any) -> None:
    fs.makedirs(posixpath.dirname(path), exist_ok=True)
    with fs.open(path, "wb") as handle:
        pq.write_table(table, handle, compression="zstd", **options)


def _remove(fs: fsspec.AbstractFileSystem, path: str) -> None:
    if fs.exists(path):
        fs.rm(path, recursive=True)


def _read_partition(fs: fsspec.AbstractFileSystem, base: str, p: int, schema: pa.Schema) -> pa.Table:
    files = sorted(fs.glob(posixpath.join(base, f"p={p:05d}", "*.parquet")))
    tables = []
    for path in files:
        with fs.open(path, "rb") as handle:
            tables.append(pq.read_table(handle))
    return pa.concat_tables(tables).cast(schema) if tables else schema.empty_table()


# -- step 1: scatter ----------------------------------------------------------------------------

NODE_FIELD = pa.field("node", pa.binary(NODE_BYTES))
EDGES = pa.schema([("u", pa.binary(NODE_BYTES)), ("v", pa.binary(NODE_BYTES))])
FLAGS = pa.schema([NODE_FIELD, ("reason", pa.string())])


def _read_signatures(fs: fsspec.AbstractFileSystem, path: str, unit: str) -> pa.Table:
    with fs.open(path, "rb") as handle:
        table = pq.read_table(handle)
    if unit == "":  # an earlier run's index: its documents come first in every cluster
        nodes = [OLD + node[1:21] + _place_of_old(node) for node in table.column("node").to_pylist()]
        table = table.set_column(0, "node", pa.array(nodes, pa.binary(NODE_BYTES)))
        table = table.append_column("row", pa.nulls(table.num_rows, pa.int64()))
    return table.append_column("unit", pa.array([unit] * table.num_rows, pa.string()))


def _place_of_old(node: bytes) -> bytes:
    """An index written before nodes held a row's place (21 bytes): a place from its id."""
    return node[ID_BYTES.stop :] if len(node) == NODE_BYTES else xxhash.xxh3_64_digest(node[ID_BYTES])


def _scatter(layout: Layout, sources: list[tuple[str, str]], params: MinHashParams | None, url: bool,
             name: str) -> int:
    """Signature files (path, unit) -> partitions by exact hash, URL, band key and node."""
    fs, _ = fsspec.core.url_to_fs(layout.run_url)
    parts = [_read_signatures(fs, path, unit) for path, unit in sources]
    table = pa.concat_tables(parts) if parts else None
    if table is None or table.num_rows == 0:
        return 0
    P = layout.partitions
    node = table.column("node")
    exact = table.select(["node"]).append_column("e0", pa.array(_u64(table.column("exact"), 0))) \
        .append_column("e1", pa.array(_u64(table.column("exact"), 8)))
    _write_partitioned(fs, layout.work("exact"), exact, exact.column("e0").to_numpy() % np.uint64(P), P, name)
    if url:
        with_url = table.filter(pc.is_valid(table.column("url"))).select(["node", "url"])
        _write_partitioned(fs, layout.work("url"), with_url, with_url.column("url").to_numpy() % np.uint64(P), P, name)
    if params is not None:
        _scatter_bands(fs, layout, table, params, name)
    keep = ["node", "id", "row", "unit", "exact", "url"] + (["bands"] if params is not None else [])
    _write_partitioned(fs, layout.work("nodes"), table.select(keep), _node_partition(node, P), P, name)
    return table.num_rows


def _scatter_bands(fs: fsspec.AbstractFileSystem, layout: Layout, table: pa.Table, params: MinHashParams,
                   name: str) -> None:
    """One row per (band, key, node): the buckets of the LSH index."""
    table = table.filter(pc.is_valid(table.column("bands")))
    if table.num_rows == 0:
        return
    keys = table.column("bands").combine_chunks().flatten().to_numpy()
    rows = np.repeat(np.arange(table.num_rows), params.bands)
    exploded = pa.table({
        "band": pa.array(np.tile(np.arange(params.bands, dtype=np.uint16), table.num_rows)),
        "key": pa.array(keys),
        "node": table.column("node").take(pa.array(rows)),
    })
    if params.verify:
        exploded = exploded.append_column("shingles", table.column("shingles").take(pa.array(rows)))
    mixed = keys ^ (exploded.column("band").to_numpy().astype(np.uint64) * np.uint64(0x9E3779B97F4A7C15))
    _write_partitioned(fs, layout.work("bands"), exploded, mixed % np.uint64(layout.partitions),
                       layout.partitions, name)


# -- step 2: group keys into star edges ---------------------------------------------------------


def _star_edges(table: pa.Table, keys: list[str]) -> tuple[pa.Table, np.ndarray, np.ndarray]:
    """Sort rows by ``keys`` then node; return the sorted table and, for every row that is not
    the first (smallest node) of its key group, its index and the index of that first row."""
    table = table.sort_by([(k, "ascending") for k in keys] + [("node", "ascending")])
    n = table.num_rows
    starts = np.zeros(n, dtype=bool)
    if n:
        starts[0] = True
        for k in keys:
            column = table.column(k).to_numpy()
            starts[1:] |= column[1:] != column[:-1]
    first = np.flatnonzero(starts)[np.cumsum(starts) - 1]
    members = np.flatnonzero(~starts)
    return table, first[members], members


#: Shingle-set comparisons one LSH bucket may spend when ``verify`` is on. A bucket of n
#: copies of one text costs n - 1 (each joins the first); only a bucket of many distinct
#: texts (false positives) reaches the budget, and its remaining pairs are left unjoined.
VERIFY_BUDGET = 20_000


def _verified_edges(table: pa.Table, firsts: np.ndarray, members: np.ndarray,
                    threshold: float) -> tuple[np.ndarray, np.ndarray, dict[str, int]]:
    """Edges between bucket members whose exact shingle Jaccard is >= ``threshold``.

    Every pair of a bucket is a candidate, not only (first, member): a false-positive first
    node must not hide a true pair among the others (see :func:`_bucket_forest`). Groups are
    contiguous in ``members`` (the table is sorted by key, then node).
    """
    shingles = table.column("shingles")
    us: list[int] = []
    vs: list[int] = []
    counts = {"verify_pairs": 0, "verify_rejected": 0, "verify_budget_exhausted": 0}
    starts, offsets, sizes = np.unique(firsts, return_index=True, return_counts=True)
    for start, offset, size in zip(starts.tolist(), offsets.tolist(), sizes.tolist(), strict=True):
        rows = [start, *members[offset : offset + size].tolist()]
        pairs, compared, exhausted = _bucket_forest([set(shingles[r].as_py()) for r in rows], threshold)
        us += [rows[j] for j, _ in pairs]
        vs += [rows[i] for _, i in pairs]
        counts["verify_pairs"] += compared
        counts["verify_rejected"] += compared - len(pairs)
        counts["verify_budget_exhausted"] += exhausted
    return np.array(us, dtype=np.int64), np.array(vs, dtype=np.int64), counts


def _bucket_forest(sets: list[set[int]], threshold: float) -> tuple[list[tuple[int, int]], int, bool]:
    """(verified pairs (j, i) with j < i, comparisons made, budget exhausted) of one bucket.

    Members are taken in node order; each is compared with the members of every component
    formed so far, up to its first match there (which joins that component to its own):
    every true pair is found unless its sides are already joined, which gives a spanning
    forest of the verified pairs (connected components make the same clusters of it as of
    all of them), at n - 1 comparisons for n copies of one text.
    """
    components: list[list[int]] = []
    pairs: list[tuple[int, int]] = []
    compared = 0
    for i, x in enumerate(sets):
        home: list[int] | None = None  # the first component i joins; later matches merge into it
        remaining: list[list[int]] = []
        for component in components:
            match = None
            for j in component:
                if compared == VERIFY_BUDGET:
                    return pairs, compared, True
                compared += 1
                y = sets[j]
                if (x or y) and len(x & y) / len(x | y) >= threshold:
                    match = j
                    break
            if match is None:
                remaining.append(component)
                continue
            pairs.append((match, i))
            if home is None:
                home = component
                home.append(i)
                remaining.append(home)
            else:
                home.extend(component)
        if home is None:
            remaining.append([i])
        components = remaining
    return pairs, compared, False


def _group(layout: Layout, step: str, p: int, keys: list[str], schema: pa.Schema, flag: str | None,
           threshold: float | None) -> dict[str, int]:
    """Partition ``p`` of a keyed scatter -> edges (keyed for large-star) and flags: star
    edges to each group's first member, or with ``threshold`` the verified pairs."""
    fs, _ = fsspec.core.url_to_fs(layout.run_url)
    table, firsts, members = _star_edges(_read_partition(fs, layout.work(step), p, schema), keys)
    counts = {"candidates": len(members)}
    if threshold is not None and len(members):
        firsts, members, verified = _verified_edges(table, firsts, members, threshold)
        counts.update(verified)
    nodes = table.column("node")
    edges = pa.table({"u": nodes.take(pa.array(firsts)), "v": nodes.take(pa.array(members))}, schema=EDGES)
    keyed = both_directions(edges)
    _write_partitioned(fs, layout.work("cc-0"), keyed, _node_partition(keyed.column("u"), layout.partitions),
                       layout.partitions, f"{step}-{p:05d}")
    if flag is not None and len(members):
        flags = pa.table({"node": edges.column("v"), "reason": pa.array([flag] * len(members), pa.string())},
                         schema=FLAGS)
        _write_partitioned(fs, layout.work("flags"), flags, _node_partition(flags.column("node"), layout.partitions),
                           layout.partitions, f"{step}-{p:05d}")
    return counts


# -- step 3: connected components ---------------------------------------------------------------


def _star_round(layout: Layout, round_: int, p: int, op: str) -> tuple[int, int]:
    """One large-star or small-star over partition ``p``; output keyed for the next op.

    Small-star outputs are also written by node (``labels-<round>``): after the last round
    they say, for every non-kept node, which node its cluster keeps.
    """
    fs, _ = fsspec.core.url_to_fs(layout.run_url)
    P = layout.partitions
    keyed = _read_partition(fs, layout.work(f"cc-{round_}"), p, EDGES)
    name = f"{p:05d}"
    if op == "large":
        out = large_star(keyed)
        nxt = larger_first(out)
        _write_partitioned(fs, layout.work(f"cc-{round_ + 1}"), nxt, _node_partition(nxt.column("u"), P), P, name)
        return out.num_rows, 0
    out = small_star(keyed)
    nxt = both_directions(out)
    _write_partitioned(fs, layout.work(f"cc-{round_ + 1}"), nxt, _node_partition(nxt.column("u"), P), P, name)
    _write_partitioned(fs, layout.work(f"labels-{round_}"), out, _node_partition(out.column("u"), P), P, name)
    return checksum(out)


# -- step 4: decide -----------------------------------------------------------------------------


def _decide(layout: Layout, p: int, labels: str, node_schema: pa.Schema) -> dict[str, Any]:
    """Per node partition: dropped documents, duplicates table rows, index rows, cluster sizes."""
    fs, _ = fsspec.core.url_to_fs(layout.run_url)
    P = layout.partitions
    nodes = _read_partition(fs, layout.work("nodes"), p, node_schema)
    pointers = _read_partition(fs, layout.work(labels), p, EDGES).rename_columns(["node", "rep"])
    flags = _read_partition(fs, layout.work("flags"), p, FLAGS)
    flags = flags.group_by("node").aggregate([("reason", "min")])  # exact_duplicate < url_duplicate
    # Join on a slim table (joins cannot carry list columns), then align back by row.
    slim = pa.table({"node": nodes.column("node"), "row": pa.array(np.arange(nodes.num_rows))})
    matched = slim.join(pointers, "node").join(flags, "node").sort_by("row")
    table = nodes.append_column("rep", matched.column("rep")).append_column("reason_min", matched.column("reason_min"))
    dropped = table.filter(pc.is_valid(table.column("rep")))
    kept = table.filter(pc.is_null(table.column("rep")))
    rep_ids = [rep[ID_BYTES].hex() for rep in dropped.column("rep").to_pylist()]
    reasons = pc.fill_null(dropped.column("reason_min"), "near_duplicate")
    new = pc.not_equal(dropped.column("unit"), "")
    decisions = pa.table({"unit": dropped.column("unit"), "row": dropped.column("row"), "id": dropped.column("id"),
                          "reason": reasons, "cluster": pa.array(rep_ids, pa.string())},
                         schema=DECISION_SCHEMA).filter(new)
    decisions = decisions.sort_by([("unit", "ascending"), ("row", "ascending")])
    _write(fs, layout.path("decisions", f"part-{p:05d}.parquet"), decisions, row_group_size=20_000)
    _write(fs, layout.path("duplicates", f"dropped-{p:05d}.parquet"),
           pa.table({"id": decisions.column("id"), "cluster": decisions.column("cluster"),
                     "kept": pa.array([False] * decisions.num_rows), "reason": decisions.column("reason")},
                    schema=DUPLICATES_SCHEMA))
    index = kept.select([c for c in ("node", "id", "exact", "url", "bands") if c in kept.column_names])
    _write(fs, layout.path("index", f"part-{p:05d}.parquet"), index.sort_by("node"))
    # Cluster sizes: the pointers re-keyed by the node kept, counted on the next pass.
    by_rep = pointers.filter(pc.is_valid(pointers.column("rep")))
    _write_partitioned(fs, layout.work("by-rep"), by_rep, _node_partition(by_rep.column("rep"), P), P, f"{p:05d}")
    counts = pc.value_counts(decisions.column("reason")).to_pylist() if decisions.num_rows else []
    in_run = pc.sum(pc.not_equal(nodes.column("unit"), "")).as_py() or 0
    return {"dropped": {c["values"]: c["counts"] for c in counts}, "documents": int(in_run)}


def _clusters(layout: Layout, p: int) -> dict[int, int]:
    """Kept rows of the duplicates table and the cluster-size histogram of partition ``p``."""
    fs, _ = fsspec.core.url_to_fs(layout.run_url)
    pointers = _read_partition(fs, layout.work("by-rep"), p, pa.schema([NODE_FIELD, ("rep", pa.binary(NODE_BYTES))]))
    sizes = pointers.group_by("rep").aggregate([("node", "count")]).sort_by("rep")
    reps = sizes.column("rep").to_pylist()
    new = [rep[:1] != OLD for rep in reps]
    ids = [rep[ID_BYTES].hex() for rep in reps]
    kept = pa.table({"id": ids, "cluster": ids, "kept": [True] * len(ids), "reason": pa.nulls(len(ids), pa.string())},
                    schema=DUPLICATES_SCHEMA).filter(pa.array(new, pa.bool_()))
    _write(fs, layout.path("duplicates", f"kept-{p:05d}.parquet"), kept)
    histogram: dict[int, int] = {}
    for size in sizes.column("node_count").to_pylist():
        histogram[size + 1] = histogram.get(size + 1, 0) + 1
    return histogram


# -- orchestration ------------------------------------------------------------------------------


def _signature_sources(run_url: str, units: list[str], index: list[str]) -> list[tuple[str, str, int]]:
    """(path, unit, rows) of this run's signature files and of earlier runs' indexes."""
    fs, root = fsspec.core.url_to_fs(signatures_dir(run_url))
    sources = []
    for unit in units:
        path = posixpath.join(root, f"{unit}.parquet")
        with fs.open(path, "rb") as handle:
            sources.append((path, unit, pq.ParquetFile(handle).metadata.num_rows))
    for location in index:
        index_fs, index_root = fsspec.core.url_to_fs(location)
        if index_fs.exists(posixpath.join(index_root, "dedup", "index")):
            index_root = posixpath.join(index_root, "dedup", "index")
        files = sorted(index_fs.glob(posixpath.join(index_root, "*.parquet")))
        if not files:
            raise FileNotFoundError(f"{location}: no dedup index (expected RUN/dedup/index/*.parquet)")
        for path in files:
            with index_fs.open(path, "rb") as handle:
                sources.append((index_fs.unstrip_protocol(path), "", pq.ParquetFile(handle).metadata.num_rows))
    return sources


def _chunks(items: list[Any], size: int) -> list[list[Any]]:
    return [items[i : i + size] for i in range(0, len(items), size)]


def deduplicate(run_url: str, units: list[str], params: MinHashParams | None, exact: bool, url: bool,
                index: list[str], partitions: int, max_rounds: int, stats: dict[str, Any],
                run_tasks: TaskRunner) -> None:
    """Run the global step (its tasks through ``run_tasks``); fills ``stats`` with exact
    counts of what was found."""
    fs, _ = fsspec.core.url_to_fs(run_url)
    sources = _signature_sources(run_url, units, index)
    rows = sum(n for _, _, n in sources)
    bands = params.bands if params is not None else 1
    P = partitions or max(4, min(1024, math.ceil(rows * bands / ROWS_PER_PARTITION)))
    layout = Layout(run_url, P)
    for stale in (layout.path("work"), layout.path("decisions"), layout.path("duplicates"), layout.path("index")):
        _remove(fs, stale)

    per_task = max(1, math.ceil(len(sources) / (4 * P)))
    run_tasks(_scatter, [(layout, [(path, unit) for path, unit, _ in chunk], params, url, f"s{i:05d}")
                         for i, chunk in enumerate(_chunks(sources, per_task))])

    node_schema = pa.schema([NODE_FIELD, ("id", pa.string()), ("row", pa.int64()), ("unit", pa.string()),
                             ("exact", pa.binary(16)),
                             ("url", pa.uint64())]
                            + ([("bands", pa.list_(pa.uint64(), params.bands))] if params is not None else []))
    group_counts: dict[str, int] = {}
    steps: list[tuple[str, list[str], pa.Schema, str | None, float | None]] = []
    if exact:
        steps.append(("exact", ["e0", "e1"], pa.schema([NODE_FIELD, ("e0", pa.uint64()), ("e1", pa.uint64())]),
                      "exact_duplicate", None))
    if url:
        steps.append(("url", ["url"], pa.schema([NODE_FIELD, ("url", pa.uint64())]), "url_duplicate", None))
    if params is not None:
        band_fields = [("band", pa.uint16()), ("key", pa.uint64()), NODE_FIELD]
        if params.verify:
            band_fields.append(("shingles", pa.list_(pa.uint32())))
        steps.append(("bands", ["band", "key"], pa.schema(band_fields), None,
                      params.threshold if params.verify else None))
    for step, keys, schema, flag, threshold in steps:
        for counts in run_tasks(_group, [(layout, step, p, keys, schema, flag, threshold) for p in range(P)]):
            for name, value in counts.items():
                group_counts[f"{step}_{name}"] = group_counts.get(f"{step}_{name}", 0) + value

    rounds, previous, round_ = 0, None, 0
    while True:
        run_tasks(_star_round, [(layout, round_, p, "large") for p in range(P)])
        results = run_tasks(_star_round, [(layout, round_ + 1, p, "small") for p in range(P)])
        fingerprint = (sum(r[0] for r in results), sum(r[1] for r in results) % (1 << 64))
        rounds += 1
        if fingerprint == previous:
            break
        if rounds >= max_rounds:
            raise RuntimeError(f"connected components did not converge in {max_rounds} rounds")
        previous, round_ = fingerprint, round_ + 2
    labels = f"labels-{round_ + 1}"

    dropped: dict[str, int] = {}
    documents = 0
    for result in run_tasks(_decide, [(layout, p, labels, node_schema) for p in range(P)]):
        documents += result["documents"]
        for reason, count in result["dropped"].items():
            dropped[reason] = dropped.get(reason, 0) + count
    histogram: dict[int, int] = {}
    for part in run_tasks(_clusters, [(layout, p) for p in range(P)]):
        for size, count in part.items():
            histogram[size] = histogram.get(size, 0) + count
    _remove(fs, layout.path("work"))  # absent when no document reached the step
    stats.update({
        "documents": documents,
        "index_documents": sum(n for _, unit, n in sources if unit == ""),
        "dropped": dict(sorted(dropped.items())),
        "clusters": sum(histogram.values()),
        "cluster_sizes": {str(size): histogram[size] for size in sorted(histogram)},
        "partitions": P,
        "cc_rounds": rounds,
        **dict(sorted(group_counts.items())),
    })

