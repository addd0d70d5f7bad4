"""Dedup: shingles and keys, connected components, and the stage through real runs on Ray."""

from __future__ import annotations

import json
import random
import tarfile
from pathlib import Path

import pyarrow as pa
import pyarrow.parquet as pq
import pytest
from support import documents, file_digests, stage, stats, write_config

from polycorpus.pipeline.config import ConfigError, load_config
from polycorpus.pipeline.runner import run_pipeline
from polycorpus.stages.dedup.components import (
    both_directions,
    checksum,
    large_star,
    larger_first,
    small_star,
)
from polycorpus.stages.dedup.config import MinHashOptions
from polycorpus.stages.dedup.shingles import exact_key, shingles
from polycorpus.stages.dedup.signatures import node_key

WORDS = ("river harbour tide moon sail anchor rope deck wave storm gull lighthouse keel mast "
         "chart compass ferry quay pier buoy current reef shoal bay cove cliff dune").split()


def _article(seed: int, length: int = 220) -> str:
    rng = random.Random(seed)
    return " ".join(rng.choice(WORDS) + str(rng.randint(0, 40)) for _ in range(length))


def _edit(text: str, fraction: float, seed: int) -> str:
    rng = random.Random(seed)
    words = text.split()
    for i in rng.sample(range(len(words)), int(len(words) * fraction)):
        words[i] = "changed" + str(rng.randint(0, 9999))
    return " ".join(words)


def _write(path: Path, rows: list[dict]) -> None:
    path.write_text("".join(json.dumps(r, ensure_ascii=False) + "\n" for r in rows))


# -- pieces -------------------------------------------------------------------------------------


def test_shingles_by_kind_and_language() -> None:
    params = MinHashOptions(preset="custom", bands=2, rows=2, ngram=3).resolve()
    assert shingles("The cat sat on the mat", "text", "en", params) == [b"the cat sat", b"cat sat on", b"sat on the", b"on the mat"]
    assert shingles("今天天气很好", "text", "zh-Hans", params)[0] == "今天天气很".encode()  # 5-char grams
    assert shingles("x=f(a,b)", "code", None, params)[0] == b"x = f"
    assert shingles("two words", "text", "en", params) == [b"two words"]  # shorter than n: one shingle
    assert shingles("  ", "text", "en", params) == []
    long = shingles("word " * 10_000_000, "text", "en", MinHashOptions(max_shingle_chars=1000).resolve())
    assert len(long) == 1  # bounded by max_shingle_chars, and distinct


def test_exact_key_and_node_order() -> None:
    assert exact_key("a  b\n\nc ") == exact_key("a b c") != exact_key("a b c d")
    high, low = node_key(5, "f" * 32), node_key(1, "0" * 32)
    assert high < low  # higher priority sorts first, whatever the id
    assert node_key(1, "0" * 32) < node_key(1, "1" + "0" * 31)  # then the smaller id
    assert node_key(-3, "0" * 32) > node_key(0, "f" * 32)


def test_presets_carry_their_published_parameters() -> None:
    fineweb = MinHashOptions(preset="fineweb").resolve()
    assert (fineweb.bands, fineweb.rows, fineweb.ngram) == (14, 8, 5)
    mtnlg = MinHashOptions(preset="mtnlg").resolve()
    assert (mtnlg.bands, mtnlg.rows, mtnlg.ngram, mtnlg.shingle, mtnlg.threshold) == (20, 13, 24, "char", 0.8)
    starcoder = MinHashOptions(preset="starcoder2").resolve()
    assert starcoder.num_perm == 256 and starcoder.bands * starcoder.rows <= 256 and starcoder.threshold == 0.7
    assert MinHashOptions(preset="pile").resolve().num_perm == 10
    with pytest.raises(ValueError, match="needs bands and rows"):
        MinHashOptions(preset="custom")
    with pytest.raises(ValueError, match="use preset: custom"):
        MinHashOptions(preset="fineweb", bands=3)


