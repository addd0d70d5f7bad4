"""Which language is this file? Path first, content only where the path is not enough.

The order follows GitHub linguist's strategies, tuned for throughput: most files are
settled by a dictionary lookup on their name or extension, and content is read only for
ambiguous extensions (``.h``, ``.m``, ``.pl``...), files without a known extension and
files that declare their language (modelines).

1. the exact file name (``Makefile``, ``go.mod``, ``CMakeLists.txt``);
2. the extension, longest first (``.d.ts`` before ``.ts``), when one language claims it and
   no content rule applies to it;
3. an editor modeline (``vim: ft=python``, ``-*- mode: c++ -*-``): it settles ambiguous
   files (a ``.h`` declared C++), but does not overrule a precise extension (Mozilla marks
   ``.webidl`` files ``Mode: IDL``);
4. content rules for the extension (:mod:`stages.code.heuristics`), then the shebang, then
   pygments' own ``analyse_text`` among the candidates, then the most common candidate;
5. pygments' other file name patterns (``Makefile.*``, ``*.php[345]``);
6. without any of those: the shebang, content signatures (:data:`heuristics.CONTENT`), and
   last an extension that is a language's alias (``x.nodejsrepl``, ``y.wikitext``).
"""

from __future__ import annotations

import posixpath
import re
from dataclasses import dataclass
from functools import cache

from polycorpus.stages.code import heuristics
from polycorpus.stages.code.languages import Catalogue, catalogue

#: How much of a file content rules look at (the signatures sit near the top).
HEAD_CHARS = 64 * 1024

_VIM = re.compile(r"(?:^|\s)(?:vim?|Vim)(?:[<=>]?\d+)?:\s*(?:set?\s)?.*?\b(?:ft|filetype|syntax)=([\w+#.-]+)")
_EMACS = re.compile(r"-\*-(.+?)-\*-")
_EMACS_MODE = re.compile(r"(?:^|;)\s*mode\s*:\s*([\w+#.-]+)", re.IGNORECASE)
_SHEBANG = re.compile(r"#!\s*(\S+)(?:[ \t]+(.*))?")
_VERSION = re.compile(r"[\d.]+$")

#: Modeline mode names that are not pygments aliases.
_MODE_ALIASES = {
    "cperl": "Perl", "js2": "JavaScript", "js3": "JavaScript", "shell-script": "Bash", "sh": "Bash",
    "objc": "Objective-C", "c++": "C++", "tcl": "Tcl", "makefile-gmake": "Makefile",
    "makefile-bsdmake": "Makefile", "python3": "Python", "ruby": "Ruby", "rust": "Rust",
    "typescript": "TypeScript", "go": "Go", "yaml": "YAML", "markdown": "Markdown", "gfm": "Markdown",
}


@dataclass(frozen=True)
class Identification:
    language: str | None
    method: str  # filename|extension|modeline|heuristic|shebang|analysis|pattern|content|alias|none


def interpreter(text: str) -> str | None:
    """The interpreter a ``#!`` line names (``/usr/bin/env -S python3.11 -u`` -> ``python``)."""
    if not text.startswith("#!"):
        return None
    match = _SHEBANG.match(text, 0, text.find("\n") if "\n" in text else len(text))
    if match is None:
        return None
    program = posixpath.basename(match.group(1))
    if program == "env":
        args = [a for a in (match.group(2) or "").split() if not a.startswith("-") and "=" not in a]
        if not args:
            return None
        program = posixpath.basename(args[0])
    return _VERSION.sub("", program) or program


def _modeline(text: str, table: Catalogue) -> str | None:
    """A vim modeline in the first or last five lines, or an Emacs one in the first two."""
    first = text[:2000].split("\n", 5)[:5]
    last = text[-2000:].rsplit("\n", 5)[-5:] if len(text) > 2000 else []
    for line in (*first, *last):
        found = _VIM.search(line)
        if found:
            return _mode_language(found.group(1), table)
    for line in first[:2]:
        emacs = _EMACS.search(line)
        if emacs:
            block = emacs.group(1)
            mode = _EMACS_MODE.search(block)
            word = mode.group(1) if mode else (block.strip() if ":" not in block else None)
            if word:
                return _mode_language(word, table)
    return None


def _mode_language(mode: str, table: Catalogue) -> str | None:
    mode = mode.lower().removesuffix("-mode")
    return _MODE_ALIASES.get(mode) or table.aliases.get(mode)


def _shebang_language(text: str, table: Catalogue) -> str | None:
    program = interpreter(text)
    if program is None:
        return None
    return table.interpreters.get(program) or table.aliases.get(program)


def _by_analysis(candidates: tuple[str, ...], text: str, table: Catalogue) -> str | None:
    """pygments' ``analyse_text`` among the candidates; None if none of them claims the text."""
    best, best_score = None, 0.0
    for name in candidates:
        lexer = _lexer_class(table.pygments_names.get(name, ""))
        if lexer is None:
            continue
        score = lexer.analyse_text(text)
        if score > best_score:
            best, best_score = name, score
    return best


@cache
def _lexer_class(pygments_name: str):
    from pygments.lexers import find_lexer_class

    return find_lexer_class(pygments_name) if pygments_name else None


def identify(path: str, text: str) -> Identification:
    """The language of the file at ``path`` (repository-relative) with content ``text``."""
    table = catalogue()
    basename = posixpath.basename(path)
    by_name = table.filenames.get(basename)
    if by_name:
        return Identification(by_name[0], "filename")
    ext, candidates = table.extension_candidates(basename)
    rules = heuristics.rules_for(ext)
    if len(candidates) == 1 and not rules:
        return Identification(candidates[0], "extension")
    # Ambiguous or unknown from here on: an editor modeline is the author's own word...
    declared = _modeline(text, table)
    if declared:
        return Identification(declared, "modeline")
    head = text[:HEAD_CHARS]
    decided = heuristics.decide(rules, head) if rules else None
    if decided:
        return Identification(decided, "heuristic")
    if candidates:
        if len(candidates) == 1:
            return Identification(candidates[0], "extension")
        shebang = _shebang_language(head, table)
        if shebang in candidates:
            return Identification(shebang, "shebang")
        analysed = _by_analysis(candidates, head, table)
        if analysed:
            return Identification(analysed, "analysis")
        return Identification(heuristics.preferred(ext, candidates), "extension")
    for pattern, name in table.globs:
        if pattern.match(basename):
            return Identification(name, "pattern")
    shebang = _shebang_language(head, table)
    if shebang:
        return Identification(shebang, "shebang")
    content = heuristics.from_content(head)
    if content:
        return Identification(content, "content")
    # ... and a file named after a language alias (x.nodejsrepl, y.wikitext) names its language.
    _, dot, suffix = basename.rpartition(".")
    named = table.aliases.get(suffix.lower()) if dot and suffix else None
    return Identification(named, "alias") if named else Identification(None, "none")
