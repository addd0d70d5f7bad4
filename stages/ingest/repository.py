"""Repositories as lists of files: directory trees, git repositories, tar and zip archives.

Nothing is ever extracted to disk: members are read into memory one at a time, so a hostile
archive cannot write anywhere. What could still hurt is refused outright, with a message
naming the archive and the member (:class:`~stages.ingest.base.InputFormatError` fails only
that unit): absolute paths, ``..`` components, links that point outside the tree, and
archives past :class:`~stages.ingest.limits.ArchiveLimits`. Links that stay inside the tree
are skipped (the file they point to is read under its own name), as are devices and fifos.

Every repository lists its regular files first (:meth:`Repository.members`, sizes known
without reading contents, so limits apply before anything is decompressed into memory)
and then reads any subset of them in its natural order (:meth:`Repository.read`), so the
reader can look at licence files before streaming the rest.
"""

from __future__ import annotations

import os
import posixpath
import stat
import subprocess
import tarfile
import threading
import zipfile
from abc import ABC, abstractmethod
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO, Any

import fsspec

from polycorpus.stages.ingest.base import InputFormatError
from polycorpus.stages.ingest.limits import ArchiveLimits

ARCHIVE_SUFFIXES = (".tar.gz", ".tgz", ".tar.bz2", ".tbz2", ".tar.xz", ".txz", ".tar", ".zip")

#: Version-control metadata is never part of a repository's files.
_VCS_DIRS = frozenset({".git", ".hg", ".svn", ".bzr", "CVS"})

# A git command never runs repository-controlled programs (fsmonitor, hooks) and reads
# repositories owned by other users (as the data of a pipeline usually is).
_GIT = ("git", "-c", "safe.directory=*", "-c", "core.fsmonitor=false", "-c", "core.hooksPath=/dev/null",
        "-c", "core.quotePath=false")


@dataclass(frozen=True)
class Member:
    """A regular file of a repository: its path from the repository root and its size."""

    path: str
    size: int
    key: Any = None  # what the container needs to read it (tar member, git object id, ...)


@dataclass
class Listing:
    members: list[Member]
    skipped: list[tuple[str, str]] = field(default_factory=list)  # (path, reason): links, devices


class Repository(ABC):
    """One unit of code input. ``name`` is the repository name documents carry."""

    def __init__(self, url: str, limits: ArchiveLimits) -> None:
        self.url = url
        self.limits = limits
        self.name = repository_name(url)
        self.revision: str | None = None  # the commit read, for git repositories

    @abstractmethod
    def members(self) -> Listing:
        """Every regular file, validated against the safety rules and limits."""

    @abstractmethod
    def read(self, members: Sequence[Member]) -> Iterator[tuple[Member, bytes]]:
        """The contents of ``members``, in the container's own order."""

    def close(self) -> None:
        """Release open files."""

    def refuse(self, why: str) -> InputFormatError:
        return InputFormatError(f"{self.url}: refused: {why}")

    def check_totals(self, count: int, total: int, compressed: int | None) -> None:
        """Apply the limits to a running count and size (called as members are listed)."""
        limits = self.limits
        if count > limits.max_members:
            raise self.refuse(f"more than {limits.max_members} members (ingest.archive.max_members)")
        if total > limits.max_total_bytes:
            raise self.refuse(f"expands past {limits.max_total_bytes} bytes (ingest.archive.max_total_bytes)")
        if compressed and total > limits.ratio_floor_bytes and total > limits.max_ratio * compressed:
            raise self.refuse(
                f"expands more than {limits.max_ratio:g} times its {compressed} compressed bytes "
                "(ingest.archive.max_ratio): an archive bomb?"
            )


def repository_name(url: str) -> str:
    base = posixpath.basename(url.rstrip("/"))
    for suffix in (*ARCHIVE_SUFFIXES, ".git"):
        if base.lower().endswith(suffix):
            return base[: -len(suffix)]
    return base


def safe_path(name: str) -> str | None:
    """The normalised relative path of an archive entry, or None if it could escape."""
    name = name.replace("\\", "/")
    if name.startswith("/") or (len(name) > 1 and name[1] == ":"):
        return None
    parts = [p for p in name.split("/") if p not in ("", ".")]
    if ".." in parts:
        return None
    return "/".join(parts)


