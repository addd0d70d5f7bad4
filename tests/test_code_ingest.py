"""Code inputs: real packages as directories and archives, git repositories, hostile archives,
Stack-style Parquet, the repository sidecar, and how configs turn them into units."""

from __future__ import annotations

import csv
import io
import json
import os
import shutil
import subprocess
import tarfile
import zipfile
from pathlib import Path

import pyarrow as pa
import pyarrow.parquet as pq
import pytest
from support import cli, documents, stats, write_config

from polycorpus.pipeline.config import load_config
from polycorpus.pipeline.plan import plan_units
from polycorpus.pipeline.runner import run_pipeline
from polycorpus.stages.code.config import CodeLicenseConfig
from polycorpus.stages.code.license_filter import CodeLicense
from polycorpus.stages.ingest.base import InputFormatError, Tally
from polycorpus.stages.ingest.code import read_code
from polycorpus.stages.ingest.config import IngestOptions, InputFile
from polycorpus.stages.ingest.limits import ArchiveLimits
from polycorpus.stages.ingest.stack import read_stack
from polycorpus.stages.schema import DOCUMENT_SCHEMA


def _read(url: Path | str, options: IngestOptions | None = None, **fields) -> tuple[list[dict], Tally]:
    tally = Tally()
    file = InputFile(url=str(url), relpath=Path(url).name, source="src", kind="code", format="code", **fields)
    batches = list(read_code(file, options or IngestOptions(batch_size=50), tally))
    assert all(b.schema.equals(DOCUMENT_SCHEMA) for b in batches)
    rows = [r for b in batches for r in b.to_pylist()]
    assert tally.records == len(rows) + sum(n for n, _ in tally.skipped.values())  # all accounted for
    return rows, tally


def _declared_licences(corpus: Path) -> dict[str, str]:
    rows = csv.DictReader((corpus / "SOURCES.tsv").open(encoding="utf-8"), delimiter="\t")
    return {r["folder"].split(",")[0].removeprefix("repos/"): r["licence"] for r in rows if r["folder"].startswith("repos/")}


def test_real_packages_carry_the_licences_they_declare(code_corpus: Path) -> None:
    declared = _declared_licences(code_corpus)
    assert declared["byteorder"] == "MIT OR Unlicense"
    for package in ("six", "jpype", "underscore", "byteorder"):
        rows, _ = _read(code_corpus / "repos" / package)
        assert {r["license"] for r in rows} == {declared[package]}, package
        assert {r["repo"] for r in rows} == {package} and {r["kind"] for r in rows} == {"code"}
    # pflag's Debian package ships no LICENSE file: its licence is in the Go notice of some
    # files' headers, which the code_license stage reads (the others stay unknown).
    rows, _ = _read(code_corpus / "repos" / "pflag")
    assert {r["license"] for r in rows} == {None}
    table = pa.Table.from_pylist(rows, schema=DOCUMENT_SCHEMA)
    labelled = CodeLicense(CodeLicenseConfig()).process(table).table.to_pylist()
    with_notice = [r for r in labelled if "BSD-style" in r["text"][:500]]
    assert len(with_notice) >= 10
    assert {r["license"] for r in with_notice} == {declared["pflag"]}
    assert {r["license"] for r in labelled} == {declared["pflag"], None}


def test_directory_reader_skips_binaries_and_keeps_paths(code_corpus: Path) -> None:
    rows, tally = _read(code_corpus / "repos" / "jpype")
    assert tally.skipped["binary"][0] >= 10  # the .jar and .png files
    paths = {r["path"] for r in rows}
    assert "native/common/jp_class.cpp" in paths and not any(p.endswith((".jar", ".png")) for p in paths)
    assert len({r["id"] for r in rows}) == len(rows)
    again, _ = _read(code_corpus / "repos" / "jpype")
    assert [r["id"] for r in again] == [r["id"] for r in rows]  # ids are stable


