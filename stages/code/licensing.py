"""Licences of code: SPDX expressions from package metadata, licence files and file headers,
and their classification (permissive, weak copyleft, copyleft, unknown).

A repository's licence comes from what it declares, most explicit first: an SPDX expression
in package metadata (``Cargo.toml``, ``package.json``, ``pyproject.toml``, ``PKG-INFO``...),
else the texts of its licence files at the root (``LICENSE``, ``COPYING``, ``UNLICENSE``...)
recognised by fingerprints of the licence texts. A file may declare its own licence in its
first lines (``SPDX-License-Identifier:``, or a well-known notice such as Apache's "Licensed
under the Apache License, Version 2.0"), which is more specific than the repository's.

Classes follow the usual reading of the licences; an ``OR`` expression is as permissive as
its most permissive choice, an ``AND`` as restrictive as its most restrictive part, and any
licence this table does not know makes its part ``unknown``.
"""

from __future__ import annotations

import json
import posixpath
import re
import tomllib
from collections.abc import Mapping

PERMISSIVE, WEAK_COPYLEFT, COPYLEFT, UNKNOWN = "permissive", "weak_copyleft", "copyleft", "unknown"
CLASSES = (PERMISSIVE, WEAK_COPYLEFT, COPYLEFT, UNKNOWN)

_BY_CLASS = {
    PERMISSIVE: "0BSD AFL-3.0 Apache-1.1 Apache-2.0 Artistic-2.0 BlueOak-1.0.0 BSD-1-Clause BSD-2-Clause "
                "BSD-2-Clause-Patent BSD-3-Clause BSD-3-Clause-Clear BSD-4-Clause BSL-1.0 CC-BY-3.0 CC-BY-4.0 "
                "CC0-1.0 ECL-2.0 ISC MIT MIT-0 MulanPSL-2.0 NCSA OpenSSL PostgreSQL PSF-2.0 Python-2.0 "
                "Unicode-DFS-2016 Unlicense UPL-1.0 W3C WTFPL X11 Zlib zlib-acknowledgement libpng-2.0 "
                "curl HPND Beerware",
    WEAK_COPYLEFT: "CDDL-1.0 CDDL-1.1 CPL-1.0 EPL-1.0 EPL-2.0 EUPL-1.1 EUPL-1.2 LGPL-2.0-only LGPL-2.0-or-later "
                   "LGPL-2.1-only LGPL-2.1-or-later LGPL-3.0-only LGPL-3.0-or-later MPL-1.1 MPL-2.0 MS-PL MS-RL "
                   "APSL-2.0 CECILL-C Ruby",
    COPYLEFT: "AGPL-3.0-only AGPL-3.0-or-later GPL-1.0-only GPL-1.0-or-later GPL-2.0-only GPL-2.0-or-later "
              "GPL-3.0-only GPL-3.0-or-later OSL-3.0 CC-BY-SA-3.0 CC-BY-SA-4.0 SSPL-1.0 CECILL-2.1 "
              "EUPL-1.0",
}
LICENSE_CLASS: dict[str, str] = {spdx: cls for cls, ids in _BY_CLASS.items() for spdx in ids.split()}
_CANONICAL = {spdx.lower(): spdx for spdx in LICENSE_CLASS}