def link_stays_inside(path: str, target: str) -> bool:
    """Whether a link at ``path`` (relative) pointing to ``target`` resolves inside the tree."""
    if target.startswith("/") or (len(target) > 1 and target[1] == ":"):
        return False
    resolved = posixpath.normpath(posixpath.join(posixpath.dirname(path), target.replace("\\", "/")))
    return resolved != ".." and not resolved.startswith("../")


def _strip_common_root(members: list[Member], skipped: list[tuple[str, str]]) -> list[Member]:
    """Release tarballs wrap everything in ``name-1.0/``: that folder is the repository root."""
    tops = {m.path.split("/", 1)[0] for m in members} | {p.split("/", 1)[0] for p, _ in skipped}
    if len(tops) != 1 or any("/" not in m.path for m in members):
        return members
    cut = len(tops.pop()) + 1
    return [Member(m.path[cut:], m.size, m.key) for m in members]


class DirectoryTree(Repository):
    """A local directory (also a git working tree read from disk).

    ``paths``: a git working tree's tracked files (only these are read); ``uncommitted``:
    the repository has no commit yet, so files on disk that git does not track are counted
    as ``uncommitted`` rather than passed over in silence.
    """

    def __init__(self, url: str, limits: ArchiveLimits, paths: Sequence[str] | None = None,
                 uncommitted: bool = False) -> None:
        super().__init__(url, limits)
        self.root = Path(url)
        self.only = paths
        self.uncommitted = uncommitted

    def members(self) -> Listing:
        listing = Listing([])
        if self.only is None:
            paths: Iterable[str] = _walk(self.root, listing.skipped)
        else:
            paths = self.only
            if self.uncommitted:
                tracked = set(self.only)
                listing.skipped.extend((rel, "uncommitted") for rel in _walk(self.root, listing.skipped)
                                       if rel not in tracked)
        total = 0
        for rel in paths:
            full = self.root / rel
            try:
                info = full.lstat()
            except FileNotFoundError:
                listing.skipped.append((rel, "missing_from_worktree"))  # tracked, deleted on disk
                continue
            except OSError:
                listing.skipped.append((rel, "unreadable"))
                continue
            if stat.S_ISLNK(info.st_mode):
                if not link_stays_inside(rel, os.readlink(full)):
                    raise self.refuse(f"symbolic link {rel!r} points outside the tree ({os.readlink(full)})")
                listing.skipped.append((rel, "link"))
            elif stat.S_ISREG(info.st_mode):
                total += info.st_size
                listing.members.append(Member(rel, info.st_size, full))
                self.check_totals(len(listing.members), total, None)
            elif not stat.S_ISDIR(info.st_mode):
                listing.skipped.append((rel, "special_file"))
        return listing

    def read(self, members: Sequence[Member]) -> Iterator[tuple[Member, bytes]]:
        for member in members:
            yield member, member.key.read_bytes()


def _walk(root: Path, skipped: list[tuple[str, str]]) -> Iterator[str]:
    """Every entry below ``root`` but directories (links to directories included, never
    followed), as relative paths: each folder's entries sorted, then its subfolders in turn,
    version-control folders left out. Iterative, so no depth of nesting exhausts the stack;
    a folder that cannot be listed is counted as ``unreadable``."""
    stack = [""]
    while stack:
        rel = stack.pop()
        try:
            with os.scandir(root / rel if rel else root) as scan:
                entries = sorted((entry.name, entry.is_dir(follow_symlinks=False)) for entry in scan)
        except OSError:
            skipped.append((rel, "unreadable"))
            continue
        subfolders = []
        for name, is_dir in entries:
            path = f"{rel}/{name}" if rel else name
            if not is_dir:
                yield path
            elif name not in _VCS_DIRS:
                subfolders.append(path)
        stack.extend(reversed(subfolders))


