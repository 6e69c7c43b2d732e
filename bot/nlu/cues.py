"""Phrasings whose intent is not in doubt (pure; the NLU component in
bot/nlu/intent_cues.py applies them after the learned classifier).

Why: the classifier generalises from examples, and on text unlike them it can put a
clear request under the wrong intent, with effects the customer cannot undo or a check
that never starts: "10 a year?? ridiculous. get me a human." read as out of scope,
"open a complaint ticket" after a fault answer read as another fault report, "Refund
request: monthly ECS ... no invoice" read as a fault (its times and amounts look like
one), "my website isn't working ... will I be compensated?" read as a status question.
A cue is a phrasing that says the intent outright; it overrides the classifier only
when the classifier's reading contradicts it, and never across a negation ("no need
for a ticket"). Pure: `cue_intent(text, intent)` is the whole decision.
"""
from __future__ import annotations

import re
from typing import Optional

from bot.nlu.chinese_script import to_simplified
from bot.nlu.filing_words import FILE_IT_RE, HOLD_ON_RE, NOT_YET_RE

_PERSON = (r"(?:a|an|the|some|your|one of your)?\s*(?:real\s+|actual\s+|live\s+|human\s+)?"
           r"(?:human|person|people|agent|manager|supervisor|somebody|someone|staff|operator|engineer)")
#: asking outright for a ticket or making a complaint (H1): a ticket is what they want
TICKET_RE = re.compile(
    r"\b(?:open|create|raise|file|log|make|submit|start|put in)\s+(?:me\s+|us\s+)?(?:a|an|one|one of those|the|another)?\s*"
    r"(?:complaint\s+|support\s+|service\s+|formal\s+)?ticket"
    r"|\b(?:file|make|lodge|submit|raise|register|open)\s+(?:a\s+|an\s+)?(?:formal\s+|official\s+)?complaint"
    rf"|\bcomplain\s+(?:to|with)\s+{_PERSON}"
    # asking to be contacted: a ticket is how a person gets back to them
    rf"|\b{_PERSON}\s+(?:please\s+|to\s+)?(?:contact|call|ring|email|reach out to|get back to|phone)\s+(?:me|us)\b"
    r"|\bi\s+(?:want|would like|wanna|need)\s+to\s+complain\b"
    r"|我要投诉|我想投诉|要投诉|投诉你们|开(?:个|一个|张|一张)?工?单|提(?:交)?(?:个|一个)?工单|"
    r"(?:请|叫|找)(?:个)?人(?:联络|联系|跟进|回电|打给)",
    re.I,
)
#: asking for a person: the handoff, with a ticket offered rather than opened unasked
PERSON_RE = re.compile(
    rf"\b(?:get|put|connect|transfer|pass|escalate)\s+(?:me|us|this|it)\s+(?:to|through to|with|onto)?\s*{_PERSON}"
    rf"|\bget\s+{_PERSON}\s+(?:on(?:to)?|to look at|to check|to call)"
    rf"|\b(?:talk|speak|chat)\s+(?:to|with)\s+{_PERSON}\b"
    rf"|\bin front of\s+{_PERSON}"
    r"|转人工|人工客服|找人工|要人工|真人|找(?:你们)?经理",
    re.I,
)
#: a person wanted in so many words ("I'd like to put this in front of an actual person", "I want to
#: speak to a real person"): as clear as a ticket asked for
PERSON_WANTED_RE = re.compile(r"(?:\b(?:i|we)(?:'d| would)? (?:like|want|need|demand|insist)\b[^.!?]{0,12}\b(?:to )?"
                              r"(?:talk|speak|put|escalate|get|have|see)\b|\b(?:get|give|put|connect|transfer) (?:me|us)\b)"
                              r"[^.!?]{0,40}\b(?:person|human|manager|supervisor|agent|someone|somebody|staff)\b", re.I)
