"""The language catalogue: pygments' lexers plus a linguist-style table for what they lack.

pygments (about 600 lexers) names most languages and knows their file name patterns, but it
misses formats that are common in real repositories (``go.mod``, ``.gitignore``, Svelte,
Jupyter notebooks, CSV...) and a few extensions of languages it does have (``.erb``,
``.glsl``, ``.mts``). :data:`SUPPLEMENT` adds those, in the spirit of GitHub linguist's
``languages.yml``: an entry whose name is a pygments lexer adds patterns to it, any other
entry is a new language. Names are pygments' lexer names (so they line up with pygments'
own tooling) except for the few in :data:`RENAMES`, whose pygments names mislead.

The catalogue is built once per process from pygments' static lexer mapping (no lexer module
is imported), so building it is cheap.
"""

from __future__ import annotations

import fnmatch
import re
from dataclasses import dataclass
from functools import cache

from pygments.lexers._mapping import LEXERS


@dataclass(frozen=True)
class Language:
    """Patterns of one language: ``ext`` with the dot, ``files`` names (exact, or globs such
    as ``LICENSE-*``), ``interp`` shebang interpreters (space-separated strings keep the
    table below readable)."""

    name: str
    ext: str = ""
    files: str = ""
    interp: str = ""


#: pygments' name -> the name documents carry (what users and linguist call the language).
RENAMES: dict[str, str] = {
    "S": "R",
    "Text only": "Text",
    "verilog": "Verilog",
    "systemverilog": "SystemVerilog",
    "vhdl": "VHDL",
    "Groff": "Roff",
    "Perl6": "Raku",
    "Nimrod": "Nim",
    "EmacsLisp": "Emacs Lisp",
    "VimL": "Vim Script",
    "Matlab": "MATLAB",
    "Docker": "Dockerfile",
}