def test_large_star_small_star_finds_components() -> None:
    rng = random.Random(7)
    for _ in range(40):
        nodes = list({bytes(rng.randrange(256) for _ in range(3)) for _ in range(rng.randint(2, 50))})
        edges = [(a, b) for a, b in ((rng.choice(nodes), rng.choice(nodes)) for _ in range(len(nodes))) if a != b]
        if not edges:
            continue
        parent = {n: n for n in nodes}

        def find(x: bytes) -> bytes:
            while parent[x] != x:
                x = parent[x]
            return x

        for a, b in edges:
            ra, rb = find(a), find(b)
            parent[max(ra, rb)] = min(ra, rb)
        truth = {n: find(n) for n in nodes if find(n) != n}
        table = pa.table({"u": pa.array([a for a, _ in edges], pa.binary(3)), "v": pa.array([b for _, b in edges], pa.binary(3))})
        previous = None
        while (current := checksum(table := small_star(larger_first(large_star(both_directions(table)))))) != previous:
            previous = current
        assert dict(zip(table.column("u").to_pylist(), table.column("v").to_pylist(), strict=True)) == truth


# -- the stage in real runs ---------------------------------------------------------------------

def _corpus(root: Path) -> dict[str, str]:
    """Three files: originals, exact and near copies across files, one better-priority copy."""
    originals = {f"orig-{i}": _article(i) for i in range(12)}
    _write(root / "a.jsonl", [{"id": k, "text": t} for k, t in originals.items()])
    _write(root / "b.jsonl", [
        {"id": "exact-0", "text": "  " + originals["orig-0"].replace(" ", "   ") + "\n"},  # whitespace only
        {"id": "near-1", "text": _edit(originals["orig-1"], 0.03, 1)},
        {"id": "near-2", "text": _edit(originals["orig-2"], 0.03, 2)},
        {"id": "unique-b", "text": _article(100)},
    ])
    _write(root / "premium.jsonl", [{"id": "premium-3", "text": _edit(originals["orig-3"], 0.02, 3)}])
    return originals


# These corpora are English and carry no lang: word shingles for every document, no langid.
ENGLISH = {"by_language": False}


def _config(root: Path, **dedup) -> Path:
    return write_config(root / "c.yaml", output="run", inputs=[
        {"path": "a.jsonl", "source": "web", "id_field": "id"},
        {"path": "b.jsonl", "source": "web2", "id_field": "id"},
        {"path": "premium.jsonl", "source": "books", "id_field": "id", "priority": 5}],
        stages=[{"name": "dedup", "minhash": ENGLISH, **dedup}])


@pytest.mark.usefixtures("ray_local")
def test_exact_and_near_duplicates_removed_best_copy_kept(tmp_path: Path) -> None:
    _corpus(tmp_path)
    result = run_pipeline(load_config(_config(tmp_path)), workers=2)
    assert result.ok
    run = tmp_path / "run"
    texts = documents(run).column("text").to_pylist()
    s = stats(run)
    dedup = stage(s, "dedup")
    assert dedup["drops"]["exact_duplicate"]["docs"] == 1
    assert dedup["drops"]["near_duplicate"]["docs"] == 3  # near-1, near-2 and orig-3 (premium wins)
    by_source = dedup["by_source"]
    assert sum(v.get("drops", {}).get("near_duplicate", {}).get("docs", 0) for v in by_source.values()) == 3
    assert by_source["books"]["docs_out"] == 1  # the premium copy is never the one dropped
    assert len(texts) == 17 - 4
    premium = json.loads((tmp_path / "premium.jsonl").read_text())["text"]
    assert premium in texts  # priority 5 beats the original of the same cluster
    duplicates = pq.read_table(run / "dedup" / "duplicates").to_pylist()
    assert sum(not d["kept"] for d in duplicates) == 4 and sum(d["kept"] for d in duplicates) == 4
    assert dedup["global"]["cluster_sizes"] == {"2": 4}
    assert dedup["global"]["documents"] == 17
    assert not (run / "dedup" / "work").exists()


@pytest.mark.usefixtures("ray_local")
def test_same_result_for_any_worker_or_partition_count(tmp_path: Path) -> None:
    outputs = []
    for workers, partitions in ((1, 1), (2, 7), (2, 0)):
        root = tmp_path / f"w{workers}-p{partitions}"
        root.mkdir()
        _corpus(root)
        run_pipeline(load_config(_config(root, partitions=partitions)), workers=workers)
        outputs.append((file_digests(root / "run" / "documents"),
                        sorted(map(str, pq.read_table(root / "run" / "dedup" / "duplicates").to_pylist()))))
    assert outputs[0] == outputs[1] == outputs[2]


