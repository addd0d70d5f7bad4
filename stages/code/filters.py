"""The Stack v2 basic file filters, each drop with its reason (``code_filter`` stage).

In the order they are checked (the first that applies is the reason):

- ``vendored``, ``minified``, ``generated``: third-party trees, minified assets and bundles,
  tool outputs (see :mod:`stages.code.generated`; JavaScript/CSS whose average line is
  longer than ``minified_avg_line_length`` count as minified too);
- ``too_large``: more than ``max_bytes`` UTF-8 bytes;
- ``too_many_lines``: more than ``max_lines`` lines;
- ``long_data_file``: text, JSON, YAML... (``data_languages``) over ``max_data_lines`` lines;
- ``long_lines``: average line over ``max_avg_line_length`` or a line over
  ``max_line_length`` characters, except data and markup formats (``long_lines_exempt``);
- ``low_alpha``: under ``min_alpha_fraction`` alphabetic characters (``alpha_exempt``:
  assembly and WebAssembly, whose text is mostly digits and symbols);
- ``encoded_data``: base64, hex byte lists or ``\\uXXXX`` runs, any longer than
  ``max_encoded_run`` characters or together over ``max_encoded_fraction`` of the file.

Set a threshold to null (or a flag to false) to turn that filter off. Rows that are not
``kind: code`` pass untouched. Defaults are The Stack v2's (StarCoder2 paper, section 3).
"""

from __future__ import annotations

import re

import pyarrow as pa
import pyarrow.compute as pc

from polycorpus.stages.base import Stage, StageResult
from polycorpus.stages.code import generated
from polycorpus.stages.code.config import CodeFilterConfig

_BASE64 = r"[a-zA-Z0-9+/\n=]{64,}"
_HEX = r"(?:\b(?:0x|\\x)?[0-9a-fA-F]{2}(?:,|\b\s*)){8,}"
_UNICODE = r"(?:\\u[0-9a-fA-F]{4}){8,}"
_ENCODED = f"{_BASE64}|{_HEX}|{_UNICODE}"
_ENCODED_RE = re.compile(_ENCODED)
_ASCII_LETTERS = b"abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ"
_NON_ASCII = re.compile(r"[^\x00-\x7f]+")

_MINIFIABLE = frozenset({"JavaScript", "CSS", "SCSS", "LessCss"})


def letters(text: str) -> int:
    """Alphabetic characters (``str.isalpha``), fast for the mostly-ASCII text of code."""
    data = text.encode("utf-8")
    count = len(data) - len(data.translate(None, _ASCII_LETTERS))
    if text.isascii():
        return count
    return count + sum(ch.isalpha() for run in _NON_ASCII.findall(text) for ch in run)


class CodeFilter(Stage[CodeFilterConfig]):
    name = "code_filter"
    Config = CodeFilterConfig

    def process(self, batch: pa.Table) -> StageResult:
        config = self.config
        texts = batch.column("text")
        n_bytes = pc.binary_length(pc.cast(texts, pa.binary())).to_pylist()
        chars = pc.utf8_length(texts).to_pylist()
        encoded = (pc.subtract(pc.utf8_length(texts), pc.utf8_length(pc.replace_substring_regex(texts, _ENCODED, "")))
                   .to_pylist() if config.max_encoded_run or config.max_encoded_fraction else None)
        reasons: list[str | None] = []
        rows = zip(batch.column("kind").to_pylist(), batch.column("path").to_pylist(),
                   batch.column("code_lang").to_pylist(), texts.to_pylist(), strict=True)
        for i, (kind, path, language, text) in enumerate(rows):
            if kind != "code":
                reasons.append(None)
                continue
            reasons.append(
                self._path_reason(path or "")
                or self._content_reason(text, language, n_bytes[i], chars[i], encoded[i] if encoded else 0)
            )
        return StageResult(batch, drop_reasons=pa.array(reasons, pa.string()))

    def _path_reason(self, path: str) -> str | None:
        reason = generated.path_reason(path)
        return reason if reason and getattr(self.config, reason) else None

    def _content_reason(self, text: str, language: str | None, n_bytes: int, chars: int,
                        encoded: int) -> str | None:
        config = self.config
        if config.generated and generated.is_generated_content(text):
            return "generated"
        lines = text.count("\n") + (0 if text.endswith("\n") else 1)
        average = chars / max(lines, 1)
        if config.minified and language in _MINIFIABLE and average > config.minified_avg_line_length:
            return "minified"
        if config.max_bytes is not None and n_bytes > config.max_bytes:
            return "too_large"
        if config.max_lines is not None and lines > config.max_lines:
            return "too_many_lines"
        if config.max_data_lines is not None and language in config.data_languages and lines > config.max_data_lines:
            return "long_data_file"
        if language not in config.long_lines_exempt and (
            (config.max_avg_line_length is not None and average > config.max_avg_line_length)
            or (config.max_line_length is not None and max(map(len, text.split("\n"))) > config.max_line_length)
        ):
            return "long_lines"
        if (config.min_alpha_fraction is not None and language not in config.alpha_exempt
                and letters(text) < config.min_alpha_fraction * chars):
            return "low_alpha"
        if encoded and (
            (config.max_encoded_fraction is not None and encoded > config.max_encoded_fraction * chars)
            or (config.max_encoded_run is not None and encoded > config.max_encoded_run
                and max(len(m) for m in _ENCODED_RE.findall(text)) > config.max_encoded_run)
        ):
            return "encoded_data"
        return None