class GitObjects(Repository):
    """A bare repository (or any repository read at a ref): files of one commit's tree."""

    def __init__(self, url: str, limits: ArchiveLimits, ref: str) -> None:
        super().__init__(url, limits)
        self.ref = ref

    def _git(self, *args: str) -> bytes:
        result = subprocess.run([*_GIT, "-C", self.url, *args], capture_output=True, check=False)
        if result.returncode != 0:
            message = result.stderr.decode("utf-8", "replace").strip().splitlines()
            raise InputFormatError(f"{self.url}: git {args[0]} failed: {message[-1] if message else result.returncode}")
        return result.stdout

    def members(self) -> Listing:
        self.revision = self._git("rev-parse", "--verify", "--end-of-options", f"{self.ref}^{{commit}}").decode().strip()
        listing = Listing([])
        total = 0
        entries = self._git("ls-tree", "-r", "-z", "-l", "--full-tree", self.revision).split(b"\0")
        links: list[tuple[str, str]] = []
        for entry in filter(None, entries):
            meta, raw_path = entry.split(b"\t", 1)
            mode, kind, oid, size = meta.split()
            path = os.fsdecode(raw_path)
            if kind != b"blob":
                listing.skipped.append((path, "submodule"))
            elif mode == b"120000":
                links.append((path, oid.decode()))
            else:
                total += int(size)
                listing.members.append(Member(path, int(size), oid.decode()))
                self.check_totals(len(listing.members), total, None)
        for (path, oid), (_, target) in zip(links, self._blobs([oid for _, oid in links]), strict=True):
            target_text = os.fsdecode(target)
            if not link_stays_inside(path, target_text):
                raise self.refuse(f"symbolic link {path!r} points outside the tree ({target_text})")
            listing.skipped.append((path, "link"))
        return listing

    def _blobs(self, oids: Sequence[str]) -> Iterator[tuple[str, bytes]]:
        """Stream blobs through one ``git cat-file --batch`` (a writer thread feeds it)."""
        if not oids:
            return
        process = subprocess.Popen([*_GIT, "-C", self.url, "cat-file", "--batch"],
                                   stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL)
        assert process.stdin is not None and process.stdout is not None

        def feed() -> None:
            try:
                process.stdin.write("".join(f"{oid}\n" for oid in oids).encode())
            finally:
                process.stdin.close()

        writer = threading.Thread(target=feed, daemon=True)
        writer.start()
        try:
            for oid in oids:
                header = process.stdout.readline().split()
                if len(header) != 3:
                    raise InputFormatError(f"{self.url}: git cat-file lost object {oid}")
                data = process.stdout.read(int(header[2]))
                process.stdout.read(1)  # the newline after each object
                yield oid, data
        finally:
            process.stdout.close()
            process.wait()
            writer.join()

    def read(self, members: Sequence[Member]) -> Iterator[tuple[Member, bytes]]:
        for member, (_, data) in zip(members, self._blobs([m.key for m in members]), strict=True):
            yield member, data


class TarArchive(Repository):
    def __init__(self, url: str, limits: ArchiveLimits) -> None:
        super().__init__(url, limits)
        self.fs, self.path = fsspec.core.url_to_fs(url)
        self.compressed = self.fs.size(self.path)

    def _open(self) -> tuple[IO[bytes], tarfile.TarFile]:
        handle = self.fs.open(self.path, "rb")
        try:
            return handle, tarfile.open(fileobj=handle, mode="r:*")
        except (tarfile.TarError, EOFError, OSError) as exc:
            handle.close()
            raise InputFormatError(f"{self.url}: not a readable tar archive ({exc})") from exc

    def members(self) -> Listing:
        listing = Listing([])
        total = 0
        handle, tar = self._open()
        try:
            for info in tar:
                path = safe_path(info.name)
                if path is None:
                    raise self.refuse(f"member {info.name!r} has an absolute path or '..' (path traversal)")
                if info.issym() or info.islnk():
                    target = info.linkname
                    inside = link_stays_inside(path, target) if info.issym() else safe_path(target) is not None
                    if not inside:
                        raise self.refuse(f"link {info.name!r} points outside the archive ({target})")
                    listing.skipped.append((path, "link"))
                elif info.isreg():
                    total += info.size
                    listing.members.append(Member(path, info.size, info.name))
                    self.check_totals(len(listing.members), total, self.compressed)
                elif not info.isdir():
                    listing.skipped.append((path, "special_file"))
        except (tarfile.TarError, EOFError, OSError) as exc:
            raise InputFormatError(f"{self.url}: corrupt tar archive ({exc})") from exc
        finally:
            tar.close()
            handle.close()
        listing.members = _strip_common_root(listing.members, listing.skipped)
        return listing

    def read(self, members: Sequence[Member]) -> Iterator[tuple[Member, bytes]]:
        wanted = {m.key: m for m in members}
        handle, tar = self._open()
        try:
            for info in tar:
                member = wanted.pop(info.name, None)
                if member is not None:
                    extracted = tar.extractfile(info)
                    yield member, extracted.read() if extracted is not None else b""
                if not wanted:
                    break
        except (tarfile.TarError, EOFError, OSError) as exc:
            raise InputFormatError(f"{self.url}: corrupt tar archive ({exc})") from exc
        finally:
            tar.close()
            handle.close()


