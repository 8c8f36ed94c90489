"""Vietnamese text as an office handles it: NFC storage, tone-folding search, names sorted by
given name (the last word), then the middle names, then the family name, in Vietnamese letter order.
"""
from __future__ import annotations

import unicodedata

_TONE_MARKS = {"\u0300": 1, "\u0309": 2, "\u0303": 3, "\u0301": 4, "\u0323": 5}  # huyền hỏi ngã sắc nặng
_LETTER_MARKS = {"\u0306": 1, "\u0302": 2, "\u031b": 3}  # ă / â ê ô / ơ ư


def nfc(text: str) -> str:
    return unicodedata.normalize("NFC", text)


def fold(text: str) -> str:
    """Lower case without tones or letter marks, đ → d: what search and the primary sort compare."""
    decomposed = unicodedata.normalize("NFD", text.casefold().replace("đ", "d"))
    return "".join(c for c in decomposed if not unicodedata.combining(c))


def fine_key(word: str) -> tuple:
    """Vietnamese collation within equal folded text: a < ă < â, d < đ, o < ô < ơ; then the tones."""
    letters, tones = [], []
    for char in nfc(word.casefold()):
        base, marks = (char, "") if char == "đ" else (unicodedata.normalize("NFD", char)[0],
                                                      unicodedata.normalize("NFD", char)[1:])
        letter_rank = 9 if char == "đ" else max((_LETTER_MARKS.get(m, 0) for m in marks), default=0)
        letters.append((fold(base), letter_rank))
        tones.append(max((_TONE_MARKS.get(m, 0) for m in marks), default=0))
    return tuple(letters), tuple(tones)


def text_sort_key(text: str) -> tuple:
    """Vietnamese alphabetical order: a < ă < â, d < đ, e < ê, o < ô < ơ, u < ư are different
    letters; within a word the tone breaks ties. Compares word by word in reading order."""
    return _words_key(nfc(text).split(), text)


def person_sort_key(full_name: str) -> tuple:
    """Given name (the last word) first, then the middle names, then the family name."""
    words = nfc(full_name).split()
    ordered = [words[-1], *words[1:-1], words[0]] if len(words) > 1 else words
    return _words_key(ordered, full_name)


def _words_key(words: list[str], text: str) -> tuple:
    # Each word whole (letters, then its tone) before the next: Dung < Dũng < Dương < Đức.
    return tuple(fine_key(word) for word in words), nfc(text)
