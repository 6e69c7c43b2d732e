"""Is this message a complaint? (a pure reading of its tone)

Why: an angry customer whose server went down ("your garbage cloud killed my shop
AGAIN!!!") should hear that someone is sorry and what happens next, before the
first question of a check. Read from the words and the shouting, English and Chinese.
"""
from __future__ import annotations

import re

_ANGRY_WORDS = re.compile(
    r"\b(?:garbage|trash|rubbish|useless|terrible|horrible|awful|worst|unacceptable|ridiculous|"
    r"pathetic|disgrace(?:ful)?|joke|scam|furious|angry|fed up|sick of|again\?*!|wtf|damn|hell|"
    r"crap(?:py)?|sucks?|incompetent|lost (?:sales|money|customers|orders))\b|"
    r"垃圾|太差|坑|气死|什么破|烂|投诉|受够|又挂|无语",
    re.I,
)
_SHOUT = re.compile(r"\b[A-Z]{4,}\b")


def is_complaint(text: object) -> bool:
    """True for an angry or complaining message: strong words, "!!", or SHOUTING."""
    if not isinstance(text, str) or not text.strip():
        return False
    if _ANGRY_WORDS.search(text) or "!!" in text or "！！" in text:
        return True
    return len(_SHOUT.findall(text)) >= 2