#: the confidence of a person asked for without a ticket or complaint: below a clear
#: reading (actions.common.CLEAR_CONFIDENCE), so the handoff offers a ticket
PERSON_ONLY_CONFIDENCE = 0.55
#: a negation right before the request ("no need for a ticket", "不用转人工")
NEGATED_RE = re.compile(r"\b(?:no|not|don'?t|do not|never|no need|without)\b[^.!?,;]{0,20}$|(?:不用|不要|别|无需)$", re.I)
REFUND_RE = re.compile(r"\brefund\w*|\bRF\b(?! (?:signal|module|interference))|\brefound\w*|\bmoney back\b|\bcancel (?:the |my )?order\b|退款|退钱|退费|退掉|能退|可以退|退唔退|退得", re.I)
COMPENSATION_RE = re.compile(r"\bcompensat\w*|\b(?:SLA|service) credits?\b|\bcomp\b|\breimburs\w*|\bwhat(?:'s| is) (?:that|this|it) worth\b|赔偿|赔付|赔多少|能赔|补偿|赔钱|赔不赔", re.I)
FAULT_RE = re.compile(
    r"\b(?:down|outage|fault\w*|unavailable|unreachable|offline|broken|crash\w*|not (?:working|open\w*|load\w*|reachable)|"
    r"isn'?t (?:working|loading|reachable)|stopped|stops? working|went dark|no access|"
    r"(?:couldn'?t|could not|can'?t|cannot|wasn'?t able to)(?: be)? (?:open|reach|access|load)\w*|"
    r"(?:nobody|no one|no-one|none of (?:us|them|my \w+|our \w+)) (?:could|can|was able to) (?:open|reach|access|load|use|connect)\w*|"
    r"failed|failure|interrupt\w*|attack\w*|ddos|maintenance|provision\w*|billed twice|double[- ]?bill\w*|"
    r"(?:was|got|were|is) stuck|hung)\b"
    r"|故障|宕机|挂了|挂掉|连不上|打不开|访问不了|用不了|中断|断了|开通|扣费|攻击|维护",
    re.I,
)
#: a refund asked for outright ("I want a refund", "我要退款"), whatever happened before
REFUND_REQUEST_RE = re.compile(r"\b(?:i|we)(?:\s+|(?=['’]))(?:want|would like|['’]d like|need|demand)\s+(?:a\s+|my\s+|our\s+|all (?:of )?(?:my|our)\s+)?(?:full\s+)?"
                               r"(?:refund|money back)|\b(?:refund|RF) (?:on |for )?(?:it|me|us|my|our|the|this|that)\b|(?:我|我们)?(?:要|想|要求|申请)退款|"
                               r"给我退款|退款吧", re.I)
#: compensation demanded outright ("you must compensate me", "I want compensation", "我要赔偿")
COMPENSATION_REQUEST_RE = re.compile(
    r"\b(?:i|we)\s+(?:want|would like|'d like|need|demand|expect|deserve)\s+(?:some\s+|a\s+|my\s+|our\s+|full\s+|proper\s+)*"
    r"compensation|\bcompensate (?:me|us)\b|\b(?:must|should|have to|need to|better|will)\s+compensate\b"
    r"|(?:我|我们)?(?:要|要求|申请)赔偿|给我(?:赔偿|补偿)|(?:必须|应该|得)(?:赔|补偿)", re.I)
#: money that did not come back: a status question whatever facts it gives
MONEY_NOT_BACK_RE = re.compile(
    r"\b(?:money|refund|funds)\b[^.!?]{0,20}\b(?:not|never|hasn'?t|haven'?t|didn'?t)\b[^.!?]{0,10}"
    r"\b(?:come|arriv\w*|receiv\w*|credit\w*|show\w*|back)\b|"
    r"\b(?:not|never|haven'?t|didn'?t)\s+(?:received|got|seen)\s+(?:the|my|any)\s+(?:money|refund|funds)\b|"
    r"\b(?:refund|money|funds|return)\b[^.!?]{0,40}\b(?:isn'?t|is not|not|hasn'?t|has not|never|missing)\b[^.!?]{0,30}"
    r"\b(?:on|in|to|into|from) (?:my|our|the) (?:bank )?(?:statement|account|balance|card)s?\b|"
    r"\b(?:statement|account|balance)s?\b[^.!?]{0,30}\b(?:doesn'?t|does not|not|hasn'?t|has not)\b[^.!?]{0,20}"
    r"\b(?:show|reflect)\w*[^.!?]{0,25}\brefund|"
    r"\b(?:missing|still waiting (?:for|on)|been waiting (?:for|on)) (?:a |my |the |our )?(?:recent )?refund\b|"
    r"\b(?:isn'?t|is not|hasn'?t|has not|(?:haven'?t|have not|didn'?t|did not) (?:seen|received|got(?:ten)?|get)|"
    r"not seen|don'?t see|do not see)\s+(?:a|my|the|any|our)\s+(?:recent\s+)?refund\b|"
    r"\brefund (?:is |has gone )?missing\b|\b(?:can'?t|cannot|can not|don'?t|do not) (?:see|find) (?:my|the|our|a) (?:recent )?refund\b|"
    r"没(?:到账|收到|退回)|还没(?:到账|收到|退)", re.I)
#: a question about a claim already made ("where is my refund?", "退款到哪一步了")
STATUS_RE = re.compile(r"\b(?:status(?! (?:page|site|board|dashboard))|where is|where's|where it'?s at|progress|track\w*|"
                       r"how (?:long until|do i see|can i see|do i check|can i check) (?:the |my )?(?:money|refund|it)|"
                       r"already (?:filed|submitted|applied)|not (?:showing|shown|arrived)|never (?:arrived|came)|"
                       r"has(?:n'?t| not) (?:arrived|shown)|(?<!never )(?<!not )(?<!n't )(?:requested|asked for|applied for) (?:a|my|the) refund)\b"
                       r"|进度|到哪|状态|审核到", re.I)
