"""The quality stage: each rule family on real-looking pages, per-language overrides,
script-aware counting, signals kept apart from decisions, and bad input."""

from __future__ import annotations

import random
from collections import Counter
from pathlib import Path

import pyarrow as pa
import pytest
from pydantic import ValidationError

from polycorpus.stages.quality.batch import TextBatch
from polycorpus.stages.quality.c4 import sentence_counts
from polycorpus.stages.quality.config import QualityConfig
from polycorpus.stages.quality.stage import SIGNALS_COLUMN, SIGNALS_TYPE, Quality
from polycorpus.stages.quality.tokens import words_of

ARTICLE = (
    "The city council approved the new bike lanes on Mill Street on Tuesday evening. The vote "
    "followed a long debate about parking, deliveries and the safety of children who cycle to "
    "the school at the end of the street.\n\n"
    "Work on the lanes will start in the spring. The council expects the project to be finished "
    "before the summer holidays, and the shops on the street have been promised that deliveries "
    "will be possible throughout the works.\n\n"
    "Residents who want to comment on the plans can do so at the library until the end of the "
    "month. A second meeting with the shop owners is planned for March, when the final timetable "
    "will be presented to the public."
)
CHINESE_ARTICLE = (
    "秋冬时节，天气渐渐转凉，很多人喜欢在家里泡一壶热茶。红茶性温，适合在寒冷的季节饮用，"
    "而绿茶清香，更适合在春天品尝。泡茶的时候，水温和时间都很重要，水太热会让茶叶变苦。\n\n"
    "我的爷爷每天早上都会泡一壶乌龙茶，他说这是他保持健康的秘诀。他总是先用热水温杯，"
    "再放入茶叶，等待三分钟后慢慢品尝。这种习惯已经坚持了五十多年。\n\n"
    "如今，越来越多的年轻人也开始重视喝茶的文化。他们在城市里开设小小的茶馆，"
    "把传统的饮茶方式介绍给更多的朋友。"
)
SPAM = (
    "金龙国际娱乐城，亚洲最具信誉的线上娱乐平台！注册即送88元彩金，首存再送100%，最高返水3.0%！\n\n"
    "百家乐 龙虎斗 21点 轮盘 老虎机 捕鱼 彩票 体育投注 真人视讯 电子游戏。\n\n"
    "日赚千元不是梦！稳赚不赔！提款秒到账！24小时在线客服。\n\n"
    "热门搜索：金龙娱乐城开户 金龙娱乐城注册 金龙娱乐城网址 金龙娱乐城登录 金龙娱乐城平台。"
)
DEALS = "\n\n".join(["Free shipping on all orders over fifty dollars today only!",
                     "Limited time offer, click here to save big on everything in the shop!",
                     "Hot deal: wireless earbuds for only ten dollars each, while stocks last!"] * 9)


def run(texts: list[str], langs: list[str | None], **options: object):
    stage = Quality(QualityConfig(**options))
    stage.setup()
    return stage.process(pa.table({"text": texts, "lang": pa.array(langs, pa.string())}))


def test_good_pages_pass_and_bad_pages_fail_with_their_own_rule() -> None:
    result = run([ARTICLE, CHINESE_ARTICLE, DEALS, SPAM], ["en", "zh-Hans", "en", "zh-Hans"],
                 c4={"min_sentences": 3})
    reasons = result.drop_reasons.to_pylist()
    assert reasons[:2] == [None, None]
    assert reasons[2] == "gopher_repetition.max_dup_line_ratio"
    assert reasons[3].startswith(("gopher_repetition.", "chinese."))


def test_chinese_web_rules() -> None:
    # Only the Chinese family, to see each of its rules on its own.
    off = {"enabled": False}
    only = {"gopher_quality": off, "gopher_repetition": off, "c4": off, "fineweb": off}
    mostly_latin = "登录 Login | Home | About | Contact | Privacy | Terms | 2024 © example.cn All rights reserved"
    result = run([CHINESE_ARTICLE, SPAM, mostly_latin, CHINESE_ARTICLE, ARTICLE],
                 ["zh-Hans", "zh-Hans", "zh-Hans", "zh-Hant", "en"],
                 chinese={"sensitive_words": ["乌龙茶"]}, **only)
    assert result.drop_reasons.to_pylist() == [
        "chinese.max_sensitive_words", "chinese.max_spam_ratio", "chinese.min_cjk_ratio",
        "chinese.max_sensitive_words", None]
    signals = result.table.column(SIGNALS_COLUMN).to_pylist()
    assert signals[1]["chinese"]["spam_ratio"] > 0.2 and signals[0]["chinese"]["spam_ratio"] == 0
    assert signals[4]["chinese"] == {"cjk_ratio": None, "spam_ratio": None, "sensitive_words": None}


