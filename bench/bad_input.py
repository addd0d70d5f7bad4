"""The bad-input table: damaged and changed inputs through the real CLI, one row per case.

Each case builds its input under a scratch directory, runs ``polycorpus`` as a user would
(in process, ``--engine local``; the Ray path is covered by the tests), and reports the exit
code, the documents a reader could have recovered, the documents kept and what was counted.

    python bench/bad_input.py            # prints the table, writes bench/results/bad_input.txt
"""

from __future__ import annotations

import gzip
import json
import subprocess
import sys
import tarfile
import tempfile
import zlib
from collections.abc import Callable
from pathlib import Path

import pyarrow as pa
import pyarrow.parquet as pq
import yaml

REPO = Path(__file__).resolve().parents[1]
RESULTS = REPO / "bench" / "results" / "bad_input.txt"
Case = Callable[[Path], tuple[str, int | str, str]]


def polycorpus(*args: str, cwd: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "polycorpus.pipeline.cli", *args, "--engine", "local"]
                          if args[0] == "run" else [sys.executable, "-m", "polycorpus.pipeline.cli", *args],
                          cwd=cwd, capture_output=True, text=True, timeout=600)


def run(root: Path, inputs: list[dict], stages: list[dict] | None = None, output: str = "run") -> tuple[int, dict]:
    (root / "c.yaml").write_text(yaml.safe_dump({"inputs": inputs, "output": output, "stages": stages or []}))
    done = polycorpus("run", "c.yaml", cwd=root)
    stats_path = root / output / "stats.json"
    stats = json.loads(stats_path.read_text()) if stats_path.exists() else {}
    if "Traceback" in done.stdout + done.stderr:
        raise AssertionError(f"traceback in {root}: {done.stderr[-2000:]}")
    return done.returncode, stats


def stage(stats: dict, name: str) -> dict:
    return next((s for s in stats.get("stages", []) if s["name"] == name), {})


def skips(stats: dict) -> str:
    drops = stage(stats, "ingest").get("drops", {})
    return ", ".join(f"{reason} {v['docs']}" for reason, v in sorted(drops.items())) or "-"


def _article(seed: int) -> str:
    words = [f"w{(seed * 7919 + i * 104729) % 5000}" for i in range(120)]
    return " ".join(words)


def _jsonl(path: Path, texts: list[str], **extra: object) -> None:
    path.write_text("".join(json.dumps({"text": t, **extra}) + "\n" for t in texts))


def _html_pages(n: int) -> list[bytes]:
    return [f"<html><body><p>Page {i}. {_article(i)}</p></body></html>".encode() for i in range(n)]


def _warc_record(i: int, body: bytes, length_delta: int = 0) -> bytes:
    block = b"HTTP/1.1 200 OK\r\nContent-Type: text/html\r\n\r\n" + body
    head = (f"WARC/1.0\r\nWARC-Type: response\r\nWARC-Record-ID: <urn:uuid:{i:08d}>\r\n"
            f"WARC-Date: 2024-01-01T00:00:00Z\r\nWARC-Target-URI: http://x.test/{i}\r\n"
            f"Content-Type: application/http; msgtype=response\r\n"
            f"Content-Length: {len(block) + length_delta}\r\n\r\n")
    return head.encode() + block + b"\r\n\r\n"


# -- the cases ---------------------------------------------------------------------------------


def input_added(root: Path) -> tuple[str, int | str, str]:
    for f in range(4):
        _jsonl(root / f"f{f}.jsonl", [_article(f * 100 + i) for i in range(10)])
    stages = [{"name": "dedup", "minhash": None}]
    run(root, [{"path": "*.jsonl", "source": "s"}], stages)
    _jsonl(root / "g.jsonl", [_article(i) for i in range(10)])  # copies of f0
    code, stats = run(root, [{"path": "*.jsonl", "source": "s"}], stages)
    return f"exit {code}", 40, f"{stats['output']['docs']} kept (a fresh run: 40); dedup redone"