#: facts of a purchase (a refund check's facts), as opposed to a fault's
PURCHASE_FACT_RE = re.compile(r"\b(?:bought|purchased|ordered|paid|invoice\w*|coupon\w*|discount\w*|voucher\w*|"
                              r"refunds? (?:so far|this year)|prepaid)\b|买的|购买|发票|优惠券|代金券|付了|支付", re.I)
ICP_RE = re.compile(r"\bicp\b|\bfiling reward\b|备案", re.I)
#: facts of one's own ICP filing (the check's facts, not a question about the rule)
ICP_FACT_RE = re.compile(r"\b(?:approved|recharg\w*|first (?:filing|time|ever)|filed (?:before|with you)|yearly|monthly|"
                         r"pay[- ]?per[- ]?use|host|active|submitted)\b|审核通过|已通过|充值|第一次|首次|包年|包月|按量|主机", re.I)
#: topping up the account: the ICP reward's accumulated recharge (I4), never a refund
RECHARGE_RE = re.compile(r"\brecharg\w*|\btop(?:ped|s)?[- ]?up\b|充值|充了", re.I)
#: "can I get / do I qualify / 可以领吗": asking whether a check applies to them
ELIGIBILITY_RE = re.compile(r"\b(?:can|could|do|will|would|am)\s+(?:i|we)\s+(?:get|have|claim|qualify|receive|be eligible|eligible)"
                            r"|\bhow much\b[^.?!]{0,30}\b(?:i|we)\s+(?:get|receive|be paid)\b"
                            r"|\b(?:want|need|would like|'d like) (?:a |my |our |their |the )?(?:full )?refund|money back"
                            r"|\b(?:still )?refundable\b|\bstill be refunded|\bcan (?:it|they|these|this|that) (?:still )?be refunded"
                            r"|\beligible\b|\bqualify\b|(?:可不可以|能不能|可唔可以)\s*(?:refund|退)|想退|要退|可以领|能领|能拿|可以拿|能不能领|有没有奖励|能退|可以退|能赔|可以赔|能不能赔",
                            re.I)

#: the customer speaking of their own case ("my", "I bought", "我的"), not of the rule in general
OWN_RE = re.compile(r"\b(?:i|we|my|our|me|us|they|their|client'?s?)\b|我|咱", re.I)
#: a question about the rule, not their case ("can I get a refund after 5 days?")
HYPOTHETICAL_RE = re.compile(r"(?<!check )(?<!see )(?<!know )(?<!whether )\b(?:if|after|before|in case|suppose)\b|如果|假如|要是|的话", re.I)
#: intents a greeting-sized classification may hide a request behind ("hi 我要申请赔偿")
SMALL_TALK = frozenset({"greet", "thank", "goodbye", "nlu_fallback"})
#: a check given up: "never mind the refunds then", "forget the compensation", "算了不退了"
DROPPED_RE = re.compile(r"\b(?:never ?mind|forget(?: about)?|skip|drop)\s+(?:the\s+|my\s+|that\s+|about\s+the\s+)?"
                        r"(?:refunds?|compensation|reward|claim)\b|算了不退|不退了|不用赔了|不要赔偿了", re.I)
THANKS_RE = re.compile(r"\b(?:thanks?|thank you|thx|ty)\b|谢谢|多谢|唔该", re.I)
#: the reward in everyday words ("money for doing the ICP thing", "a bonus for filing"); the
#: reward by its name is as often a policy question ("how much for the ICP reward?")
REWARD_WORDS_RE = re.compile(r"\b(?:money|bonus|gift|voucher|prize|freebie)\b|奖金|红包|返现", re.I)
#: a supposition ("if my server goes down, what do I get?"): a policy question
IF_RE = re.compile(r"\b(?:if|in case|suppose|supposing)\b|如果|假如|要是", re.I)
#: what the customer gets for what happened: "what are you going to do about it", "something I can get back?"
WHAT_DO_I_GET_RE = re.compile(
    r"\bwhat (?:are you|will you|you(?:'re| are)) (?:going to |gonna )?do about (?:it|this|that)\b|\bwhat do (?:i|we) get\b|"
    r"\b(?:is there )?(?:something|anything) (?:i|we) (?:can|could) get (?:back )?for (?:it|this|that)\b|"
    r"\bcan (?:i|we) get (?:something|anything) (?:back )?for (?:it|this|that)\b|\bmake (?:it|this) up to (?:me|us)\b|"
    r"你们(?:打算)?怎么(?:处理|解决|补)|能(?:得到|拿到)什么|有什么补", re.I)