def test_archives_give_the_same_documents_as_the_directory(code_corpus: Path, tmp_path: Path) -> None:
    source = code_corpus / "repos" / "six"
    tgz, archive_zip = tmp_path / "six.tar.gz", tmp_path / "six.zip"
    with tarfile.open(tgz, "w:gz") as tar:
        tar.add(source, arcname="six-1.16.0")  # release tarballs wrap everything in one folder
    with zipfile.ZipFile(archive_zip, "w", zipfile.ZIP_DEFLATED) as z:
        for file in sorted(source.rglob("*")):
            if file.is_file():
                z.write(file, file.relative_to(source).as_posix())
    directory = _read(source)[0]
    expected = {(r["path"], r["text"], r["license"]) for r in directory}
    for archive in (tgz, archive_zip):
        rows, _ = _read(archive)
        assert {(r["path"], r["text"], r["license"]) for r in rows} == expected, archive.name
        assert not {r["id"] for r in rows} & {r["id"] for r in directory}  # two inputs: ids unique per run


def _tar(path: Path, members: list[tuple[str, bytes | None, str | None]]) -> Path:
    """(name, data, link target) entries; data None with a target makes a symbolic link."""
    with tarfile.open(path, "w:gz") as tar:
        for name, data, target in members:
            info = tarfile.TarInfo(name)
            if target is not None:
                info.type, info.linkname = tarfile.SYMTYPE, target
                tar.addfile(info)
            else:
                info.size = len(data)
                tar.addfile(info, io.BytesIO(data))
    return path


@pytest.mark.parametrize(
    ("members", "message"),
    [
        ([("ok.py", b"x = 1\n", None), ("../escape.py", b"import os\n", None)], "path traversal"),
        ([("ok.py", b"x = 1\n", None), ("/tmp/absolute.py", b"x\n", None)], "absolute path"),
        ([("ok.py", b"x = 1\n", None), ("passwd", None, "/etc/passwd")], "points outside"),
        ([("src/a.py", b"x = 1\n", None), ("src/up", None, "../../outside")], "points outside"),
    ],
)
def test_hostile_tar_archives_are_refused(tmp_path: Path, members, message: str) -> None:
    archive = _tar(tmp_path / "hostile.tar.gz", members)
    with pytest.raises(InputFormatError, match=message) as refused:
        _read(archive)
    assert str(archive) in str(refused.value)
    assert not (tmp_path.parent / "escape.py").exists() and not Path("/tmp/absolute.py").exists()


def test_links_inside_the_tree_are_skipped_not_followed(tmp_path: Path) -> None:
    archive = _tar(tmp_path / "links.tar.gz", [("a.py", b"x = 1\n", None), ("b.py", None, "a.py")])
    rows, tally = _read(archive)
    assert [r["path"] for r in rows] == ["a.py"] and tally.skipped["link"][0] == 1
    tree = tmp_path / "tree"
    tree.mkdir()
    (tree / "a.py").write_text("x = 1\n")
    (tree / "secret").symlink_to("/etc/hostname")
    with pytest.raises(InputFormatError, match="points outside the tree"):
        _read(tree)


def test_hostile_zip_archives_are_refused(tmp_path: Path) -> None:
    traversal = tmp_path / "traversal.zip"
    with zipfile.ZipFile(traversal, "w") as z:
        z.writestr("ok.py", "x = 1\n")
        z.writestr("../../evil.py", "import os\n")
    with pytest.raises(InputFormatError, match="path traversal"):
        _read(traversal)
    link = tmp_path / "link.zip"
    with zipfile.ZipFile(link, "w") as z:
        info = zipfile.ZipInfo("passwd")
        info.external_attr = (0o120777 << 16)
        z.writestr(info, "/etc/passwd")
    with pytest.raises(InputFormatError, match="points outside"):
        _read(link)


def test_archive_bombs_are_refused_before_expansion(tmp_path: Path) -> None:
    bomb = tmp_path / "bomb.zip"
    with zipfile.ZipFile(bomb, "w", zipfile.ZIP_DEFLATED) as z:
        z.writestr("zeros.txt", b"\0" * (20 * 1024 * 1024))
    assert bomb.stat().st_size < 100_000
    limits = ArchiveLimits(ratio_floor_bytes=1024 * 1024, max_ratio=100)
    with pytest.raises(InputFormatError, match="archive bomb"):
        _read(bomb, IngestOptions(archive=limits))
    tar_bomb = _tar(tmp_path / "bomb.tar.gz", [("zeros.txt", b"0" * (20 * 1024 * 1024), None)])
    with pytest.raises(InputFormatError, match="archive bomb"):
        _read(tar_bomb, IngestOptions(archive=limits))
    with pytest.raises(InputFormatError, match="max_total_bytes"):
        _read(tar_bomb, IngestOptions(archive=ArchiveLimits(max_total_bytes=1024 * 1024)))
    many = _tar(tmp_path / "many.tar.gz", [(f"f{i}.py", b"x\n", None) for i in range(5)])
    with pytest.raises(InputFormatError, match="max_members"):
        _read(many, IngestOptions(archive=ArchiveLimits(max_members=3)))


