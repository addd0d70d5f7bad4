"""The character sets the quality rules share: scripts without spaces, combining marks,
sentence ends.

The published rule sets (Gopher, C4, FineWeb) count whitespace-separated words. Chinese,
Japanese and Thai are written without spaces, so a whitespace "word" there is a whole
clause. Here every character of those scripts is a word of its own (a Chinese word is 1-2
characters, and character n-grams are what CJK deduplication uses too), while runs of other
scripts inside the same text stay words. One tokenisation serves every language and mixed
pages alike; the per-language thresholds then say what a "word" is worth.

Sentences end at Western or CJK terminal punctuation; Thai marks sentence ends with a space,
so in Thai text a whitespace run ends a sentence as well.
"""

from __future__ import annotations

import re

#: Scripts written without spaces between words: Han (with extensions), kana, Thai, Lao,
#: Myanmar, Khmer. Explicit ranges keep this on the standard ``re`` engine, which is 2-3x
#: faster here than ``regex`` with Unicode script properties.
THAI_LIKE_RANGES = "\u0e00-\u0eff\u1000-\u109f\u1780-\u17ff"
UNSPACED = ("\u3040-\u30ff\u31f0-\u31ff\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff"
            "\U00020000-\U0003134f" + THAI_LIKE_RANGES)
#: Combining vowel, tone and voicing marks, which stay on the character before them.
MARKS = ("\u0e31\u0e34-\u0e3a\u0e47-\u0e4e\u0eb1\u0eb4-\u0ebc\u0ec8-\u0ecd\u102b-\u103e"
         "\u1056-\u1059\u105e-\u1060\u1062-\u1064\u1067-\u106d\u1071-\u1074\u1082-\u108d"
         "\u108f\u109a-\u109d\u17b4-\u17d3\u17dd\u3099\u309a")
#: CJK punctuation and full-width forms stand alone too, as the characters around them.
SINGLE = UNSPACED + "\u3000-\u303f\uff00-\uffef"
WORD = re.compile(f"[{SINGLE}][{MARKS}]*|[^\\s{SINGLE}]+")
#: Sentence ends: Western, CJK, Devanagari (danda), Arabic, Armenian, Ethiopic, Myanmar.
SENTENCE_ENDS = ".!?。！？…‼⁇⁈⁉।॥؟۔։።။"
#: Closing quotes and brackets that may follow a sentence end.
CLOSERS = "\"'”’」』)）"
#: Line endings that count as the end of a sentence for C4 (its ``. ? ! " '`` and the
#: sentence ends of other scripts, with closing quotes and brackets).
TERMINAL_PUNCTUATION = tuple(SENTENCE_ENDS + "\"'”’“»」』)）")
#: FineWeb's line punctuation: the characters with Unicode's Sentence_Terminal property
#: (Unicode 16), plus three Khmer signs older versions had; no quotes or brackets.
SENTENCE_TERMINALS = (
    "!.?\u0589\u061d\u061e\u061f\u06d4\u0700\u0701\u0702\u07f9\u0837\u0839\u083d\u083e\u0964"
    "\u0965\u104a\u104b\u1362\u1367\u1368\u166e\u1735\u1736\u17d4\u17d5\u17d6\u17d9\u17da"
    "\u1803\u1809\u1944\u1945\u1aa8\u1aa9\u1aaa\u1aab\u1b4e\u1b4f\u1b5a\u1b5b\u1b5e\u1b5f"
    "\u1b7d\u1b7e\u1b7f\u1c3b\u1c3c\u1c7e\u1c7f\u2024\u203c\u203d\u2047\u2048\u2049\u2cf9"
    "\u2cfa\u2cfb\u2e2e\u2e3c\u2e53\u2e54\u2e60\u2e61\u3002\ua4ff\ua60e\ua60f\ua6f3\ua6f7"
    "\ua876\ua877\ua8ce\ua8cf\ua92f\ua9c8\ua9c9\uaa5d\uaa5e\uaa5f\uaaf0\uaaf1\uabeb\ufe12"
    "\ufe15\ufe16\ufe52\ufe56\ufe57\uff01\uff0e\uff1f\uff61\U00010a56\U00010a57\U00010f55"
    "\U00010f56\U00010f57\U00010f58\U00010f59\U00010f86\U00010f87\U00010f88\U00010f89"
    "\U00011047\U00011048\U000110be\U000110bf\U000110c0\U000110c1\U00011141\U00011142"
    "\U00011143\U000111c5\U000111c6\U000111cd\U000111de\U000111df\U00011238\U00011239"
    "\U0001123b\U0001123c\U000112a9\U000113d4\U000113d5\U0001144b\U0001144c\U000115c2"
    "\U000115c3\U000115c9\U000115ca\U000115cb\U000115cc\U000115cd\U000115ce\U000115cf"
    "\U000115d0\U000115d1\U000115d2\U000115d3\U000115d4\U000115d5\U000115d6\U000115d7"
    "\U00011641\U00011642\U0001173c\U0001173d\U0001173e\U00011944\U00011946\U00011a42"
    "\U00011a43\U00011a9b\U00011a9c\U00011c41\U00011c42\U00011ef7\U00011ef8\U00011f43"
    "\U00011f44\U00016a6e\U00016a6f\U00016af5\U00016b37\U00016b38\U00016b44\U00016d6e"
    "\U00016d6f\U00016e98\U0001bc9f\U0001da88")

