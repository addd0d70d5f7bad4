"""Where shard files come from: local paths checked once, remote files cached with a bound.

A shard set may live on a local disk or behind any fsspec URL (``s3://``, ``gs://``, ...).
Remote shard files are downloaded whole into a content-addressed cache directory (the name
is the manifest's sha256), under a per-file lock so that the DataLoader workers and ranks of
a node download each file once, and verified before they are renamed into place. The cache
is bounded: before a download, least recently used files are evicted until the new one fits.
A file evicted while another process reads it stays readable to that process (POSIX unlink
semantics), so eviction never breaks a running reader.

Local files are hashed on first open and the result is stamped in the cache directory, keyed
by path, size and modification time, so later opens (every worker, every restart) only stat.
"""

from __future__ import annotations

import fcntl
import hashlib
import os
import posixpath
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Literal

import fsspec

from polycorpus.tokenizer.manifest import sha256_of

Verify = Literal["once", "always", "never"]


class ShardChecksumError(ValueError):
    """A shard file whose sha256 differs from its manifest: corrupted or replaced."""


def is_local(url: str) -> bool:
    fs, _ = fsspec.core.url_to_fs(url)
    return fs.protocol in ("file", ("file", "local"))


def default_cache_dir() -> Path:
    return Path(os.environ.get("POLYCORPUS_CACHE", Path.home() / ".cache" / "polycorpus"))


class ShardStore:
    """Resolves shard files to local paths, verifying checksums as configured."""

    def __init__(self, cache_dir: str | os.PathLike[str] | None = None,
                 max_bytes: int | None = None, verify: Verify = "once") -> None:
        if verify not in ("once", "always", "never"):
            raise ValueError(f"verify must be 'once', 'always' or 'never', got {verify!r}")
        self.cache_dir = Path(cache_dir) if cache_dir is not None else default_cache_dir()
        self.max_bytes = max_bytes
        self.verify = verify

    def local_path(self, url: str, sha256: str, size: int) -> Path:
        """A local path holding the file at ``url`` (downloaded into the cache if remote)."""
        if is_local(url):
            path = Path(fsspec.core.url_to_fs(url)[1])
            _check_size(path, size, url)
            self._verify_local(path, sha256, url)
            return path
        return self._fetch(url, sha256, size)

    def _verify_local(self, path: Path, sha256: str, url: str) -> None:
        if self.verify == "never":
            return
        stat = path.stat()
        stamp = self.cache_dir / "verified" / hashlib.sha256(
            f"{path.resolve()}\0{stat.st_size}\0{stat.st_mtime_ns}\0{sha256}".encode()).hexdigest()
        if self.verify == "once" and stamp.exists():
            return
        _check_sha256(path, sha256, url)
        if self.verify == "once":
            stamp.parent.mkdir(parents=True, exist_ok=True)
            stamp.touch()

    def _fetch(self, url: str, sha256: str, size: int) -> Path:
        blobs = self.cache_dir / "blobs"
        path = blobs / f"{sha256}-{posixpath.basename(url)}"
        if path.exists():
            if self.verify == "always":
                _check_sha256(path, sha256, url)
            os.utime(path)  # recency for the LRU bound
            return path
        blobs.mkdir(parents=True, exist_ok=True)
        with _locked(path.with_name(f".{path.name}.lock")):
            if path.exists():  # another process fetched it while we waited
                return path
            self._make_room(size, blobs)
            temporary = path.with_name(f".{path.name}.{os.getpid()}.part")
            try:
                fs, remote = fsspec.core.url_to_fs(url)
                try:
                    fs.get_file(remote, str(temporary))
                except FileNotFoundError:
                    raise FileNotFoundError(f"{url}: shard file missing from the shard set") from None
                _check_size(temporary, size, url)
                if self.verify != "never":
                    _check_sha256(temporary, sha256, url)
                os.replace(temporary, path)
            finally:
                temporary.unlink(missing_ok=True)
        return path

    def _make_room(self, size: int, blobs: Path) -> None:
        if self.max_bytes is None:
            return
        if size > self.max_bytes:
            raise ValueError(f"a {size}-byte shard file cannot fit the {self.max_bytes}-byte cache")
        stats = []
        for file in blobs.iterdir():
            try:  # another process may evict the same file meanwhile
                stat = file.stat()
            except FileNotFoundError:
                continue
            if not file.name.startswith("."):
                stats.append((stat.st_mtime, stat.st_size, file))
        stats.sort()
        used = sum(s for _, s, _ in stats)
        for _, file_size, file in stats:
            if used + size <= self.max_bytes:
                break
            file.unlink(missing_ok=True)
            used -= file_size


@contextmanager
def _locked(lock_path: Path) -> Iterator[None]:
    with open(lock_path, "a") as handle:
        fcntl.flock(handle, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(handle, fcntl.LOCK_UN)


def _check_size(path: Path, size: int, url: str) -> None:
    try:
        actual = path.stat().st_size
    except FileNotFoundError:
        raise FileNotFoundError(f"{url}: shard file missing from the shard set") from None
    if actual != size:
        raise ShardChecksumError(f"{url}: {actual} bytes, the manifest says {size} "
                                 "(truncated, corrupted or replaced)")


def _check_sha256(path: Path, sha256: str, url: str) -> None:
    with open(path, "rb") as handle:
        actual = sha256_of(handle)
    if actual != sha256:
        raise ShardChecksumError(f"{url}: sha256 {actual[:16]}... differs from the manifest's "
                                 f"{sha256[:16]}... (corrupted or replaced)")