SUPPLEMENT: tuple[Language, ...] = (
    # Additions to languages pygments has.
    Language("Python", ".gyp .gypi .lmi .pyp .pyt .pyw .rpy .tac .wsgi .xpy", "SConscript SConstruct wscript",
             "python python2 python3 pypy pypy3"),
    Language("IPython", ".ipy"),
    Language("IPython console session", ""),
    Language("JavaScript", ".jsb .jscad .jsfl .jslib .jspre .jss .jsm .sjs .ssjs .xsjs .xsjslib",
             "Jakefile", "node nodejs chakra d8 gjs js qjs rhino v8 v8-shell bun"),
    Language("TypeScript", ".mts .cts", "", "ts-node deno tsx"),
    Language("JSON", ".js.map .cjs.map .mjs.map .css.map .4DForm .4DProject .avsc .geojson .gltf .har .ice .JSON-tmLanguage .jsonl .mcmeta .tfstate "
             ".topojson .webapp .webmanifest .yy .yyp .sarif .json.example .babelrc .jscsrc .jshintrc .jslintrc "
             ".prettierrc .tern-config .tern-project .watchmanconfig .arcconfig .auto-changelog .c8rc .htmlhintrc "
             ".imgbotconfig .nycrc .swcrc",
             ".all-contributorsrc .arcconfig .htmlhintrc .imgbotconfig .tern-config .tern-project .watchmanconfig "
             "composer.lock deno.lock flake.lock mcmod.info .babelrc .jscsrc .jshintrc .prettierrc Pipfile.lock"),
    Language("XML", ".adml .admx .ant .axaml .axml .builds .ccproj .ccxml .clixml .cproject .cscfg .csdef .csl "
             ".csproj .ct .depproj .dita .ditamap .ditaval .dll.config .dotsettings .filters .fsproj .fxml .glade "
             ".gml .gmx .grxml .hzp .iml .ivy .jelly .jsproj .kml .launch .mdpolicy .mjml .mod .natvis .ndproj "
             ".nproj .nuspec .odd .osm .pkgproj .plist .proj .props .ps1xml .psc1 .pt .qhelp .qrc .rdf "
             ".resx .rss .scxml .sfproj .shproj .srdf .storyboard .sublime-snippet .svg .targets .tml .ui .urdf "
             ".ux .vbproj .vcxproj .vsixmanifest .vssettings .vstemplate .vxml .wixproj .wsdl .wsf .wxi "
             ".wxl .wxs .x3d .xacro .xaml .xib .xlf .xliff .xml.dist .xmp .xproj .xspec .xul .zcml .xsd .xproc",
             ".classpath .cproject .project App.config NuGet.config Settings.StyleCop Web.Debug.config "
             "Web.Release.config Web.config packages.config"),
    Language("YAML", ".reek .rviz .sublime-syntax .syntax .yaml-tmlanguage .yaml.sed .yml.mysql",
             ".clang-format .clang-tidy .clangd .gemrc CITATION.cff glide.lock pixi.lock yarn.lock .clang-tidy"),
    Language("TOML", "", "Cargo.lock Cargo.toml.orig Gopkg.lock Pipfile pdm.lock poetry.lock uv.lock"),
    Language("INI", ".cnf .dof .lektorproject .prefs .pro .url .frm", ".buckconfig .coveragerc .flake8 .pylintrc "
             "HOSTS buildozer.spec hosts pylintrc vlcrc .gitconfig .gitmodules .npmrc .yarnrc .editorconfig .tool-versions"),
    Language("Text", ".ncl .no .log", "COPYING COPYING.regex COPYRIGHT.regex FONTLOG INSTALL INSTALL.mysql "
             "LICENSE LICENSE.mysql LICENCE NEWS README.me README.mysql README.nss click.me delete.me keep.me "
             "package.mask package.use.mask package.use.stable.mask read.me readme.1st test.me use.mask use.stable.mask "
             "README AUTHORS CHANGES CHANGELOG CONTRIBUTORS COPYRIGHT NOTICE THANKS TODO UNLICENSE HISTORY MAINTAINERS "
             "CODEOWNERS PATENTS VERSION LICENSE-* LICENCE-* COPYING-* COPYRIGHT-*"),
    Language("Bash", ".bash .bats .cgi .command .env .fcgi .ksh .sh.in .tmux .tool .zsh .zsh-theme",
             ".bash_aliases .bash_functions .bash_history .bash_logout .bash_profile .bashrc .cshrc .envrc .flaskenv "
             ".kshrc .login .profile .tmux.conf .zlogin .zlogout .zprofile .zshenv .zshrc 9fs PKGBUILD bash_aliases "
             "bash_logout bash_profile bashrc cshrc gradlew kshrc login man profile tmux.conf zlogin zlogout zprofile "
             "zshenv zshrc",
             "ash bash dash ksh mksh pdksh sh zsh"),
    Language("Ruby", ".builder .eye .fcgi .gemspec .god .jbuilder .mspec .podspec .prawn .rabl .rake "
             ".rbi .rbuild .rbw .rbx .ru .ruby .spec .thor .watchr",
             ".irbrc .pryrc .simplecov Appraisals Berksfile Brewfile Buildfile Capfile Dangerfile Deliverfile Fastfile "
             "Gemfile Guardfile Jarfile Mavenfile Podfile Puppetfile Rakefile Snapfile Steepfile Thorfile Vagrantfile "
             "buildfile", "macruby rake rbx ruby jruby"),
    Language("Perl", ".al .cgi .fcgi .perl .plx .pod .psgi", "Makefile.PL Rexfile ack cpanfile", "cperl perl perl5"),
    Language("Raku", ".6pl .6pm .nqp .p6 .p6l .p6m .pl6 .pm6 .raku .rakumod .rakutest", "", "perl6 raku rakudo"),
    Language("PHP", ".aw .ctp .fcgi .php3 .php4 .php5 .phps .phpt", ".php .php_cs .php_cs.dist Phakefile", "php"),
    Language("Lua", ".fcgi .nse .p8 .pd_lua .rbxs .rockspec .wlua", ".luacheckrc", "lua luajit"),
    Language("Tcl", ".adp .sdc .tm .xdc", "owh starfield", "tclsh wish expect"),
    Language("Awk", ".auk .gawk .mawk .nawk", "", "awk gawk mawk nawk"),
    Language("Sed", "", "", "gsed minised sed ssed"),
    Language("R", ".rd .rsx", ".Rprofile expr-dist", "Rscript"),
    Language("Julia", "", "", "julia"),
    Language("Elixir", "", "mix.lock", "elixir"),
    Language("Erlang", ".app.src .es .escript .xrl .yrl", "Emakefile rebar.config rebar.config.lock rebar.lock",
             "escript"),
    Language("Scheme", ".sld .sps", "", "scheme guile bigloo chicken csi gosh r6rs"),
    Language("Racket", "", "", "racket"),
    Language("Common Lisp", ".asd .lsp .ny .podsl .sexp", "", "lisp sbcl ccl clisp ecl"),
    Language("Emacs Lisp", "", ".abbrev_defs .emacs .emacs.desktop .gnus .spacemacs .viper Cask Project.ede _emacs "
             "abbrev_defs", "emacs"),
    Language("Clojure", ".boot .cl2 .cljscm .cljx .hic .edn", "riemann.config", "bb"),
    Language("OCaml", ".eliom .eliomi .ml4 .mll .mly", "", "ocaml ocamlrun ocamlscript"),
    Language("Haskell", "", "", "runghc runhaskell runhugs"),
    Language("Scala", ".kojo .sbt", "", "scala"),
    Language("Groovy", ".grt .gtpl .gvy", "Jenkinsfile", "groovy"),
    Language("Kotlin", "", "", "kotlin"),
    Language("Swift", "", "", "swift"),
    Language("Dart", "", "", "dart"),
    Language("Crystal", "", "", "crystal"),
    Language("Nim", ".nim.cfg .nimble .nimrod .nims", "nim.cfg", "nim"),
    Language("PowerShell", "", "", "pwsh powershell"),
    Language("AppleScript", "", "", "osascript"),
    Language("Gnuplot", ".gnu .gp .gnuplot .plot .plt", "", "gnuplot"),
    Language("Octave", "", "", "octave"),
    Language("Fish", "", "", "fish"),
    Language("Tcsh", "", "", "csh tcsh"),
    Language("Makefile", ".d .mkfile", "BSDmakefile GNUmakefile Kbuild Makefile.am Makefile.boot Makefile.frag "
             "Makefile.in Makefile.inc Makefile.wat makefile makefile.sco mkfile", "make"),
    Language("Dockerfile", ".containerfile", "Containerfile"),
    Language("GLSL", ".fp .frag .frg .fsh .fshader .geo .geom .glsl .glslf .glslv .gs .gshader .rchit .rmiss .shader "
             ".tesc .tese .vert .vrx .vs .vsh .vshader .comp .mesh .task", ""),
    Language("ERB", ".erb .erb.deface"),
    Language("Mako", ".mako .mao"),
    Language("Fortran", ".f03 .f08 .f77 .f95 .for .fpp"),
    Language("Forth", ".4th .forth .fr .frt .fth"),
    Language("TeX", ".aux .bbx .cbx .dtx .ins .lbx .ltx .mkii .mkiv .mkvi .sty"),
    Language("GraphQL", ".gql .graphqls"),
    Language("Transact-SQL", ".tsql"),
    Language("SQL", ".cql .ddl .mysql .prc .tab .udf .viw"),
    Language("CoffeeScript", "._coffee .cake .cjsx .iced .litcoffee", "Cakefile", "coffee"),
    Language("Markdown", ".livemd .markdown .mdown .mdwn .mkd .mkdn .mkdown .ronn .scd .workbook",
             "contents.lr"),
    Language("reStructuredText", ".rest .rest.txt .rst.txt"),
    Language("Diff", ".patch"),
    Language("CSS", ".css"),
    Language("Java", ".jav .jsh"),
    Language("C", ".cats .idc"),
    Language("C++", ".cppm .ccm .cxxm .c++m .h.in .inl .ipp .ixx .re .tcc .txx"),
    Language("C#", ".csx .linq"),
    Language("Objective-C++", ".mm"),
    Language("Go", "", "", "gorun"),
    Language("Rust", ".rs.in"),
    Language("Vue", ".vue"),
    Language("Zig", ".zon"),
    Language("Starlark", ".bzl .star", "BUCK BUILD BUILD.bazel MODULE.bazel Tiltfile WORKSPACE WORKSPACE.bazel"),
    Language("Django/Jinja", ".j2 .jinja .jinja2 .jinja2-template"),
    Language("Gettext Catalog", ".pot"),
    Language("Hexdump", ".hexdump"),
    Language("Protocol Buffer", ".proto"),
    Language("Verilog", ".veo"),
    Language("SystemVerilog", ".svh .vh"),
    Language("Sass", ".sass"),
    Language("Properties", ".properties"),
    Language("Batchfile", ".bat .cmd"),
    Language("Puppet", "", "Modulefile"),
    Language("Procfile", "", "Procfile"),
    Language("Smarty", ".tpl"),
    Language("Python console session", ".pycon"),
    # Languages and formats pygments has no lexer for.
    Language("Svelte", ".svelte"),
    Language("Astro", ".astro"),
    Language("MDX", ".mdx"),
    Language("Jupyter Notebook", ".ipynb"),
    Language("Ignore List", ".gitignore .dockerignore .npmignore .eslintignore .prettierignore .vscodeignore",
             ".gitignore .dockerignore .npmignore .eslintignore .prettierignore .vscodeignore .hgignore .bzrignore "
             ".gcloudignore .helmignore .stylelintignore .atomignore .cvsignore .nodemonignore .slugignore "
             ".vercelignore .markdownlintignore .coffeelintignore .chromiumignore"),
    Language("Git Attributes", "", ".gitattributes"),
    Language("EditorConfig", "", ".editorconfig"),
    Language("Go Module", "", "go.mod"),
    Language("Go Checksums", "", "go.sum go.work.sum"),
    Language("Go Workspace", "", "go.work"),
    Language("Checksums", ".crc32 .md2 .md4 .md5 .sha1 .sha2 .sha224 .sha256 .sha384 .sha512 .sha3",
             "MD5SUMS SHA1SUMS SHA256SUMS SHA256SUMS.txt SHA512SUMS CHECKSUMS checksums.txt"),
    Language("Pip Requirements", "", "requirements.txt requirements-dev.txt requirements-test.txt "
             "requirements_dev.txt requirements_test.txt dev-requirements.txt test-requirements.txt "
             "requirements.in constraints.txt"),
    Language("JSON with Comments", ".code-snippets .code-workspace .jsonc .sublime-build .sublime-commands "
             ".sublime-completions .sublime-keymap .sublime-macro .sublime-menu .sublime-mousemap "
             ".sublime-project .sublime-settings .sublime-theme .sublime-workspace .sublime_metrics "
             ".sublime_session",
             ".auto-changelog .c8rc .devcontainer.json .eslintrc.json .jscsrc .jshintrc .jslintrc .swcrc "
             "api-extractor.json devcontainer.json jsconfig.json language-configuration.json tsconfig.json "
             "tslint.json .eslintrc"),
    Language("CSV", ".csv"),
    Language("TSV", ".tsv .vcf"),
    Language("Ninja", ".ninja"),
    Language("QMake", ".pri"),
    Language("M4", ".m4"),
    Language("M4Sugar", "", "configure.ac configure.in"),
    Language("Linker Script", ".ld .lds .x", "linker.ld"),
    Language("Prisma", ".prisma"),
    Language("Mermaid", ".mermaid .mmd"),
    Language("PlantUML", ".iuml .plantuml .pu .puml"),
    Language("D2", ".d2"),
    Language("AsciiDoc", ".adoc .asc .asciidoc"),
    Language("Textile", ".textile"),
    Language("HCL", ".nomad .tfvars", ".terraform.lock.hcl"),
    Language("CUE", ".cue"),
    Language("V", ".vv"),
    Language("Metal", ".metal"),
    Language("ShaderLab", ""),
    Language("Dotenv", "", ".env .env.ci .env.dev .env.development .env.example .env.local .env.prod "
             ".env.production .env.sample .env.staging .env.test .env.testing"),
    Language("Just", ".just", "JUSTFILE Justfile justfile .justfile"),
    Language("Move", ".move"),
    Language("Cairo", ".cairo"),
    Language("Apex", ".apex .apxc .apxt"),
    Language("SMT", ".smt .smt2 .z3"),
    Language("Pkl", ".pkl"),
    Language("Nextflow", ".nf", "nextflow.config"),
    Language("WDL", ".wdl"),
    Language("Snakemake", ".smk .snakefile", "Snakefile"),
    Language("FreeBASIC", ".bi"),
    Language("PureBasic", ".pb .pbi"),
    Language("Ren'Py", ""),
    Language("Earthly", "", "Earthfile"),
    Language("Caddyfile", ".caddyfile", "Caddyfile"),
    Language("Mustache", ".mustache"),
    Language("EJS", ".ect .ejs .ejs.t .jst"),
    Language("Blade", ".blade .blade.php"),
    Language("Nunjucks", ".njk .nunj .nunjs"),
    Language("Avro IDL", ".avdl"),
    Language("FlatBuffers", ".fbs"),
    Language("Dafny", ".dfy"),
    Language("TLA", ".tla"),
    Language("Unison", ".u"),
    Language("PureScript", ".purs"),
    Language("ReScript", ".res .resi"),
    Language("OpenCL", ".opencl"),
    Language("PicoLisp", ""),
    Language("LFE", ".lfe"),
    Language("NetLogo", ".nlogo"),
    Language("Ballerina", ".bal"),
    Language("Bicep", ".bicep .bicepparam"),
    Language("Dhall", ".dhall"),
    Language("Nickel", ""),
    Language("KCL", ""),
    Language("MLIR", ".mlir"),
    Language("Rich Text Format", ".rtf"),
    Language("Pascal", ".dfm .lpr .pascal"),
    Language("Visual Basic 6.0", ".ctl .dsr"),
    Language("Visual Basic .NET", ".vbhtml"),
    Language("PLSQL", ".bdy .fnc .pck .pkb .pks .plb .pls .plsql .sql.pls .tpb .tps .trg .vw"),
    Language("PLpgSQL", ".pgsql .psql"),
    Language("Stylus", ".styl"),
    Language("RMarkdown", ".qmd .rmd"),
    Language("Godot Resource", ".gdnlib .gdns .tres .tscn", "project.godot"),
    Language("HTML+EEX", ".heex .html.eex"),
    Language("HTML+Razor", ".cshtml .razor"),
    Language("Classic ASP", ".asp"),
    Language("Go Template", ".gohtml .gotmpl .html.tmpl"),
    Language("JAR Manifest", "", "MANIFEST.MF"),
    Language("Xcode Config", ".xcconfig"),
    Language("OpenStep Property List", ".glyphs .pbxproj"),
    Language("Kivy", ".kv"),
    Language("Jest Snapshot", ".snap"),
    Language("Processing", ".pde"),
    Language("Microsoft Visual Studio Solution", ".sln"),
    Language("Git Config", "", ".gitconfig .gitmodules"),
    Language("Browserslist", "", ".browserslistrc browserslist"),
    Language("NPM Config", "", ".npmrc"),
    Language("Cabal Config", ".cabal", "cabal.config cabal.project"),
    Language("Gradle Kotlin DSL", ".gradle.kts"),
    Language("Maven POM", "", "pom.xml"),
    Language("Git Commit", "", "COMMIT_EDITMSG MERGE_MSG TAG_EDITMSG"),
    Language("Public Key", ".pub .gpg .crt .key", "id_rsa.pub id_ed25519.pub"),
    Language("SubRip Text", ".srt"),
    Language("WebVTT", ".vtt"),
    Language("Wavefront Object", ".obj"),
    Language("Wavefront Material", ".mtl"),
    Language("STL", ".stl"),
    Language("COLLADA", ".dae"),
    Language("KiCad Layout", ".kicad_mod .kicad_pcb .kicad_wks"),
    Language("KiCad Schematic", ".kicad_sch .schdoc"),
    Language("Unity3D Asset", ".anim .asset .controller .mat .meta .prefab .unity"),
    Language("Vim Help File", ".vimhelp"),
    Language("Vim Script", ".vba .vmb", ".exrc .gvimrc .nvimrc .vimrc _vimrc gvimrc nvimrc vimrc", "vim nvim"),
    Language("Ant Build System", "", "ant.xml build.xml"),
    Language("Hosts File", "", "hosts"),
    Language("robots.txt", "", "robots.txt"),
    Language("Redirect Rules", "", "_redirects"),
    Language("SSH Config", "", "ssh_config sshd_config .ssh/config"),
    Language("Readline Config", ".inputrc", ".inputrc inputrc"),
    Language("Wget Config", ".wgetrc", ".wgetrc"),
    Language("Option List", "", ".ackrc .rspec .yardopts ackrc mocha.opts"),
    Language("CODEOWNERS", "", "CODEOWNERS"),
    Language("Nushell", ".nu", "", "nu"),
    Language("Hack", ".hack .hhi"),
    Language("Vyper", ".vy"),
    Language("Clarity", ".clar"),
    Language("Sway", ".sw"),
    Language("Noir", ".nr"),
    Language("Roc", ".roc"),
    Language("Grain", ".gr"),
    Language("Jakt", ".jakt"),
    Language("Vala", ".vapi"),
    Language("Genie", ".gs"),
    Language("Elvish", ".elv", "", "elvish"),
    Language("Xonsh", ".xsh", "", "xonsh"),
    Language("Imba", ".imba"),
    Language("Riot", ".riot"),
    Language("Marko", ".marko"),
    Language("Glimmer JS", ".gjs"),
    Language("Glimmer TS", ".gts"),
    Language("Squirrel", ".nut"),
    Language("AngelScript", ".acs .angelscript"),
    Language("HolyC", ".hc"),
    Language("Slint", ".slint"),
    Language("Typst", ".typ"),
    Language("Cylc", ".cylc"),
    Language("CWL", ".cwl"),
    Language("Bluespec", ".bsv"),
    Language("SystemRDL", ".rdl"),
    Language("Filterscript", ".fs"),
    Language("HiveQL", ".hql"),
    Language("Cypher", ".cyp"),
    Language("Souffle", ".dl"),
    Language("Lex", ".lex .flex"),
    Language("Yacc", ".y .yacc .yy"),
    Language("Bison", ".bison"),
    Language("BitBake", ".bbappend .bbclass"),
    Language("Jsonnet", ".libsonnet"),
    Language("Earl Grey", ".eg"),
    Language("MiniYAML", ""),
    Language("Mercury", ""),
    Language("Turing", ""),
    Language("ECLiPSe", ""),
    Language("Pug", ".jade"),
)