def _git(repo: Path, *args: str) -> str:
    env = {**os.environ, "GIT_AUTHOR_NAME": "t", "GIT_AUTHOR_EMAIL": "t@example.com", "GIT_COMMITTER_NAME": "t",
           "GIT_COMMITTER_EMAIL": "t@example.com", "GIT_AUTHOR_DATE": "2024-01-01T00:00:00Z",
           "GIT_COMMITTER_DATE": "2024-01-01T00:00:00Z"}
    return subprocess.run(["git", "-C", str(repo), *args], check=True, capture_output=True, text=True, env=env).stdout


def test_git_working_tree_and_bare_repository_at_a_ref(tmp_path: Path) -> None:
    work = tmp_path / "tool"
    work.mkdir()
    _git(work, "init", "-q", "-b", "main")
    (work / "LICENSE").write_text("Permission is hereby granted, free of charge, to any person obtaining a copy\n")
    (work / "tool.py").write_text("print('v1')\n")
    (work / "link.py").symlink_to("tool.py")
    _git(work, "add", ".")
    _git(work, "commit", "-q", "-m", "v1")
    _git(work, "tag", "v1")
    (work / "tool.py").write_text("print('v2')\n")
    _git(work, "commit", "-q", "-am", "v2")
    (work / "untracked.py").write_text("not in the repository\n")
    (work / "tool.py").write_text("print('edited, not committed')\n")

    rows, tally = _read(work)  # the working tree: tracked files as they are on disk
    assert {r["path"]: r["text"] for r in rows} == {"LICENSE": (work / "LICENSE").read_text(),
                                                     "tool.py": "print('edited, not committed')\n"}
    assert tally.skipped["link"][0] == 1 and {r["license"] for r in rows} == {"MIT"}

    bare = tmp_path / "tool.git"
    subprocess.run(["git", "clone", "-q", "--bare", str(work), str(bare)], check=True)
    head, _ = _read(bare)
    assert {r["path"]: r["text"] for r in head}["tool.py"] == "print('v2')\n"
    old, _ = _read(bare, ref="v1")
    assert {r["path"]: r["text"] for r in old}["tool.py"] == "print('v1')\n"
    revision = _git(bare, "rev-parse", "v1^{commit}").strip()
    assert {json.loads(r["meta"])["revision"] for r in old} == {revision}
    assert {r["repo"] for r in old} == {"tool"}
    with pytest.raises(InputFormatError, match="git rev-parse failed"):
        _read(bare, ref="no-such-ref")


def test_nothing_in_a_working_tree_goes_uncounted(tmp_path: Path) -> None:
    """No commit yet: the files on disk are counted as uncommitted (staged ones are read);
    a tracked file deleted from the working tree is counted as missing."""
    fresh = tmp_path / "fresh"
    fresh.mkdir()
    _git(fresh, "init", "-q", "-b", "main")
    (fresh / "a.py").write_text("a = 1\n")
    (fresh / "pkg").mkdir()
    (fresh / "pkg" / "b.py").write_text("b = 2\n")
    rows, tally = _read(fresh)
    assert rows == [] and dict(tally.skipped) == {"uncommitted": [2, 0]}
    _git(fresh, "add", "a.py")
    rows, tally = _read(fresh)
    assert [r["path"] for r in rows] == ["a.py"] and tally.skipped["uncommitted"][0] == 1

    _git(fresh, "add", ".")
    _git(fresh, "commit", "-q", "-m", "first")
    (fresh / "pkg" / "b.py").unlink()
    rows, tally = _read(fresh)
    assert [r["path"] for r in rows] == ["a.py"] and dict(tally.skipped) == {"missing_from_worktree": [1, 0]}


def test_deeply_nested_directory(tmp_path: Path) -> None:
    """1,100 levels of folders: no recursion limit, the deepest file read like any other."""
    deep = tmp_path / "deep"
    deep.mkdir()
    (deep / "top.py").write_text("top = 1\n")
    levels = [deep / "/".join(["d"] * k) for k in range(1, 1101)]
    for level in levels:
        level.mkdir()
    (levels[-1] / "bottom.py").write_text("bottom = 1\n")
    try:
        rows, _ = _read(deep)
        assert [r["path"] for r in rows] == ["top.py", "/".join(["d"] * 1100) + "/bottom.py"]
    finally:  # pytest's own clean-up recurses per level
        (levels[-1] / "bottom.py").unlink()
        for level in reversed(levels):
            level.rmdir()