class ZipArchive(Repository):
    def __init__(self, url: str, limits: ArchiveLimits) -> None:
        super().__init__(url, limits)
        fs, path = fsspec.core.url_to_fs(url)
        self.handle = fs.open(path, "rb")
        try:
            self.zip = zipfile.ZipFile(self.handle)
        except (zipfile.BadZipFile, OSError) as exc:
            self.handle.close()
            raise InputFormatError(f"{url}: not a readable zip archive ({exc})") from exc
        self.compressed = fs.size(path)

    def members(self) -> Listing:
        listing = Listing([])
        total = 0
        for info in self.zip.infolist():
            path = safe_path(info.filename)
            if path is None:
                raise self.refuse(f"member {info.filename!r} has an absolute path or '..' (path traversal)")
            mode = info.external_attr >> 16
            if stat.S_ISLNK(mode):
                target = self.zip.read(info)[:4096].decode("utf-8", "replace")
                if not link_stays_inside(path, target):
                    raise self.refuse(f"link {info.filename!r} points outside the archive ({target})")
                listing.skipped.append((path, "link"))
            elif not info.is_dir():
                total += info.file_size
                listing.members.append(Member(path, info.file_size, info))
                self.check_totals(len(listing.members), total, self.compressed)
        listing.members = _strip_common_root(listing.members, listing.skipped)
        return listing

    def read(self, members: Sequence[Member]) -> Iterator[tuple[Member, bytes]]:
        for member in members:
            try:
                yield member, self.zip.read(member.key)
            except (zipfile.BadZipFile, OSError, EOFError) as exc:
                raise InputFormatError(f"{self.url}: corrupt member {member.key.filename!r} ({exc})") from exc

    def close(self) -> None:
        self.zip.close()
        self.handle.close()


def _git_dir(path: Path) -> str | None:
    """'worktree', 'bare', or None for a plain directory."""
    if (path / ".git").exists():
        return "worktree"
    if (path / "HEAD").is_file() and (path / "objects").is_dir() and (path / "refs").is_dir():
        return "bare"
    return None


class EmptyArchive(Repository):
    """An archive file of zero bytes: an empty input, like an empty jsonl file."""

    def members(self) -> Listing:
        return Listing([])

    def read(self, members: Sequence[Member]) -> Iterator[tuple[Member, bytes]]:
        return iter(())


def open_repository(url: str, limits: ArchiveLimits, ref: str | None = None) -> Repository:
    """The right container for ``url``: archive by suffix, else a local directory or git repo."""
    lowered = url.lower().rstrip("/")
    if lowered.endswith(ARCHIVE_SUFFIXES):
        fs, path = fsspec.core.url_to_fs(url)
        if fs.size(path) == 0:
            return EmptyArchive(url, limits)
        return ZipArchive(url, limits) if lowered.endswith(".zip") else TarArchive(url, limits)
    if "://" in url and not url.startswith("file://"):
        raise InputFormatError(f"{url}: directories and git repositories must be local paths "
                               "(archives may be fsspec URLs)")
    path = Path(url.removeprefix("file://"))
    if not path.is_dir():
        raise InputFormatError(f"{url}: not a directory, git repository or code archive "
                               f"({', '.join(ARCHIVE_SUFFIXES)})")
    kind = _git_dir(path)
    if kind == "bare" or (kind == "worktree" and ref is not None):
        return GitObjects(str(path), limits, ref or "HEAD")
    if kind == "worktree":
        listed = subprocess.run([*_GIT, "-C", str(path), "ls-files", "-z", "--cached"], capture_output=True,
                                check=False)
        if listed.returncode != 0:
            raise InputFormatError(f"{url}: git ls-files failed: {listed.stderr.decode(errors='replace').strip()}")
        tracked = sorted(os.fsdecode(p) for p in listed.stdout.split(b"\0") if p)
        head = subprocess.run([*_GIT, "-C", str(path), "rev-parse", "--verify", "--quiet", "HEAD"],
                              capture_output=True, check=False)
        return DirectoryTree(str(path), limits, tracked, uncommitted=head.returncode != 0)
    if ref is not None:
        raise InputFormatError(f"{url}: 'ref' is set but this is not a git repository")
    return DirectoryTree(str(path), limits)