#: Deprecated SPDX ids and the names people write in metadata -> SPDX id.
ALIASES: dict[str, str] = {
    **{f"{gpl}-{v}": f"{gpl.upper()}-{v}-only" for gpl in ("gpl", "lgpl", "agpl") for v in ("1.0", "2.0", "2.1", "3.0")},
    **{f"{gpl}-{v}+": f"{gpl.upper()}-{v}-or-later" for gpl in ("gpl", "lgpl", "agpl") for v in ("1.0", "2.0", "2.1", "3.0")},
    "gplv2": "GPL-2.0-only", "gplv2+": "GPL-2.0-or-later", "gplv3": "GPL-3.0-only", "gplv3+": "GPL-3.0-or-later",
    "gpl-2": "GPL-2.0-only", "gpl-3": "GPL-3.0-only", "gpl2": "GPL-2.0-only", "gpl3": "GPL-3.0-only",
    "lgplv2.1": "LGPL-2.1-only", "lgplv3": "LGPL-3.0-only", "lgpl": "LGPL-2.1-or-later", "agplv3": "AGPL-3.0-only",
    "mit license": "MIT", "the mit license": "MIT", "expat": "MIT", "mit/x11": "MIT",
    "apache 2.0": "Apache-2.0", "apache-2": "Apache-2.0", "apache 2": "Apache-2.0", "apache2": "Apache-2.0",
    "apache license 2.0": "Apache-2.0", "apache license, version 2.0": "Apache-2.0",
    "apache license version 2.0": "Apache-2.0", "apache software license": "Apache-2.0",
    "apache software license 2.0": "Apache-2.0", "asl 2.0": "Apache-2.0", "apache": "Apache-2.0",
    "new bsd": "BSD-3-Clause", "new bsd license": "BSD-3-Clause", "bsd-3": "BSD-3-Clause",
    "3-clause bsd": "BSD-3-Clause", "bsd 3-clause": "BSD-3-Clause", "modified bsd": "BSD-3-Clause",
    "revised bsd": "BSD-3-Clause", "simplified bsd": "BSD-2-Clause", "bsd-2": "BSD-2-Clause",
    "2-clause bsd": "BSD-2-Clause", "freebsd": "BSD-2-Clause", "isc license": "ISC", "isc license (iscl)": "ISC",
    "mozilla public license 2.0 (mpl 2.0)": "MPL-2.0", "mpl 2.0": "MPL-2.0", "mpl-2": "MPL-2.0",
    "the unlicense": "Unlicense", "the unlicense (unlicense)": "Unlicense", "unlicense": "Unlicense",
    "python software foundation license": "PSF-2.0", "psf": "PSF-2.0", "psfl": "PSF-2.0",
    "boost software license 1.0 (bsl-1.0)": "BSL-1.0", "boost": "BSL-1.0", "zlib/libpng": "Zlib",
    "zlib/libpng license": "Zlib", "cc0": "CC0-1.0", "cc0 1.0 universal (cc0 1.0) public domain dedication": "CC0-1.0",
    "gnu general public license v2 (gplv2)": "GPL-2.0-only", "gnu general public license v3 (gplv3)": "GPL-3.0-only",
    "gnu general public license v2 or later (gplv2+)": "GPL-2.0-or-later",
    "gnu general public license v3 or later (gplv3+)": "GPL-3.0-or-later",
    "gnu lesser general public license v2 or later (lgplv2+)": "LGPL-2.0-or-later",
    "gnu lesser general public license v3 (lgplv3)": "LGPL-3.0-only",
    "gnu lesser general public license v3 or later (lgplv3+)": "LGPL-3.0-or-later",
    "gnu affero general public license v3": "AGPL-3.0-only", "eclipse public license 2.0 (epl-2.0)": "EPL-2.0",
    "universal permissive license (upl)": "UPL-1.0", "wtfpl": "WTFPL", "zope public license": "ZPL-2.1",
}

