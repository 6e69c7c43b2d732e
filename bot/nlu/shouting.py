"""Messages typed in capitals, read as if typed normally.

Why: "MY SHOP HAS BEEN DOWN SINCE 8AM. I WANT A HUMAN. NOW." is an angry customer, not a
new vocabulary; the classifier, the entity extractors and Duckling learned lower case and
read shouting as unknown words. Words with digits (order IDs, "8AM") and product
acronyms keep their form. Pure: text in, text out.
"""
from __future__ import annotations

import re

#: acronyms that name products, rules or zones: kept in capitals
ACRONYMS = frozenset({"ECS", "EVS", "OBS", "RDS", "CDN", "ELB", "VPC", "GPU", "ICP", "VIP", "SLA", "UTC", "CST",
                      "GMT", "DDOS", "DNS", "SSL", "API", "IP", "ID", "USD", "CNY", "RMB", "MIIT"})
#: a shout: mostly capitals over enough letters to be sure
MIN_LETTERS = 12
CAPITAL_SHARE = 0.8
_WORD_RE = re.compile(r"[A-Za-z][A-Za-z'’]*")


def shouted(text: str) -> bool:
    letters = [c for c in text if c.isascii() and c.isalpha()]
    return len(letters) >= MIN_LETTERS and sum(c.isupper() for c in letters) >= CAPITAL_SHARE * len(letters)


def calmed(text: str) -> str:
    """`text` with its shouted words in lower case (the same length, offsets unchanged)."""
    if not shouted(text):
        return text

    def lower(match: "re.Match[str]") -> str:
        word = match.group(0)
        end = match.end()
        if word.upper() in ACRONYMS or (end < len(text) and text[end].isdigit()):
            return word
        return word.lower()

    return _WORD_RE.sub(lower, text)
