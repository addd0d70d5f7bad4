"""Connected components over an edge table, by large-star / small-star (Kiveris et al. 2014).

Both operations work on the edges of one key's neighbourhood only, so a round is a hash
partition of the edge table by key followed by independent per-partition work: no process
ever needs the whole graph. Nodes are byte strings whose order is the keep order, so at the
fixpoint every node points at the smallest node of its component, which is the copy kept.

Edges are tables with columns ``u`` and ``v`` (fixed-size binary); these functions are pure
and run on one partition (all edges whose key falls in it).
"""

from __future__ import annotations

import pyarrow as pa
import pyarrow.compute as pc
import xxhash


def _edges(u: pa.Array, v: pa.Array) -> pa.Table:
    return pa.table({"u": u, "v": v})


def both_directions(edges: pa.Table) -> pa.Table:
    """Large-star keys each edge by both ends (it needs the full neighbourhood)."""
    return pa.concat_tables([edges, _edges(edges.column("v"), edges.column("u"))])


def larger_first(edges: pa.Table) -> pa.Table:
    """Small-star keys each edge by its larger end."""
    u, v = edges.column("u"), edges.column("v")
    swap = pc.less(u, v)
    return _edges(pc.if_else(swap, v, u), pc.if_else(swap, u, v))


def _neighbourhood_min(edges: pa.Table) -> pa.Table:
    """Each key's smallest neighbour or itself, joined back onto its edges as ``m``."""
    mins = edges.group_by("u").aggregate([("v", "min")])
    mins = mins.set_column(1, "m", pc.min_element_wise(mins.column("v_min"), mins.column("u")))
    return edges.join(mins, "u")


def large_star(keyed: pa.Table) -> pa.Table:
    """For each u: connect every strictly larger neighbour v to m = min(N(u) + u)."""
    if keyed.num_rows == 0:
        return keyed
    joined = _neighbourhood_min(keyed)
    larger = joined.filter(pc.greater(joined.column("v"), joined.column("u")))
    return _distinct(_edges(larger.column("v"), larger.column("m")))


def small_star(keyed: pa.Table) -> pa.Table:
    """For each u (edges keyed by their larger end): connect u and its smaller neighbours to
    m = min(N(u) + u)."""
    if keyed.num_rows == 0:
        return keyed
    joined = _neighbourhood_min(keyed)
    moved = _edges(joined.column("v"), joined.column("m"))
    heads = joined.group_by(["u", "m"]).aggregate([]).rename_columns(["v", "m"])
    moved = pa.concat_tables([moved, _edges(heads.column("v"), heads.column("m"))])
    return _distinct(moved.filter(pc.not_equal(moved.column("u"), moved.column("v"))))


def _distinct(edges: pa.Table) -> pa.Table:
    return edges.group_by(["u", "v"]).aggregate([])


def checksum(edges: pa.Table) -> tuple[int, int]:
    """An order-free fingerprint of an edge set: (count, sum of 64-bit digests mod 2^64)."""
    pairs = zip(edges.column("u").to_pylist(), edges.column("v").to_pylist(), strict=True)
    return edges.num_rows, sum(xxhash.xxh3_64_intdigest(u + v) for u, v in pairs) % (1 << 64)
