"""Web ingest throughput: the pipeline on Ray against a plain loop of the same reader and
extractor, in one invocation.

    python bench/ingest.py [--mb 200] [--files 8] [--runs 3]

The corpus is generated from the real HTML responses in ../shared/corpus/warc (Common
Crawl, Heritrix and wget captures), re-packed with fresh record ids into per-record gzip
WARC files with request and metadata records, as Common Crawl ships them. It is cached under
bench/.cache and never committed.

Measured per run (the order rotates between runs; medians are reported, the machine is
shared and noisy): the baseline loop (FastWARC + HTTP/charset decoding + resiliparse, no
Arrow, no Ray, one core), the pipeline with one worker and with two. Ray is started once
before timing: the figures are the pipeline's steady cost, not Ray's boot (reported apart).
"""

from __future__ import annotations

import argparse
import io
import statistics
import sys
import tempfile
import time
import uuid
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

from fastwarc.warc import ArchiveIterator, WarcRecordType
from warcio.statusandheaders import StatusAndHeaders
from warcio.warcwriter import WARCWriter
from web_corpus import real_pages

from polycorpus.pipeline.config import parse_config
from polycorpus.pipeline.progress import RunProgress
from polycorpus.stages.ingest.charset import clean_text, decode_html, split_content_type
from polycorpus.stages.ingest.config import IngestOptions
from polycorpus.stages.ingest.html import extractor

CACHE = REPO / "bench" / ".cache" / "ingest"


def build_corpus(target_mb: int, files: int) -> list[Path]:
    """Write (once) ``files`` gzip WARC files totalling at least ``target_mb`` MB on disk."""
    out = CACHE / f"{target_mb}mb-{files}files"
    done = out / "DONE"
    if done.exists():
        return sorted(out.glob("*.warc.gz"))
    out.mkdir(parents=True, exist_ok=True)
    pages = real_pages()
    per_file = target_mb * 1_000_000 // files
    paths = []
    for f in range(files):
        path = out / f"bench-{f:03d}.warc.gz"
        with path.open("wb") as stream:
            writer = WARCWriter(stream, gzip=True)
            k = 0
            while stream.tell() < per_file:
                content_type, body = pages[(f * 7919 + k) % len(pages)]
                url = f"https://site{k % 997}.example/{f}/{k}.html"
                req = writer.create_warc_record(url, "request", payload=None,
                                                http_headers=StatusAndHeaders("GET / HTTP/1.1", [("Host", "x")], is_http_request=True))
                http = StatusAndHeaders("200 OK", [("Content-Type", content_type),
                                                   ("Content-Length", str(len(body)))], protocol="HTTP/1.1")
                resp = writer.create_warc_record(url, "response", payload=io.BytesIO(body), http_headers=http)
                meta = writer.create_warc_record(url, "metadata", payload=io.BytesIO(b"fetchTimeMs: 100\r\n"),
                                                 warc_content_type="application/warc-fields")
                for record in (req, resp, meta):
                    writer.write_record(record)
                k += 1
        paths.append(path)
    done.write_text("ok\n")
    return paths


def baseline(paths: list[Path], spent: list[float] | None = None) -> tuple[int, int]:
    """The same reader and extractor as a plain loop: no Arrow, no Ray, no outputs. With
    ``spent``, appends the share of the loop's time spent in the extractor (HTML parsing and
    main-content extraction)."""
    extract = extractor(IngestOptions())
    docs = chars = 0
    extracting = 0.0
    started = time.perf_counter()
    for path in paths:
        with path.open("rb") as stream:
            for record in ArchiveIterator(stream, parse_http=False):
                if record.record_type != WarcRecordType.response:
                    continue
                record.parse_http()
                mime, charset = split_content_type(record.http_headers.get("Content-Type"))
                if record.http_headers.status_code != 200 or mime != "text/html":
                    continue
                html, _ = decode_html(record.reader.read(), charset)
                clock = time.perf_counter()
                extracted = extract(html)
                extracting += time.perf_counter() - clock
                text = clean_text(extracted).strip()
                if text:
                    docs += 1
                    chars += len(text)
    if spent is not None:
        spent.append(extracting / (time.perf_counter() - started))
    return docs, chars