def test_sensitive_words_from_a_file(tmp_path: Path) -> None:
    words = tmp_path / "words.txt"
    words.write_text("# one word a line\n爷爷\n", encoding="utf-8")
    result = run([CHINESE_ARTICLE], ["zh-Hans"], chinese={"sensitive_words_files": [str(words)]})
    assert result.drop_reasons.to_pylist() == ["chinese.max_sensitive_words"]
    assert result.table.column(SIGNALS_COLUMN)[0].as_py()["chinese"]["sensitive_words"] == 1


def test_per_language_overrides_apply_only_to_their_language() -> None:
    overrides = {"en": {"gopher_quality": {"min_doc_words": 1000}}}
    result = run([ARTICLE, ARTICLE], ["en", "de"], languages=overrides, c4={"min_sentences": 3},
                 gopher_quality={"min_stop_words": None})
    assert result.drop_reasons.to_pylist() == ["gopher_quality.min_doc_words", None]
    with pytest.raises(ValidationError, match="unknown rule family"):
        QualityConfig(languages={"en": {"gopher": {"min_doc_words": 1}}})
    with pytest.raises(ValidationError, match="languages.en.c4"):
        QualityConfig(languages={"en": {"c4": {"min_sentence": 1}}})


def test_cjk_and_thai_counting() -> None:
    chinese, thai = words_of(["秋冬时节，天气渐渐转凉。Tea time!", "ตลาดน้ำเป็นที่นิยม"])
    assert chinese == ["秋", "冬", "时", "节", "，", "天", "气", "渐", "渐", "转", "凉", "。", "Tea", "time", "!"]
    assert thai[4:6] == ["น้", "ำ"] and "".join(thai) == "ตลาดน้ำเป็นที่นิยม"  # marks stay on their letter
    lines = TextBatch(["今天下雨了。我们不出去！Hello there. Bye", "यह एक वाक्य है। यह दूसरा है।",
                       "ตลาดน้ำเป็นที่นิยม นักท่องเที่ยวมากมาย", "  \"Yes.\" No!  "])
    assert sentence_counts(lines, lines.stripped(lines.splitlines)).tolist() == [4, 2, 2, 2]
    # Built-in overrides: character "words" have no English word length.
    result = run([CHINESE_ARTICLE], ["zh-Hans"], c4={"min_sentences": 3})
    assert result.drop_reasons.to_pylist() == [None]


def test_c4_removes_lines_in_filter_mode_only() -> None:
    page = ARTICLE + "\n\nShare this article\nThis site uses cookies to improve your experience."
    filtered = run([page], ["en"], c4={"min_sentences": 3})
    assert filtered.drop_reasons.to_pylist() == [None]
    text = filtered.table.column("text")[0].as_py()
    assert "Share this article" not in text and "cookies" not in text and "Mill Street" in text
    assert filtered.counters == {"c4.documents_with_lines_removed": 1}
    annotated = run([page], ["en"], c4={"min_sentences": 3}, mode="annotate")
    assert annotated.table.column("text")[0].as_py() == page
    assert annotated.table.column(SIGNALS_COLUMN)[0].as_py()["c4"]["removed_lines_ratio"] > 0


def test_annotate_then_reapply_thresholds_without_measuring() -> None:
    annotated = run([ARTICLE, DEALS], ["en", "en"], mode="annotate")
    assert annotated.drop_reasons is None
    assert annotated.table.schema.field(SIGNALS_COLUMN).type == SIGNALS_TYPE
    assert annotated.counters["flagged.gopher_repetition.max_dup_line_ratio"] == 1
    stored = annotated.table.set_column(0, "text", pa.array(["", ""]))  # signals only: text is not read
    stage = Quality(QualityConfig(gopher_repetition={"max_dup_line_ratio": 0.95}, c4={"min_sentences": 3}))
    stage.setup()
    result = stage.process(stored)
    assert result.drop_reasons.to_pylist() == [None, "gopher_repetition.max_dup_para_ratio"]
    assert result.table.column(SIGNALS_COLUMN).equals(annotated.table.column(SIGNALS_COLUMN))


