"""A small OpenAI-compatible chat-completions server for tests and benchmarks (127.0.0.1 only).

Its "translation" is deterministic: every plain word becomes two common Chinese characters
chosen by a hash of the word, while anything code-like (names with ``_ . ( :: /``, camelCase,
backticks, URLs, numbers) and the line breaks are kept. Behaviours for failure tests:
``delay_s`` per request, ``statuses`` (HTTP codes returned by the next requests, one each),
``malformed`` (how many next replies are not JSON arrays), and words in a segment:
``ECHOME`` (returned unchanged), ``EMPTYME`` (""), ``LOOPME`` (a repeated output),
``DROPME`` (identifiers dropped), ``HANGME`` (the reply waits ``hang_s``).
"""

from __future__ import annotations

import json
import re
import threading
import time
import zlib
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Self

HAN = ("的一是在不了有和人这中大为上个国我以要他时来用们生到作地于出就分对成会可主发年动同工也能下过子说产种面而"
       "方后多定行学法所民得经十三之进着等部度家电力里如水化高自二理起小物现实加量都两体制机当使点从业本去把性好")
_TOKEN = re.compile(r"`[^`]*`|\S+")
_PLAIN = re.compile(r"^[A-Za-z]+[.,;:!?)]*$")


ENGLISH = ("time", "value", "file", "name", "list", "word", "model", "part", "state", "table", "order", "point",
           "line", "form", "case", "result", "number", "system", "data", "node", "path", "entry", "field", "key")
_WORDS = re.compile(r"[^\W\d_]+")


def pseudo_english(text: str) -> str:
    """Every run of letters that is not ASCII becomes English words (a run of CJK: one per 2 characters)."""
    def word(match: re.Match) -> str:
        run = match.group()
        if run.isascii():
            return run
        pieces = [run[i:i + 2] for i in range(0, len(run), 2)] if not re.search(r"[a-zA-Z\u0400-\u04ff]", run) else [run]
        return " ".join(ENGLISH[zlib.crc32(p.encode()) % len(ENGLISH)] for p in pieces) + " "
    return re.sub(r" +", " ", _WORDS.sub(word, text)).strip()


def pseudo_translate(text: str, target: str = "zh") -> str:
    if target == "en" and "ECHOME" not in text:
        return pseudo_english(text)
    if "ECHOME" in text:
        return text
    if "EMPTYME" in text:
        return ""
    if "LOOPME" in text:
        return "重复" * 20
    out_lines = []
    for line in text.split("\n"):
        out = []
        for token in _TOKEN.findall(line):
            if _PLAIN.match(token) and not re.search(r"[a-z][A-Z]", token):
                word = token.rstrip(".,;:!?)")
                h = zlib.crc32(word.lower().encode())
                out.append(HAN[h % len(HAN)] + HAN[(h >> 8) % len(HAN)] + ("。" if token.endswith(".") else ""))
            elif "DROPME" in text:
                continue
            else:
                out.append(" " + token + " ")
        out_lines.append("".join(out).strip())
    return "\n".join(out_lines)


class FakeOpenAI:
    def __init__(self, delay_s: float = 0.0) -> None:
        self.delay_s = delay_s
        self.hang_s = 5.0
        self.statuses: list[int] = []
        self.malformed = 0
        self.untranslated = False  # answer with the source text (what a gate must reject)
        self.requests = 0
        self.items = 0
        self.lock = threading.Lock()
        server = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def log_message(self, *args):  # quiet
                pass

            def do_POST(self):
                length = int(self.headers.get("Content-Length", 0))
                body = json.loads(self.rfile.read(length))
                with server.lock:
                    server.requests += 1
                    status = server.statuses.pop(0) if server.statuses else 200
                    malformed = server.malformed > 0
                    if malformed and status == 200:
                        server.malformed -= 1
                if server.delay_s:
                    time.sleep(server.delay_s)
                if status != 200:
                    return self._send(status, b'{"error": {"message": "try again"}}', {"Retry-After": "0"})
                texts = json.loads(body["messages"][-1]["content"])
                if any("HANGME" in t for t in texts):
                    time.sleep(server.hang_s)
                with server.lock:
                    server.items += len(texts)
                if malformed:
                    content = "Sure! Here are the translations: " + " | ".join(texts)
                elif server.untranslated:
                    content = json.dumps(texts, ensure_ascii=False)
                else:
                    target = "en" if " to English." in body["messages"][0]["content"] else "zh"
                    content = json.dumps([pseudo_translate(t, target) for t in texts], ensure_ascii=False)
                reply = {"id": "x", "object": "chat.completion", "model": body.get("model"),
                         "choices": [{"index": 0, "finish_reason": "stop",
                                      "message": {"role": "assistant", "content": content}}]}
                self._send(200, json.dumps(reply, ensure_ascii=False).encode())

            def _send(self, status, payload, headers=None):
                try:
                    self.send_response(status)
                    self.send_header("Content-Type", "application/json")
                    self.send_header("Content-Length", str(len(payload)))
                    for k, v in (headers or {}).items():
                        self.send_header(k, v)
                    self.end_headers()
                    self.wfile.write(payload)
                except (BrokenPipeError, ConnectionResetError):
                    pass

        self.httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.httpd.daemon_threads = True
        self.thread = threading.Thread(target=self.httpd.serve_forever, daemon=True)

    @property
    def base_url(self) -> str:
        return f"http://127.0.0.1:{self.httpd.server_address[1]}/v1"

    def __enter__(self) -> Self:
        self.thread.start()
        return self

    def __exit__(self, *exc) -> None:
        self.httpd.shutdown()
        self.httpd.server_close()
