"""Content rules for extensions that several languages share, and content signatures.

Like GitHub linguist's ``heuristics.yml``: for an extension, rules are tried in order and the
first whose pattern is found in the file decides (a rule without a pattern always matches,
and ends the list); when no rule matches, the caller falls back to pygments' analysis among
the extension's candidates. Patterns are multi-line regular expressions over the head of the
file (:data:`stages.code.identify.HEAD_CHARS`).

:data:`CONTENT` recognises files whose name says nothing (``session``, ``console``, a
file without extension): interactive sessions, HTTP messages, hex dumps, XML and HTML.
"""

from __future__ import annotations

import re
from dataclasses import dataclass


@dataclass(frozen=True)
class Rule:
    language: str
    pattern: re.Pattern[str] | None = None
    absent: re.Pattern[str] | None = None  # the rule also needs this pattern NOT to be found

    def matches(self, text: str) -> bool:
        if self.pattern is not None and not self.pattern.search(text):
            return False
        return self.absent is None or not self.absent.search(text)


def _rule(language: str, pattern: str | None = None, absent: str | None = None) -> Rule:
    return Rule(language, re.compile(pattern, re.MULTILINE) if pattern else None,
                re.compile(absent, re.MULTILINE) if absent else None)


_OBJC = r"^\s*(?:@(?:interface|class|protocol|property|end|synthesize|selector|implementation|import)\b|#import\s+[<\"])"
_CPP = (r"^\s*#\s*include\s*<(?:cstdint|cstdio|cstdlib|cstring|cmath|string|vector|map|set|list|array|memory|"
        r"bitset|queue|stack|deque|algorithm|functional|utility|forward_list|unordered_map|unordered_set|"
        r"iostream|istream|ostream|sstream|fstream|iomanip|thread|mutex|atomic|chrono|tuple|type_traits|"
        r"exception|stdexcept|new|limits|complex|valarray|regex|random|optional|variant|any)>"
        r"|^\s*template\s*<|^[ \t]*(?:try|constexpr)\b|^[ \t]*catch\s*\(|^[ \t]*(?:class|(?:using[ \t]+)?namespace)\s+\w+"
        r"|^[ \t]*(?:private|public|protected)\s*:|\bstd::\w+|__cplusplus\s*>|\bnullptr\b|\bvirtual\s+\w+|::\w+\s*\(")
_PERL = (r"\buse\s+(?:strict|warnings|v?5)\b|^\s*use\s+(?:constant|overload|vars|base|parent|lib)\b|"
         r"^\s*(?:our\s*)?@EXPORT\s*=|^\s*package\s+[A-Za-z_]\w*(?:::\w+)*\s*[;{]|\bmy\s+[$@%]\w+|"
         r"^\s*sub\s+\w+\s*\{|\$_\b|=~\s*[sm]?/")
_RAKU = r"^\s*(?:use\s+v6\b|unit\s+(?:module|class)\b|(?:my\s+)?class\s+\w+(?:::\w+)*\s+(?:is|does)\b|multi\s+sub\b)"
_CPLINT = r"^:-\s*(?:use_module\(library\((?:pita|mcintyre|slipcover|lemur|cplint_\w+)\)\)|begin_lpad\b|pita\b|mc\b)"
_VISUAL_PROLOG = r"^(?:implement|class|interface)\s+\w+|^\s*(?:clauses|predicates|domains|facts|constants)\s*$"
_PROLOG = r"^[^#%\n]*:-|^\s*%.*\n\s*[a-z]\w*\(.*\)\s*(?::-|\.)\s*$"