# Fingerprints of licence texts and well-known notices. The earliest match in a file wins
# (a LICENSE file names its own licence before any third-party notices it carries).
_FINGERPRINTS: tuple[tuple[str, str], ...] = (
    ("AGPL-3.0-or-later", r"GNU Affero General Public License[^.]{0,200}either version 3[^.]{0,80}any later version"),
    ("AGPL-3.0-only", r"GNU AFFERO GENERAL PUBLIC LICENSE\s+Version 3"),
    ("LGPL-3.0-or-later", r"GNU Lesser General Public License[^.]{0,200}either version 3[^.]{0,80}any later version"),
    ("LGPL-2.1-or-later", r"GNU Lesser General Public License[^.]{0,200}either version 2\.1[^.]{0,80}any later version"),
    ("LGPL-3.0-only", r"GNU LESSER GENERAL PUBLIC LICENSE\s+Version 3"),
    ("LGPL-2.1-only", r"GNU LESSER GENERAL PUBLIC LICENSE\s+Version 2\.1"),
    ("LGPL-2.0-only", r"GNU LIBRARY GENERAL PUBLIC LICENSE\s+Version 2"),
    ("GPL-3.0-or-later", r"GNU General Public License[^.]{0,200}either version 3[^.]{0,80}any later version"),
    ("GPL-2.0-or-later", r"GNU General Public License[^.]{0,200}either version 2[^.]{0,80}any later version"),
    ("GPL-3.0-only", r"GNU GENERAL PUBLIC LICENSE\s+Version 3"),
    ("GPL-2.0-only", r"GNU GENERAL PUBLIC LICENSE\s+Version 2"),
    ("MPL-2.0", r"Mozilla Public License,?\s+(?:Version|v\.?)\s*2\.0"),
    ("EPL-2.0", r"Eclipse Public License\s*-?\s*v(?:ersion)?\s*2\.0"),
    ("EPL-1.0", r"Eclipse Public License\s*-?\s*v(?:ersion)?\s*1\.0"),
    ("Apache-2.0", r"Apache License,?\s+Version 2\.0"),
    ("BSL-1.0", r"Boost Software License\s*-?\s*Version 1\.0"),
    ("Unlicense", r"This is free and unencumbered software released into the public domain"),
    ("CC0-1.0", r"CC0 1\.0 Universal|Creative Commons Legal Code\s+CC0"),
    ("WTFPL", r"DO WHAT THE FUCK YOU WANT TO PUBLIC LICENSE"),
    ("PSF-2.0", r"PYTHON SOFTWARE FOUNDATION LICENSE VERSION 2"),
    ("Artistic-2.0", r"The Artistic License 2\.0"),
    ("Zlib", r"provided 'as-is', without any express or implied\s+warranty[\s\S]{0,600}Altered source versions must be plainly marked"),
    # The Go authors' notice (also in mangled copies: "Use of ths2i source code s2i governed").
    ("BSD-3-Clause", r"governed by a BSD-style\s+license that can be found in the LICENSE file"),
    ("BSD-3-Clause", r"Redistribution and use in source and binary forms[\s\S]{0,1500}?(?:Neither the name|names of its\s+contributors may be used)"),
    ("BSD-2-Clause", r"Redistribution and use in source and binary forms"),
    ("0BSD", r"Permission to use, copy, modify, and/or distribute this software for any\s+purpose with or without fee is hereby granted\.\s+THE SOFTWARE"),
    ("ISC", r"Permission to use, copy, modify, and(?:/or)? distribute this software for any\s+purpose with or without fee is hereby granted, provided that"),
    ("MIT", r"Permission is hereby granted, free of charge, to any person obtaining\s+a copy"),
    ("MIT", r"Licensed under the MIT [Ll]icense"),
)
# Each pattern is tried only if its first words (lower-cased, up to a regex character) are in
# the text: most files name no licence, and most that do name just one.
_FINGERPRINT_RES = tuple(
    (spdx, re.split(r"[\\\[(?,.]", pattern, maxsplit=1)[0].lower(), re.compile(pattern, re.IGNORECASE))
    for spdx, pattern in _FINGERPRINTS
)
_WS = re.compile(r"[\s#*/;]+")  # comment markers and line breaks inside notices

_LICENSE_FILE = re.compile(r"(?i)^(?:un)?licen[sc]e(?:[-_.][\w.-]*)?$|^copying(?:[-_.][\w.-]*)?$|"
                           r"^copyright(?:\.\w+)?$|^mit-license(?:\.\w+)?$")
METADATA_FILES = ("Cargo.toml", "package.json", "pyproject.toml", "PKG-INFO", "setup.cfg", "setup.py",
                  "composer.json", "bower.json", "DESCRIPTION", "pom.xml")
_SPDX_HEADER = re.compile(r"SPDX-License-Identifier:\s*([^\n]+?)\s*(?:\*/|-->|\*\)|$)", re.MULTILINE)
_TOKEN = re.compile(r"\(|\)|[^\s()]+")


