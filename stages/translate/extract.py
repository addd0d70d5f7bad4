"""Finding the comments and docstrings of a source file, with exact spans, and what to skip.

Any language pygments can lex: the file is lexed once (``get_tokens_unprocessed``, which
keeps the text as it is: no newline or tab rewriting) and adjacent comment tokens are merged
into comment *units*. A unit is either a line comment (``# x``, ``// x``, ``-- x``: no
newline inside and nothing after it on its line) or a block comment (``/* */``, ``(* *)``,
``<!-- -->``, ...) whose opening and closing markers are recognised; a Python docstring is a
block whose markers are its quotes. Consecutive line comments with the same indentation and
marker form one segment.

A segment is the text between its markers, line by line: each body line keeps its own
verbatim prefix (indentation, marker, decoration such as the `` * `` of Javadoc) and only
the prose after it is translatable. :func:`render` writes a translation back in the same
style (see :mod:`stages.translate.reinsert`).

Spans are character offsets into the decoded text (``start``, ``end``); :func:`byte_spans`
converts them to UTF-8 byte offsets.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from functools import cache

from pygments.token import Comment, String, Token

#: Python-like lexers whose ``String.Doc`` tokens are docstrings in quotes.
DOCSTRING_LEXERS = frozenset({"Python", "Python 2.x", "Cython", "Starlark", "IPython", "IPython3",
                              "Python console session", "NumPy", "Sage"})

_SKIP_COMMENT_TYPES = (Comment.Preproc, Comment.PreprocFile, Comment.Hashbang)
_LINE_END = re.compile(r"\r\n|\n|\r")
_MARKER = re.compile(r"[^\w\s]+")
_WORD_MARKER = re.compile(r"\S+")
_WS_LEAD = re.compile(r"[ \t]*")

# -- skip rules -----------------------------------------------------------------------------

_LICENCE = re.compile(
    r"copyright|\blicen[cs]e[ds]?\b|spdx-license|all rights reserved|permission is hereby granted|"
    r"gnu (?:lesser |affero )?general public|apache license|warranty|redistribution and use",
    re.IGNORECASE)
_DIRECTIVE_START = re.compile(
    r"^(?:noqa|type:|pylint:|mypy:|pyright:|fmt:\s*(?:on|off|skip)|isort:|nosec|nolint|NOLINT|eslint|"
    r"jshint|jslint|jscs:|tslint:|global\s|globals\s|istanbul\s|prettier-ignore|@ts-|@flow|@jsx|"
    r"@refresh|c8\s|v8\s|clang-format|go:|\+build|#?region\b|#?endregion\b|-\*-|vim?:|ex:|"
    r"coding[:=]|sourceMappingURL|@license|@preserve|@cc_on|SPDX-|cython:|distutils:|pragma|"
    r"lint:|rubocop:|swiftlint:|ktlint|checkstyle|CHECKSTYLE|NOSONAR|@formatter|language=|"
    r"<reference|@vite|webpack|@babel|@jsxImportSource|spellchecker:|cspell:|codespell:|"
    r"pyre-|pytype:|yapf:|black:|ruff:|noinspection|suppress|@generated|DO NOT EDIT|Code generated)",
    re.IGNORECASE)
_DIRECTIVE_ANY = re.compile(
    r"\bnoqa\b|type:\s*ignore|pylint:\s*disable|eslint-disable|eslint-enable|@ts-ignore|@ts-expect-error|"
    r"NOLINT|pragma:\s*no\s*cover|nosec\b|-\*-.*-\*-|\bvim?:\s*\w+=", re.IGNORECASE)
_URL_ONLY = re.compile(r"^[<(\[]?(?:https?|ftp|file)://\S+[>)\]]?\.?$", re.IGNORECASE)
_SINGLE_TOKEN = re.compile(r"^[\x21-\x7e]+$")  # one ASCII word: a name, a path, a version
_LETTER = re.compile(r"[^\W\d_]")

_CODE_END = re.compile(r"[;{}]\s*$|^\s*[{}()\[\]]\s*$|\)\s*:\s*$|=>\s*\{?\s*$")
_CODE_START = re.compile(
    r"^\s*(?:def|class|import|from\s+\S+\s+import|return|if\s*\(|for\s*\(|while\s*\(|var|let|const|"
    r"function|public|private|protected|static|void|int|char|float|double|bool|auto|#include|"
    r"#define|print\(|console\.|self\.|this\.|elif|else\s*[:{]|try\s*[:{]|except|raise|throw|"
    r"package|func|fn|impl|struct|enum|using|namespace|@\w+\(|assert)\b")
_CALL = re.compile(r"^\s*[\w.$\[\]'\"]+\s*\(.*\)\s*[;,]?\s*$")
_ASSIGN = re.compile(r"^\s*[\w.$\[\]'\"]+\s*(?:[-+*/%|&^]?=|:=|->|=>|==|!=|<=|>=)\s*\S")
_SYMBOLS = re.compile(r"[(){}\[\];=<>+*&|!]")
_IDENTIFIER = re.compile(r"\b[A-Za-z]\w*(?:\.|_|->|::)\w+")
_DOCTEST = re.compile(r"^\s*(?:>>>|\.\.\.\s|\$ )")


def code_likeness(line: str) -> float:
    """A 0..1 score: how much one comment line looks like code rather than prose."""
    stripped = line.strip()
    if not stripped:
        return 0.0
    score = 0.0
    if _CODE_END.search(stripped):
        score += 0.5
    if _CODE_START.search(stripped):
        score += 0.4
    if _CALL.match(stripped):
        score += 0.5
    if _ASSIGN.match(stripped):
        score += 0.5
    if _DOCTEST.match(stripped):
        score += 1.0
    words = stripped.split()
    if len(words) <= 6 and _IDENTIFIER.search(stripped):
        score += 0.3
    symbols = len(_SYMBOLS.findall(stripped)) / len(stripped)
    score += min(0.4, symbols * 3)
    words = stripped.split()
    if len(words) >= 4 and stripped[-1:] in ".?!" and symbols < 0.05:
        score -= 0.5  # a sentence
    return max(0.0, min(1.0, score))


def is_directive(text: str) -> bool:
    stripped = text.strip()
    return bool(_DIRECTIVE_START.match(stripped) or _DIRECTIVE_ANY.search(stripped))


def skip_reason(segment: Segment, code_threshold: float = 0.6) -> str | None:
    """Why a segment must not be translated (None: translate it)."""
    texts = [line.text for line in segment.lines]
    joined = "\n".join(texts).strip()
    if not _LETTER.search(joined):
        return "no_text"
    if any(is_directive(t) for t in texts):
        return "directive"
    if _LICENCE.search(joined):
        return "licence"
    if _URL_ONLY.match(joined):
        return "url"
    if _SINGLE_TOKEN.match(joined):
        return "identifier"
    nonempty = [t for t in texts if t.strip()]
    code = sum(code_likeness(t) >= code_threshold for t in nonempty)
    if segment.kind == "doc":
        if code:  # doctests and code examples: a partial translation would break them
            return "code"
    elif code * 2 >= len(nonempty):
        return "code"
    return None


# -- segments -------------------------------------------------------------------------------


@dataclass
class Line:
    prefix: str  # verbatim: newline and indentation before, marker, decoration, spaces
    text: str  # the translatable prose (may be empty: a blank comment line)
    suffix: str = ""  # verbatim trailing spaces


@dataclass
class Segment:
    start: int  # character offsets of the whole span in the file's text
    end: int
    kind: str  # line | block | doc
    lines: list[Line]
    tail: str  # verbatim after the last body line (closing marker)
    opener: str = ""  # the comment's opening marker ("#", "/*", '"""')
    closer: str = ""  # the closing marker of a block ("*/", '"""'), "" for line comments
    trailing: bool = False  # code before it on its first line
    newline: str = "\n"
    continuation: str | None = None  # prefix for new lines of a multi-line translation
    skip: str | None = field(default=None)

    @property
    def text(self) -> str:
        return "\n".join(line.text for line in self.lines).strip("\n")