def _is_plain(pattern: str) -> bool:
    return not any(ch in pattern for ch in "*?[")


@dataclass(frozen=True)
class Catalogue:
    """Lookup tables, every value a tuple of candidate names (most likely first)."""

    filenames: dict[str, tuple[str, ...]]
    extensions: dict[str, tuple[str, ...]]
    globs: tuple[tuple[re.Pattern[str], str], ...]
    interpreters: dict[str, str]
    aliases: dict[str, str]  # lower-case pygments alias or name -> language (for modelines)
    names: frozenset[str]
    pygments_names: dict[str, str]  # language -> the pygments lexer name it comes from

    def extension_candidates(self, basename: str) -> tuple[str, tuple[str, ...]]:
        """The longest matching extension (exact case first) and its candidates."""
        start = basename.find(".", 1 if basename.startswith(".") else 0)
        while start != -1:
            ext = basename[start:]
            found = self.extensions.get(ext) or self.extensions.get(ext.lower())
            if found:
                return ext, found
            start = basename.find(".", start + 1)
        return "", ()


def display_name(pygments_name: str) -> str:
    return RENAMES.get(pygments_name, pygments_name)


def _add(table: dict[str, list[str]], key: str, name: str) -> None:
    names = table.setdefault(key, [])
    if name not in names:
        names.append(name)


