"""A persistent translation cache: SQLite, keyed by (segment hash, backend, model, source, target).

Several workers may share the file (WAL journal, a busy timeout). Only translations the
quality gate accepted are stored, and a value is the backend's raw translation: a changed
gate judges cached translations again, and one it now rejects is discarded, so the next run
asks the backend afresh rather than serving the rejected text forever.
"""

from __future__ import annotations

import os
import sqlite3
import threading

import xxhash


def cache_key(text: str, backend: str, model: str, source: str, target: str) -> str:
    segment = xxhash.xxh3_128_hexdigest(text.encode("utf-8", "surrogatepass"))
    return xxhash.xxh3_128_hexdigest(f"{segment}\x00{backend}\x00{model}\x00{source}\x00{target}".encode())


class TranslationCache:
    def __init__(self, path: str | None) -> None:
        self.path = path
        self.memory: dict[str, str] = {}
        self._lock = threading.Lock()
        self._db: sqlite3.Connection | None = None
        if path:
            os.makedirs(os.path.dirname(os.path.abspath(path)), exist_ok=True)
            self._db = sqlite3.connect(path, timeout=60, check_same_thread=False)
            self._db.execute("PRAGMA journal_mode=WAL")
            self._db.execute("CREATE TABLE IF NOT EXISTS translations (key TEXT PRIMARY KEY, translation TEXT)")
            self._db.commit()

    def get_many(self, keys: list[str]) -> dict[str, str]:
        found = {k: self.memory[k] for k in keys if k in self.memory}
        missing = [k for k in keys if k not in found]
        if self._db is not None and missing:
            with self._lock:
                for start in range(0, len(missing), 500):
                    chunk = missing[start:start + 500]
                    rows = self._db.execute(
                        f"SELECT key, translation FROM translations WHERE key IN ({','.join('?' * len(chunk))})",
                        chunk).fetchall()
                    for key, value in rows:
                        found[key] = value
                        self.memory[key] = value
        return found

    #: Translations kept in memory per worker (the SQLite file, when there is one, keeps all).
    MEMORY_LIMIT = 500_000

    def put_many(self, items: dict[str, str]) -> None:
        if len(self.memory) + len(items) > self.MEMORY_LIMIT:
            self.memory.clear()
        self.memory.update(items)
        if self._db is not None and items:
            with self._lock:
                self._db.executemany("INSERT OR REPLACE INTO translations VALUES (?, ?)", list(items.items()))
                self._db.commit()

    def discard_many(self, keys: list[str]) -> None:
        for key in keys:
            self.memory.pop(key, None)
        if self._db is not None and keys:
            with self._lock:
                self._db.executemany("DELETE FROM translations WHERE key = ?", [(key,) for key in keys])
                self._db.commit()

    def close(self) -> None:
        if self._db is not None:
            self._db.close()
            self._db = None