@cache
def lexer_for(code_lang: str | None):
    """A pygments lexer instance for a document's ``code_lang`` (None where there is none)."""
    if not code_lang:
        return None
    from pygments.lexers import find_lexer_class, get_lexer_by_name

    from polycorpus.stages.code.languages import catalogue

    name = catalogue().pygments_names.get(code_lang, code_lang)
    cls = find_lexer_class(name)
    if cls is None:
        try:
            return get_lexer_by_name(code_lang.lower(), stripnl=False, ensurenl=False, stripall=False)
        except Exception:  # noqa: BLE001 - pygments.util.ClassNotFound and friends: no lexer
            return None
    return cls(stripnl=False, ensurenl=False, stripall=False)


def lex(lexer, text: str) -> list[tuple[int, object, str]] | None:
    """(offset, type, value) tokens covering ``text`` exactly, or None if the lexer cannot."""
    out: list[tuple[int, object, str]] = []
    position = 0
    try:
        for _index, ttype, value in lexer.get_tokens_unprocessed(text):
            if not value:
                continue
            out.append((position, ttype, value))
            position += len(value)
    except Exception:  # noqa: BLE001 - a lexer that crashes on a file: the file is not translated
        return None
    if position != len(text) or "".join(v for _, _, v in out) != text:
        return None
    return out