def is_license_file(path: str) -> bool:
    return "/" not in path and bool(_LICENSE_FILE.match(path))


def wants(path: str) -> bool:
    """Whether the repository licence may depend on this (root-level) file."""
    return "/" not in path and (is_license_file(path) or path in METADATA_FILES or path.endswith(".gemspec"))


def canonical_id(name: str) -> str | None:
    """An SPDX id for a licence id or common name, None if unknown."""
    key = name.strip().strip("\"'").lower()
    key = key.removeprefix("license :: osi approved :: ").removeprefix("license :: ")
    return _CANONICAL.get(key) or ALIASES.get(key) or (ALIASES.get(key.removesuffix(" license")))


def normalize(expression: str) -> str | None:
    """A canonical SPDX expression (ids canonical, OR/AND choices sorted), None if any id is unknown.

    ``Unlicense/MIT`` and ``MIT OR Unlicense`` both give ``MIT OR Unlicense``.
    """
    text = re.sub(r"\s+/\s+|(?<=\w)/(?=\w)", " OR ", expression.strip())
    tokens = _TOKEN.findall(text)
    if not tokens:
        return None
    if len(tokens) > 1 and not any(t.upper() in ("AND", "OR", "WITH", "(", ")") for t in tokens):
        return canonical_id(" ".join(tokens))  # a name with spaces ("Apache License 2.0")
    return _parse(tokens)


def _parse(tokens: list[str]) -> str | None:
    """Flat or parenthesised AND/OR expressions; ``WITH exception`` is kept with its licence."""
    depth_groups: list[list[str]] = [[]]
    i = 0
    while i < len(tokens):
        token = tokens[i]
        upper = token.upper()
        if token == "(":
            depth_groups.append([])
        elif token == ")":
            if len(depth_groups) == 1:
                return None
            inner = _join(depth_groups.pop())
            if inner is None:
                return None
            depth_groups[-1].append(f"({inner})" if " " in inner else inner)
        elif upper in ("AND", "OR"):
            depth_groups[-1].append(upper)
        elif upper == "WITH" and depth_groups[-1] and i + 1 < len(tokens):
            depth_groups[-1][-1] += f" WITH {tokens[i + 1]}"
            i += 1
        else:
            spdx = canonical_id(token)
            if spdx is None:
                return None
            depth_groups[-1].append(spdx)
        i += 1
    return _join(depth_groups[0]) if len(depth_groups) == 1 else None


def _join(items: list[str]) -> str | None:
    operands = items[0::2]
    operators = set(items[1::2])
    if not operands or len(items) % 2 == 0 or len(operators) > 1:
        return " ".join(items) if operands and len(items) % 2 == 1 else None
    if not operators:
        return operands[0]
    return f" {operators.pop()} ".join(sorted(set(operands), key=str.lower))


_RANK = {PERMISSIVE: 0, WEAK_COPYLEFT: 1, COPYLEFT: 2, UNKNOWN: 3}


def classify(expression: str | None) -> str:
    """The class of an SPDX expression (see the module docstring); AND binds tighter than OR."""
    if not expression:
        return UNKNOWN
    tokens = _TOKEN.findall(expression)
    position = 0

    def alternatives() -> str:  # a OR b OR ...: the most permissive choice
        nonlocal position
        best = conjunction()
        while position < len(tokens) and tokens[position].upper() == "OR":
            position += 1
            best = min(best, conjunction(), key=_RANK.__getitem__)
        return best

    def conjunction() -> str:  # a AND b AND ...: the most restrictive part
        nonlocal position
        worst = operand()
        while position < len(tokens) and tokens[position].upper() == "AND":
            position += 1
            worst = max(worst, operand(), key=_RANK.__getitem__)
        return worst

    def operand() -> str:
        nonlocal position
        if position >= len(tokens):
            return UNKNOWN
        token = tokens[position]
        position += 1
        if token == "(":
            inner = alternatives()
            position += 1  # the closing parenthesis
            return inner
        if position < len(tokens) and tokens[position].upper() == "WITH":
            position += 2  # an exception only widens what the licence allows
        return LICENSE_CLASS.get(token, UNKNOWN)

    return alternatives()


