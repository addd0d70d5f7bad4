"""Language identification: the real packages of the code corpus, pygments' labelled samples,
and the ambiguous extensions the content rules exist for."""

from __future__ import annotations

import importlib.util
from pathlib import Path

import pyarrow as pa
import pytest
from support import REPO

from polycorpus.stages.code import heuristics
from polycorpus.stages.code.config import CodeLanguageConfig
from polycorpus.stages.code.identify import identify, interpreter
from polycorpus.stages.code.language import CodeLanguage
from polycorpus.stages.code.languages import catalogue
from polycorpus.stages.schema import documents_table


def _accuracy_script():
    spec = importlib.util.spec_from_file_location("code_language_accuracy", REPO / "bench" / "code_language_accuracy.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


accuracy = _accuracy_script()


def test_every_source_file_of_the_real_packages_is_identified(code_corpus: Path) -> None:
    samples = list(accuracy.repo_samples(code_corpus))
    packages = {f.relative_to(code_corpus / "repos").parts[0] for f, _ in samples}
    assert packages == {"six", "jpype", "underscore", "pflag", "byteorder"}
    assert len(samples) > 900
    wrong = [(str(f.relative_to(code_corpus)), truth, identify(f.name, f.read_text(errors="replace")).language)
             for f, truth in samples if identify(f.name, f.read_text(errors="replace")).language != truth]
    assert wrong == []


def test_labelled_samples_beat_pygments(code_corpus: Path) -> None:
    samples = [(f, f.read_bytes().decode("utf-8", "replace"), truth) for f, truth in accuracy.multilang_samples(code_corpus)]
    assert len(samples) > 600
    ours, _ = accuracy.score(samples, accuracy.ours)
    pygments, _ = accuracy.score(samples, accuracy.by_filename_and_content)
    assert ours / len(samples) >= 0.95
    assert ours > pygments


def test_catalogue_names_more_than_600_languages() -> None:
    assert len(catalogue().names) >= 600


def test_every_language_a_rule_returns_is_in_the_catalogue() -> None:
    returned = {rule.language for rules in heuristics.RULES.values() for rule in rules}
    returned |= {rule.language for rule in heuristics.CONTENT} | set(heuristics.PREFERRED.values())
    returned |= set(catalogue().interpreters.values())
    assert returned - catalogue().names == set()


@pytest.mark.parametrize(
    ("path", "text", "language"),
    [
        ("a.h", "#include <stdio.h>\nint add(int a, int b);\n", "C"),
        ("a.h", "#include <vector>\nnamespace geo {\nclass Point { public:\n int x; };\n}\n", "C++"),
        ("a.h", "#import <Foundation/Foundation.h>\n@interface Point : NSObject\n@end\n", "Objective-C"),
        ("a.h", "// -*- mode: c++ -*-\nint f(void);\n", "C++"),
        ("a.m", "#import \"Point.h\"\n@implementation Point\n@end\n", "Objective-C"),
        ("a.m", "% compute the mean\nfunction m = average(x)\n  m = sum(x) / numel(x);\nend\n", "MATLAB"),
        ("a.pl", "use strict;\nuse warnings;\nmy $x = 1;\nprint \"$x\\n\";\n", "Perl"),
        ("a.pl", "parent(tom, bob).\nancestor(X, Y) :- parent(X, Y).\n", "Prolog"),
        ("a.pl", "#!/usr/bin/perl\nprint 1;\n", "Perl"),
        ("a.ts", "export function add(a: number, b: number): number { return a + b; }\n", "TypeScript"),
        ("a.ts", "<?xml version=\"1.0\"?>\n<!DOCTYPE TS>\n<TS version=\"2.1\" language=\"de\"></TS>\n", "XML"),
        ("a.v", "module counter(input clk);\nalways @(posedge clk) begin end\nendmodule\n", "Verilog"),
        ("a.v", "Theorem t : True.\nProof. trivial. Qed.\n", "Rocq Prover"),
        ("go.mod", "module example.com/x\n\ngo 1.22\n", "Go Module"),
        ("Makefile", "all:\n\tcc -o x x.c\n", "Makefile"),
        ("tool", "#!/usr/bin/env python3\nprint('hi')\n", "Python"),
        ("run", "#!/usr/bin/env -S node --no-warnings\nconsole.log(1)\n", "JavaScript"),
        ("script", "# vim: set ft=ruby :\nputs 1\n", "Ruby"),
        ("LICENSE-MIT", "Permission is hereby granted", "Text"),
        ("x.unknownext", "nothing to see here", None),
    ],
)
def test_ambiguous_and_nameless_files(path: str, text: str, language: str | None) -> None:
    assert identify(path, text).language == language


def test_shebang_interpreter_is_normalised() -> None:
    assert interpreter("#!/usr/bin/env -S python3.11 -u\n") == "python"
    assert interpreter("#!/bin/bash -e\n") == "bash"
    assert interpreter("no shebang") is None


def test_stage_labels_code_only_and_drops_on_request() -> None:
    batch = documents_table([
        {"id": "1", "text": "print(1)\n", "source": "s", "kind": "code", "priority": 0, "path": "a/b.py"},
        {"id": "2", "text": "fn main() {}\n", "source": "s", "kind": "code", "priority": 0, "path": "src/main.rs"},
        {"id": "3", "text": "???", "source": "s", "kind": "code", "priority": 0, "path": "blob.unknownext"},
        {"id": "4", "text": "plain prose", "source": "s", "kind": "text", "priority": 0, "path": "x.py"},
    ])
    result = CodeLanguage(CodeLanguageConfig(languages=["Python", "Rust"], drop_unknown=True)).process(batch)
    assert result.table.column("code_lang").to_pylist() == ["Python", "Rust", None, None]
    assert result.drop_reasons.to_pylist() == [None, None, "unknown_language", None]
    only_python = CodeLanguage(CodeLanguageConfig(languages=["Python"])).process(batch)
    assert only_python.drop_reasons.to_pylist() == [None, "language_not_selected", None, None]
    assert only_python.counters == {"method.extension": 2, "method.none": 1}
    assert isinstance(result.table, pa.Table) and result.table.schema.equals(batch.schema)
