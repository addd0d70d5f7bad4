"""The run directory: where outputs land, how units commit, and how a rerun resumes.

Layout (``RUN`` is a local path or an fsspec URL)::

    RUN/run.json                      config fingerprint, normalised config, version
    RUN/documents/<unit>.parquet      the final documents (one file per unit)
    RUN/phases/<NN-phase>/<unit>.parquet  intermediate phases' documents (before a barrier)
    RUN/rejected/<phase>/<unit>.parquet   dropped documents with drop_stage and drop_reason
    RUN/_state/<phase>/done/<unit>.json   commit marker holding the unit's statistics
    RUN/_state/<phase>/failed/<unit>.json why a unit failed (retried on the next run)
    RUN/stats.json                    merged statistics of the finished run

A unit commits by writing each output under a hidden temporary name, renaming it into place,
and writing its marker last. A unit with a marker is never redone; one without is redone
from scratch and its renamed outputs are overwritten with identical bytes. On object stores
a rename is a copy, but a single object appears whole or not at all, so the marker-last rule
still gives the same guarantee.
"""

from __future__ import annotations

import json
import posixpath
from contextlib import AbstractContextManager
from dataclasses import dataclass
from typing import IO, Any

import fsspec
from fsspec import AbstractFileSystem

from polycorpus.pipeline import __version__
from polycorpus.stages.storage import TMP_SUFFIX, atomic_open


class RunDirError(Exception):
    """The run directory cannot be used for this run (foreign, or made with another config)."""


@dataclass(frozen=True)
class PhaseDirs:
    name: str
    data: str
    rejected: str
    done: str
    failed: str


class RunDir:
    def __init__(self, url: str) -> None:
        self.url = url
        self.fs: AbstractFileSystem
        self.fs, self.root = fsspec.core.url_to_fs(url)

    def path(self, *parts: str) -> str:
        return posixpath.join(self.root, *parts)

    # -- identity ---------------------------------------------------------------------------

    def read_json(self, path: str) -> Any:
        """A JSON file of the run, or None where it does not exist (yet)."""
        if not self.fs.exists(path):
            return None
        with self.fs.open(path, "r") as handle:
            return json.load(handle)

    def read_meta(self) -> dict[str, Any] | None:
        return self.read_json(self.path("run.json"))

    def claim(self, fingerprint: str, config: dict[str, Any]) -> bool:
        """Bind the directory to this config; return True when it already held this run.

        A directory holding another config's run, or files that are not a run at all, is
        refused: mixing outputs of two configs would silently corrupt both.
        """
        meta = self.read_meta()
        if meta is not None:
            if meta.get("fingerprint") != fingerprint:
                raise RunDirError(
                    f"{self.url} holds a run made with a different configuration "
                    f"(fingerprint {str(meta.get('fingerprint'))[:12]}, this config "
                    f"{fingerprint[:12]}). Start fresh with another --output directory, or "
                    f"delete {self.url} to redo the run from scratch."
                )
            return True
        if self.fs.exists(self.root) and self.fs.ls(self.root, detail=False):
            raise RunDirError(
                f"{self.url} exists, is not empty and is not a polycorpus run directory; "
                "choose another --output directory."
            )
        try:
            self.fs.makedirs(self.root, exist_ok=True)
            self.write_json(
                self.path("run.json"),
                {"fingerprint": fingerprint, "polycorpus_version": __version__, "config": config},
            )
        except OSError as exc:
            raise RunDirError(f"{self.url}: cannot create the run directory ({exc})") from exc
        return False

    # -- phases and units -------------------------------------------------------------------

    def phase(self, index: int, name: str, final: bool) -> PhaseDirs:
        key = f"{index:02d}-{name}"
        data = self.path("documents") if final else self.path("phases", key)
        return PhaseDirs(
            name=key,
            data=data,
            rejected=self.path("rejected", key),
            done=self.path("_state", key, "done"),
            failed=self.path("_state", key, "failed"),
        )

    def done_units(self, phase: PhaseDirs) -> dict[str, dict[str, Any]]:
        """Committed units of a phase with their statistics."""
        if not self.fs.exists(phase.done):
            return {}
        out = {}
        for path in sorted(self.fs.ls(phase.done, detail=False)):
            name = posixpath.basename(path)
            if name.endswith(".json") and not name.startswith("."):
                out[name[: -len(".json")]] = self.read_json(path)
        return out

    def clean_temporaries(self) -> int:
        """Remove half-written files and staging folders (a tokenize unit's shards in the
        making) that a killed run left behind; return how many."""
        if not self.fs.exists(self.root):
            return 0
        found = self.fs.find(self.root, withdirs=True, detail=True)
        stale = sorted(p for p in found if posixpath.basename(p.rstrip("/")).endswith(TMP_SUFFIX))
        removed = []
        for path in stale:
            if any(path.startswith(folder.rstrip("/") + "/") for folder in removed):
                continue  # inside a staging folder already removed
            self.fs.rm(path, recursive=found[path].get("type") == "directory")
            removed.append(path)
        return len(removed)

    def prune(self, phase: PhaseDirs, planned: set[str]) -> list[str]:
        """Remove outputs and markers of units that are no longer planned (input removed).

        Returns the ids of the units whose committed results were removed.
        """
        present = set()
        for directory, suffix in ((phase.data, ".parquet"), (phase.rejected, ".parquet"),
                                  (phase.done, ".json"), (phase.failed, ".json")):
            if self.fs.exists(directory):
                for path in self.fs.ls(directory, detail=False):
                    name = posixpath.basename(path)
                    if name.endswith(suffix) and not name.startswith("."):
                        present.add(name[: -len(suffix)])
        gone = sorted(present - planned)
        committed = set(self.done_units(phase)) if gone else set()
        for unit in gone:
            self.forget(phase, unit)
        return [unit for unit in gone if unit in committed]

    def forget(self, phase: PhaseDirs, unit: str) -> None:
        """Undo a unit's commit in a phase: its marker first (it is then no longer done), then
        its outputs, so an interruption in between leaves a unit that is simply redone."""
        for path in (posixpath.join(phase.done, f"{unit}.json"), posixpath.join(phase.failed, f"{unit}.json"),
                     posixpath.join(phase.data, f"{unit}.parquet"), posixpath.join(phase.rejected, f"{unit}.parquet")):
            if self.fs.exists(path):
                self.fs.rm(path)

    # -- atomic writes ----------------------------------------------------------------------

    def atomic_open(self, path: str, mode: str = "wb") -> AbstractContextManager[IO[Any]]:
        """Write to a hidden temporary file and rename it into place only on success."""
        return atomic_open(self.fs, path, mode)

    def write_json(self, path: str, payload: Any) -> None:
        with self.atomic_open(path, "w") as handle:
            json.dump(payload, handle, indent=1, sort_keys=True, ensure_ascii=False)

    def mark_done(self, phase: PhaseDirs, unit: str, stats: dict[str, Any]) -> None:
        self.write_json(posixpath.join(phase.done, f"{unit}.json"), stats)
        failed = posixpath.join(phase.failed, f"{unit}.json")
        if self.fs.exists(failed):
            self.fs.rm(failed)

    def mark_failed(self, phase: PhaseDirs, unit: str, error: dict[str, Any]) -> None:
        self.write_json(posixpath.join(phase.failed, f"{unit}.json"), error)
