"""Translation backends behind one interface: ``translate(texts, source, target)``.

- :class:`OpenAIBackend`: any OpenAI-compatible chat-completions endpoint (vLLM, SGLang,
  Ollama, llama.cpp server, hosted APIs). Segments travel in batches (a JSON array in, a JSON
  array of the same length out), ``concurrency`` batches in flight, each request with a
  timeout, retried with exponential backoff on timeouts, connection errors, 429 and 5xx
  (``Retry-After`` honoured up to ``max_backoff_s``); a malformed reply is retried, then the
  batch is split in halves down to single segments. What still fails comes back as None.
- :class:`TransformersBackend`: a local MarianMT / NLLB / M2M100 model directory, batched,
  inputs truncated to ``max_length`` tokens.
- :class:`ImportBackend`: translations made elsewhere (after ``polycorpus translate export``),
  read from a Parquet file of ``key``, ``translation``.

A failed segment is None: the stage keeps its original comment and counts it.
"""

from __future__ import annotations

import json
import os
import random
import re
import threading
import time
import urllib.error
import urllib.request
from abc import ABC, abstractmethod
from collections import Counter
from concurrent.futures import ThreadPoolExecutor

import xxhash

LANGUAGE_NAMES = {
    "en": "English", "zh-Hans": "Simplified Chinese", "zh-Hant": "Traditional Chinese", "zh": "Chinese",
    "ja": "Japanese", "ru": "Russian", "de": "German", "fr": "French", "es": "Spanish", "ko": "Korean",
    "pt": "Portuguese", "it": "Italian", "ar": "Arabic", "hi": "Hindi", "vi": "Vietnamese", "th": "Thai",
}

SYSTEM_PROMPT = (
    "You translate comments and docstrings of source code from {source} to {target}. The user sends "
    "a JSON array of strings. Reply with only a JSON array of the same length, element i being the "
    "translation of string i. Keep unchanged: identifiers (names with _ . :: -> or camelCase), "
    "code in backticks, URLs, e-mail addresses, numbers, placeholders such as {{name}} or %s, and "
    "the line breaks. Do not add explanations.")


def segment_key(text: str, source: str, target: str) -> str:
    """The export/import key of a unique segment: its text and the language pair."""
    return xxhash.xxh3_128_hexdigest(f"{source}\x00{target}\x00{text}".encode("utf-8", "surrogatepass"))


class Backend(ABC):
    name: str = ""
    model: str = ""

    def __init__(self) -> None:
        self.counters: Counter[str] = Counter()

    @abstractmethod
    def translate(self, texts: list[str], source: str, target: str) -> list[str | None]:
        """One translation per text, None where it failed."""

    def take_counters(self) -> dict[str, int]:
        out = dict(self.counters)
        self.counters.clear()
        return out


class NullBackend(Backend):
    """Translates nothing (export mode: the segments are written out instead)."""

    name = "export"

    def translate(self, texts, source, target):
        return [None] * len(texts)


class ImportBackend(Backend):
    name = "import"

    def __init__(self, path: str) -> None:
        super().__init__()
        import pyarrow.parquet as pq

        table = pq.read_table(path, columns=["key", "translation"])
        self.model = "imported"  # as `polycorpus translate import --cache` records it
        self.table = dict(zip(table.column("key").to_pylist(), table.column("translation").to_pylist(),
                              strict=True))

    def translate(self, texts, source, target):
        return [self.table.get(segment_key(t, source, target)) for t in texts]


class BackendError(Exception):
    pass


class _Malformed(Exception):
    pass


_FENCE = re.compile(r"^```(?:json)?\s*|\s*```$")


def parse_reply(body: bytes, expected: int) -> list[str]:
    """The translations in a chat-completions reply, or _Malformed."""
    try:
        reply = json.loads(body)
        content = reply["choices"][0]["message"]["content"]
    except (ValueError, KeyError, IndexError, TypeError) as exc:
        raise _Malformed(f"not a chat completion: {exc}") from exc
    if not isinstance(content, str):
        raise _Malformed("content is not a string")
    content = _FENCE.sub("", content.strip())
    try:
        values = json.loads(content)
    except ValueError:
        if expected == 1 and not content.startswith("["):
            return [content]
        raise _Malformed("content is not a JSON array") from None
    if not isinstance(values, list) or len(values) != expected or not all(isinstance(v, str) for v in values):
        raise _Malformed(f"expected a JSON array of {expected} strings")
    return values


