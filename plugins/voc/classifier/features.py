"""The classifier's view of a text: normalisation, tokens and features.

This is the one Python definition of what the warehouse computes in the dbt macros of
``dbt_project/macros/classifier.sql``; a test scores the whole labelled corpus both ways and requires identical
results. Every step is an explicit table or pattern, so the result never depends on a database's collation or
locale:

1. Unicode NFC (a decomposed ``e`` + accent becomes ``é``);
2. one character table: ASCII and Latin-1 capitals to lowercase, accented Latin-1 letters to their base letter
   (customers often omit accents: ``pesimo`` and ``pésimo`` are one word), ``¿``/``¡`` to ``?``/``!``;
3. tokens: runs of ``a-z0-9``, each ``?`` or ``!``, and each emoji/pictograph (U+2600-U+27BF, U+1F300-U+1FAFF);
   everything else separates tokens;
4. features, as a set (presence, not counts): every token (``w:``), every pair of adjacent tokens (``b:``), and
   the character 4-grams of each word padded with ``<``/``>`` (``c:``), which let ``pésima`` share evidence with
   ``pésimo`` and a typo with the word it misspells.
"""

from __future__ import annotations

import re
import unicodedata

# Step 2, as the two strings the SQL `translate()` receives (same length, position by position).
FOLD_FROM = "ABCDEFGHIJKLMNOPQRSTUVWXYZÀÁÂÃÄÅÇÈÉÊËÌÍÎÏÑÒÓÔÕÖÙÚÛÜÝàáâãäåçèéêëìíîïñòóôõöùúûüýÿ¿¡"
FOLD_TO = "abcdefghijklmnopqrstuvwxyzaaaaaaceeeeiiiinooooouuuuyaaaaaaceeeeiiiinooooouuuuyy?!"
assert len(FOLD_FROM) == len(FOLD_TO)
_FOLD = str.maketrans(FOLD_FROM, FOLD_TO)

# Step 3, written so that Python's `re` and PostgreSQL's regular expressions read it the same way.
TOKEN_PATTERN = r"[a-z0-9]+|[?!]|[\u2600-\u27BF\U0001F300-\U0001FAFF]"
_TOKEN = re.compile(TOKEN_PATTERN)
_WORD = re.compile(r"[a-z0-9]+")

CHAR_NGRAM = 4


def normalise(text: str | None) -> str:
    """Steps 1 and 2: the text as the classifier reads it."""
    return unicodedata.normalize("NFC", text or "").translate(_FOLD)


def tokens(text: str | None) -> list[str]:
    """Step 3: the tokens of a text, in order."""
    return _TOKEN.findall(normalise(text))


def features(text: str | None) -> set[str]:
    """Step 4: the feature set of a text."""
    found = tokens(text)
    result = {f"w:{token}" for token in found}
    result.update(f"b:{first} {second}" for first, second in zip(found, found[1:], strict=False))
    for token in found:
        if _WORD.fullmatch(token):
            padded = f"<{token}>"
            result.update(f"c:{padded[i : i + CHAR_NGRAM]}" for i in range(len(padded) - CHAR_NGRAM + 1))
    return result
