"""The stages a config may name, by name. Adding a stage means adding it here."""

from __future__ import annotations

from polycorpus.stages.base import Barrier, Stage, StageConfig
from polycorpus.stages.code.filters import CodeFilter
from polycorpus.stages.code.language import CodeLanguage
from polycorpus.stages.code.license_filter import CodeLicense
from polycorpus.stages.code.secrets import CodeSecrets
from polycorpus.stages.dedup.stage import Dedup
from polycorpus.stages.langid.stage import LangId
from polycorpus.stages.length import LengthFilter
from polycorpus.stages.normalize import Normalize
from polycorpus.stages.pii import Pii
from polycorpus.stages.quality.classifier import QualityClassifier
from polycorpus.stages.quality.stage import Quality
from polycorpus.stages.tokenize import Tokenize
from polycorpus.stages.translate.stage import TranslateComments

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