def _is_comment(ttype) -> bool:
    return ttype in Comment and not any(ttype in skip for skip in _SKIP_COMMENT_TYPES)


def code_tokens(tokens: list[tuple[int, object, str]]) -> list[tuple[object, str]]:
    """The non-comment tokens that are not only whitespace: what a translation must keep."""
    return [(t, v) for _, t, v in tokens
            if not (t in Comment and not any(t in s for s in _SKIP_COMMENT_TYPES))
            and t is not String.Doc and v.strip()]


def _units(tokens, text: str, docstrings: bool):
    """Merge adjacent comment tokens into (start, end, kind) units; kind is comment|doc."""
    units: list[list] = []
    previous = None
    for position, ttype, value in tokens:
        if _is_comment(ttype):
            if units and units[-1][2] == "comment" and units[-1][1] == position and previous == "comment":
                units[-1][1] = position + len(value)
            else:
                units.append([position, position + len(value), "comment"])
            previous = "comment"
        elif docstrings and ttype is String.Doc:
            units.append([position, position + len(value), "doc"])
            previous = "doc"
        else:
            previous = ttype
    return units


def _line_start(text: str, position: int) -> int:
    return max(text.rfind("\n", 0, position), text.rfind("\r", 0, position)) + 1


def _line_end(text: str, position: int) -> int:
    match = _LINE_END.search(text, position)
    return match.start() if match else len(text)


def _split_body(body: str) -> tuple[str, str, str]:
    """Leading whitespace, text, trailing whitespace."""
    stripped = body.strip(" \t")
    if not stripped:
        return body, "", ""
    start = body.index(stripped)
    return body[:start], stripped, body[start + len(stripped):]


def _line_unit(text: str, start: int, end: int):
    """A line comment: (marker, Line) or None when the marker cannot be found."""
    value = text[start:end]
    match = _MARKER.match(value) or _WORD_MARKER.match(value)
    if match is None:
        return None
    marker = match.group()
    lead, body, trail = _split_body(value[len(marker):])
    return marker, Line(marker + lead, body, trail)


_DECORATION = re.compile(r"[ \t]*(?:([^\w\s])\1*[ \t]?)?")


def _block_unit(text: str, start: int, end: int, kind: str, decorated: bool):
    """A block comment or docstring split into lines; None when its markers are not clear."""
    value = text[start:end]
    opener_match = _MARKER.match(value)
    if opener_match is None:
        return None
    opener = opener_match.group()
    trimmed = value.rstrip()
    closer_match = re.search(r"[^\w\s]+$", trimmed)
    if closer_match is None or closer_match.start() < len(opener):
        return None
    closer = closer_match.group()
    if kind == "doc":
        quote = opener[:3] if opener[:3] in ('"""', "'''") else opener[:1]
        if quote not in ('"""', "'''", '"', "'") or not trimmed.endswith(quote):
            return None
        opener, closer = quote, quote
    elif not set(closer) <= set(opener) | set(")]}>"):
        return None
    inner = value[len(opener): len(trimmed) - len(closer)]
    after = value[len(trimmed) - len(closer):]
    newline_match = _LINE_END.search(value)
    newline = newline_match.group() if newline_match else "\n"
    raw_lines = _LINE_END.split(inner)
    separators = _LINE_END.findall(inner)
    lines: list[Line] = []
    for i, raw in enumerate(raw_lines):
        head = opener if i == 0 else separators[i - 1]
        if i > 0 and decorated:
            deco = _DECORATION.match(raw).group()
            if deco.strip() and not set(deco.strip()) <= set(opener + closer):
                deco = _WS_LEAD.match(raw).group()
        else:
            deco = _WS_LEAD.match(raw).group() if i > 0 else ""
        lead, body, trail = _split_body(raw[len(deco):])
        lines.append(Line(head + deco + lead, body, trail))
    # Blank first and last lines are structure, not body.
    head_lines: list[Line] = []
    while len(lines) > 1 and not lines[0].text:
        head_lines.append(lines.pop(0))
    tail_lines: list[Line] = []
    while len(lines) > 1 and not lines[-1].text:
        tail_lines.insert(0, lines.pop())
    if head_lines:
        carried = "".join(line.prefix + line.suffix for line in head_lines)
        lines[0] = Line(carried + lines[0].prefix, lines[0].text, lines[0].suffix)
    tail = "".join(line.prefix + line.text + line.suffix for line in tail_lines) + after
    continuation = None
    if len(lines) > 1:
        continuation = _LINE_END.sub("", lines[1].prefix, count=1)
    return opener, closer, lines, tail, newline, continuation


