"""The prompt word rule shared with the engine (models/FORMAT.md, "Tokenizer"): a word is a maximal run of
characters whose Unicode general category is a letter (L*), a combining mark (M*) or a number (N*); everything
else separates words. The engine's splitWords (src/main/engine/text/wordTokenizer.ts) is the same rule, and the
model-tools suite checks that the two agree.

No regular expression on purpose: Python's re has no \\p{L}, and its \\w also admits "_".
"""
import unicodedata

WORD_CATEGORIES = ("L", "M", "N")


def is_word_char(ch):
    return unicodedata.category(ch)[0] in WORD_CATEGORIES


def split_words(text):
    words, start = [], None
    for i, ch in enumerate(text):
        if is_word_char(ch):
            if start is None:
                start = i
        elif start is not None:
            words.append(text[start:i])
            start = None
    if start is not None:
        words.append(text[start:])
    return words


def prompt_words(text):
    """The words the tokenizer looks up: lower-cased (Unicode default case mapping), then split."""
    return split_words(text.lower())
