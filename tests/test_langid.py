"""The langid stage with the real bundled lid.176.ftz: labels, thresholds, keep-list, top-k,
Chinese script, paragraph shares and mixed pages, bad input, and the promised accuracy."""

from __future__ import annotations

import shutil
from pathlib import Path

import pyarrow as pa
import pytest

from polycorpus.stages.langid.config import LangIdConfig
from polycorpus.stages.langid.evaluation import evaluate
from polycorpus.stages.langid.model import DEFAULT_MODEL
from polycorpus.stages.langid.stage import TOP_TYPE, LangId
from polycorpus.stages.langid.thresholds import threshold_for

SENTENCES = {
    "en": "The city council approved the new bike lanes on Mill Street after a long debate about parking.",
    "de": "Der Stadtrat hat die neuen Radwege in der Mühlenstraße nach langer Debatte genehmigt.",
    "fr": "Le conseil municipal a approuvé les nouvelles pistes cyclables après un long débat.",
    "ru": "Городской совет одобрил новые велосипедные дорожки после долгих споров о парковке.",
    "zh-Hans": "市议会在经过关于停车问题的长时间辩论后，批准了磨坊街的新自行车道。",
    "zh-Hant": "市議會在經過關於停車問題的長時間辯論後，批准了磨坊街的新自行車道。",
    "ja": "市議会は駐車場についての長い議論の末、新しい自転車レーンを承認しました。",
    "th": "สภาเมืองอนุมัติเลนจักรยานใหม่บนถนนมิลล์หลังจากการถกเถียงเรื่องที่จอดรถเป็นเวลานาน",
    "ko": "시의회는 주차 문제에 대한 오랜 논쟁 끝에 새로운 자전거 도로를 승인했습니다.",
}


def batch(texts: list[str]) -> pa.Table:
    n = len(texts)
    return pa.table({"id": [f"doc-{i}" for i in range(n)], "text": texts, "source": ["t"] * n,
                     "lang": pa.nulls(n, pa.string()), "lang_score": pa.nulls(n, pa.float32())})


def make(**options: object) -> LangId:
    stage = LangId(LangIdConfig(**options))
    stage.setup()
    return stage


@pytest.fixture(scope="module")
def default() -> LangId:
    return make()


def test_labels_languages_and_chinese_scripts(default: LangId) -> None:
    result = default.process(batch(list(SENTENCES.values())))
    assert result.table.column("lang").to_pylist() == list(SENTENCES)
    assert result.drop_reasons.null_count == len(SENTENCES)
    assert all(0.5 < s <= 1.0 for s in result.table.column("lang_score").to_pylist())


def test_top_k_column_is_typed_and_ordered(default: LangId) -> None:
    table = make(top_k=5).process(batch([SENTENCES["en"], ""])).table
    assert table.schema.field("lang_top").type == TOP_TYPE
    top, empty = table.column("lang_top").to_pylist()
    assert len(top) == 5 and top[0]["lang"] == "en" and empty == []
    scores = [entry["score"] for entry in top]
    assert scores == sorted(scores, reverse=True)


def test_keep_list_thresholds_and_annotate_mode() -> None:
    texts = [SENTENCES["en"], SENTENCES["de"], SENTENCES["zh-Hant"], "ok"]
    filtered = make(keep=["en", "zh"]).process(batch(texts))
    # "ok" is English by a low score: below English's 0.65 default threshold.
    assert filtered.drop_reasons.to_pylist() == [None, "not_kept", None, "low_score"]
    strict = make(thresholds={"en": 0.99}).process(batch(texts))
    assert strict.drop_reasons.to_pylist()[0] == "low_score"
    annotated = make(keep=["en"], mode="annotate").process(batch(texts))
    assert annotated.drop_reasons is None
    assert annotated.table.column("lang").to_pylist()[:3] == ["en", "de", "zh-Hant"]


def test_threshold_lookup_order() -> None:
    assert threshold_for("gl", {}, 0.5) == 0.3  # built-in: a language with close relatives
    assert threshold_for("fi", {}, 0.5) == 0.5  # the default
    assert threshold_for("zh-Hant", {"zh": 0.8}, 0.5) == 0.8  # base language
    assert threshold_for("gl", {"gl": 0.6}, 0.5) == 0.6  # the user's first


def test_text_is_normalised_before_prediction(default: LangId) -> None:
    noisy = ("Contact: jane.doe@example.com https://example.com/a/b?c=1 0123456789 \n"
             "Der Stadtrat hat die neuen Radwege genehmigt.\nMehr Informationen folgen morgen.")
    assert default.process(batch([noisy])).table.column("lang").to_pylist() == ["de"]