@pytest.mark.usefixtures("ray_local")
def test_incremental_against_an_earlier_index(tmp_path: Path) -> None:
    first, second = tmp_path / "first", tmp_path / "second"
    first.mkdir()
    second.mkdir()
    originals = _corpus(first)
    run_pipeline(load_config(_config(first)))
    _write(second / "new.jsonl", [
        {"id": "again-4", "text": originals["orig-4"]},                    # exact copy of the old corpus
        {"id": "close-5", "text": _edit(originals["orig-5"], 0.03, 55)},   # near copy of the old corpus
        {"id": "fresh", "text": _article(999)},
        {"id": "fresh-dup", "text": _article(999) + " "},
    ])
    config = write_config(second / "c.yaml", output="run", inputs=[{"path": "new.jsonl", "source": "crawl2", "id_field": "id"}],
                          stages=[{"name": "dedup", "minhash": ENGLISH, "index": [str(first / "run")]}])
    run_pipeline(load_config(config))
    s = stage(stats(second / "run"), "dedup")
    assert s["drops"] == {"exact_duplicate": {"docs": 2, "bytes": s["drops"]["exact_duplicate"]["bytes"]},
                          "near_duplicate": {"docs": 1, "bytes": s["drops"]["near_duplicate"]["bytes"]}}
    assert [t.strip() for t in documents(second / "run").column("text").to_pylist()] == [_article(999)]
    assert s["global"]["index_documents"] == 13


@pytest.mark.usefixtures("ray_local")
def test_degenerate_corpora(tmp_path: Path) -> None:
    cases = {
        "tiny": ["", "a", "b", "a", "x y"],          # empty, one character, shorter than a shingle
        "identical": [_article(1)] * 300,           # one giant cluster
        "distinct": [_article(i) for i in range(50)],  # nothing to remove
    }
    expected = {"tiny": 3, "identical": 1, "distinct": 50}
    for name, texts in cases.items():
        root = tmp_path / name
        root.mkdir()
        _write(root / "d.jsonl", [{"text": t} for t in texts])
        config = write_config(root / "c.yaml", output="run", inputs=[{"path": "d.jsonl", "source": "s"}],
                              stages=[{"name": "dedup", "minhash": {"preset": "fineweb", **ENGLISH}}])
        assert run_pipeline(load_config(config)).ok
        assert documents(root / "run").num_rows == expected[name], name


def test_rows_sharing_an_id_are_judged_apart(tmp_path: Path) -> None:
    """Two identical documents under one id: one goes. A unique document sharing its id with a
    duplicate: it stays. The same repository twice under one source: its copies go."""
    t1, t2, unique = _article(1), _article(2), _article(3)
    _write(tmp_path / "a.jsonl", [{"id": "x", "text": t1}, {"id": "x", "text": t1},
                                  {"id": "y", "text": unique}, {"id": "y", "text": t2}])
    _write(tmp_path / "b.jsonl", [{"id": "z", "text": t2}])
    (tmp_path / "repo").mkdir()
    (tmp_path / "repo" / "tool.py").write_text("def tool():\n    return 'a tool that does one thing well'\n")
    with tarfile.open(tmp_path / "repo.tar.gz", "w:gz") as tar:
        tar.add(tmp_path / "repo", arcname="repo")
    config = write_config(tmp_path / "c.yaml", output="run", inputs=[
        {"path": "*.jsonl", "source": "s", "id_field": "id"},
        {"path": "repo", "source": "code", "kind": "code", "format": "code"},
        {"path": "repo.tar.gz", "source": "code", "kind": "code"}],
        stages=[{"name": "dedup", "minhash": None}])
    assert run_pipeline(load_config(config), engine="local").ok
    run = tmp_path / "run"
    texts = documents(run).column("text").to_pylist()
    assert sorted(texts) == sorted([t1, unique, t2, (tmp_path / "repo" / "tool.py").read_text()])
    s = stats(run)
    assert stage(s, "dedup")["drops"]["exact_duplicate"]["docs"] == 3
    assert stage(s, "ingest")["counters"]["duplicate_ids"] == 2  # x and y repeat within a.jsonl
    assert len(set(documents(run).column("id").to_pylist())) == 4