RULES: dict[str, tuple[Rule, ...]] = {
    ".h": (_rule("Objective-C", _OBJC), _rule("C++", _CPP), _rule("C")),
    ".m": (_rule("Objective-C", _OBJC), _rule("Mercury", r":-\s*module\b"), _rule("Mason", r"^\s*<%(?:init|args|once|perl)>"),
           _rule("Mathematica", r"\(\*[\s\S]*?\*\)|\b(?:Module|Block|Table|Plot)\[|:=\s*\w+\["),
           _rule("MATLAB", r"^\s*%|^\s*function\b.*=|^\s*end\s*$|\bdisp\s*\(|\bfprintf\s*\(|^\s*(?:classdef|properties|methods)\b"),
           _rule("Limbo", r"^\w+\s*:\s*module\s*\{")),
    ".pl": (_rule("Perl", r"\A#!.*\bperl\b"), _rule("cplint", _CPLINT), _rule("Visual Prolog", _VISUAL_PROLOG), _rule("Raku", _RAKU),
            _rule("Prolog", _PROLOG), _rule("Perl", _PERL)),
    ".pm": (_rule("Raku", _RAKU), _rule("Perl", _PERL)),
    ".t": (_rule("Raku", _RAKU), _rule("Perl", _PERL), _rule("Turing", r"^\s*%[ \t]+|^\s*var\s+\w+(?:\s*:\s*\w+)?\s*:=")),
    ".ts": (_rule("XML", r"<TS\b|<!DOCTYPE TS>"), _rule("TypeScript")),
    ".tsx": (_rule("XML", r"^\s*<\?xml\s+version"), _rule("TSX")),
    ".v": (_rule("Rocq Prover", r"(?:^|\s)(?:Proof|Qed|Defined)\.(?:$|\s)|^\s*Require\s+(?:Import|Export)\s|^\s*(?:Theorem|Lemma|Inductive|Fixpoint)\s"),
           _rule("Verilog", r"^\s*module\s+\w+|^\s*`(?:define|ifdef|ifndef|include|timescale)|^\s*always\s*@|\bendmodule\b"),
           _rule("V", r"^\s*fn\s+\w+\s*\(|^\s*module\s+main\b|\$(?:if|else)\s")),
    ".s": (_rule("ca65 assembler", r"^\s*\.(?:segment|proc|endproc|import|export|include|macro|endmacro|byte|word|res)\b(?![^\n]*%)[^\n]*$"
                                   r"(?![\s\S]*\b(?:movl|movq|pushq|%[re]?[abcd]x)\b)"),
           _rule("GAS", r"(?i:mov[lqwb]?)\s+[%$]|^\s*\.(?:globl|global|text|section|type|size)\b")),
    ".as": (_rule("ActionScript 3", r"^\s*package\b|^\s*import\s+[\w.*]+\s*;|:\s*(?:void|int|uint|Number|String|Boolean)\b|\bpublic\s+class\b"),
            _rule("ActionScript")),
    ".g": (_rule("ANTLR", r"^\s*(?:(?:lexer|parser|tree)\s+)?grammar\s+\w+\s*;"),
           _rule("GAP", r"\b(?:Declare|BindGlobal|InstallMethod|InstallGlobalFunction|SetPackageInfo)\b|:=\s*function\s*\(")),
    ".pro": (_rule("Visual Prolog", _VISUAL_PROLOG), _rule("cplint", _CPLINT), _rule("Prolog", r"^[^\[#\n]+:-"), _rule("QMake", r"^\s*(?:HEADERS|SOURCES|TEMPLATE|QT|CONFIG)\s*\+?="),
             _rule("IDL", r"^\s*(?i:function|pro|compile_opt)\s+\w[\w ,:]*$"), _rule("INI", r"last_client=")),
    ".bas": (_rule("VB.net", r"(?i)^\s*(?:Attribute\s+VB_Name|Imports\s|Module\s|Namespace\s|Option\s+(?:Explicit|Strict))|^\s*(?:Public|Private)\s+(?:Sub|Function|Class)\b"),
             _rule("CBM BASIC V2", r"(?i)\b(?:poke|peek|sys)\s*\(?\d|\{(?:revers|clr|home|rvs)\b"), _rule("QBasic")),
    ".cls": (_rule("TeX", r"^\s*\\(?:NeedsTeXFormat|ProvidesClass)\{"), _rule("VB.net", r"^\s*VERSION\s+\d\.\d\s+CLASS"),
             _rule("Apex", r"(?i)\b(?:public|private|global)\s+(?:with\s+sharing\s+|without\s+sharing\s+)?class\b")),
    ".inc": (_rule("PHP", r"^<\?(?:php)?"), _rule("POVRay", r"^\s*#(?:declare|local|macro|while)\s"),
             _rule("Pascal", r"(?i:^\s*\{\$(?:mode|ifdef|undef|define)[ ]+[a-z0-9_]+\})|^\s*end[.;]\s*$")),
    ".cl": (_rule("Common Lisp", r"^\s*\((?i:defun|in-package|defpackage|defmacro|defvar)\s"), _rule("OpenCL", r"\b__kernel\b|\bkernel\s+void\b|/\* |// |^\}")),
    ".fs": (_rule("Forth", r"^(?:: |new-device)"), _rule("F#", r"^\s*(?:#light|open|let|module|namespace|type)\b"),
            _rule("GLSL", r"^\s*(?:#version|precision|uniform|varying|vec[234])\b")),
    ".r": (_rule("REBOL", r"(?i:\bRebol\s*\[)"), _rule("R", r"<-|^\s*#|\bfunction\s*\(|\blibrary\(")),
    ".sc": (_rule("SuperCollider", r"(?i:\^(?:this|super)\.|^\s*~\w+\s*=\.|\bSynthDef\b)"), _rule("Scala", r"^\s*import\s+(?:scala|java)\.|^\s*(?:class|object|def|val)\b")),
    ".scd": (_rule("scdoc", r"\A\S+\(\d\w*\)(?:\s|$)|^#+\s+(?:NAME|SYNOPSIS|DESCRIPTION)\s*$"), _rule("SuperCollider")),
    ".ecl": (_rule("ECLiPSe", r"^[^#\n]+:-"), _rule("ECL", r":=")),
    ".cp": (_rule("Component Pascal", r"(?i)^\s*MODULE\s+\w+\s*;"), _rule("C++")),
    ".b": (_rule("Limbo", r"^\s*implement\s+\w+\s*;"), _rule("Brainfuck", r"^[\s+\-<>.,\[\]]+$")),
    ".inf": (_rule("Inform 6", r"(?i)^\s*(?:!%|Constant\s+Story|Include\s+\"Parser|\[\s*Main\s*;|Object\s+\w+)"), _rule("INI")),
    ".tst": (_rule("GAP session", r"^gap>\s"), _rule("Scilab")),
    ".gd": (_rule("GAP", r"\b(?:Declare\w*|BindGlobal|KeyDependentOperation)\("), _rule("GDScript", r"^\s*(?:extends|var|const|enum|func|class_name|signal|onready)\b")),
    ".i": (_rule("SWIG", r"^[ \t]*%[a-z_]+\b|^%[{}]$"),),
    ".n": (_rule("Roff", r"^[.']"), _rule("Nemerle", r"^\s*(?:module|namespace|using)\s")),
    ".p": (_rule("Gnuplot", r"^s?plot\b|^set\s+(?:term|terminal|out|output|[xy]tics|[xy]label|[xy]range|style)\b"),
           _rule("Pawn", r"^\s*#include\s*<|^\s*(?:new|stock|native|forward|public)\s+\w"),
           _rule("OpenEdge ABL", r"(?i)^\s*(?:DEFINE\s+(?:VARIABLE|TEMP-TABLE|BUFFER|INPUT|OUTPUT)|FOR\s+EACH|DISPLAY|PROCEDURE|FIND\s+FIRST)\b")),
    ".j": (_rule("Objective-J", r"@import|@implementation|\bobjj_"), _rule("Jasmin", r"^\s*\.(?:class|method|super|field|limit)\b")),
    ".u": (_rule("UrbiScript", r"\bfunction\s+\w+\s*\(|\bevery\s*\(|\bwaituntil\b|;\s*$"),),
    ".sql": (_rule("SQL+Jinja", r"\{\{[^}\n]*\}\}|\{%-?\s*(?:if|for|set|macro|block|extends|include|call)\b"),_rule("PL/pgSQL", r"(?i:LANGUAGE\s+'?plpgsql'?|AS\s+\$\$)"), _rule("Transact-SQL", r"(?i:^\s*GO\s*$|DECLARE\s+@|\[dbo\])"),
             _rule("MySQL", r"(?i:\bENGINE\s*=|AUTO_INCREMENT|`\w+`)"), _rule("SQL")),
    ".asc": (_rule("ASCII armored", r"^-----BEGIN PGP"), _rule("AsciiDoc", r"^[=-]+\s|\{\{[A-Za-z]")),
    ".rl": (_rule("Ragel in CPP Host", r"#include\s*<(?:iostream|string|vector|cstdio)>|\bstd::|\bnamespace\b|\bcout\b"),
            _rule("Ragel in C Host", r"#include\s*[<\"]"), _rule("Ragel in Java Host", r"\b(?:public|private)\s+(?:static\s+)?\w+\s+\w+\s*\(|\bSystem\.out\b"),
            _rule("Ragel in Objective C Host", r"@(?:interface|implementation)\b"), _rule("Ragel in D Host", r"\bimport\s+std\.|\bwriteln\b"),
            _rule("Ragel in Ruby Host", r"^\s*def\s+\w+|\bputs\b")),
    ".feature": (_rule("Bdd", r"^(?:Meta|Narrative|GivenStories|Lifecycle):"), _rule("Gherkin")),
    ".bb": (_rule("BlitzBasic", r"(?i)^\s*;|\bEnd\s+Function\b|^\s*(?:Graphics|Global)\s"), _rule("BitBake", r"^(?:# |include|require|inherit)\b")),
    ".mod": (_rule("XML", r"<!ENTITY "), _rule("Modula-2", r"(?i)^\s*(?:IMPLEMENTATION\s+|DEFINITION\s+)?MODULE\s+\w+"), _rule("Ampl", r"^\s*(?:param|var|set|minimize|maximize|subject\s+to)\b")),
    ".mm": (_rule("XML", r"^\s*<\?xml|^<map\s+version"),),
    ".re": (_rule("ReasonML", r"^\s*(?:let|module|type|open)\s+\w"), _rule("C++", r"^\s*#\s*include|^\s*template\s*<")),
    ".d": (_rule("D", r"^module\s+[\w.]*\s*;|\bimport\s+[\w\s,.:]*;|^\s*(?:void|int|auto)\s+\w+\s*\(|\bunittest\b|\bwriteln\b"),
           _rule("Makefile", r"^[\w./\\-]+\.\w+\s*:\s|:\s*\\$")),
    ".ms": (_rule("Roff", r"^[.'][A-Za-z]{2}(?:\s|$)"), _rule("GAS", r"^\s*\.(?:include|globa?l|text|section)\s")),
    ".l": (_rule("Common Lisp", r"\(def(?:un|macro)\s"), _rule("Lex", r"^%[%{}]|^%(?:option|x|s)\b"), _rule("Roff", r"^\.[A-Za-z]{2}(?:\s|$)"),
           _rule("PicoLisp", r"^\((?:de|class|rel|code|data|must)\s")),
    ".ml": (_rule("OCaml", r"^\s*module\b|\blet\s+rec\b|\bmatch\b[\s\S]*?\bwith\b|^\s*let\s+\w+|^\s*open\s+[A-Z]"), _rule("Standard ML", r"=>|\bcase\b[\s\S]*?\bof\b|^\s*fun\s")),
    ".rpy": (_rule("Python", r"^(?:import|from|class|def)\s"), _rule("Ren'Py")),
    ".ncl": (_rule("XML", r"^\s*<\?xml\s+version"), _rule("Nickel", r"^let(?:\s+rec)?\s+\w|^import\s+\"|\bstd\.\w+\."),
             _rule("NCL", r"^load\s+\"|^begin\s*$|^\s*;")),
    ".k": (_rule("KCL", r"^schema\s+\w+"),),
    ".shader": (_rule("ShaderLab", r"^\s*Shader\s+\""), _rule("GLSL")),
    ".gs": (_rule("GLSL", r"^#version\s+\d+"), _rule("Gosu", r"^uses\s+(?:java|gw)\."), _rule("Genie", r"^\[indent=\d+\]"), _rule("JavaScript")),
    ".x": (_rule("Linker Script", r"OUTPUT_ARCH\(|OUTPUT_FORMAT\(|SECTIONS"), _rule("Logos", r"^%(?:end|ctor|hook|group)\b")),
    ".bzl": (_rule("Starlark"),),
    ".yaml": (_rule("MiniYAML", r"^\t+.*?[^\s:].*?:", r"---"), _rule("YAML")),
    ".yml": (_rule("MiniYAML", r"^\t+.*?[^\s:].*?:", r"---"), _rule("YAML")),
    ".txt": (_rule("Matlab session", r"^>> \S"), _rule("PostgreSQL console (psql)", r"\A(?:\s*\n)*\w+=[#>] \S"),
             _rule("MoinMoin/Trac Wiki markup", r"^#format\s+wiki\b|^#pragma\s+section-numbers"),
             _rule("PostgreSQL SQL dialect", r"(?i)\bLANGUAGE\s+'?pl(?:pgsql|python\w*|perl|tcl)'?"),
             _rule("TLS Presentation Language", r"^\s*(?:struct|enum)\s*\{[\s\S]*?\b(?:opaque|uint(?:8|16|24|32|64))\b"),
             _rule("Vim Help File", r"(?:vim?|ex):[ \t]*(?:set?\s)?.*\b(?:ft|filetype)=help\b")),
    ".xml": (_rule("XML"),),
    ".prolog": (_rule("cplint", _CPLINT), _rule("Prolog")),
    ".toc": (_rule("World of Warcraft TOC", r"^## \w|@no-lib-strip@"), _rule("TeX", r"^\\(?:contentsline|defcounter|beamer|boolfalse)")),
    ".lean": (_rule("Lean", r"^import\s+[a-z]"), _rule("Lean4", r"^import\s+[A-Z]")),
    ".xsl": (_rule("XSLT", r"<xsl:(?:stylesheet|transform)\b"), _rule("XML")),
    ".xslt": (_rule("XSLT", r"<xsl:(?:stylesheet|transform)\b"), _rule("XML")),
    ".ttl": (_rule("Turtle", r"^\s*@(?:prefix|base)\b|^\s*PREFIX\s"), _rule("Tera Term macro")),
    ".lsp": (_rule("Common Lisp", r"^\s*\((?i:defun|in-package|defpackage|defmacro)\s"), _rule("NewLisp")),
    ".aspx": (_rule("aspx-vb", r"(?i)<%@[^>]*Language\s*=\s*\"?VB"), _rule("aspx-cs")),
}