@pytest.mark.parametrize("name", ["empty.tar.gz", "empty.zip", "empty.tar"])
def test_an_empty_archive_is_an_empty_input(tmp_path: Path, name: str) -> None:
    (tmp_path / name).write_bytes(b"")
    rows, tally = _read(tmp_path / name)
    assert rows == [] and tally.records == 0


def test_stack_parquet_and_sidecar(tmp_path: Path) -> None:
    path = tmp_path / "stack.parquet"
    pq.write_table(pa.table({
        "content": ["def f():\n    return 1\n", "", "int main() { return 0; }\n"],
        "path": ["pkg/f.py", "empty.py", "main.c"],
        "repo_name": ["alice/pkg", "alice/pkg", "bob/tool"],
        "detected_licenses": [["MIT"], [], ["GPL-2.0+", "Apache-2.0"]],
        "max_stars_count": [120, 120, 3],
        "language": ["Python", "Python", "C"],
    }), path)
    sidecar = tmp_path / "repos.jsonl"
    sidecar.write_text(json.dumps({"repo": "alice/pkg", "priority": 5, "forks": 7}) + "\n")
    tally = Tally()
    file = InputFile(url=str(path), relpath="stack.parquet", source="stack", kind="code", format="stack",
                     metadata=str(sidecar), priority=1)
    rows = [r for b in read_stack(file, IngestOptions(), tally) for r in b.to_pylist()]
    assert tally.records == 3 and dict(tally.skipped) == {"empty_file": [1, 0]}
    first, second = rows
    assert (first["repo"], first["path"], first["license"], first["priority"]) == ("alice/pkg", "pkg/f.py", "MIT", 5)
    assert json.loads(first["meta"])["stars"] == 120 and json.loads(first["meta"])["forks"] == 7
    assert second["license"] == "Apache-2.0 AND GPL-2.0-or-later" and second["priority"] == 1
    pq.write_table(pa.table({"text": ["x"]}), tmp_path / "plain.parquet")
    plain = InputFile(url=str(tmp_path / "plain.parquet"), relpath="p", source="s", kind="code", format="stack")
    with pytest.raises(InputFormatError, match="not a Stack-style Parquet file"):
        list(read_stack(plain, IngestOptions(), Tally()))


def test_config_makes_one_unit_per_repository(code_corpus: Path, tmp_path: Path) -> None:
    shutil.copytree(code_corpus / "repos" / "six", tmp_path / "repos" / "six")
    shutil.copytree(code_corpus / "repos" / "byteorder", tmp_path / "repos" / "byteorder")
    (tmp_path / "repos" / "notes.txt").write_text("a stray file is not a repository\n")
    _tar(tmp_path / "repos" / "extra.tar.gz", [("x.py", b"x = 1\n", None)])
    pq.write_table(pa.table({"content": ["x"], "path": ["a.py"], "repo": ["r"]}), tmp_path / "stack.parquet")
    (tmp_path / "meta.csv").write_text("repo,stars,priority\nsix,900,3\n")
    config = write_config(tmp_path / "c.yaml", output="run", inputs=[
        {"path": "repos/*", "source": "gh", "kind": "code", "metadata": "meta.csv"},
        {"path": "stack.parquet", "source": "stack", "kind": "code"},
        {"path": "repos/six", "source": "single", "kind": "code", "ref": None},
    ])
    units = plan_units(load_config(config))
    assert [(u.file.source, u.file.format, Path(u.file.url).name) for u in units] == [
        ("gh", "code", "byteorder"), ("gh", "code", "extra.tar.gz"), ("gh", "code", "six"),
        ("stack", "stack", "stack.parquet"), ("single", "code", "six")]
    assert units[0].file.metadata == str(tmp_path / "meta.csv")


PROGRAM = (
    "import os\r\n\r\n\r\nBANNER = '''\r\ntrailing spaces matter here   \r\n'''\r\n\x0c\r\n"
    "\r\n\r\ndef main():\r\n    return 'cafe\u0301'  # decomposed e-acute, kept as written\r\n"
)


