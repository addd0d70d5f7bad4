"""Likely secrets in code, replaced by placeholders and counted (``code_secrets`` stage).

Credentials leak into public repositories all the time; a model trained on them can repeat
them. Each pattern below matches one kind of secret with a recognisable shape (cloud keys,
private key blocks, service tokens, JWTs) or a long, random-looking value assigned to a
name like ``password`` or ``api_key``; the match (or just the value) becomes a placeholder
such as ``<AWS_ACCESS_KEY_ID>`` and is counted as ``secret.<kind>``. Documents are never
dropped. A batch is pre-screened in Arrow with one RE2 expression made of each pattern's
cheap ``hint``, so only the few files that may hold a secret go through the full patterns.
"""

from __future__ import annotations

import math
import re
from collections import Counter
from dataclasses import dataclass

import pyarrow as pa
import pyarrow.compute as pc

from polycorpus.stages.base import Stage, StageResult
from polycorpus.stages.code.config import CodeSecretsConfig


@dataclass(frozen=True)
class SecretPattern:
    kind: str
    pattern: str  # a group named "value", if any, is all that is replaced
    placeholder: str
    hint: str  # RE2: found in every match, cheap to look for (the batch pre-screen)


_ASSIGNED = r"""(?i:password|passwd|pwd|secret|api_?key|apikey|access_?token|auth_?token|client_?secret|private_?key)"""

PATTERNS: tuple[SecretPattern, ...] = (
    SecretPattern("private_key", r"-----BEGIN (?:[A-Z0-9]+ )*PRIVATE KEY(?: BLOCK)?-----[\s\S]*?"
                                 r"-----END (?:[A-Z0-9]+ )*PRIVATE KEY(?: BLOCK)?-----", "<PRIVATE_KEY>",
                  r"PRIVATE KEY"),
    SecretPattern("aws_access_key_id", r"\b(?:AKIA|ASIA|AGPA|AIDA|AROA|AIPA|ANPA|ANVA)[0-9A-Z]{16}\b",
                  "<AWS_ACCESS_KEY_ID>", r"A(?:KIA|SIA|GPA|IDA|ROA|IPA|NPA|NVA)"),
    SecretPattern("aws_secret_access_key",
                  r"(?i:aws_?secret_?(?:access_?)?key)[\"']?\s*[:=]\s*[\"']?(?P<value>[A-Za-z0-9/+=]{40})\b",
                  "<AWS_SECRET_ACCESS_KEY>", r"(?i:aws_?secret)"),
    SecretPattern("github_token", r"\b(?:gh[pousr]_[A-Za-z0-9]{36,255}|github_pat_[A-Za-z0-9_]{22,255})\b",
                  "<GITHUB_TOKEN>", r"gh[pousr]_|github_pat_"),
    SecretPattern("gitlab_token", r"\bglpat-[A-Za-z0-9_-]{20}\b", "<GITLAB_TOKEN>", r"glpat-"),
    SecretPattern("slack_token", r"\bxox[abposr]-[A-Za-z0-9-]{10,}\b", "<SLACK_TOKEN>", r"xox[abposr]-"),
    SecretPattern("slack_webhook", r"https://hooks\.slack\.com/services/T[A-Z0-9]+/B[A-Z0-9]+/[A-Za-z0-9]+",
                  "<SLACK_WEBHOOK>", r"hooks\.slack\.com"),
    SecretPattern("google_api_key", r"\bAIza[0-9A-Za-z_-]{35}\b", "<GOOGLE_API_KEY>", r"AIza"),
    SecretPattern("stripe_key", r"\b(?:sk|rk)_live_[0-9a-zA-Z]{24,}\b", "<STRIPE_KEY>", r"_live_"),
    SecretPattern("openai_key", r"\bsk-(?:proj-)?[A-Za-z0-9_-]{20,}T3BlbkFJ[A-Za-z0-9_-]{20,}\b", "<OPENAI_KEY>",
                  r"T3BlbkFJ"),
    SecretPattern("npm_token", r"\bnpm_[A-Za-z0-9]{36}\b", "<NPM_TOKEN>", r"npm_"),
    SecretPattern("azure_storage_key", r"AccountKey=(?P<value>[A-Za-z0-9+/=]{86,88})", "<AZURE_STORAGE_KEY>",
                  r"AccountKey="),
    SecretPattern("jwt", r"\beyJ[A-Za-z0-9_-]{10,}\.eyJ[A-Za-z0-9_-]{10,}\.[A-Za-z0-9_-]{10,}", "<JWT>", r"eyJ"),
    SecretPattern("assigned_secret",
                  _ASSIGNED + r"[\"']?\s*(?::|=|:=|=>)\s*[\"'](?P<value>[^\"'\s]{12,200})[\"']", "<SECRET>",
                  _ASSIGNED + r"[\"']?\s*[:=]"),
)

_PRESCREEN = "|".join(f"(?:{p.hint})" for p in PATTERNS)
_COMPILED = tuple((p, re.compile(p.pattern)) for p in PATTERNS)


def _random_looking(value: str) -> bool:
    """Generic assignments are redacted only if the value looks like a key, not a word or
    a template (``changeme``, ``${DB_PASSWORD}``, ``<your-key-here>``)."""
    if any(ch in value for ch in "${}<>%") or not (any(c.isdigit() for c in value) and any(c.isalpha() for c in value)):
        return False
    counts = Counter(value)
    entropy = -sum(n / len(value) * math.log2(n / len(value)) for n in counts.values())
    return entropy >= 3.0


def redact(text: str) -> tuple[str, Counter[str]]:
    """``text`` with every likely secret replaced, and the count per kind."""
    found: Counter[str] = Counter()
    for secret, pattern in _COMPILED:

        def replace(match: re.Match[str], secret: SecretPattern = secret) -> str:
            if "value" not in match.re.groupindex:
                found[secret.kind] += 1
                return secret.placeholder
            value = match.group("value")
            if secret.kind == "assigned_secret" and not _random_looking(value):
                return match.group(0)
            found[secret.kind] += 1
            start, end = match.span("value")
            whole = match.group(0)
            return whole[: start - match.start()] + secret.placeholder + whole[end - match.start():]

        text = pattern.sub(replace, text)
    return text, found


class CodeSecrets(Stage[CodeSecretsConfig]):
    name = "code_secrets"
    Config = CodeSecretsConfig

    def process(self, batch: pa.Table) -> StageResult:
        texts = batch.column("text")
        suspects = pc.match_substring_regex(texts, _PRESCREEN)
        if not self.config.all_kinds:
            suspects = pc.and_(suspects, pc.equal(batch.column("kind"), "code"))
        flags = suspects.to_pylist()
        if not any(flags):
            return StageResult(batch)
        counters: Counter[str] = Counter()
        values = texts.to_pylist()
        for i, flag in enumerate(flags):
            if flag:
                values[i], found = redact(values[i])
                if found:
                    counters["documents_redacted"] += 1
                    counters.update({f"secret.{kind}": n for kind, n in found.items()})
        index = batch.schema.get_field_index("text")
        table = batch.set_column(index, batch.schema.field(index), pa.array(values, pa.string()))
        return StageResult(table, counters=dict(counters))