@cache
def catalogue() -> Catalogue:
    """Built once per process from pygments' mapping and :data:`SUPPLEMENT`."""
    filenames: dict[str, list[str]] = {}
    extensions: dict[str, list[str]] = {}
    globs: list[tuple[re.Pattern[str], str]] = []
    aliases: dict[str, str] = {}
    pygments_names: dict[str, str] = {}
    for _module, lexer_name, lexer_aliases, patterns, _mimetypes in LEXERS.values():
        name = display_name(lexer_name)
        pygments_names[name] = lexer_name
        for alias in (*lexer_aliases, lexer_name):
            aliases.setdefault(alias.lower(), name)
        for pattern in patterns:
            if _is_plain(pattern):
                _add(filenames, pattern, name)
                if pattern.startswith("."):  # ".SRCINFO" also names "c-intercal.SRCINFO"
                    _add(extensions, pattern, name)
            elif pattern.startswith("*.") and _is_plain(pattern[1:]):
                _add(extensions, pattern[1:], name)
            else:
                globs.append((re.compile(fnmatch.translate(pattern)), name))
    interpreters: dict[str, str] = {}
    for entry in SUPPLEMENT:
        aliases.setdefault(entry.name.lower(), entry.name)
        for ext in entry.ext.split():
            _add(extensions, ext, entry.name)
        for filename in entry.files.split():
            if not _is_plain(filename):
                globs.append((re.compile(fnmatch.translate(filename)), entry.name))
                continue
            # A supplement's exact file name wins over a pygments one (go.mod is no Modula-2).
            filenames[filename] = [entry.name, *(n for n in filenames.get(filename, ()) if n != entry.name)]
        for interpreter in entry.interp.split():
            interpreters[interpreter] = entry.name
    names = frozenset(pygments_names) | {entry.name for entry in SUPPLEMENT}
    return Catalogue(
        filenames={k: tuple(v) for k, v in filenames.items()},
        extensions={k: tuple(v) for k, v in extensions.items()},
        globs=tuple(globs),
        interpreters=interpreters,
        aliases=aliases,
        names=names,
        pygments_names=pygments_names,
    )