def test_kanji_only_text_is_not_japanese(default: LangId) -> None:
    # Short all-Han text that lid.176 calls Japanese: without kana it is Chinese.
    table = default.process(batch(["東京都庁舎", "東京都庁舎の展望室は無料です。"])).table
    assert table.column("lang").to_pylist()[1] == "ja"
    assert table.column("lang").to_pylist()[0].startswith("zh")


def test_bad_input_is_labelled_or_dropped_never_crashes(default: LangId) -> None:
    huge = "Das ist ein sehr langer Satz ohne Zeilenumbruch. " * 1_000_000  # 50 MB, one line
    texts = ["", "   \n\t ", "123 456 7890 !!! ... ---", "😀🎉👍🏽", "lone \ufffd surrogate \ufffd", huge]
    result = default.process(batch(texts))
    reasons = result.drop_reasons.to_pylist()
    assert reasons[:4] == ["no_text"] * 4
    assert result.table.column("lang").to_pylist()[:4] == [None] * 4
    assert result.table.column("lang").to_pylist()[4:] == ["en", "de"]
    assert reasons[5] is None


def test_another_model_file_with_a_label_map(tmp_path: Path) -> None:
    model = tmp_path / "my-lid.ftz"
    shutil.copy(DEFAULT_MODEL, model)
    stage = make(model_path=str(model), label_map={"en": "eng_Latn"}, keep=["eng_Latn"])
    result = stage.process(batch([SENTENCES["en"], SENTENCES["fr"]]))
    assert result.table.column("lang").to_pylist() == ["eng_Latn", "fr"]
    assert result.drop_reasons.to_pylist() == [None, "not_kept"]
    with pytest.raises(FileNotFoundError):
        make(model_path=str(tmp_path / "absent.bin"))


MIXED = "\n".join([
    "Riverton news",
    SENTENCES["en"], "The work starts in spring and should be finished before the summer holidays.",
    SENTENCES["zh-Hans"], "这项计划将在明年春天开始实施，预计在暑假前完成全部工程。",
    "Menu",
])


def test_paragraph_shares_and_mixed_pages() -> None:
    pages = [MIXED, "\n".join([SENTENCES["en"]] * 3), ""]
    keep = make(granularity="paragraph")
    result = keep.process(batch(pages))
    shares = result.table.column("lang_shares").to_pylist()
    assert {s["lang"] for s in shares[0]} == {"en", "zh-Hans"}
    assert abs(sum(s["share"] for s in shares[0]) - 1) < 1e-6
    assert shares[1] == [{"lang": "en", "share": 1.0}] and shares[2] == []
    assert result.counters == {"mixed_pages": 1} and result.drop_reasons.to_pylist() == [None, None, "no_text"]

    # A page of only short lines keeps the prediction on the whole page.
    short = keep.process(batch(["Guten Tag\nDanke schön", SENTENCES["de"]])).table
    assert short.column("lang").to_pylist() == ["de", "de"]
    assert short.column("lang_score").to_pylist()[0] == make().process(batch(["Guten Tag\nDanke schön"])).table.column("lang_score").to_pylist()[0]

    dropped = make(granularity="paragraph", paragraphs={"mixed": "drop"}).process(batch(pages))
    assert dropped.drop_reasons.to_pylist() == ["mixed_language", None, "no_text"]


def test_split_mixed_page_into_one_document_per_language() -> None:
    stage = make(granularity="paragraph", paragraphs={"mixed": "split"}, keep=["en", "zh"])
    result = stage.process(batch([MIXED, SENTENCES["de"]]))
    assert result.split and result.counters == {"mixed_pages": 1, "split_parts": 2}
    table = result.table
    assert table.column("lang").to_pylist() == ["en", "zh-Hans", "de"]
    assert result.drop_reasons.to_pylist() == [None, None, "not_kept"]
    english, chinese, _ = table.column("text").to_pylist()
    # Short paragraphs go with their neighbours: the heading with English, "Menu" with Chinese.
    assert english.startswith("Riverton news\n") and "这项计划" not in english
    assert chinese.endswith("\nMenu") and SENTENCES["en"] not in chinese
    ids = table.column("id").to_pylist()
    assert len(set(ids)) == 3 and ids[2] == "doc-1"
    again = stage.process(batch([MIXED, SENTENCES["de"]])).table
    assert again.column("id").to_pylist() == ids  # stable ids


@pytest.mark.integration
def test_accuracy_on_the_labelled_sentences(shared_dir: Path) -> None:
    accuracy = evaluate(make(mode="annotate"), shared_dir / "corpus" / "text")
    assert accuracy.sentences.macro_f1 >= 0.975, accuracy.sentences.table()
    assert accuracy.documents.macro_f1 >= 0.99, accuracy.documents.table()
    assert accuracy.chinese_script >= 0.99