@pytest.mark.parametrize("engine", ["local", "ray"])
def test_no_document_reaches_dedup(tmp_path: Path, engine: str, request: pytest.FixtureRequest) -> None:
    """Every document dropped before dedup: the run completes, and a rerun finds it complete."""
    if engine == "ray":
        request.getfixturevalue("ray_local")
    _write(tmp_path / "d.jsonl", [{"text": "short"}] * 5)
    config = load_config(write_config(tmp_path / "c.yaml", output="run", inputs=[{"path": "d.jsonl", "source": "s"}],
                                      stages=[{"name": "length_filter", "min_chars": 100},
                                              {"name": "dedup", "minhash": ENGLISH}]))
    for _ in range(2):
        assert run_pipeline(config, engine=engine).ok
    s = stats(tmp_path / "run")
    assert s["complete"] and documents(tmp_path / "run").num_rows == 0
    assert stage(s, "dedup")["global"]["documents"] == 0


@pytest.mark.usefixtures("ray_local")
def test_fifty_megabyte_documents(tmp_path: Path) -> None:
    """Two copies of a ~48 MB document, another one as large and a small one: the copy goes,
    the rest stays. Shingling stops at max_shingle_chars, so a signature of a huge document
    costs what a 1 MB one does (the unit test above bounds the shingle count)."""
    huge = " ".join(f"w{i % 99_991}x{i % 7}" for i in range(5_500_000))
    other = " ".join(f"v{i % 99_989}y{i % 5}" for i in range(5_500_000))
    assert len(huge) > 45_000_000
    _write(tmp_path / "d.jsonl", [{"text": huge}, {"text": _article(1)}, {"text": huge}, {"text": other}])
    config = write_config(tmp_path / "c.yaml", output="run", inputs=[{"path": "d.jsonl", "source": "s"}],
                          stages=[{"name": "dedup", "minhash": ENGLISH}])
    assert run_pipeline(load_config(config)).ok
    kept = documents(tmp_path / "run").column("text").to_pylist()
    assert sorted(map(len, kept)) == sorted([len(huge), len(other), len(_article(1))])
    assert stage(stats(tmp_path / "run"), "dedup")["drops"]["exact_duplicate"]["docs"] == 1


@pytest.mark.usefixtures("ray_local")
def test_chinese_near_duplicates_by_character_shingles(tmp_path: Path) -> None:
    base = "城市骑行成为越来越多上班族的新选择早高峰的地铁拥挤不堪开车又经常堵在路上而一辆自行车就能轻松穿行在大街小巷之间" * 4
    edited = base[:60] + "公交" + base[62:]
    _write(tmp_path / "zh.jsonl", [{"text": base}, {"text": edited}, {"text": "完全不同的另一篇文章讲的是茶叶的历史和种类" * 6}])
    # No langid stage here: tag the language the way langid would, through a jsonl field.
    config = write_config(tmp_path / "c.yaml", output="run", stages=[{"name": "dedup"}],
                          inputs=[{"path": "zh.jsonl", "source": "s", "provides": ["lang"]}])
    rows = [json.loads(line) | {"lang": "zh-Hans"} for line in (tmp_path / "zh.jsonl").read_text().splitlines()]
    _write(tmp_path / "zh.jsonl", rows)
    assert run_pipeline(load_config(config)).ok
    assert documents(tmp_path / "run").num_rows == 2


def test_bad_dedup_configs(tmp_path: Path) -> None:
    _write(tmp_path / "a.jsonl", [{"text": "x"}])
    missing = write_config(tmp_path / "c.yaml", output="run", inputs=[{"path": "a.jsonl", "source": "s"}],
                           stages=[{"name": "dedup", "index": ["nowhere"]}])
    with pytest.raises(ConfigError, match="index: .*nowhere does not exist"):
        run_pipeline(load_config(missing))
    custom = write_config(tmp_path / "d.yaml", output="run", inputs=[{"path": "a.jsonl", "source": "s"}],
                          stages=[{"name": "dedup", "minhash": {"preset": "custom", "bands": 4}}])
    with pytest.raises(ConfigError, match="needs bands and rows"):
        load_config(custom)