#: asking for something of one's own: "need to raise SLA credits", "I'd like to claim"
ASKED_FOR_RE = re.compile(r"\b(?:need|want|would like|'d like|wanna|claim|raise|request|apply for)\b|我要|我想|申请|"
                          r"^\W*要(?=赔|补|退|奖)", re.I)
#: the checks a message can name outright
CHECK_INTENTS = frozenset({"request_refund", "report_fault", "ask_icp_reward"})


#: a record of their own named: a product, a purchase, a date, an ID or a domain
RECORD_RE = re.compile(
    r"\b(?:ecs|evs|obs|rds|cdn|elb|vpc|gpu|server|instance|disk|database|storage|bucket|host|site|website|shop|"
    r"filing|recharge|order|subscription|"
    r"bought|purchased|ordered|paid|used|yesterday|today|last (?:week|night)|monday|tuesday|wednesday|thursday|"
    r"friday|saturday|sunday|\d{1,2}(?:st|nd|rd|th)|[a-z0-9-]+\.(?:example\.)?(?:cn|com|net)|cs\d{6,}|inc\d{6,}|icp\d{6,})\b"
    r"|云服务器|服务器|硬盘|数据库|网站|买的|购买|昨天|今天|前天|上周|周[一二三四五六日天]|号|备案",
    re.I)


#: a record named by its ID or domain, or pointed at ("these", "those")
NAMED_RECORD_RE = re.compile(r"\b(?:[a-z0-9-]+\.(?:example\.)?(?:cn|com|net)|cs\d{6,}|inc\d{6,}|icp\d{6,}|these|those)\b", re.I)


#: where Chinese and Latin letters meet ("我部server断了"): word boundaries for the patterns
_SCRIPT_JOIN_RE = re.compile(r"(?<=[\u4e00-\u9fff])(?=[A-Za-z0-9])|(?<=[A-Za-z0-9])(?=[\u4e00-\u9fff])")


def spaced(text: str) -> str:
    """Mixed Chinese and English with a space where the scripts meet, so "\\bserver\\b"
    matches in "我部server断了" (Python counts Chinese characters as word characters)."""
    return _SCRIPT_JOIN_RE.sub(" ", text)


def _own_case(text: str) -> bool:
    """The customer speaks of a case of their own, not of the rule: "my"/"I"/"我" and a
    record, or a Chinese question naming a record (Chinese often drops the "I")."""
    if not RECORD_RE.search(text):
        return False
    return bool(OWN_RE.search(text) or NAMED_RECORD_RE.search(text) or re.search(r"[\u4e00-\u9fff]", text))


def _topic(text: str) -> Optional[str]:
    """The one check a message names outright, or None when it names none or several."""
    named = [intent for intent, rx in (("request_refund", REFUND_RE), ("report_fault", COMPENSATION_RE),
                                       ("ask_icp_reward", ICP_RE)) if rx.search(text)]
    if named == ["request_refund"] and _outage_money_back(text):
        return "report_fault"  # "if my server stops working because of you, will I get money back?"
    return named[0] if len(named) == 1 else None


def _outage_money_back(text: str) -> bool:
    """Money back asked for an outage, no refund or purchase named: compensation."""
    return (bool(FAULT_RE.search(text)) and bool(MONEY_BACK_RE.search(text))
            and not re.search(r"\brefund|退款", text, re.I) and not PURCHASE_FACT_RE.search(text))


def _said(pattern: "re.Pattern[str]", text: str) -> bool:
    """The pattern said, and not right after a negation ("no need for a ticket")."""
    return any(not NEGATED_RE.search(text[:m.start()]) for m in pattern.finditer(text))


def cue_confidence(text: str, name: str) -> Optional[float]:
    """The confidence a cue reading carries: a ticket or complaint asked for is clear;
    a person asked for is below clear (a ticket is offered, not opened unasked)."""
    if name == "human_handoff" and not _said(TICKET_RE, text) and not PERSON_WANTED_RE.search(text):
        return PERSON_ONLY_CONFIDENCE
    return None


#: taking credit out as money (I9: the reward can't be withdrawn)
CASH_RE = re.compile(r"\b(?:cash|withdraw\w*|take (?:it|that) out)\b|提现|取现|换成现金", re.I)
#: below this the classifier is guessing (FallbackClassifier's threshold is 0.3)
UNSURE = 0.35
#: two readings this close are a toss-up (FallbackClassifier's ambiguity threshold is 0.02)
CLOSE = 0.05
#: "you give some money back when that happens?" for an outage is compensation ("I want my
#: money back" stays a refund request)
MONEY_BACK_RE = re.compile(r"\b(?:give|get|pay|receive)\s+(?:me\s+|us\s+)?(?:some\s+|any\s+|a little\s+|something\s+)?"
                           r"(?:money\s+)?back\b", re.I)