#: Where neither rules nor pygments' analysis decide: the most common language of the
#: extension on GitHub (pygments' own candidate order otherwise).
PREFERRED: dict[str, str] = {
    ".pl": "Perl", ".m": "Objective-C", ".h": "C", ".t": "Perl", ".pm": "Perl", ".inc": "PHP",
    ".s": "GAS", ".S": "GAS", ".asm": "NASM", ".pro": "Prolog", ".v": "Verilog", ".cl": "Common Lisp",
    ".fs": "F#", ".r": "R", ".sc": "Scala", ".bas": "VB.net", ".sql": "SQL", ".d": "D", ".ml": "OCaml",
    ".n": "Nemerle", ".mod": "Modula-2", ".b": "Brainfuck", ".cgi": "Perl", ".fcgi": "Perl",
    ".spec": "RPMSpec", ".gs": "JavaScript", ".hh": "C++", ".feature": "Gherkin", ".bzl": "Starlark",
    ".ts": "TypeScript", ".p": "Pawn", ".ecl": "ECL", ".tst": "Scilab", ".u": "UrbiScript",
    ".j": "Objective-J", ".i": "SWIG", ".gd": "GDScript", ".rl": "Ragel in C Host",
    ".prolog": "Prolog", ".ASM": "NASM", ".bug": "BUGS", ".lean": "Lean4", ".hbs": "Handlebars",
}


