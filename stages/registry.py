"""The stages a config may name, by name. Adding a stage means adding it here.

Each entry names where the stage's options live and where its implementation lives, as
strings, so that reading and checking a config imports the option modules alone (pydantic, no
pyarrow, fastText or pygments) and a run imports the implementations of the stages it names,
nothing more.
"""

from __future__ import annotations

from functools import cache
from importlib import import_module
from typing import TYPE_CHECKING

from polycorpus.stages.config import StageConfig

if TYPE_CHECKING:
    from polycorpus.stages.base import Barrier, Stage

_S = "polycorpus.stages"

#: name -> (options "module:Class", implementation "module:Class")
REGISTRY: dict[str, tuple[str, str]] = {
    "normalize": (f"{_S}.config:NormalizeConfig", f"{_S}.normalize:Normalize"),
    "length_filter": (f"{_S}.config:LengthFilterConfig", f"{_S}.length:LengthFilter"),
    "dedup": (f"{_S}.dedup.config:DedupConfig", f"{_S}.dedup.stage:Dedup"),
    "langid": (f"{_S}.langid.config:LangIdConfig", f"{_S}.langid.stage:LangId"),
    "quality": (f"{_S}.quality.config:QualityConfig", f"{_S}.quality.stage:Quality"),
    "pii": (f"{_S}.config:PiiConfig", f"{_S}.pii:Pii"),
    "quality_classifier": (f"{_S}.quality.config:QualityClassifierConfig", f"{_S}.quality.classifier:QualityClassifier"),
    "tokenize": (f"{_S}.config:TokenizeConfig", f"{_S}.tokenize:Tokenize"),
    "code_language": (f"{_S}.code.config:CodeLanguageConfig", f"{_S}.code.language:CodeLanguage"),
    "code_filter": (f"{_S}.code.config:CodeFilterConfig", f"{_S}.code.filters:CodeFilter"),
    "code_license": (f"{_S}.code.config:CodeLicenseConfig", f"{_S}.code.license_filter:CodeLicense"),
    "code_secrets": (f"{_S}.code.config:CodeSecretsConfig", f"{_S}.code.secrets:CodeSecrets"),
    "translate_comments": (f"{_S}.translate.config:TranslateConfig", f"{_S}.translate.stage:TranslateComments"),
}


def _load(target: str) -> type:
    module, name = target.split(":")
    return getattr(import_module(module), name)


def stage_names() -> list[str]:
    return list(REGISTRY)


@cache
def config_model(name: str) -> type[StageConfig]:
    """The options model of stage ``name`` (imports its option module only)."""
    return _load(REGISTRY[name][0])


@cache
def stage_class(name: str) -> type[Stage] | type[Barrier]:
    """The implementation of stage ``name`` (imports it and the libraries it runs on)."""
    return _load(REGISTRY[name][1])


def stage_config_models() -> list[type[StageConfig]]:
    return [config_model(name) for name in REGISTRY]