#: filing held back in so many words ("Don't file it yet", "先不用提交"): a no to filing
DONT_FILE_RE = re.compile(r"\b(?:don'?t|do not|not yet|hold off(?: on)?)\b[^.!?]{0,12}\b(?:submit|file|send)(?:ing)?\b(?! (?:a|an) )|"
                          r"先?不(?:用|要)(?:提交|送出|申请)|先别(?:提交|交|申请)", re.I)
#: another day's trouble asked about ("what about Wednesday, when ...", "and yesterday, when ...")
WHAT_ABOUT_FAULT_RE = re.compile(
    r"\b(?:what|how) about\b[^.?!]{0,20}\b(?:yesterday|today|last night|this morning|(?:mon|tues|wednes|thurs|fri|satur|sun)day|"
    r"\d{1,2}(?:st|nd|rd|th))\b", re.I)
#: a day or time corrected ("i meant the 19th", "sorry, it was Tuesday not Monday", "我是说周二")
CORRECTED_DAY_RE = re.compile(
    r"\b(?:i meant|meant to say|sorry,? it was|it was actually|correction:?)\s+(?:on\s+)?(?:the\s+)?"
    r"(?:\d{1,2}(?:st|nd|rd|th)?\b|(?:mon|tues|wednes|thurs|fri|satur|sun)day|yesterday|today|last)|"
    r"(?:我是说|应该是|记错了?[，,]?\s*是)\s*(?:上?周|星期|礼拜|昨天|前天|今天|\d{1,2}号)", re.I)
#: the difference between a refund and compensation asked outright
REFUND_OR_COMPENSATION_RE = re.compile(
    r"\b(?:difference|diff)\b[^.?!]{0,30}\brefund\w*\b[^.?!]{0,15}\bcompensat\w*|"
    r"\b(?:difference|diff)\b[^.?!]{0,30}\bcompensat\w*\b[^.?!]{0,15}\brefund|"
    r"\brefund (?:vs\.?|versus) compensation\b|\bcompensation (?:vs\.?|versus) (?:a )?refund\b|"
    r"退款(?:和|跟|与)(?:故障)?(?:赔偿|补偿)[^。？?]{0,6}(?:区别|不一样|不同|一回事)|"
    r"(?:赔偿|补偿)(?:和|跟|与)退款[^。？?]{0,6}(?:区别|不一样|不同|一回事)", re.I)
#: what support covers at all (actions/scope.py answers it with S1 and S2)
WHAT_COVERED_RE = re.compile(
    r"\bwhat (?:do|does|will|can) (?:you|your support|support|after-sales(?: support)?|you guys)(?: \w+)? "
    r"(?:cover|handle|help with|do|support|take care of)\s*(?:then|at all|exactly)?\s*[?？!.]*$|"
    r"\bwhat (?:your |the )?(?:after-sales )?support (?:\w+ )?(?:helps? with|covers?|does|handles?|includes?)\b|"
    r"\b(?:anything|what) (?:you|support|your support) (?:do not|don'?t|does not|doesn'?t|can'?t|cannot) "
    r"(?:help with|cover|do|handle)\b|"
    r"\bwhat(?:'s| is) (?:covered|included)\b|你们(?:到底)?(?:管|负责|支持)(?:什么|哪些|啥)|售后(?:都)?(?:管|包括|负责)(?:什么|哪些|啥)",
    re.I)


def topic_named(text: str) -> Optional[str]:
    """The check the words name outright (refund, compensation, reward), else None."""
    return _topic(text)


def topic_free(text: str) -> bool:
    return _topic(text) is None