def test_bad_input_is_dropped_with_a_reason() -> None:
    huge = "word " * 10_000_000  # 50 MB, one line
    texts = ["", "  \n\t ", "123 456 !!! ...", "😀🎉👍🏽", "lone \ufffd surrogate", huge]
    result = run(texts, [None, "en", None, None, "en", "en"])
    reasons = result.drop_reasons.to_pylist()
    assert reasons[:5] == ["gopher_quality.min_doc_words"] * 5
    assert reasons[5] == "too_long"
    assert result.table.column(SIGNALS_COLUMN)[5].as_py()["gopher_quality"]["words"] is None


def test_words_are_cut_where_spacy_cuts() -> None:
    """The word boundaries of datatrove's English tokenizer (spaCy), which FineWeb's decisions rest on."""
    texts = ["well-known 5-year 2007-08 MPEG-4 -something a--b",
             "U.S. Mr. e.g. W. Bush etc. ABC.",
             "don't it's James' 'hello' \"quoted,\" (parens). end... wait!!!",
             "10,000 3.5 $10 10% 11:59:13am https://example.com/a-b?x=1 www.foo.org",
             "read_config(path) a,b x=y #hash"]
    assert words_of(texts) == [
        ["well", "-", "known", "5", "-", "year", "2007", "-", "08", "MPEG-4", "-something", "a", "--", "b"],
        ["U.S.", "Mr.", "e.g.", "W.", "Bush", "etc", ".", "ABC", "."],
        ["do", "n't", "it", "'s", "James", "'", "'", "hello", "'", '"', "quoted", ",", '"', "(", "parens", ")", ".",
         "end", "...", "wait", "!", "!", "!"],
        ["10,000", "3.5", "$", "10", "10", "%", "11:59:13am", "https://example.com/a-b?x=1", "www.foo.org"],
        ["read_config(path", ")", "a", ",", "b", "x", "=", "y", "#", "hash"],
    ]
    assert words_of(["", "   ", "..."]) == [[], [], ["..."]]


def _top_chars(words: list[str], n: int) -> int:
    """datatrove's top n-gram: characters of the most frequent one (joined by spaces) x count."""
    grams = [" ".join(words[i:i + n]) for i in range(len(words) - n + 1)]
    if not grams:
        return 0
    gram, count = Counter(grams).most_common(1)[0]
    return len(gram) * count


def _duplicate_chars(words: list[str], n: int) -> int:
    """The scan: an n-gram with an earlier copy counts its characters and the scan jumps n words."""
    grams = [tuple(words[i:i + n]) for i in range(len(words) - n + 1)]
    first = {}
    for i, gram in enumerate(grams):
        first.setdefault(gram, i)
    total, i = 0, 0
    while i < len(grams):
        if first[grams[i]] < i:
            total += sum(map(len, grams[i]))
            i += n
        else:
            i += 1
    return total


def test_ngram_measures_match_a_plain_loop() -> None:
    rng = random.Random(7)
    vocabulary = ["alpha", "beta", "gamma", "delta", "epsilon", "zeta", "eta", "theta", ","]
    texts = []
    for _ in range(60):
        phrase = [rng.choice(vocabulary) for _ in range(rng.randint(3, 12))]
        words = []
        while len(words) < rng.randint(0, 120):
            words += phrase if rng.random() < 0.3 else [rng.choice(vocabulary)]
        texts.append(" ".join(words))
    batch = TextBatch(texts)
    measured = batch.ngrams((2, 3, 4), (5, 6, 7, 8, 9, 10))
    for d, words in enumerate(words_of(texts)):
        for n in (2, 3, 4):
            assert measured[n][d] == _top_chars(words, n), (d, n)
        for n in range(5, 11):
            assert measured[n][d] == _duplicate_chars(words, n), (d, n)
