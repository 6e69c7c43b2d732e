"""Follow-ups of an answer just given: "why not?", "so nothing at all?", "also cannot?",
"by what time exactly?". Outside a check such a message is about the last check's
answer (given again with its reasons), not a new topic, an off-topic or a
support-scope question."""
from __future__ import annotations

import re

from rasa_sdk import Tracker

from actions.common import answered_just_before
from actions.forms_base import LAST_CHECK, asks_something


#: "why not?", "为什么不行": the reasons of the answer just given
WHY_RE = re.compile(r"^\W*(?:but |so |and )?(?:why|how come)\b|为什么|凭什么|怎么不行|为啥", re.I)
#: "only late one day also cannot?", "re-assess", "拖咗十幾日都唔得？": pushing back on the
#: answer just given; it is given again with its reasons
PUSHBACK_RE = re.compile(r"\b(?:also|even|still)\s+(?:cannot|can't|can ?not|not)\b|\bnot (?:my|our) fault\b|"
                         r"\bget nothing\b|\bnothing at all\b|\bseriously\b|不是我(?:的|们的)?(?:问题|错)|唔係我|\bcannot\s*[?？]|\bre-?(?:assess|consider)\b|"
                         r"\bmust (?:mean|be)\b|\bnot fair\b|\bunfair\b|都唔得|都不行|也不行|都不可以|也不可以|唔得[?？]|"
                         r"不行[吗嗎]|不公平", re.I)
#: "so what does that mean, we get nothing at all?", "so that's today?? by what time",
#: "咁即係點呀？": a question that points back at the answer just given
FOLLOW_UP_RE = re.compile(
    r"^\W*(?:and|but|even|so)\b|\b(?:that|this|it|so|then|means?|exactly|at all|in practice|nothing|anything|still|again)\b|"
    r"那|这|所以|意思|咁|即係|點|也就是|就是说", re.I)
#: responses of a check's answer (its decision, figure or conditions)
ANSWER_PREFIXES = ("utter_refund_", "utter_fault_", "utter_icp_")
FOLLOW_UP_MAX_WORDS = 25


#: the check each check-starting intent asks for
CHECK_OF_INTENT = {"request_refund": "refund_form", "report_fault": "fault_form", "ask_icp_reward": "icp_form"}


def _intent(tracker: Tracker) -> str:
    return str(((tracker.latest_message or {}).get("intent") or {}).get("name") or "")


def follows_up_the_answer(tracker: Tracker) -> bool:
    """A short question about the check answered just before ("so nothing at all?",
    "by what time exactly?"), outside any check: the answer is given again, on its
    own facts, instead of an off-topic or support-scope reply."""
    last = tracker.get_slot(LAST_CHECK)
    text = str((tracker.latest_message or {}).get("text") or "")
    if (tracker.active_loop or {}).get("name") or not isinstance(last, dict) or not last.get("form"):
        return False  # (a signed-in check keeps no slots: its records answer again)
    if len(text.split()) > FOLLOW_UP_MAX_WORDS:
        return False
    if CHECK_OF_INTENT.get(_intent(tracker), last["form"]) != last["form"]:
        return False  # "my blog was not showing yesterday ... do I get anything for that?": another check
    if not PUSHBACK_RE.search(text) and not (asks_something(text) and FOLLOW_UP_RE.search(text)):
        return False
    return answered_just_before(tracker.events or [], prefixes=ANSWER_PREFIXES)


#: words of a hotline question: "and can I call now?" is about the hotline, not the answer
HOTLINE_WORDS_RE = re.compile(r"\b(?:hotline|call|(?:tele)?phone|ring|number|some(?:one|body)|any(?:body|one)|person|"
                              r"human)\b|热线|電話|电话|打|人工", re.I)


def about_the_answer_not_the_hotline(tracker: Tracker) -> bool:
    """A follow-up of the answer read as a hotline question though it names no call."""
    text = str((tracker.latest_message or {}).get("text") or "")
    return follows_up_the_answer(tracker) and not HOTLINE_WORDS_RE.search(text)


def pushes_back(tracker: Tracker) -> bool:
    """The latest message pushes back on the answer ("also cannot?", "re-assess")."""
    return bool(PUSHBACK_RE.search(str((tracker.latest_message or {}).get("text") or "")))
