"""The stages a config may name, by name. Adding a stage means adding it here."""

from __future__ import annotations

from stages.base import Barrier, Stage, StageConfig
from stages.code.filters import CodeFilter
from stages.code.language import CodeLanguage
from stages.code.license_filter import CodeLicense
from stages.code.secrets import CodeSecrets
from stages.dedup.stage import Dedup
from stages.langid.stage import LangId
from stages.length import LengthFilter
from stages.normalize import Normalize
from stages.pii import Pii
from stages.quality.classifier import QualityClassifier
from stages.quality.stage import Quality
from stages.tokenize import Tokenize
from stages.translate.stage import TranslateComments

STAGES: dict[str, type[Stage] | type[Barrier]] = {
    cls.name: cls
    for cls in (
        Normalize,
        LengthFilter,
        Dedup,
        LangId,
        Quality,
        Pii,
        QualityClassifier,
        Tokenize,
        CodeLanguage,
        CodeFilter,
        CodeLicense,
        CodeSecrets,
        TranslateComments,
    )
}


def stage_names() -> list[str]:
    return list(STAGES)


def stage_config_models() -> list[type[StageConfig]]:
    return [cls.Config for cls in STAGES.values()]

