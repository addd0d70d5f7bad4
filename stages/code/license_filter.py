"""Licence of each code document and the choice of which to keep (``code_license`` stage).

A document arrives with its repository's licence (set by the reader). A file that declares
its own in its first lines (``SPDX-License-Identifier:``, or a known notice) gets that one
instead, as the more specific statement; ``meta.license_class`` records the class. Then the
config decides: ``keep`` lists the classes to keep, ``allow`` and ``deny`` name SPDX ids
kept or dropped whatever their class (a document whose expression mentions a denied id is
dropped). Drops are ``license_<class>`` or ``license_denied``. Rows that are not
``kind: code`` pass untouched.
"""

from __future__ import annotations

import json
import posixpath
import re
from collections import Counter

import pyarrow as pa

from polycorpus.stages.base import Stage, StageResult
from polycorpus.stages.code import licensing
from polycorpus.stages.code.config import CodeLicenseConfig

_IDS = re.compile(r"[^\s()]+")


class CodeLicense(Stage[CodeLicenseConfig]):
    name = "code_license"
    Config = CodeLicenseConfig

    def process(self, batch: pa.Table) -> StageResult:
        config = self.config
        keep, allow, deny = set(config.keep), set(config.allow), set(config.deny)
        counters: Counter[str] = Counter()
        licenses: list[str | None] = []
        metas: list[str | None] = []
        reasons: list[str | None] = []
        rows = zip(batch.column("kind").to_pylist(), batch.column("path").to_pylist(), batch.column("text").to_pylist(),
                   batch.column("license").to_pylist(), batch.column("meta").to_pylist(), strict=True)
        for kind, path, text, license, meta in rows:
            if kind != "code":
                licenses.append(license)
                metas.append(meta)
                reasons.append(None)
                continue
            # A licence file states the repository's licence (or one of its choices), not its own.
            headers = config.file_headers and not licensing.is_license_file(posixpath.basename(path or ""))
            own = licensing.from_header(text) if headers else None
            if own and own != license:
                counters["file_header_license"] += 1
                license = own
            klass = licensing.classify(license)
            counters[f"class.{klass}"] += 1
            fields = json.loads(meta) if meta else {}
            fields["license_class"] = klass
            licenses.append(license)
            metas.append(json.dumps(fields, ensure_ascii=False, sort_keys=True))
            ids = set(_IDS.findall(license or "")) - {"AND", "OR", "WITH"}
            if ids & deny:
                reasons.append("license_denied")
            elif klass in keep or ids & allow:
                reasons.append(None)
            else:
                reasons.append(f"license_{klass}")
        table = batch
        for name, values in (("license", licenses), ("meta", metas)):
            index = table.schema.get_field_index(name)
            table = table.set_column(index, table.schema.field(index), pa.array(values, pa.string()))
        return StageResult(table, drop_reasons=pa.array(reasons, pa.string()), counters=dict(counters))
