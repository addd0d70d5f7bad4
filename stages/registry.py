"""The stages a config may name, by name. Adding a stage means adding it here."""

from __future__ import annotations

from stages.base import Stage, StageConfig
from stages.langid.stage import LangId
from stages.length import LengthFilter
from stages.normalize import Normalize
from stages.pii import Pii
from stages.quality.classifier import QualityClassifier
from stages.quality.stage import Quality
from stages.tokenize import Tokenize

STAGES: dict[str, type[Stage]] = {
    cls.name: cls
    for cls in (
        Normalize,
        LengthFilter,
        LangId,
        Quality,
        Pii,
        QualityClassifier,
        Tokenize,
    )
}


def stage_names() -> list[str]:
    return list(STAGES)


def stage_config_models() -> list[type[StageConfig]]:
    return [cls.Config for cls in STAGES.values()]