def from_text(text: str) -> str | None:
    """The licence whose text or notice appears first in ``text``."""
    flat = _WS.sub(" ", text)
    lowered = flat.lower()
    found = [(m.start(), spdx) for spdx, needle, pattern in _FINGERPRINT_RES
             if needle in lowered and (m := pattern.search(flat))]
    return min(found)[1] if found else None


def from_header(text: str) -> str | None:
    """A file's own declaration in its first lines: SPDX identifier, else a known notice."""
    head = text[:3000]
    declared = _SPDX_HEADER.search(head)
    if declared:
        return normalize(declared.group(1))
    return from_text(head) if "icense" in head or "ICENSE" in head else None


def _declared_in_metadata(name: str, text: str) -> str | None:
    """The licence string a package metadata file declares (not yet normalised)."""
    try:
        if name.endswith(".json"):
            data = json.loads(text)
            value = data.get("license") or data.get("licenses")
            if isinstance(value, list):
                names = [v.get("type") if isinstance(v, dict) else v for v in value]
                return " OR ".join(str(n) for n in names if n) or None
            return value.get("type") if isinstance(value, dict) else value
        if name.endswith(".toml"):
            data = tomllib.loads(text)
            section = data.get("package") or data.get("project") or {}
            value = section.get("license") or data.get("tool", {}).get("poetry", {}).get("license")
            return value.get("text") if isinstance(value, dict) else value
    except (ValueError, AttributeError, TypeError):
        return None
    patterns = {
        "PKG-INFO": r"^License-Expression:\s*(.+)$|^License:\s*(.+)$|^Classifier:\s*License :: (?:OSI Approved :: )?(.+)$",
        "setup.cfg": r"^license\s*=\s*(.+)$",
        "setup.py": r"\blicense\s*=\s*['\"]([^'\"]+)['\"]",
        "DESCRIPTION": r"^License:\s*(.+)$",
        "pom.xml": r"<license>\s*<name>([^<]+)</name>",
    }
    pattern = patterns.get(name) or (r"\.licenses?\s*=\s*\[?\s*['\"]([^'\"]+)['\"]" if name.endswith(".gemspec") else None)
    for match in re.finditer(pattern, text, re.MULTILINE) if pattern else ():
        value = next(g for g in match.groups() if g)
        if value.strip().upper() not in ("UNKNOWN", "NONE", ""):
            return value.strip()
    return None


def repository_license(files: Mapping[str, str]) -> tuple[str | None, str | None]:
    """(SPDX expression, the file it came from) for a repository's root-level ``files``."""
    for name in sorted(files, key=lambda n: (METADATA_FILES.index(n) if n in METADATA_FILES else len(METADATA_FILES), n)):
        if name in METADATA_FILES or name.endswith(".gemspec"):
            declared = _declared_in_metadata(name, files[name])
            expression = normalize(declared) if declared else None
            if expression:
                return expression, name
    found: dict[str, str] = {}
    for name in sorted(files):
        if is_license_file(name):
            spdx = from_text(files[name])
            if spdx:
                found.setdefault(spdx, name)
    if not found:
        return None, None
    if len(found) == 1:
        spdx, name = found.popitem()
        return spdx, name
    # Several licence files: separate per-licence files (LICENSE-MIT, LICENSE-APACHE) offer a
    # choice, as does a text that says so; otherwise all of them apply.
    texts = " ".join(files[n] for n in files if is_license_file(n)).lower()
    choice = all(posixpath.basename(n).upper().startswith(("LICENSE-", "LICENCE-", "UNLICENSE")) for n in found.values()) \
        or "dual-licensed" in texts or "dual licensed" in texts or "at your option" in texts
    operator = " OR " if choice else " AND "
    return operator.join(sorted(found, key=str.lower)), ", ".join(sorted(found.values()))
