"""Writing translations back into a file so that its code stays what it was.

Each segment is rebuilt from its own verbatim pieces: the first body line's prefix
(indentation, marker, decoration), then the translation, with every further line of a
multi-line translation behind the segment's continuation prefix (the indentation and marker
of its second line: ``    # ``, `` * ``, the docstring's indentation), then the last line's
trailing spaces and the closing marker. Segments that were one line (or follow code on their
line) stay one line. Escapes make sure a translation cannot end its comment early:

- line comments: no line terminator of any language inside (``\\r``, form feed, U+2028...),
  no trailing backslash (a C line continuation), no ``\\u`` (a Java Unicode escape);
- block comments: the closing and opening markers (``*/``, ``/*``, ``-->``, ``*)``...) are
  broken by a space; one-character markers (Pascal's braces) become their full-width forms;
- docstrings: backslashes doubled and the quote character escaped, so the string holds the
  text and its end stays where it was (raw docstrings included).

:func:`apply` splices the rendered segments in; :func:`verify` re-lexes the result and
compares its non-comment tokens with the original's (and compiles Python).
"""

from __future__ import annotations

import re

from polycorpus.stages.translate.extract import Segment, code_tokens, lex

_TERMINATORS = re.compile(r"\r\n|[\r\x0b\x0c\x1c\x1d\x1e\x85\u2028\u2029]")
_CONTROL = re.compile(r"[\x00-\x08\x0e-\x1f\x7f]")
_UNICODE_ESCAPE = re.compile(r"\\(?=u)")


def _fullwidth(char: str) -> str:
    return chr(ord(char) + 0xFEE0) if "!" <= char <= "~" else char


def _break(text: str, marker: str) -> str:
    if not marker:
        return text
    if len(marker) == 1:
        return text.replace(marker, _fullwidth(marker))
    while marker in text:
        text = text.replace(marker, marker[0] + " " + marker[1:])
    return text


def translation_lines(segment: Segment, translation: str) -> list[str]:
    """The translation cleaned and split into the lines it will occupy."""
    text = _CONTROL.sub("", _TERMINATORS.sub("\n", translation)).replace("\t", " ")
    lines = [line.rstrip() for line in text.split("\n")]
    while lines and not lines[0].strip():
        lines.pop(0)
    while lines and not lines[-1].strip():
        lines.pop()
    if not lines:
        return []
    if len(segment.lines) == 1 or segment.trailing or segment.continuation is None:
        lines = [" ".join(line.strip() for line in lines if line.strip())]
    if segment.kind == "doc":
        quote = segment.closer[0]
        lines = [line.replace("\\", "\\\\").replace(quote, "\\" + quote) for line in lines]
        if lines[-1].endswith(quote):  # an escaped quote right before the closing quotes misleads lexers
            lines[-1] += " "
    elif segment.kind == "block":
        escaped = []
        for line in lines:
            line = _UNICODE_ESCAPE.sub("\\\\ ", line)
            # A decorated marker (/*****, *****/) ends or opens at its first two characters.
            markers = {segment.closer, segment.closer[-2:], segment.opener, segment.opener[:2]}
            for _ in range(3):
                for marker in sorted(markers, key=len):
                    line = _break(line, marker)
            escaped.append(line)
        lines = escaped
    else:
        lines = [_UNICODE_ESCAPE.sub("\\\\ ", line).rstrip("\\ ") or "." for line in lines]
    return lines


def render(segment: Segment, translation: str) -> str | None:
    """The replacement of the segment's span, or None when the translation is empty."""
    lines = translation_lines(segment, translation)
    if not lines:
        return None
    first, last = segment.lines[0], segment.lines[-1]
    guard = segment.kind != "doc"  # a docstring's escapes already keep its quotes apart
    if guard and lines[0][:1] and not (lines[0][0].isalnum() or lines[0][0].isspace()) and first.prefix[-1:].strip():
        lines[0] = " " + lines[0]
    end = last.suffix + segment.tail
    if guard and lines[-1][-1:] and not lines[-1][-1].isalnum() and end[:1].strip():
        lines[-1] = lines[-1] + " "
    continuation = segment.continuation or ""
    out = [first.prefix, lines[0]]
    for line in lines[1:]:
        out.append(segment.newline)
        out.append(continuation + line if line.strip() else continuation.rstrip())
    out.append(end)
    return "".join(out)


def apply(text: str, segments: list[Segment], replacements: dict[int, str]) -> str:
    """``text`` with the spans of ``segments[i]`` replaced by ``replacements[i]``."""
    if not replacements:
        return text
    parts: list[str] = []
    position = 0
    for index in sorted(replacements):
        segment = segments[index]
        parts.append(text[position:segment.start])
        parts.append(replacements[index])
        position = segment.end
    parts.append(text[position:])
    return "".join(parts)


def compiles(text: str) -> bool:
    try:
        compile(text, "<translated>", "exec", dont_inherit=True)
    except (SyntaxError, ValueError):
        return False
    return True


def verify(lexer, original_tokens, new_text: str, python: bool = False, original_compiles: bool = False) -> str | None:
    """None when ``new_text`` keeps the code of the original, else the reason it does not."""
    tokens = lex(lexer, new_text)
    if tokens is None or code_tokens(tokens) != code_tokens(original_tokens):
        return "relex_mismatch"
    if python and original_compiles and not compiles(new_text):
        return "compile_error"
    return None