def cue_intent(text: str, intent: Optional[str], confidence: float = 1.0, runner_up: float = 0.0) -> Optional[str]:
    """The intent the text says outright when it contradicts `intent` (or confirms a
    request for a person, which the classifier may have read with little confidence),
    else None."""
    if not text or not text.strip():
        return None
    text = spaced(to_simplified(text))  # "開張單", "投訴": the patterns are simplified
    if (_said(TICKET_RE, text) and IF_RE.search(text) and re.search(r"[?？]", text)
            and re.search(r"\b(?:tickets?|hotline|hours|tonight|weekend|accepted|answered)\b|工单|热线", text, re.I)):
        return "ask_hotline"  # "If I submit a service ticket tonight, will it still be accepted?": the hours asked
    if _said(TICKET_RE, text) and not (intent == "ask_hotline" and "ticket" not in text.lower()):
        return "human_handoff"
    if intent != "faq" and REFUND_OR_COMPENSATION_RE.search(text):
        return "faq"  # "退款和故障赔偿到底有什么区别啊？": the difference asked (actions/faq.py answers it)
    if intent != "scope" and WHAT_COVERED_RE.search(text) and topic_free(text):
        return "scope"  # "那你们到底管什么呀": what support covers at all
    if (intent in ("out_of_scope", "faq", "scope") and WHAT_ABOUT_FAULT_RE.search(text) and FAULT_RE.search(text)
            and OWN_RE.search(text) and not HYPOTHETICAL_RE.search(text) and not REFUND_RE.search(text)):
        return "report_fault"  # "Then what about Wednesday, when your OBS configuration change failed ...?"
    if (intent in ("out_of_scope", "nlu_fallback", "faq", "scope") and CORRECTED_DAY_RE.search(text)
            and not re.search(r"[?？]", text)):
        return "inform"  # "oh wait sorry i meant the 19th not the 21st same times": a fact corrected
    if intent in SMALL_TALK | {"out_of_scope"} and WHAT_ABOUT_DAY_RE.match(text):
        return "inform"  # "周日呢", "and on Saturday?": a day for the question just answered
    if _said(PERSON_RE, text) and intent not in ("human_handoff", "ask_hotline"):
        return "human_handoff"
    topic = _topic(text)
    if (intent in ("ask_icp_reward", "request_refund", "report_fault", "refund_status", "out_of_scope", "nlu_fallback")
            and topic is None and _said(FILE_IT_RE, text) and not FAULT_RE.search(text) and not RECHARGE_RE.search(text)
            and not STATUS_RE.search(text)):
        return "affirm"  # "我已經備份好了，確認送出" at "Shall I submit?": a yes, no other check
    if (intent == "request_refund" and RECHARGE_RE.search(text) and not REFUND_RE.search(text)
            and not MONEY_BACK_RE.search(text)):
        return "ask_icp_reward"  # "I recharged 200, isn't that enough?": the reward's recharge (I4), no refund
    if (intent in ("request_refund", "faq", "scope", "out_of_scope") and MONEY_NOT_BACK_RE.search(text)
            and not re.search(r"\b(?:i|we)\s+(?:want|would like|'d like|need|demand)\s+(?:a|my|the|our)\s+(?:full\s+)?refund|"
                              r"我要退款|我想退款|申请退款", text, re.I)):
        return "refund_status"  # "Why isn't a recent refund on my statement?": a refund already made, not a new one
    if (intent == "refund_status" and REFUND_REQUEST_RE.search(text) and not STATUS_RE.search(text)
            and not MONEY_NOT_BACK_RE.search(text)):
        return "request_refund"  # "Well then, I'd like a refund instead."
    if (intent == "refund_status" and not STATUS_RE.search(text) and len(PURCHASE_FACT_RE.findall(text)) >= 2
            and not MONEY_NOT_BACK_RE.search(text)):
        return "inform"  # "a server for one month, I paid 99 ... never asked for an invoice, no coupon": the facts
    if intent == "report_fault" and REFUND_REQUEST_RE.search(text) and not COMPENSATION_RE.search(text):
        return "request_refund"  # "the server was down 2 to 3:35 yesterday, 我要退款": a refund, asked outright
    if intent == "report_fault" and not FAULT_RE.search(text) and not COMPENSATION_RE.search(text):
        if REFUND_RE.search(text):
            return "request_refund"
        if RECHARGE_RE.search(text) and not REFUND_RE.search(text):
            return "inform"  # "不好意思我记错了，累计充值是200元整，不是500": the reward check's recharge (I4)
        if ICP_RE.search(text) or re.search(r"批准|审核|管局|\bfiling\b", text, re.I):
            return "ask_icp_reward"  # "第一次备案 ... 管局审核通过了", "那个已经批准的呢？我拖了十几天": the ICP check's facts
        if PURCHASE_FACT_RE.search(text):
            return "inform"  # the facts of a purchase: the refund check's, not a fault
    if (intent in ("faq", "scope", "request_refund", "report_fault") and STATUS_RE.search(text)
            and (REFUND_RE.search(text) or COMPENSATION_RE.search(text) or re.search(r"\bmoney\b", text, re.I))
            and OWN_RE.search(text)
            and not FAULT_RE.search(text)):
        return "refund_status"  # "我今年申请的那些退款现在都是什么状态啊？"
    if (intent == "nlu_fallback" or confidence < UNSURE) and len(text.split()) <= 4 and STOP_WORDS_RE.search(text):
        return "stop"  # "actually nvm 🙅"
    if (intent == "refund_status" and HOTLINE_RE.search(text)
            and re.search(r"\b(?:timings?|hours|number|open)\b|几点|多少|号码", text, re.I)
            and not STATUS_RE.search(text) and not FAULT_RE.search(text) and not REFUND_REQUEST_RE.search(text)):
        return "ask_hotline"  # "kindly tell me the timings of your hotline ... regarding my refund"
    if (intent in ("scope", "faq", "out_of_scope", "nlu_fallback", "report_fault") and HOTLINE_RE.search(text)
            and topic is None and not FAULT_RE.search(text) and not _said(PERSON_RE, text)):
        return "ask_hotline"  # "咁我而家打熱線問得唔得？": the hotline, named outright
    own_case = _own_case(text)
    if (intent in ("refund_status", "faq", "scope") and topic == "report_fault" and FAULT_RE.search(text)
            and own_case and not STATUS_RE.search(text) and not HYPOTHETICAL_RE.search(text)):
        return "report_fault"  # "my site isn't working ... will I be compensated?"
    if intent in CHECK_INTENTS and DROPPED_RE.search(text):
        return "thank" if THANKS_RE.search(text) else "stop"  # "Well never mind the refunds then, thank you."
    if (intent in ("faq", "scope", "out_of_scope", "nlu_fallback") and ICP_RE.search(text) and REWARD_WORDS_RE.search(text)
            and OWN_RE.search(text) and not REFUND_RE.search(text) and not IF_RE.search(text)):
        return "ask_icp_reward"  # "there's money for doing the ICP thing? My blog has 150 readers now."
    handoff_unasked = (intent == "human_handoff" and not _said(TICKET_RE, text) and not _said(PERSON_RE, text)
                       and not PERSON_WANTED_RE.search(text))  # "先不用提交，我跟合伙人商量一下": no person asked for
    if (intent != "deny" and topic is None and DONT_FILE_RE.search(text) and not _said(FILE_IT_RE, text)
            and (intent != "human_handoff" or handoff_unasked)):
        return "deny"  # "Don't file it yet, I need to talk to the client first."
    if ((intent in CHECK_INTENTS | {"refund_status", "faq", "scope", "out_of_scope", "nlu_fallback"} or handoff_unasked)
            and topic is None
            and (HOLD_ON_RE.search(text) or NOT_YET_RE.search(text)) and not re.search(r"[?？]", text)
            and not FAULT_RE.search(text) and not _said(FILE_IT_RE, text)):
        return "deny"  # "hold on let me check if i backd evrything up", "hmm not today": no filing, no new check
    if (intent == "ask_icp_reward" and not ICP_RE.search(text) and not REWARD_WORDS_RE.search(text)
            and not RECHARGE_RE.search(text) and not ICP_FACT_RE.search(text)
            and not re.search(r"\b(?:fil(?:e|ing)|record|reward|bonus|regist\w*|approv\w*)|备案|奖励|审核|批", text, re.I)):
        return "inform"  # "update: root cause was my own acl typo, not yours. still eligible?": no word of the reward
    if intent == "affirm" and NOT_YET_RE.search(text):
        return "deny"  # "OK 先不要送出，我要先跟主管確認一下": an ok, then a no to filing
    if intent == "deny" and YES_START_RE.match(text):
        return "affirm"  # "yes go, nothing on it worth keeping"
    if (intent in ("request_refund", "refund_status", "nlu_fallback", "out_of_scope") and CASH_RE.search(text)
            and not REFUND_RE.search(text)):
        return "faq"  # "can I take that out as cash?" asks whether the reward can be withdrawn (I9)
    if (intent == "request_refund" and FAULT_RE.search(text) and MONEY_BACK_RE.search(text)
            and not re.search(r"\brefund|退款", text, re.I) and not PURCHASE_FACT_RE.search(text)):
        return "report_fault"  # "the site could not be opened ... you give some money back when that happens?"
    if (intent in ("out_of_scope", "faq", "scope", "nlu_fallback", "refund_status") and WHAT_DO_I_GET_RE.search(text)
            and FAULT_RE.search(text) and OWN_RE.search(text) and not REFUND_RE.search(text)
            and not IF_RE.search(text)):
        return "report_fault"  # "our booking page just stopped loading ... what are you going to do about it"
    if (intent in ("out_of_scope", "faq", "scope", "nlu_fallback") and _said(COMPENSATION_REQUEST_RE, text)
            and not REFUND_RE.search(text) and not HYPOTHETICAL_RE.search(text)):
        return "report_fault"  # "somebody stole my password ... you must compensate me money!"
    if (intent in ("out_of_scope", "faq", "scope", "nlu_fallback") and REFUND_REQUEST_RE.search(text)
            and (own_case or (REFUND_ORDER_RE.match(text) and RECORD_RE.search(text)))
            and not COMPENSATION_RE.search(text) and not FAULT_RE.search(text)):
        return "request_refund"  # "I bought a cloud server on Tuesday ... I would like my money back"
    if (intent in ("faq", "scope", "out_of_scope") and ICP_RE.search(text) and OWN_RE.search(text)
            and len({m.group(0).lower() for m in ICP_FACT_RE.finditer(text)}) >= 2 and not REFUND_RE.search(text)):
        return "ask_icp_reward"  # "ICP reward enquiry. Yearly host, first filing, approved 20 Nov, recharge 350"
    if topic is None:
        return None
    unsure = confidence < UNSURE or confidence - runner_up < CLOSE  # a guess, or two readings side by side
    if topic == intent:
        # "Need to RF the hourly ECS ...": read half as a refund, half as a fault; the
        # check it names outright settles it (the fallback would ask to rephrase)
        asked_for = own_case or ASKED_FOR_RE.search(text)
        return (intent if unsure and asked_for and intent in CHECK_INTENTS and not HYPOTHETICAL_RE.search(text)
                else None)
    if intent in SMALL_TALK:
        return topic  # "hi 我要申请赔偿"
    asks_own = intent in ("faq", "scope") and ELIGIBILITY_RE.search(text) and not HYPOTHETICAL_RE.search(text)
    if (unsure or asks_own) and (own_case or (unsure and ASKED_FOR_RE.search(text))):
        return topic  # "can i get a refund for the GPU instance I used", "the reward for chenjie-old.example.cn?"
    return None


