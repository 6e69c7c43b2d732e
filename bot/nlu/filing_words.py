"""Words that say yes or no to filing a claim, in one place.

Why: a yes at "Shall I submit?" files a claim, which cannot be undone, so the intent
cues (bot/nlu/cues.py) and the checks' reading of the answer (actions/stated_facts.py)
must agree on which words file and which hold back. Patterns are for simplified
Chinese (callers simplify first). Pure: patterns only.
"""
from __future__ import annotations

import re

#: filing asked for outright ("go ahead and submit", "file the claim", "确认送出"): these say
#: yes to filing whatever the classifier made of the rest of the message
FILE_IT = (r"\b(?:go ahead|submit (?:it|now|please)|please submit|file it|ship it|"
           r"confirm(?!\s+(?:the|that|this|whether|if|what|how|with|my|your|it is))|confirmed(?=\s*[.!]*\s*$)|"
           r"(?:please )?(?:file|submit|put in|send) (?:the|my|our|this|that) (?:compensation |refund )?"
           r"(?:application|claim|request))\b|"
           r"帮我\s*(?:file|submit)\b|确认(?:提交|送出|申请)|确认(?!一下|下|清楚|过)|提交吧|请?送出吧?|请?帮我提交|可以提交|请提交(?![^。！!]*[?？吗嗎])")
FILE_IT_RE = re.compile(FILE_IT, re.I)

#: a yes to "Shall I submit?" in any words: plain yeses and filing asked for
YES_TO_FILING_RE = re.compile(
    r"\b(?:yes|yep|yeah|please do|go for it|go on(?: then)?|submit(?: it)?|proceed|do it|send it)\b|(?<![\w'])go[.!]*\s*$|"
    r"没问题|好的?[，,。！!]?\s*提交|申请吧|退吧|退了吧|赔吧|办吧|就这样吧|" + FILE_IT, re.I)

#: not now ("OK 先不要送出", "ok but don't submit yet"): holds filing back even after an "ok"
NOT_YET_RE = re.compile(r"\b(?:don'?t|do not|not yet|hold off|wait)\b[^.!?]{0,15}\b(?:submit|file|send)|\bnot yet\b|"
                        r"\bnot today\b|\bmaybe (?:later|come back)\b|\bcome back (?:later|to (?:it|this))\b|"
                        r"先?不要(?:提交|送出|申请|发)|先别|暂时不|等一下|等等|先不", re.I)

#: any word against filing: a no, a later, a stop
NO_TO_FILING_RE = re.compile(
    r"\b(?:no|not (?:now|yet)|hold off|(?:don'?t|do not)(?! (?:know|remember|care|mind|understand|see)\b)|wait|"
    r"later|hold on|cancel|never ?mind|stop)\b|不要|先不|不用|等等|等一下|算了|暂时不|别",
    re.I)

#: waiting, not answering: "hold on, let me check I backed everything up", "稍等我看看"; the
#: question stays open (neither a yes nor a no)
HOLD_ON_RE = re.compile(r"\b(?:hold on|hang on|wait a (?:sec|second|moment|minute|min)|one (?:sec|second|moment|min)|"
                        r"give me a (?:sec|second|moment|minute|min)|let me (?:check|see|look|ask|think|make sure))\b|"
                        r"稍等|等我(?:看|查|问)|我(?:先)?(?:看看|查一下|查查|确认一下|问问)|让我(?:想想|看看|查)", re.I)