def truncated_jsonl_gz(root: Path) -> tuple[str, int | str, str]:
    payload = gzip.compress("".join(json.dumps({"text": _article(i)}) + "\n" for i in range(3000)).encode())
    cut = payload[: len(payload) * 2 // 3]
    (root / "t.jsonl.gz").write_bytes(cut)
    readable = zlib.decompressobj(zlib.MAX_WBITS | 16).decompress(cut).count(b"\n")
    code, stats = run(root, [{"path": "t.jsonl.gz", "source": "s"}])
    return f"exit {code}", readable, f"{stats['output']['docs']} kept; {skips(stats)}"


def _gzip_warc(root: Path, damaged_member: int) -> Path:
    members = [gzip.compress(_warc_record(i, page)) for i, page in enumerate(_html_pages(10))]
    data = bytearray(b"".join(members))
    start = sum(len(m) for m in members[:damaged_member])
    middle = start + len(members[damaged_member]) // 2
    data[middle : middle + 20] = bytes(b ^ 0xFF for b in data[middle : middle + 20])
    path = root / "crawl.warc.gz"
    path.write_bytes(bytes(data))
    return path


def warc_damage_middle(root: Path) -> tuple[str, int | str, str]:
    _gzip_warc(root, 5)
    code, stats = run(root, [{"path": "crawl.warc.gz", "source": "web", "kind": "web"}])
    return f"exit {code}", 9, f"{stats['output']['docs']} kept; {skips(stats)}"


def warc_damage_first(root: Path) -> tuple[str, int | str, str]:
    _gzip_warc(root, 0)
    code, stats = run(root, [{"path": "crawl.warc.gz", "source": "web", "kind": "web"}])
    return f"exit {code}", 9, f"{stats['output']['docs']} kept; {skips(stats)}"


def hostile_jsonl_lines(root: Path) -> tuple[str, int | str, str]:
    good = [json.dumps({"text": _article(i)}) for i in range(1000)]
    hostile = ['{"text": "x", "n": ' + "9" * 5000 + "}", "[" * 100_000 + "]" * 100_000]
    (root / "d.jsonl").write_text("\n".join(good[:500] + hostile + good[500:]) + "\n")
    code, stats = run(root, [{"path": "d.jsonl", "source": "s"}])
    return f"exit {code}", 1000, f"{stats['output']['docs']} kept; {skips(stats)}"


def dedup_without_documents(root: Path) -> tuple[str, int | str, str]:
    _jsonl(root / "d.jsonl", ["short"] * 5)
    stages = [{"name": "length_filter", "min_chars": 100}, {"name": "dedup", "minhash": None}]
    code, stats = run(root, [{"path": "d.jsonl", "source": "s"}], stages)
    again, _ = run(root, [{"path": "d.jsonl", "source": "s"}], stages)
    return f"exit {code}, rerun exit {again}", 0, f"complete: {stats.get('complete')}"


def repeated_ids(root: Path) -> tuple[str, int | str, str]:
    t1, t2, unique = _article(1), _article(2), _article(3)
    (root / "a.jsonl").write_text("".join(json.dumps(r) + "\n" for r in [
        {"id": "x", "text": t1}, {"id": "x", "text": t1}, {"id": "y", "text": unique}, {"id": "y", "text": t2}]))
    (root / "b.jsonl").write_text(json.dumps({"id": "z", "text": t2}) + "\n")
    code, stats = run(root, [{"path": "*.jsonl", "source": "s", "id_field": "id"}], [{"name": "dedup", "minhash": None}])
    ids = stage(stats, "ingest").get("counters", {}).get("duplicate_ids", 0)
    return f"exit {code}", 3, f"{stats['output']['docs']} kept (t1, unique, t2); duplicate_ids {ids}"


def git_without_commit(root: Path) -> tuple[str, int | str, str]:
    repo = root / "repo"
    repo.mkdir()
    subprocess.run(["git", "init", "-q", str(repo)], check=True)
    (repo / "a.py").write_text("a = 1\n")
    (repo / "b.py").write_text("b = 2\n")
    code, stats = run(root, [{"path": "repo", "source": "gh", "kind": "code"}])
    return f"exit {code}", 0, f"{stats['output']['docs']} kept; {skips(stats)}"


def code_through_normalize(root: Path) -> tuple[str, int | str, str]:
    program = "import os\n\n\nBANNER = '''\ntrailing   \n'''\n\x0c\n\ndef main():\n    return 1\n"
    (root / "repo").mkdir()
    (root / "repo" / "main.py").write_text(program)
    code, _ = run(root, [{"path": "repo", "source": "gh", "kind": "code", "format": "code"}], [{"name": "normalize"}])
    texts = pq.read_table(root / "run" / "documents").column("text").to_pylist()
    return f"exit {code}", 1, f"byte-identical: {texts == [program]}"


def wrong_content_length(root: Path) -> tuple[str, int | str, str]:
    pages = _html_pages(5)
    data = b"".join(gzip.compress(_warc_record(i, p, 200 if i == 2 else 0)) for i, p in enumerate(pages))
    (root / "crawl.warc.gz").write_bytes(data)
    code, stats = run(root, [{"path": "crawl.warc.gz", "source": "web", "kind": "web"}])
    texts = pq.read_table(root / "run" / "documents").column("text").to_pylist()
    spliced = sum("WARC/" in t for t in texts)
    return f"exit {code}", 4, f"{stats['output']['docs']} kept, {spliced} spliced; {skips(stats)}"


def missing_model(root: Path) -> tuple[str, int | str, str]:
    _jsonl(root / "d.jsonl", [_article(1)])
    code, _ = run(root, [{"path": "d.jsonl", "source": "s"}], [{"name": "langid", "model_path": "missing.bin"}])
    return f"exit {code}", "-", f"run directory written: {(root / 'run').exists()}"


def unwritable_output(root: Path) -> tuple[str, int | str, str]:
    _jsonl(root / "d.jsonl", [_article(1)])
    (root / "a-file").write_text("x")
    code, _ = run(root, [{"path": "d.jsonl", "source": "s"}], output="a-file/run")
    return f"exit {code}", "-", "refused before writing"


def empty_archive(root: Path) -> tuple[str, int | str, str]:
    (root / "empty.tar.gz").write_bytes(b"")
    with tarfile.open(root / "one.tar.gz", "w:gz") as tar:
        (root / "x.py").write_text("x = 1\n")
        tar.add(root / "x.py", arcname="x.py")
    code, stats = run(root, [{"path": "*.tar.gz", "source": "gh", "kind": "code"}])
    return f"exit {code}", 1, f"{stats['output']['docs']} kept; failed units {len(stats['units']['failed'])}"


def corrupt_parquet(root: Path) -> tuple[str, int | str, str]:
    path = root / "d.parquet"
    pq.write_table(pa.table({"text": [_article(i) for i in range(4000)]}), path, row_group_size=1000)
    data = bytearray(path.read_bytes())
    start = pq.ParquetFile(path).metadata.row_group(2).column(0).data_page_offset
    data[start + 20 : start + 120] = bytes(b ^ 0x5A for b in data[start + 20 : start + 120])
    path.write_bytes(bytes(data))
    code, stats = run(root, [{"path": "d.parquet", "source": "s"}])
    return f"exit {code}", 3000, f"{stats['output']['docs']} kept; {skips(stats)}"


CASES: list[tuple[str, Case]] = [
    ("1 file of copies added between runs", input_added),
    ("2 truncated .jsonl.gz (batch_size 1000)", truncated_jsonl_gz),
    ("3 WARC: gzip member 5 of 10 corrupt", warc_damage_middle),
    ("3 WARC: first member (page 0) corrupt", warc_damage_first),
    ("4 jsonl: 5,000-digit int, 100k nesting", hostile_jsonl_lines),
    ("5 dedup with no document reaching it", dedup_without_documents),
    ("6 repeated ids (id_field)", repeated_ids),
    ("8 git repository without a commit", git_without_commit),
    ("9 code through normalize", code_through_normalize),
    ("10 WARC Content-Length +200", wrong_content_length),
    ("12 missing langid model", missing_model),
    ("12 output under a regular file", unwritable_output),
    ("13 empty .tar.gz beside a good one", empty_archive),
    ("13 Parquet row group 3 of 4 corrupt", corrupt_parquet),
]


def main() -> None:
    rows = [("case (#20 item)", "outcome", "recoverable", "kept / counted")]
    for name, case in CASES:
        with tempfile.TemporaryDirectory(prefix="pc-bad-") as scratch:
            outcome, recoverable, kept = case(Path(scratch))
        rows.append((name, outcome, str(recoverable), kept))
        print(f"  {name}: {outcome}; {kept}", file=sys.stderr)
    widths = [max(len(row[i]) for row in rows) for i in range(4)]
    table = "\n".join(" | ".join(cell.ljust(w) for cell, w in zip(row, widths, strict=True)).rstrip() for row in rows)
    print(table)
    RESULTS.parent.mkdir(parents=True, exist_ok=True)
    RESULTS.write_text(table + "\n")


if __name__ == "__main__":
    main()