def pipeline(paths: list[Path], workers: int, scratch: Path) -> int:
    from polycorpus.pipeline.runner import run_pipeline

    config = parse_config(
        {"inputs": [{"path": str(paths[0].parent / "*.warc.gz"), "source": "bench", "kind": "web"}],
         "output": str(scratch / f"run-{workers}-{uuid.uuid4().hex[:8]}")},
        scratch,
    )
    quiet = RunProgress(stream=open("/dev/null", "w"))  # noqa: SIM115
    result = run_pipeline(config, workers=workers, engine="ray", progress=quiet)
    assert result.ok, result.failed
    return result.stats["output"]["docs"]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--mb", type=int, default=200, help="corpus size on disk (gzip WARC)")
    parser.add_argument("--files", type=int, default=8)
    parser.add_argument("--runs", type=int, default=3)
    args = parser.parse_args()

    paths = build_corpus(args.mb, args.files)
    size_mb = sum(p.stat().st_size for p in paths) / 1e6
    import ray

    boot = time.perf_counter()
    ray.init(num_cpus=2, include_dashboard=False, _node_ip_address="127.0.0.1", logging_level="WARNING")
    boot = time.perf_counter() - boot

    times: dict[str, list[float]] = {"baseline": [], "pipeline-1": [], "pipeline-2": []}
    extraction_share: list[float] = []
    docs: dict[str, int] = {}
    with tempfile.TemporaryDirectory(prefix="pc-bench-") as scratch:
        jobs = {
            "baseline": lambda: baseline(paths, extraction_share)[0],
            "pipeline-1": lambda: pipeline(paths, 1, Path(scratch)),
            "pipeline-2": lambda: pipeline(paths, 2, Path(scratch)),
        }
        names = list(jobs)
        for run in range(args.runs):
            for name in names[run % 3:] + names[: run % 3]:
                started = time.perf_counter()
                docs[name] = jobs[name]()
                times[name].append(time.perf_counter() - started)
                print(f"run {run + 1} {name:11s} {times[name][-1]:7.2f}s  {docs[name]} docs", file=sys.stderr)
    ray.shutdown()

    assert len(set(docs.values())) == 1, f"document counts differ: {docs}"
    med = {name: statistics.median(t) for name, t in times.items()}
    spread = {name: (max(t) - min(t)) / med[name] for name, t in times.items()}
    print(f"\ncorpus: {len(paths)} files, {size_mb:.0f} MB gzip WARC, {docs['baseline']} HTML documents")
    print(f"Ray boot (not timed below): {boot:.1f}s; runs per setting: {args.runs}\n")
    print(f"{'setting':12s} {'median s':>9s} {'spread':>7s} {'docs/s':>8s} {'MB/s':>7s} {'MB/s/core':>10s}")
    for name, cores in (("baseline", 1), ("pipeline-1", 1), ("pipeline-2", 2)):
        rate = size_mb / med[name]
        print(f"{name:12s} {med[name]:9.2f} {spread[name]:6.0%} {docs[name] / med[name]:8.0f} {rate:7.1f} {rate / cores:10.1f}")
    overhead = med["pipeline-1"] / med["baseline"] - 1
    scaling = med["pipeline-1"] / med["pipeline-2"]
    print(f"\npipeline overhead on one worker: {overhead:+.1%}   (target <= +15%)")
    print(f"two workers vs one:              {scaling:.2f}x  (target >= 1.7x)")
    print(f"plain loop's time in resiliparse (HTML parse + main content), median: "
          f"{statistics.median(extraction_share):.0%}")


if __name__ == "__main__":
    main()