@pytest.mark.parametrize(("kinds", "normalised"), [(None, False), (["code", "text"], True)])
def test_code_passes_normalize_byte_for_byte(tmp_path: Path, kinds, normalised: bool) -> None:
    """PEP 8's blank lines, spaces inside a literal, a form feed, CRLF, the final newline and
    decomposed characters survive normalize unless the config opts code in."""
    (tmp_path / "repo").mkdir()
    (tmp_path / "repo" / "main.py").write_bytes(PROGRAM.encode())
    (tmp_path / "notes.jsonl").write_text(json.dumps({"text": "  prose\r\n\r\n\r\n\r\nmore   \n"}) + "\n")
    config = load_config(write_config(tmp_path / "c.yaml", output="run", inputs=[
        {"path": "repo", "source": "gh", "kind": "code", "format": "code"},
        {"path": "notes.jsonl", "source": "notes"}],
        stages=[{"name": "normalize", **({"kinds": kinds} if kinds else {})}]))
    assert run_pipeline(config, engine="local").ok
    texts = dict(zip(*documents(tmp_path / "run").select(["kind", "text"]).to_pydict().values(), strict=True))
    assert texts["text"] == "prose\n\nmore"  # prose is always normalised
    assert (texts["code"] != PROGRAM) == normalised
    if not normalised:
        assert texts["code"].encode() == (tmp_path / "repo" / "main.py").read_bytes()


@pytest.mark.slow
def test_runs_a_hostile_archive_as_a_failed_unit_and_writes_nothing_outside(code_corpus: Path, tmp_path: Path) -> None:
    inputs = tmp_path / "in"
    inputs.mkdir()
    _tar(inputs / "evil.tar.gz", [("../../../escaped.py", b"print('pwned')\n", None)])
    with tarfile.open(inputs / "six.tar.gz", "w:gz") as tar:
        tar.add(code_corpus / "repos" / "six", arcname="six")
    (tmp_path / "meta.jsonl").write_text(json.dumps({"repo": "six", "priority": 9, "stars": 900}) + "\n")
    config = write_config(tmp_path / "c.yaml", output="run", inputs=[
        {"path": "in/*.tar.gz", "source": "archives", "kind": "code", "metadata": "meta.jsonl"}],
        stages=[{"name": "code_language"}, {"name": "code_filter"}, {"name": "code_license"}, {"name": "code_secrets"}])
    before = sorted(p.name for p in tmp_path.parent.iterdir())
    result = cli("run", str(config), "--workers", "1")
    assert result.returncode == 1, result.stdout + result.stderr
    assert "evil.tar.gz: refused" in result.stdout + result.stderr
    assert sorted(p.name for p in tmp_path.parent.iterdir()) == before
    assert not list(tmp_path.rglob("escaped.py"))
    docs = documents(tmp_path / "run").to_pylist()
    assert {d["repo"] for d in docs} == {"six"} and {d["priority"] for d in docs} == {9}
    assert {d["code_lang"] for d in docs if d["path"].endswith(".py")} == {"Python"}
    assert stats(tmp_path / "run")["units"]["failed"]


@pytest.mark.parametrize(
    ("spec", "path", "fmt"),
    [
        ({"kind": "code"}, "repos/six", "code"),
        ({"kind": "code"}, "dump/part-0.parquet", "stack"),
        ({}, "releases/six-1.16.0.tar.gz", "code"),
        ({}, "mirrors/linux.git", "code"),
        ({}, "snapshots/site.zip", "code"),
        ({"kind": "code", "format": "parquet"}, "x.parquet", "parquet"),
        ({}, "repos/six", None),
    ],
)
def test_format_inference_for_code(spec: dict, path: str, fmt: str | None) -> None:
    from polycorpus.pipeline.config import InputSpec

    assert InputSpec(path="x/*", source="s", **spec).format_of(path) == fmt


@pytest.mark.slow
def test_validate_names_a_plain_directory_without_kind(tmp_path: Path) -> None:
    (tmp_path / "repo").mkdir()
    config = write_config(tmp_path / "c.yaml", output="run", inputs=[{"path": "repo", "source": "s"}])
    result = cli("validate", str(config))
    assert result.returncode == 2 and "cannot infer the format" in result.stdout + result.stderr
    ok = write_config(tmp_path / "ok.yaml", output="run", inputs=[{"path": "repo", "source": "s", "kind": "code"}])
    assert cli("validate", str(ok)).returncode == 0
