"""Language identification accuracy on the code corpus, against pygments' own guessers.

    python bench/code_language_accuracy.py [CORPUS]      (default: $POLYCORPUS_CODE_CORPUS,
                                                         else build-code-corpus's cache)

Two sets, both real third-party code assembled by ``../shared/testdata/build-code-corpus``:

- ``multilang/<alias>/<file>``: pygments' own example files; the folder is the pygments
  lexer alias, the truth. Scored for polycorpus, ``get_lexer_for_filename`` (name only) and
  ``guess_lexer_for_filename`` (name + content).
- ``repos/``: every source file of five whole packages (six, jpype, underscore, pflag,
  byteorder); the truth is the package's language for that kind of file (:data:`REPO_TRUTH`: jpype's headers are C++, underscore's ``.cjs``
  are JavaScript, ...).

Prints the accuracies, every miss, and the confusions on ambiguous extensions (those that
more than one language claims).
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
from collections import Counter, defaultdict
from collections.abc import Callable, Iterator
from pathlib import Path

from pygments.lexers import get_lexer_by_name, get_lexer_for_filename, guess_lexer_for_filename
from pygments.util import ClassNotFound

from polycorpus.stages.code import heuristics
from polycorpus.stages.code.identify import identify
from polycorpus.stages.code.languages import catalogue, display_name

BUILDER = Path(__file__).resolve().parents[2] / "shared" / "testdata" / "build-code-corpus"

#: (package, extension) -> the true language of that package's files with that extension.
REPO_TRUTH: dict[tuple[str, str], str] = {
    ("six", ".py"): "Python",
    ("jpype", ".py"): "Python", ("jpype", ".pyi"): "Python", ("jpype", ".java"): "Java",
    ("jpype", ".cpp"): "C++", ("jpype", ".h"): "C++", ("jpype", ".sh"): "Bash",
    ("jpype", ".bat"): "Batchfile", ("jpype", ".gradle"): "Groovy", ("jpype", ".mk"): "Makefile",
    ("jpype", ".css"): "CSS",
    ("underscore", ".js"): "JavaScript", ("underscore", ".cjs"): "JavaScript",
    ("underscore", ".mjs"): "JavaScript",
    ("pflag", ".go"): "Go",
    ("byteorder", ".rs"): "Rust",
}


def code_corpus() -> Path:
    """The corpus directory, built (idempotently) if absent."""
    default = Path(os.environ.get("POLYCORPUS_TESTDATA", Path.home() / ".cache" / "polycorpus-testdata")) / "code"
    path = Path(os.environ.get("POLYCORPUS_CODE_CORPUS", default))
    if not (path / ".complete").exists():
        subprocess.run([str(BUILDER), str(path)], check=True)
    return path


def multilang_samples(root: Path) -> Iterator[tuple[Path, str]]:
    """(file, true language) for every labelled sample."""
    for folder in sorted(p for p in (root / "multilang").iterdir() if p.is_dir()):
        truth = display_name(get_lexer_by_name(folder.name).name)
        for file in sorted(p for p in folder.rglob("*") if p.is_file()):
            yield file, truth


def repo_samples(root: Path) -> Iterator[tuple[Path, str]]:
    for file in sorted(p for p in (root / "repos").rglob("*") if p.is_file()):
        package = file.relative_to(root / "repos").parts[0]
        truth = REPO_TRUTH.get((package, file.suffix))
        if truth is not None:
            yield file, truth


def _read(file: Path) -> str:
    return file.read_bytes().decode("utf-8", "replace")


def ours(file: Path, text: str) -> str | None:
    return identify(file.name, text).language


def _pygments(guess: Callable[[], object]) -> str | None:
    try:
        return display_name(guess().name)  # type: ignore[attr-defined]
    except ClassNotFound:
        return None


def by_filename(file: Path, text: str) -> str | None:
    return _pygments(lambda: get_lexer_for_filename(file.name))


def by_filename_and_content(file: Path, text: str) -> str | None:
    return _pygments(lambda: guess_lexer_for_filename(file.name, text))


def ambiguous(file: Path) -> str | None:
    """The extension, if several languages claim it (or it has content rules)."""
    ext, candidates = catalogue().extension_candidates(file.name)
    return ext if ext and (len(candidates) > 1 or heuristics.rules_for(ext)) else None


def score(samples: list[tuple[Path, str, str]], guesser: Callable[[Path, str], str | None]) -> tuple[int, list]:
    misses = []
    for file, text, truth in samples:
        guess = guesser(file, text)
        if guess != truth:
            misses.append((file, truth, guess))
    return len(samples) - len(misses), misses


def report(name: str, root: Path, samples: list[tuple[Path, str, str]], baselines: bool) -> float:
    correct, misses = score(samples, ours)
    accuracy = correct / len(samples)
    print(f"\n== {name}: {len(samples)} files")
    print(f"  polycorpus                           {accuracy:.3f}  ({correct}/{len(samples)})")
    if baselines:
        for label, guesser in (("pygments get_lexer_for_filename", by_filename),
                               ("pygments guess_lexer_for_filename", by_filename_and_content)):
            right, _ = score(samples, guesser)
            print(f"  {label:36} {right / len(samples):.3f}  ({right}/{len(samples)})")
    for file, truth, guess in misses:
        print(f"  miss: {file.relative_to(root)}  truth={truth}  got={guess}")
    confusions: dict[str, Counter] = defaultdict(Counter)
    for file, text, truth in samples:
        ext = ambiguous(file)
        if ext:
            confusions[ext][(truth, ours(file, text))] += 1
    print(f"  confusions on ambiguous extensions ({name}), truth -> identified: count")
    for ext in sorted(confusions, key=str.lower):
        cells = ", ".join(f"{t}->{g}: {n}" if t != g else f"{t}: {n}" for (t, g), n in sorted(
            confusions[ext].items(), key=lambda kv: (-kv[1], str(kv[0]))))
        print(f"    {ext:10} {cells}")
    return accuracy


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("corpus", nargs="?", type=Path, help="the code corpus directory")
    args = parser.parse_args()
    root = args.corpus or code_corpus()
    multilang = [(f, _read(f), t) for f, t in multilang_samples(root)]
    repos = [(f, _read(f), t) for f, t in repo_samples(root)]
    print(f"languages known: {len(catalogue().names)}")
    a = report("multilang", root, multilang, baselines=True)
    b = report("repos", root, repos, baselines=True)
    print(f"\naccuracy: multilang {a:.3f} (target >= 0.95), repos {b:.3f} (target >= 0.99)")
    sys.exit(0 if a >= 0.95 and b >= 0.99 else 1)


if __name__ == "__main__":
    main()
