"""Comment extraction and re-insertion: spans, skip rules, escapes and the round-trip guarantee."""

from __future__ import annotations

from pathlib import Path

from polycorpus.stages.code.identify import identify
from polycorpus.stages.translate.extract import byte_spans, code_likeness, extract, lex, lexer_for
from polycorpus.stages.translate.reinsert import apply, compiles, render, verify

#: A "translation" built to break comments: every closing marker, quotes, backslashes,
#: a Java Unicode escape, CJK text and a line break.
NASTY = ('译文 */ """ \'\'\' \\ --> *) -} ]] |# {- (* /* <!-- } { \\u000a end\n'
         'second 行 \\\n "quoted" ')

PY = '''#!/usr/bin/env python
# -*- coding: utf-8 -*-
# Copyright 2024 Someone. Licensed under the MIT license.
"""Module docstring that explains things."""
import os  # noqa: F401

# Compute the answer to the question
# that everybody keeps asking.
x = compute(1, 2)  # the trailing comment is here
# x = compute(3, 4);

# https://example.com/some/page


def f():
    r"""Return the value of the thing."""
    return b"""bytes"""
'''


def test_python_segments_spans_and_skips() -> None:
    segments = extract(PY, "Python")
    found = [(s.kind, s.text, s.skip) for s in segments]
    assert ("line", "Copyright 2024 Someone. Licensed under the MIT license.", "licence") in found
    assert ("doc", "Module docstring that explains things.", None) in found
    assert ("line", "noqa: F401", "directive") in found
    assert ("line", "Compute the answer to the question\nthat everybody keeps asking.", None) in found
    assert ("line", "the trailing comment is here", None) in found
    assert ("line", "x = compute(3, 4);", "code") in found
    assert ("line", "https://example.com/some/page", "url") in found
    assert ("doc", "Return the value of the thing.", None) in found
    assert all(s.skip == "directive" for s in segments if "coding" in s.text)
    assert not any("/usr/bin" in s.text for s in segments)  # a shebang is no comment
    assert not any("bytes" in s.text for s in segments)  # a bytes literal is no docstring
    data = PY.encode()
    for segment, (start, end) in zip(segments, byte_spans(PY, segments), strict=True):
        assert data[start:end].decode() == PY[segment.start:segment.end]


def test_rewrap_keeps_style() -> None:
    text = "int f() {\n    /* Compute\n     * the answer.\n     */\n    // one\n    // two\n    return 1;\n}\n"
    segments = extract(text, "C")
    assert [s.text for s in segments] == ["Compute\nthe answer.", "one\ntwo"]
    out = apply(text, segments, {0: render(segments[0], "计算\n答案 */ 结束"),
                                 1: render(segments[1], "一\n二\n三")})
    assert out == ("int f() {\n    /* 计算\n     * 答案 * / 结束\n     */\n"
                   "    // 一\n    // 二\n    // 三\n    return 1;\n}\n")


def test_docstring_escapes_compile() -> None:
    text = 'def f():\n    """Say hi."""\n    return 1\n'
    segments = extract(text, "Python")
    out = apply(text, segments, {0: render(segments[0], 'He said """no""" \\N{x} \\')})
    assert compiles(out)
    namespace: dict = {}
    exec(out, namespace)  # noqa: S102 - our own test source
    assert namespace["f"].__doc__ == 'He said """no""" \\N{x} \\'


def test_code_likeness() -> None:
    assert code_likeness("x = compute(3, 4);") >= 0.6
    assert code_likeness("return self.value") >= 0.6
    assert code_likeness("This returns the value of the thing.") < 0.6


def _source_files(root: Path):
    for folder in ("repos", "comments"):
        for path in sorted((root / folder).rglob("*")):
            if path.is_file():
                yield path


def test_round_trip_on_code_corpus(code_corpus: Path) -> None:
    """Every comment and docstring of every lexable source file replaced by a hostile
    translation: re-lexing gives the original non-comment tokens, and Python still compiles."""
    checked = segments_total = 0
    failures = []
    for path in _source_files(code_corpus):
        try:
            text = path.read_bytes().decode("utf-8")
        except UnicodeDecodeError:
            continue
        language = identify(str(path.relative_to(code_corpus)), text).language
        lexer = lexer_for(language)
        if lexer is None:
            continue
        tokens = lex(lexer, text)
        if tokens is None:
            continue
        segments = extract(text, language, lexer, tokens)
        replaced = {i: r for i, s in enumerate(segments) if (r := render(s, NASTY)) is not None}
        out = apply(text, segments, replaced)
        python = language == "Python"
        reason = verify(lexer, tokens, out, python, python and compiles(text))
        if reason:
            failures.append((str(path.relative_to(code_corpus)), reason))
        checked += 1
        segments_total += len(replaced)
    assert checked > 1000 and segments_total > 5000
    assert failures == []