def extract(text: str, code_lang: str | None, lexer=None, tokens=None,
            code_threshold: float = 0.6) -> list[Segment]:
    """The comment segments of ``text`` in order, each with ``skip`` set when it must be kept."""
    lexer = lexer or lexer_for(code_lang)
    if lexer is None:
        return []
    if tokens is None:
        tokens = lex(lexer, text)
    if tokens is None:
        return []
    docstrings = lexer.name in DOCSTRING_LEXERS
    affixes = {position + len(value): value for position, ttype, value in tokens if ttype is String.Affix}
    segments: list[Segment] = []
    group: Segment | None = None
    group_marker = group_column = None
    for start, end, kind in _units(tokens, text, docstrings):
        value = text[start:end]
        stripped_end = start + len(value.rstrip("\r\n"))
        line_start = _line_start(text, start)
        before = text[line_start:start]
        trailing = bool(before.strip())
        single_line = _LINE_END.search(text, start, stripped_end) is None
        at_line_end = not text[stripped_end:_line_end(text, stripped_end)].strip()
        if kind == "doc":
            affix = affixes.get(start, "")
            if any(c in affix.lower() for c in "bf"):
                group = None
                continue
        line = _line_unit(text, start, stripped_end) if kind == "comment" and single_line and at_line_end else None
        if line is not None:
            marker, body = line
            block_like = re.search(r"[^\w\s]+$", value.rstrip()) is not None and any(
                value.rstrip().endswith(c) for c in ("*/", "*)", "-}", "-->", "]]", "|#", "+/", "%}"))
            if not block_like and is_directive(body.text):
                segments.append(Segment(start, stripped_end, "line", [body], "", opener=marker,
                                        trailing=trailing, newline=_newline_of(text, stripped_end)))
                group = None
                continue
            if not block_like:
                column = len(before)
                if (group is not None and not trailing and not group.trailing and group_marker == marker
                        and group_column == column and _is_next_line(text, group.end, start)):
                    gap = text[group.end:start]
                    body.prefix = gap + body.prefix
                    group.lines.append(body)
                    group.end = stripped_end
                    if group.continuation is None:
                        group.continuation = _LINE_END.sub("", body.prefix, count=1)
                    continue
                group = Segment(start, stripped_end, "line", [body], "", opener=marker, trailing=trailing,
                                newline=_newline_of(text, stripped_end))
                group_marker, group_column = marker, len(before)
                segments.append(group)
                continue
        group = None
        block = _block_unit(text, start, stripped_end, "doc" if kind == "doc" else "block", kind != "doc")
        if block is None:
            continue
        opener, closer, lines, tail, newline, continuation = block
        segments.append(Segment(start, stripped_end, "doc" if kind == "doc" else "block", lines, tail,
                                opener=opener, closer=closer, trailing=trailing, newline=newline,
                                continuation=continuation))
    for segment in segments:
        segment.skip = skip_reason(segment, code_threshold)
    return segments


def _is_next_line(text: str, end: int, start: int) -> bool:
    gap = text[end:start]
    return not gap.strip() and len(_LINE_END.findall(gap)) == 1


def _newline_of(text: str, position: int) -> str:
    match = _LINE_END.search(text, position)
    return match.group() if match else "\n"


def byte_spans(text: str, segments: list[Segment]) -> list[tuple[int, int]]:
    """UTF-8 byte offsets (start, end) of ``segments`` (in order) in ``text``."""
    spans: list[tuple[int, int]] = []
    char, byte = 0, 0
    for segment in segments:
        byte += len(text[char:segment.start].encode("utf-8", "surrogatepass"))
        start = byte
        byte += len(text[segment.start:segment.end].encode("utf-8", "surrogatepass"))
        char = segment.end
        spans.append((start, byte))
    return spans


__all__ = [
    "Line",
    "Segment",
    "Token",
    "byte_spans",
    "code_likeness",
    "code_tokens",
    "extract",
    "is_directive",
    "lex",
    "lexer_for",
    "skip_reason",
]