#: a yes first, with no no after it ("yes go, nothing on it worth keeping"; not "ok, no thanks")
YES_START_RE = re.compile(r"^\W*(?:yes|yeah|yep|yup|sure|y)\b(?![^.!?]{0,15}\b(?:no|not|don'?t|never|wait)\b)", re.I)
#: a refund ordered outright: "refund the yearly EVS from tues?"
REFUND_ORDER_RE = re.compile(r"^\W*(?:pls |please |plz )?(?:refund|RF) (?:on |for )?(?:the|my|our|this|that)\b", re.I)
#: only a day asked about again ("周日呢", "what about saturday?", "明天呢")
WHAT_ABOUT_DAY_RE = re.compile(
    r"^\W*(?:(?:and|so|what about|how about|on|this|next)\s+)*(?:(?:mon|tues|wednes|thurs|fri|satur|sun)day|"
    r"tomorrow|tonight|the weekend|weekends?)\W*$|^\W*(?:那|那么)?(?:周|星期|礼拜|禮拜)[一二三四五六日天](?:呢|呀|啊|吗|嗎)?\W*$|"
    r"^\W*(?:那|那么)?(?:明天|后天|今晚|周末|聽日|今晚)(?:呢|呀|啊)?\W*$", re.I)
#: the hotline named outright ("is the hotline open?", "打热线", "客服电话多少")
HOTLINE_RE = re.compile(r"\bhot ?line\b|\bphone (?:line|number)\b|\btelephone\b|\b(?:someone|anyone|somebody) (?:pick|picks) up\b|热线|熱線|客服电话|客服電話|打电话|打電話", re.I)
#: words that end a check ("stop", "forget it", "算了"); a "stop" reading without any is doubtful
STOP_WORDS_RE = re.compile(
    r"\b(?:stop|cancel\w*|cancle|halt|quit|abort|exit|restart|start (?:over|fresh|again)|begin again|"
    r"go back to the beginning|scrap|ditch|abandon|drop|reset|wipe|discontinue|discard|redo|forgt|nvm|"
    r"not (?:continue|proceed|doing it)|don'?t want to continue|forget (?:it|about it|that|the \w+)|never ?mind|"
    r"leave it|enough|no thanks|nah|skip|end (?:it|this)|don'?t bother)\b|"
    r"算了|不用了|不要了|取消|停|不查了|先这样|不需要|别查|先不|不提交|不退了|不申请|不弄了|不办了|不想|别弄了|别继续|"
    r"重来|重新来|撤销|清空|从头|不算",
    re.I)