@pytest.mark.integration
@pytest.mark.usefixtures("ray_local")
def test_labelled_news_near_duplicates(tmp_path: Path, shared_dir: Path) -> None:
    data = shared_dir / "corpus" / "text" / "near-duplicates" / "chrisjmccormick__MinHash"
    lines = (data / "articles_1000.train").read_text().splitlines()
    _write(tmp_path / "news.jsonl", [{"id": line.split(" ", 1)[0], "text": line.split(" ", 1)[1]} for line in lines])
    truth = {frozenset(line.split()) for line in (data / "articles_1000.truth").read_text().splitlines() if line.strip()}
    config = write_config(tmp_path / "c.yaml", output="run", inputs=[{"path": "news.jsonl", "source": "news", "id_field": "id"}],
                          stages=[{"name": "dedup", "minhash": {"preset": "fineweb", **ENGLISH}}])
    assert run_pipeline(load_config(config)).ok
    from polycorpus.stages.schema import document_id

    names = {document_id("news", f"news.jsonl:id={line.split(' ', 1)[0]}"): line.split(" ", 1)[0] for line in lines}
    clusters: dict[str, set[str]] = {}
    for row in pq.read_table(tmp_path / "run" / "dedup" / "duplicates").to_pylist():
        clusters.setdefault(row["cluster"], set()).add(names[row["id"]])
    found = {frozenset((a, b)) for members in clusters.values() for a in members for b in members if a < b}
    precision = len(found & truth) / max(1, len(found))
    recall = len(found & truth) / len(truth)
    assert precision >= 0.95 and recall >= 0.9, (precision, recall)


def test_verify_checks_every_pair_of_a_bucket_not_only_its_first_node(tmp_path: Path) -> None:
    """A bucket (one band key) holding an unrelated document with the smallest node and two
    near copies of each other: the copies are joined, the unrelated one is not."""
    from polycorpus.stages.dedup.cluster import EDGES, NODE_FIELD, Layout, _group, _read_partition

    unrelated, copy = set(range(100)), set(range(1000, 1100))
    near = set(range(1000, 1095)) | set(range(5000, 5005))  # Jaccard 0.90 with copy
    nodes = [node_key(9, f"{i:032x}") for i in range(3)]  # sorted: unrelated first
    schema = pa.schema([("band", pa.uint16()), ("key", pa.uint64()), NODE_FIELD, ("shingles", pa.list_(pa.uint32()))])
    layout = Layout(str(tmp_path), partitions=1)
    (tmp_path / "dedup" / "work" / "bands" / "p=00000").mkdir(parents=True)
    pq.write_table(pa.table({"band": [0, 0, 0], "key": [7, 7, 7], "node": nodes,
                             "shingles": [sorted(s) for s in (unrelated, copy, near)]}, schema=schema),
                   tmp_path / "dedup" / "work" / "bands" / "p=00000" / "s.parquet")
    counts = _group(layout, "bands", 0, ["band", "key"], schema, None, 0.8)
    import fsspec

    edges = _read_partition(fsspec.filesystem("file"), layout.work("cc-0"), 0, EDGES).to_pylist()
    assert {(e["u"], e["v"]) for e in edges} == {(nodes[1], nodes[2]), (nodes[2], nodes[1])}
    assert counts["verify_pairs"] == 3 and counts["verify_rejected"] == 2


@pytest.mark.usefixtures("ray_local")
def test_verify_keeps_the_clusters_of_true_copies(tmp_path: Path) -> None:
    _corpus(tmp_path)
    config = _config(tmp_path, minhash={**ENGLISH, "verify": True, "threshold": 0.7})
    assert run_pipeline(load_config(config), engine="ray", workers=2).ok
    dedup = stage(stats(tmp_path / "run"), "dedup")
    assert dedup["drops"]["exact_duplicate"]["docs"] == 1 and dedup["drops"]["near_duplicate"]["docs"] == 3
    assert dedup["global"]["bands_verify_pairs"] >= 3