def rules_for(ext: str) -> tuple[Rule, ...]:
    return RULES.get(ext) or RULES.get(ext.lower(), ())


def decide(rules: tuple[Rule, ...], text: str) -> str | None:
    for rule in rules:
        if rule.matches(text):
            return rule.language
    return None


def preferred(ext: str, candidates: tuple[str, ...]) -> str:
    choice = PREFERRED.get(ext) or PREFERRED.get(ext.lower())
    return choice if choice in candidates else candidates[0]


#: Signatures of files without a telling name, tried in order on the first lines.
CONTENT: tuple[Rule, ...] = (
    _rule("XML", r"\A\s*<\?xml\s"),
    _rule("HTML", r"\A\s*(?:<!DOCTYPE\s+html|<html[\s>])"),
    _rule("PsySH console session for PHP", r"^>>> \$\w"),
    _rule("Python console session", r"^>>> \S"),
    _rule("IPython console session", r"\A(?:\s*\n)*In \[\d+\]: "),
    _rule("Ruby irb session", r"^irb\([\w:.]+\):\d+:\d+[>*]"),
    _rule("Julia console", r"^julia> "),
    _rule("Elixir iex session", r"^iex(?:\(\d+\))?> "),
    _rule("PowerShell Session", r"\A(?:\s*\n)*PS\b[^\n>]*> ?\S"),
    _rule("MSDOS Session", r"\A(?:\s*\n)*(?:[A-Za-z]:\\[^\n>]*|[^\n>$%#]*)> ?(?i:dir|cd|copy|del|type|echo|set|cls|ver|md|rd)\b"),
    _rule("Tcsh Session", r"\A(?:\s*\n)*[^\n>$%#]*[%>] ?(?:ls|cd|echo|set|setenv|cat|grep|make|alias)\b"),
    _rule("GAP session", r"^gap> "),
    _rule("sqlite3con", r"^sqlite> "),
    _rule("PostgreSQL console (psql)", r"^\w+=[#>] "),
    _rule("Node.js REPL console session", r"\A(?:\s*\n)*> \w"),
    _rule("Bash Session", r"\A(?:\s*\n)*(?:[\w.@~:-]+\s*)?[$#] \w"),
    _rule("HTTP", r"\A(?:GET|POST|PUT|DELETE|HEAD|OPTIONS|PATCH|CONNECT|TRACE) \S+ HTTP/\d|\AHTTP/\d(?:\.\d)? \d{3}\b"),
    _rule("Hexdump", r"^[0-9a-fA-F]{4,8}(?::[0-9a-fA-F]{4})?:?[ \t]+(?:[0-9a-fA-F]{2,4}[ \t-]{1,2}){6}"),
    _rule("MIME", r"\A(?:[\w-]+: [^\n]*\n)+\s*\n", None),
)


def from_content(text: str) -> str | None:
    return decide(CONTENT, text[:4096])
