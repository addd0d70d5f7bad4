"""Unicode normalisation: the cheap clean-up every later stage assumes has happened."""

from __future__ import annotations

import pyarrow as pa
import pyarrow.compute as pc

from polycorpus.stages.base import Stage, StageResult
from polycorpus.stages.config import NormalizeConfig

# C0/C1 controls except tab and newline, plus the BOM and lone zero-width no-break space:
# they break tokenizers and shingling without carrying meaning.
_CONTROL = r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\x{feff}]"


class Normalize(Stage[NormalizeConfig]):
    """Vectorised over the Arrow column: no per-row Python.

    Source code passes through byte for byte: every one of these rewrites changes programs
    (blank lines that PEP 8 asks for, spaces inside string literals, a form feed, the final
    newline, CRLF inside a literal). ``kinds: [code]`` in the config opts code in.
    """

    name = "normalize"
    Config = NormalizeConfig
    applies_to = frozenset({"web", "text"})

    def process(self, batch: pa.Table) -> StageResult:
        text = batch.column("text")
        if self.config.form != "none":
            text = pc.utf8_normalize(text, form=self.config.form)
        if self.config.strip_control:
            text = pc.replace_substring_regex(text, _CONTROL, "")
        if self.config.newlines:
            text = pc.replace_substring_regex(text, r"\r\n?", "\n")
            text = pc.replace_substring_regex(text, r"[ \t]+\n", "\n")
            text = pc.replace_substring_regex(text, r"\n{3,}", "\n\n")
        if self.config.trim:
            text = pc.utf8_trim_whitespace(text)
        index = batch.schema.get_field_index("text")
        return StageResult(batch.set_column(index, "text", text))
