"""Vendored, generated and minified files, by path and by their first lines.

Patterns in the spirit of GitHub linguist's ``vendor.yml`` and ``generated.rb`` (written
here, not copied): third-party trees copied into a repository (``vendor/``,
``node_modules/``...), build and tool outputs (lock files, source maps, protobuf stubs,
autotools scripts, bundles that point to a source map), minified assets, and files whose
first lines say a tool wrote them ("auto-generated", "DO NOT EDIT", ``@generated``).
"""

from __future__ import annotations

import re

VENDORED = re.compile(
    r"(?:^|/)(?:vendor|vendors|vendored|third[-_]?party|3rd[-_]?party|external|externals|node_modules|"
    r"bower_components|jspm_packages|web_modules|Pods|Carthage|Godeps/_workspace|\.yarn|\.pnpm-store|"
    r"site-packages|\.?venv|virtualenv|\.tox|\.bundle)/"
    r"|(?:^|/)gradlew(?:\.bat)?$|(?:^|/)gradle/wrapper/|(?:^|/)mvnw(?:\.cmd)?$|(?:^|/)\.mvn/wrapper/"
)

MINIFIED = re.compile(r"[.-]min\.(?:js|mjs|cjs|css)$|(?:^|[/.-])bundle\.(?:js|mjs|css)$|\.pack\.js$")

GENERATED_PATH = re.compile(
    r"\.map$"
    r"|(?:^|/)(?:package-lock\.json|npm-shrinkwrap\.json|yarn\.lock|pnpm-lock\.yaml|bun\.lockb?|composer\.lock|"
    r"Gemfile\.lock|Cargo\.lock|poetry\.lock|Pipfile\.lock|pdm\.lock|uv\.lock|go\.sum|flake\.lock|"
    r"Package\.resolved|packages\.lock\.json|gradle\.lockfile|mix\.lock|pubspec\.lock|Podfile\.lock)$"
    r"|_pb2(?:_grpc)?\.pyi?$|\.pb(?:\.gw)?\.(?:go|cc|h|swift|dart|ts|js)$|_grpc\.pb\.go$|\.pb\.validate\.go$"
    r"|\.designer\.(?:cs|vb)$|\.g\.(?:dart|cs)$|\.g\.i\.cs$|\.freezed\.dart$|\.gr\.dart$"
    r"|(?:^|/)__generated__/|[._]generated\.\w+$|\.gen\.(?:go|ts|js|py|h|cc|cpp|rs)$"
    r"|\.pbxproj$|\.xcworkspacedata$|(?:^|/)[^/]+\.egg-info/|(?:^|/)PKG-INFO$"
    r"|(?:^|/)(?:configure|config\.guess|config\.sub|ltmain\.sh|aclocal\.m4|install-sh|depcomp|missing|"
    r"Makefile\.in|config\.h\.in)$"
    r"|(?:^|/)(?:dist|\.next|\.nuxt|\.svelte-kit|__pycache__)/"
)

#: Markers that a tool wrote the file, looked for in its first lines.
GENERATED_MARKER = re.compile(
    r"(?i)\bauto-?generated\b|\bautomatically generated\b|\bgenerated automatically\b|\bdo not (?:edit|modify)\b"
    r"|\bdon'?t (?:edit|modify) (?:this|manually)\b|@generated\b|\bgenerated (?:by|from|with|using) "
    r"(?:the )?(?:[\w.-]+ )?(?:v?\d|protoc|protocol buffer|thrift|swig|cython|bison|flex|yacc|antlr|jison|"
    r"pegjs|grpc|openapi|swagger|sqlc|mockgen|stringer|wsdl|xsd|django|alembic|jooq|hibernate|babel|"
    r"typescript|tsc|coffeescript|webpack|rollup|esbuild|emscripten|doxygen|sphinx|javadoc|moc|uic|rcc|"
    r"vala|gperf|ragel|re2c|lemon|makeinfo|autoconf|automake|libtool|cmake|qmake|meson)"
)

#: Bundlers and transpilers end their output with a pointer to its source map.
SOURCE_MAP_POINTER = re.compile(r"^[/*#@ \t]*[#@]\s*sourceMappingURL=\S+", re.MULTILINE)

FIRST_LINES_CHARS = 1500


def first_lines(text: str, lines: int = 5) -> str:
    head = text[:FIRST_LINES_CHARS]
    cut = -1
    for _ in range(lines):
        cut = head.find("\n", cut + 1)
        if cut == -1:
            return head
    return head[:cut]


def path_reason(path: str) -> str | None:
    """'vendored', 'minified' or 'generated' from the path alone."""
    if VENDORED.search(path):
        return "vendored"
    if MINIFIED.search(path):
        return "minified"
    if GENERATED_PATH.search(path):
        return "generated"
    return None


def is_generated_content(text: str) -> bool:
    """A generator's marker in the first lines, or a source-map pointer in the last ones."""
    head = first_lines(text)
    lowered = head.lower()
    if any(word in lowered for word in _MARKER_WORDS) and GENERATED_MARKER.search(head):
        return True
    tail = text[-500:]
    return "sourceMappingURL" in tail and bool(SOURCE_MAP_POINTER.search(tail))


#: Every marker contains one of these: most files skip the marker expression altogether.
_MARKER_WORDS = ("generat", "do not", "don't", "dont")
