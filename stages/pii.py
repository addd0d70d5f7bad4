"""PII redaction: e-mail addresses, IP addresses and phone numbers become placeholders.

Every replacement is counted (``counters``: ``email``, ``ip``, ``phone`` and ``documents``
changed) so the statistics say how much was redacted, per run. Only documents containing an
``@`` or a digit are looked at in Python: the rest pass through as they are.

IP addresses are replaced when public by default (``ipaddress``'s ``is_global``): private,
loopback and documentation addresses identify nobody, and version numbers such as
``10.0.0.1`` in a changelog stay readable. Phone numbers are international numbers
(``+CC ...``), North American forms (``(555) 010-4477``, ``202-555-0134``, ``555-0198``) and
Chinese mobile numbers (``1[3-9]`` + 9 digits), with 7 to 15 digits in all.
"""

from __future__ import annotations

import ipaddress
import re

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from polycorpus.stages.base import Stage, StageResult
from polycorpus.stages.columns import set_column
from polycorpus.stages.config import PiiConfig

EMAIL = re.compile(r"(?<![\w.+-])[A-Za-z0-9][A-Za-z0-9._%+-]*@[A-Za-z0-9-]+(?:\.[A-Za-z0-9-]+)*\.[A-Za-z]{2,}\b")
_OCTET = r"(?:25[0-5]|2[0-4]\d|1\d\d|[1-9]?\d)"
IPV4 = re.compile(rf"(?<![\w.]){_OCTET}(?:\.{_OCTET}){{3}}(?![\w]|\.\d)")
IPV6 = re.compile(r"(?<![\w:])(?:[0-9A-Fa-f]{0,4}:){2,7}[0-9A-Fa-f]{0,4}(?![\w:])")
PHONE = re.compile(
    r"(?<![\w+])(?:"
    r"\+\d{1,3}[\s.-]?(?:\(\d{1,4}\)[\s.-]?)?\d{1,4}(?:[\s.-]?\d{2,4}){1,4}"  # international
    r"|\(\d{3}\)\s?\d{3}[\s.-]\d{4}"  # (555) 010-4477
    r"|\d{3}[.-]\d{3}[.-]\d{4}"  # 202-555-0134
    r"|\d{3}-\d{4}"  # 555-0198
    r"|1[3-9]\d{9}"  # Chinese mobile
    r")(?![\w])"
)
_CANDIDATES = r"[@\d]"


class Pii(Stage[PiiConfig]):
    name = "pii"
    Config = PiiConfig
    applies_to = frozenset({"web", "text"})  # prose rules would misjudge source code

    def redact(self, text: str) -> tuple[str, dict[str, int]]:
        """The text with PII replaced, and how many of each kind were replaced."""
        config = self.config
        counts = {"email": 0, "ip": 0, "phone": 0}

        def ip(match: re.Match[str]) -> str:
            try:
                address = ipaddress.ip_address(match.group(0))
            except ValueError:
                return match.group(0)
            if config.ip == "public" and not address.is_global:
                return match.group(0)
            counts["ip"] += 1
            return config.ip_placeholder

        def phone(match: re.Match[str]) -> str:
            if not 7 <= sum(c.isdigit() for c in match.group(0)) <= 15:
                return match.group(0)
            counts["phone"] += 1
            return config.phone_placeholder

        if config.email:
            text, counts["email"] = EMAIL.subn(config.email_placeholder, text)
        if config.ip != "none":
            text = IPV6.sub(ip, IPV4.sub(ip, text))
        if config.phone:
            text = PHONE.sub(phone, text)
        return text, counts

    def process(self, batch: pa.Table) -> StageResult:
        text = batch.column("text").combine_chunks()
        rows = np.flatnonzero(pc.match_substring_regex(text, _CANDIDATES).fill_null(False).to_numpy(zero_copy_only=False))
        counters = {"email": 0, "ip": 0, "phone": 0, "documents": 0}
        if len(rows) == 0:
            return StageResult(batch, counters=counters)
        values = text.to_pylist()
        for row in rows:
            values[row], found = self.redact(values[row])
            for kind, n in found.items():
                counters[kind] += n
            counters["documents"] += any(found.values())
        return StageResult(set_column(batch, "text", pa.array(values, pa.string())), counters=counters)