class OpenAIBackend(Backend):
    name = "openai"

    def __init__(self, base_url: str, model: str, api_key: str | None = None, batch_size: int = 16,
                 concurrency: int = 4, timeout_s: float = 60.0, max_retries: int = 4, backoff_s: float = 0.5,
                 max_backoff_s: float = 30.0, temperature: float = 0.0, max_tokens: int | None = None,
                 extra_body: dict | None = None) -> None:
        super().__init__()
        self.url = base_url.rstrip("/") + "/chat/completions"
        self.model = model
        self.api_key = api_key
        self.batch_size, self.concurrency = max(1, batch_size), max(1, concurrency)
        self.timeout_s, self.max_retries = timeout_s, max_retries
        self.backoff_s, self.max_backoff_s = backoff_s, max_backoff_s
        self.temperature, self.max_tokens = temperature, max_tokens
        self.extra_body = extra_body or {}
        self._lock = threading.Lock()
        self._random = random.Random(0)

    def _count(self, key: str, n: int = 1) -> None:
        with self._lock:
            self.counters[key] += n

    def translate(self, texts, source, target):
        if not texts:
            return []
        batches = [list(range(i, min(i + self.batch_size, len(texts)))) for i in range(0, len(texts), self.batch_size)]
        results: list[str | None] = [None] * len(texts)

        def run(indices: list[int]) -> None:
            for index, value in zip(indices, self._batch([texts[i] for i in indices], source, target), strict=True):
                results[index] = value

        if len(batches) == 1 or self.concurrency == 1:
            for batch in batches:
                run(batch)
        else:
            with ThreadPoolExecutor(min(self.concurrency, len(batches))) as pool:
                list(pool.map(run, batches))
        return results

    def _batch(self, texts: list[str], source: str, target: str) -> list[str | None]:
        """One batch; a batch whose replies stay malformed is split in halves."""
        try:
            return self._request(texts, source, target)
        except _Malformed:
            if len(texts) == 1:
                self._count("backend.failed_segments")
                return [None]
            half = len(texts) // 2
            self._count("backend.batch_splits")
            return self._batch(texts[:half], source, target) + self._batch(texts[half:], source, target)
        except BackendError:
            self._count("backend.failed_segments", len(texts))
            return [None] * len(texts)

    def _request(self, texts: list[str], source: str, target: str) -> list[str]:
        body = {
            "model": self.model,
            "temperature": self.temperature,
            "messages": [
                {"role": "system", "content": SYSTEM_PROMPT.format(source=LANGUAGE_NAMES.get(source, source),
                                                                   target=LANGUAGE_NAMES.get(target, target))},
                {"role": "user", "content": json.dumps(texts, ensure_ascii=False)},
            ],
            **self.extra_body,
        }
        if self.max_tokens:
            body["max_tokens"] = self.max_tokens
        data = json.dumps(body, ensure_ascii=False).encode()
        headers = {"Content-Type": "application/json"}
        if self.api_key:
            headers["Authorization"] = f"Bearer {self.api_key}"
        malformed = None
        for attempt in range(self.max_retries + 1):
            if attempt:
                self._count("backend.retries")
            self._count("backend.requests")
            retry_after = None
            try:
                request = urllib.request.Request(self.url, data=data, headers=headers, method="POST")
                with urllib.request.urlopen(request, timeout=self.timeout_s) as response:
                    payload = response.read()
                return parse_reply(payload, len(texts))
            except urllib.error.HTTPError as exc:
                status = exc.code
                exc.close()
                if status != 429 and status < 500:
                    self._count(f"backend.http_{status}")
                    raise BackendError(f"HTTP {status} from {self.url}") from None
                self._count(f"backend.http_{status}")
                retry_after = _retry_after(exc.headers.get("Retry-After") if exc.headers else None)
            except _Malformed as exc:
                self._count("backend.malformed")
                malformed = exc
            except (TimeoutError, urllib.error.URLError, ConnectionError, OSError) as exc:
                self._count("backend.timeouts" if "timed out" in str(exc) else "backend.connection_errors")
            if attempt < self.max_retries:
                delay = min(self.max_backoff_s, self.backoff_s * 2 ** attempt)
                with self._lock:
                    delay *= 0.5 + self._random.random() / 2  # jitter
                time.sleep(min(self.max_backoff_s, max(delay, retry_after or 0.0)))
        if malformed is not None:
            raise malformed
        raise BackendError(f"{self.url}: no answer after {self.max_retries + 1} attempts")


def _retry_after(value: str | None) -> float | None:
    try:
        return float(value) if value else None
    except ValueError:
        return None


class TransformersBackend(Backend):
    """A local sequence-to-sequence translation model (MarianMT, NLLB, M2M100)."""

    name = "transformers"

    def __init__(self, model_path: str, batch_size: int = 16, max_length: int = 512, num_beams: int = 1,
                 max_new_tokens: int = 512, source_code: str | None = None, target_code: str | None = None,
                 threads: int | None = None) -> None:
        super().__init__()
        import torch
        from transformers import AutoModelForSeq2SeqLM, AutoTokenizer

        if threads:
            torch.set_num_threads(threads)
        self.model = os.path.basename(os.path.normpath(model_path))
        self.tokenizer = AutoTokenizer.from_pretrained(model_path, local_files_only=True)
        self.network = AutoModelForSeq2SeqLM.from_pretrained(model_path, local_files_only=True).eval()
        self.batch_size, self.max_length, self.num_beams = batch_size, max_length, num_beams
        self.max_new_tokens = max_new_tokens
        self.source_code, self.target_code = source_code, target_code
        self.torch = torch

    def translate(self, texts, source, target):
        out: list[str | None] = []
        kwargs = {}
        if self.source_code and hasattr(self.tokenizer, "src_lang"):
            self.tokenizer.src_lang = self.source_code
        if self.target_code:
            kwargs["forced_bos_token_id"] = self.tokenizer.convert_tokens_to_ids(self.target_code)
        for start in range(0, len(texts), self.batch_size):
            chunk = [" ".join(t.split()) for t in texts[start:start + self.batch_size]]
            encoded = self.tokenizer(chunk, return_tensors="pt", padding=True, truncation=True,
                                     max_length=self.max_length)
            self.counters["backend.requests"] += 1
            self.counters["backend.truncated"] += int(sum(
                len(ids) > self.max_length for ids in self.tokenizer(chunk, truncation=False)["input_ids"]))
            with self.torch.inference_mode():
                generated = self.network.generate(**encoded, num_beams=self.num_beams,
                                                  max_new_tokens=self.max_new_tokens, do_sample=False, **kwargs)
            out.extend(self.tokenizer.batch_decode(generated, skip_special_tokens=True))
        return out