def doubtful_stop(text: str, intent: Optional[str]) -> bool:
    """A `stop` reading of a message that says no stopping word ("But it is not my fault,
    the attacker did it"): ending a check forgets its answers, so the next reading is taken."""
    return intent == "stop" and bool(text.strip()) and not STOP_WORDS_RE.search(text)


#: a yes said outright ("yes", "yeah", "sure", "correct", "是的", "对") 
YES_WORDS_RE = re.compile(r"\b(?:yes|yeah|yep|yup|sure|correct|right|affirmative|please do|go ahead)\b|是的|对的?|好的|可以|没问题|確認|确认", re.I)
#: a question in the message ("can I still send it back?", "ok so can i refnd the datadisk evs")
QUESTION_RE = re.compile(r"[?？]|\b(?:can|could|may|do|does|is|are|will|would|how|what|when|where|why|which)\s+(?:i|we|you|it|they|that|this|the|my|our)\b", re.I)
#: a longer message than a plain yes
AFFIRM_MAX_WORDS = 6


def doubtful_affirm(text: str, intent: Optional[str]) -> bool:
    """An `affirm` reading of a longer message that asks a question and says no yes ("On
    Sunday I bought the EVS ... Can I still send it back?"): the next reading is taken,
    since a yes at "Shall I submit?" files a claim."""
    return (intent == "affirm" and len(text.split()) > AFFIRM_MAX_WORDS and bool(QUESTION_RE.search(text))
            and not YES_WORDS_RE.search(text) and not _said(FILE_IT_RE, text))
