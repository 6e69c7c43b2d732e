"""Facts a customer states in passing, read from the words of any message.

Why: people say the cause of a fault ("we got hit by a DDoS"), the daily cost ("we pay
48 a day"), that a filing is not their first, or that they are a VIP before anybody
asks, and often in the same message as their question. The NLU gives intents and
typed entities; these readers take the policy facts that have no entity of their
own from the text. Pure and table-driven: every value is one of the policy's enums
(bot/policy/policy.yaml), and the checks' shared base (actions/forms_base.py) runs
the readers on every message of a check, so a later statement corrects an earlier one.
"""
from __future__ import annotations

import re
from typing import Any, Optional, Pattern, Sequence, Tuple

from bot.nlu.filing_words import NO_TO_FILING_RE, YES_TO_FILING_RE
from bot.policy import load_policy

CAUSES = tuple(load_policy().enums["cause"])


def _labelled(pairs: Sequence[Tuple[str, Any]]) -> Tuple[Tuple[Pattern[str], Any], ...]:
    """(pattern, label) pairs compiled case-blind, in their priority order."""
    return tuple((re.compile(pattern, re.I), label) for pattern, label in pairs)

#: (pattern, cause) in priority order; the match that ends last in the text wins, so
#: "not an attack, it was your side" reads as the platform. English and Chinese.
_CAUSE_WORDS: Sequence[Tuple[Pattern[str], str]] = _labelled((
        (r"\b(?:d?dos(?:ed)?|attack(?:ed|s)?|hack(?:ed|er|ers)?|virus(?:es)?|malware|ransomware|trojan|"
         r"botnet|crypto.?min(?:er|ing)|mining (?:script|malware|virus))\b|攻击|病毒|黑客|木马|挖矿|勒索",
         "attack_or_virus"),
        (r"\b(?:scheduled|planned|announced|routine)\s+(?:maintenance|upgrade|work|cutover)|"
         r"\bmaintenance (?:window|notice|work)|\byour (?:maintenance|upgrade|cutover)|"
         r"\b(?:maintenance|cutover)\b|\b(?:notice|email|e-mail|message|warned|told)\b[^.!?]{0,60}\bupgrade|"
         r"\bupgrade\b[^.!?]{0,40}\b(?:notice|notified|announced|warned|in advance)|"
         r"计划维护|例行维护|维护窗口|系统维护|升级维护|割接|维护|維護|升級",
         "scheduled_maintenance"),
        (r"\b(?:carrier|isp|telecom (?:operator|company|provider)|china (?:telecom|unicom|mobile)|"
         r"(?:the )?operator'?s? (?:network|line|fault)|(?:fibre|fiber) (?:line|cable|cut)|cut (?:a|the) (?:fibre|fiber))\b|"
         r"运营商|电信|联通|中国移动|運營商|電訊|電信|光纖|光纤",
         "carrier_fault"),
        (r"\b(?:internet )?backbone\b|骨干网", "internet_backbone"),
        (r"\b(?:earthquake|typhoon|hurricane|flood(?:ing)?|tsunami|natural disaster|force majeure|"
         r"act of god|lightning)\b|地震|台风|洪水|自然灾害|不可抗力",
         "force_majeure"),
        (r"\b(?:power (?:outage|failure|cut|loss)|blackout|war|riots?|turmoil|strikes?|embargo|"
         r"government (?:order|intervention|shutdown)|market crash)\b|停电|断电|战争|罢工|政府",
         "unexpected_event"),
        (r"\b(?:our|my) (?:own )?(?:office |local |home )?(?:network|internet|wifi|router|firewall|"
         r"laptop|computer|pc|device)s?\b|我们(?:自己)?的?网络|本地网络|自己的网络|我们的路由器",
         "user_network_or_device"),
        (r"\b(?:(?:i|we) (?:set|configured|changed?|edit(?:ed)?|wrote|typed|entered|put|delete[ds]?|remove[ds]?|"
         r"modif(?:y|ied)|disabled?)\b[^.!?]{0,40}\b(?:wrong(?:ly)?|"
         r"incorrect(?:ly)?|by mistake|by accident)\b|(?:i|we) (?:messed|screwed|mucked) up\b|fat[- ]?finger\w*|(?:we|i) (?:accidentally |mistakenly |wrongly )?(?:blocked|locked) (?:all |our |my )?"
         r"(?:inbound|outbound|own|the|traffic|access|ports?)|(?:we|i) (?:accidentally |mistakenly |wrongly )?(?:mis-?configured|misconfigured|"
         r"broke|deleted|removed|changed the (?:security group|firewall|config))|"
         r"(?:our|my) (?:own )?(?:mistake|misconfiguration|fault|error|bad config)|misconfigur\w*|"
         r"(?:leaked|lost) (?:our |my |the )?(?:password|key|credentials)|wrong security group|"
         r"(?:steal|stole|stolen|leak\w*|lost|shared?|disclos\w*|post\w*|wrote|write|put|gave|give|got|guess\w*)\b"
         r"[^.!?]{0,25}\b(?:password|passwd|credentials?|access ?keys?|verification codes?|secret ?keys?)|"
         r"(?:password|passwd|credentials?|access ?keys?|verification codes?)\b[^.!?]{0,20}\b"
         r"(?:stolen|leaked|shared|exposed|disclosed|compromised|posted|guessed)|"
         r"(?:fiddl\w+|mess\w* (?:around )?with|tinker\w*|play\w* (?:around )?with)\b[^.!?]{0,30}\b"
         r"(?:firewall|security group|settings|config\w*|rules|dns))|"
         r"误操作|误删|配置错|自己配错|我们自己的问题|密码泄露|密码泄漏|密码被盗|密码被偷|泄露了密码|验证码泄露|自己删",
         "user_improper_operation"),
        (r"\b(?:(?:a|our|my|their|his|her|the customer'?s|the client'?s)(?: own)? (?:colleague|coworker|co-worker|employee|"
         r"intern|contractor|developer|dev|devs|engineer|admin|administrator|sysadmin|ops|team|nephew|niece|son|daughter|"
         r"husband|wife|partner|cousin|brother|sister|friend|staff|it guy)"
         r"\b[^.!?]{0,40}?\b(?:delet\w*|chang\w*|remov\w*|shut|stopp\w*|ran|mistake|broke|mess\w*|screw\w*|"
         r"misconfigur\w*|push\w*|deploy\w*|appl\w*)|"
         r"authori[sz]ed (?:operation|change))|同事|实习生",
         "user_negligence"),
        (r"\b(?:violat\w+ (?:the )?(?:terms|rules|law)|against (?:the|your) terms|suspended for "
         r"(?:abuse|violation))\b|违规|违反",
         "terms_violation"),
        (r"\b(?:hypervisor|physical host|host failure|kernel (?:fault|panic)|storage (?:backend|fault|failure)|"
         r"(?:your|ur|yr) (?:side|end|fault|platform|problem|bug|issue|outage|system|mistake)|"
         r"platform (?:broke|failed|failure|crashed|went down|bug)|(?:huawei|provider|your|ur) platform fault|"
         r"through its own fault|its own fault|"
         r"(?:fault|failure|problem|issue|bug|error) (?:on|in|of|with) (?:the |your )?(?:huawei(?: cloud)? |cloud )?platform|"
         r"on your (?:side|end)|(?:the )?platform(?:'s)? (?:fault|issue|problem|side)|"
         r"(?:not|nothing) (?:on|from) (?:our|my) (?:side|end)|(?:not|wasn'?t) (?:our|my) fault)\b|"
         r"你们的问题|你们那边|平台的问题|平台问题|你们自己|不是我们的问题",
         "platform"),
        (r"\b(?:don'?t know|no idea|not sure|unknown|no clue|dunno|can'?t tell)\b|不知道|不清楚|不确定",
         "unknown"),
    )
)
#: A cause word right after a negation is not that cause ("it wasn't an attack").
_NEGATED = re.compile(r"(?:\bnot|n't|\bno|\bnever|不是|没有)\s+(?:\w+\s+){0,2}$", re.I)


#: what the platform should have done ("your system did nothing to stop it"): a complaint
#: about an attack or the like, not a cause on the platform's side
_SHOULD_HAVE = re.compile(r"\s*(?:should|shuld|shud|must|did nothing|didn'?t|did not|doesn'?t|does not|failed to|"
                          r"could have|was supposed|is supposed|needs? to)\b", re.I)
#: a cause named only to be denied ("don't you dare tell me it's my fault", "别说是我们的问题")
_DENIED = re.compile(r"\b(?:don'?t|do not|never)\s+(?:you\s+)?(?:dare\s+)?(?:tell|say|claim|blame|pretend)\b[^.!?]{0,20}$|"
                     r"(?:别|不要)(?:说|告诉我)[^。！？]{0,10}$", re.I)


def cause_in_text(text: object) -> Optional[str]:
    """C4: the cause a message states, or None. The last one stated wins."""
    if not isinstance(text, str) or not text.strip():
        return None
    best: Optional[Tuple[int, str]] = None
    for pattern, cause in _CAUSE_WORDS:
        for match in pattern.finditer(text):
            negated = cause != "platform" and (_NEGATED.search(text[:match.start()])
                                               or _DENIED.search(text[:match.start()]))
            if negated or (cause == "platform" and _SHOULD_HAVE.match(text[match.end():])):
                continue  # "ur platform shuld protect me" blames, it states no platform fault
            if best is None or match.end() > best[0]:
                best = (match.end(), cause)
    if best is None or best[1] not in CAUSES:
        return None
    return best[1]


_NUM = r"(?<![\d:.])(\d+(?:,\d{3})*(?:\.\d+)?)(?![\d:])"  # not a clock time's minutes
_CUR = r"(?:¥|￥|\$|us\$|usd|cny|rmb|yuan|元|块钱?|dollars?|bucks?)"
_DAILY = (  # the labelled form first: "17:30, daily cost 24" is 24
    re.compile(r"(?:daily (?:cost|fee|price|rate|charge|bill)|per.day (?:cost|price|rate)|cost per day|"
               r"costs? (?:us |me )?per day)(?:\s+(?:of|for|on) [a-z'’ -]{1,40}?)?"
               r"\s*(?:is|was|of|:|=|about|around|roughly)?\s*" + _CUR + r"?\s*" + _NUM, re.I),
    re.compile(_CUR + r"?\s*" + _NUM + r"\s*" + _CUR + r"?\s*(?:/\s*(?:day|d)\b|(?:per|a|an|each|every|one)\s+day\b|daily\b|一天|每天)", re.I),
    re.compile(r"\bdaily\s*[:=]?\s*" + _CUR + r"?\s*" + _NUM + r"(?!\s*(?:%|percent|times|x\b|users|visits|orders))", re.I),
    re.compile(r"(?:每天|一天|日均|每日)\s*(?:费用|花费|成本)?\s*(?:是|为|大概|约|要)?\s*" + _CUR + r"?\s*" + _NUM, re.I),
)


def _first_group(patterns: Sequence[Pattern[str]], text: object) -> Optional[str]:
    """Group 1 of the first pattern that matches `text`, else None."""
    if not isinstance(text, str):
        return None
    for pattern in patterns:
        match = pattern.search(text)
        if match:
            return match.group(1)
    return None


def _first_label(table: Sequence[Tuple[Pattern[str], Any]], text: object) -> Optional[Any]:
    """The label of the first pattern in `table` that matches `text`, else None."""
    if not isinstance(text, str):
        return None
    return next((label for pattern, label in table if pattern.search(text)), None)


def daily_cost_in_text(text: object) -> Optional[str]:
    """C3: "48 a day", "36.50/day", "daily cost 48", "每天48元" -> "48.00"."""
    from actions.facts import parse_amount

    said = _first_group(_DAILY, text)
    return parse_amount(said) if said else None


_NOT_FIRST = re.compile(
    r"\b(?:not (?:my|our|the) first (?:filing|time|one|record)|(?:filed|recorded|done (?:a|an) (?:icp )?filing) "
    r"(?:with you |through you |here )?before|(?:second|2nd|third|another) (?:icp )?filing|"
    r"(?:already|previously) (?:filed|had a filing)|filed (?:another|a different|an earlier|an? other) (?:website|site|domain)|"
    r"(?:this is )?(?:our|my) second (?:one|filing|website|site|domain))|不是(?:我们|我)?的?第一次|(?:之前|以前|原来)(?:(?!别家|别的|其他|其它)[^，。,！？]){0,12}备案过|第二次备案|又备案",
    re.I)
_FIRST = re.compile(
    r"\b(?:(?:my|our|the) first (?:icp )?(?:filing|record|time (?:filing|recording))|first time (?:we|i) (?:ever )?(?:filed|file|record)|"
    r"never filed (?:before|with you)|first.time filing|first (?:filing|time filing|time) (?:with|through) (?:you|huawei)|"
    r"(?<!not )(?<!not my )(?<!not our )first (?:icp |website |site )?filing\b(?! before)|first (?:icp )?filing ever|first time\b[^.!?]{0,40}\b(?:with|through|on|at) (?:you|huawei|your)|first ever (?:icp |website |site )?filing|(?:we'?ve|i'?ve|we have|i have) never (?:done|filed|had)\b[^.!?]{0,30}\bbefore|"
    r"never (?:done|filed|recorded) (?:this|a filing|an icp|any)[^.!?]{0,25}\bbefore)\b|"
    r"第一次(?:在[^，。,！!？?]{0,10})?备案|首次(?:在[^，。,]{0,10})?备案|头一回[^，。,]{0,10}备案",
    re.I)


def first_filing_in_text(text: object) -> Optional[bool]:
    """I3: "it's not our first filing" -> False; "our first filing" -> True."""
    if not isinstance(text, str):
        return None
    if _NOT_FIRST.search(text):
        return False
    if _FIRST.search(text):
        return True
    return None


_SELF_VIP = re.compile(r"\b(?:i'?m|i am|we'?re|we are|as)\s+(?:a\s+)?vip\b|我(?:们)?是\s*vip", re.I)
_SELF_COMMON = re.compile(r"\b(?:i'?m|i am|we'?re|we are|as|just)\s+(?:an?\s+)?(?:common|regular|normal|ordinary|standard)\b|"
                          r"\bnot (?:a )?vip\b|我(?:们)?是普通|不是\s*vip", re.I)
_VIP = re.compile(r"\bvip (?:customer|account|client|member)\b|vip客户|vip用户", re.I)
_COMMON = re.compile(r"\b(?:common|regular|normal|ordinary|standard) (?:customer|account|user|client)\b|"
                     r"普通(?:客户|用户|账号)", re.I)


#: the tier in the customer's words: what they say they are first ("I am a VIP customer
#: ... your text says each common user gets 100"), "not VIP" before "VIP"
_TIERS: Sequence[Tuple[Pattern[str], str]] = ((_SELF_COMMON, "common"), (_SELF_VIP, "vip"), (_COMMON, "common"),
                                               (_VIP, "vip"))


def tier_in_text(text: object) -> Optional[str]:
    """R3/I9: "I'm a VIP" -> "vip"; "a regular account" / "not VIP" -> "common"."""
    return _first_label(_TIERS, text)


_REFUND_COUNT = (
    re.compile(r"\b(\d{1,3}|no|zero|none|one|two|three|four|five|six|seven|eight|nine|ten)\s+"
               r"(?:refunds?|refund requests?)\b(?:\s+(?:this|so far|already|in \d{4}))?", re.I),
    re.compile(r"(?:已经|今年)?退(?:过|了)\s*(\d{1,3})\s*次", re.I),
)
_WORD_NUMBERS = {"no": 0, "zero": 0, "none": 0, "one": 1, "two": 2, "three": 3, "four": 4, "five": 5,
                 "six": 6, "seven": 7, "eight": 8, "nine": 9, "ten": 10}


#: "first refund this year", "never had a refund", "没退过款", "第一次退款": none so far
_NO_REFUNDS_YET = re.compile(
    r"\b(?:my|our|the|this is (?:my|our|the))?\s*first\s+(?:ever\s+)?refund\b|\bnever\s+(?:had|asked for|requested|"
    r"got|made)\s+(?:a|any)\s+refunds?\b|没(?:有)?退过|第一次(?:申请)?退款", re.I)


def refunds_this_year_in_text(text: object) -> Optional[int]:
    """R3: "3 refunds this year", "今年已经退过3次" -> 3; "first refund this year" -> 0."""
    if isinstance(text, str) and _NO_REFUNDS_YET.search(text):
        return 0
    word = (_first_group(_REFUND_COUNT, text) or "").lower()
    return int(word) if word.isdigit() else _WORD_NUMBERS.get(word)


_FILING_STATES: Sequence[Tuple[Pattern[str], str]] = _labelled((
        (r"\b(?:filing|record(?:al)?|icp|it|application)\b[^.?!]{0,30}?\b(?:got |was |been |is |has been )?"
         r"(?:rejected|denied|refused|turned down)\b|备案[^。？！]{0,6}(?:被驳回|被拒|没通过|未通过)|被驳回",
         "rejected"),
        (r"\b(?:filing|record(?:al)?|icp|it|application)\b[^.?!]{0,30}?\b(?:got |was |been |is |has been )?"
         r"(?:approved|passed|granted|through)\b|备案[^。？！]{0,6}(?:已经)?(?:通过|批了|下来了)|审核通过|通过(?:了)?(?:管局|工信部)?(?:的)?审核|管局审核(?:已经?)?通过|"
         r"(?:^|[.:;!?,]\s*)(?:update:?\s*|so\s+|and\s+)?(?:it'?s\s+|got\s+|finally\s+|now\s+)?approved\b(?!\s+for\b)|^\s*(?:已经|现在)?(?:通过|批)了",
         "approved"),
        (r"\b(?:(?:at|with|submitted to|waiting (?:on|for)) (?:the )?(?:telecom(?:munications)? |communications )?"
         r"(?:authority|administration|miit))\b|管局审核|提交(?:到)?管局|在管局", "submitted_to_authority"),
        (r"\b(?:filing|record(?:al)?|icp|it|application)\b[^.?!]{0,20}?\b(?:still )?(?:in progress|being processed|pending|"
         r"processing|under review|in process)\b|办理中|正在办理|审核中|还在办", "in_progress"),
    )
)


def filing_status_in_text(text: object) -> Optional[str]:
    """I7: "it got approved last week" -> "approved"; said of the filing only."""
    return _first_label(_FILING_STATES, text)


#: I2: the host serves a website ("for our site", "用来做网站"); said of the host
_FOR_WEBSITE = re.compile(r"\b(?:for|runs?|hosts?|hosting|serves?|used for) (?:our|my|the|a|their)? ?(?:shop'?s? |company |online |"
                          r"business |little |new )?(?:web ?site|site|shop|store|blog|homepage)\b|(?:用来|用于|拿来)(?:做|搭|放)?网站|做网站|网站用",
                          re.I)


def used_for_website_in_text(text: object) -> Optional[bool]:
    """I2: "yearly ECS for our site" -> True; None when unsaid."""
    return True if isinstance(text, str) and _FOR_WEBSITE.search(text) else None


_HOST_STATES: Sequence[Tuple[Pattern[str], str]] = _labelled((
        (r"\bterminated (?:early|in advance)|\bcancell?ed (?:it |the host |the server )?early|提前(?:终止|退订|释放)", "terminated_early"),
        (r"\b(?:expired|lapsed)\b[^.!?]{0,20}\b(?:not|never|didn'?t) (?:renew\w*)|\bnot renewed|到期(?:了)?(?:没|未)续费?", "expired_not_renewed"),
        (r"\b(?:host|server|instance|ecs|it)(?:'s| is)? (?:still )?(?:active|running|up and running|in use)\b|"
         r"\bhost (?:is )?active\b|(?:主机|服务器|云主机)?(?:状态)?(?:正常|还在用|在运行|运行中)", "active"),
    )
)


def host_status_in_text(text: object) -> Optional[str]:
    """I6: "host active" -> active, "terminated it early" -> terminated_early."""
    return _first_label(_HOST_STATES, text)


_REWARD_NOT_YET = re.compile(r"\b(?:never (?:got|had|received|claimed)|haven'?t (?:got|had|received)|not (?:yet )?(?:received|got))"
                             r" (?:the |any |a )?(?:icp |filing )?reward|(?:以前|之前|从来)?没(?:有)?(?:领|拿|收到)过(?:奖励)?", re.I)
_REWARD_HAD = re.compile(r"\b(?:already|previously) (?:got|had|received|claimed) (?:the |a |an )?(?:icp |filing )?reward|"
                         r"(?:已经|之前)(?:领|拿|收到)过(?:奖励)?", re.I)


#: I5 in the customer's words; "not yet" is read before "had"
_REWARD_STATES: Sequence[Tuple[Pattern[str], bool]] = ((_REWARD_NOT_YET, False), (_REWARD_HAD, True))


def reward_received_in_text(text: object) -> Optional[bool]:
    """I5: "never got the reward" -> False, "we already received it" -> True."""
    return _first_label(_REWARD_STATES, text)


_NO_DELAY = re.compile(r"\bno delays?\b|\bnot delayed\b|\bdid everything (?:they asked )?(?:straight away|right away|on time)|"
                       r"\bwithout (?:any )?delay|没有?拖延|没(?:有)?耽误|没有延误", re.I)


_DELAY_FOR = re.compile(r"\b(?:took|delayed|waited|late by|(?:was|were|am|are) late|late)\s+(?:me\s+|us\s+)?(?:almost|about|nearly|over|"
                        r"more than|around|roughly)?\s*(\d+|a|an|one|two|three|four)\s+(weeks?|days?)\b|"
                        r"(?:拖|拖延|耽误|晚)了?\s*(\d+|一|两|二|三)\s*(周|星期|天)", re.I)
_SMALL_NUMBERS = {"a": 1, "an": 1, "one": 1, "two": 2, "three": 3, "four": 4, "一": 1, "两": 2, "二": 2, "三": 3}


def delay_in_text(text: object) -> Optional[int]:
    """I8: "no delays on our side" -> 0 days; "I took almost two weeks to send the photo"
    -> 14; "拖了12天" -> 12."""
    if not isinstance(text, str):
        return None
    if _NO_DELAY.search(text):
        return 0
    match = _DELAY_FOR.search(text)
    if not match:
        return None
    number, unit = (match.group(1), match.group(2)) if match.group(1) else (match.group(3), match.group(4))
    count = int(number) if number.isdigit() else _SMALL_NUMBERS.get(number.lower(), 0)
    return count * 7 if unit.lower().startswith("week") or unit in ("周", "星期") else count


_RECHARGE = (
    re.compile(r"\b(?:recharged?|topped up|top(?:-| )?ups?|deposited|put in(?:to)?)\b[^.!?\d]{0,25}?(\d[\d,]*(?:\.\d+)?)", re.I),
    re.compile(r"(\d[\d,]*(?:\.\d+)?)\s*(?:yuan|rmb|元|块)?\s*(?:recharged?|in (?:total )?recharges?)\b", re.I),
    re.compile(r"(?:累计|总共|一共)?充值(?:了)?(?:总共|一共)?(?:是|为|有)?\s*(\d[\d,]*(?:\.\d+)?)"),
)


#: the figure itself after a bound: "way over 200, about 5,000"
_ABOUT_AFTER = re.compile(r"^\s*(?:yuan|rmb|元|块)?\s*[,;]?\s*(?:about|around|roughly|approximately|approx\.?|maybe|like|~)\s*"
                          r"(\d[\d,]*(?:\.\d+)?)", re.I)


def recharge_in_text(text: object) -> Optional[str]:
    """I4: "recharged 5000 total", "累计充值500元" -> "5000" / "500"; "total recharge is way
    over 200, about 5,000" -> "5000" (the figure, not the bound)."""
    if not isinstance(text, str):
        return None
    for pattern in _RECHARGE:
        match = pattern.search(text)
        if match:
            about = _ABOUT_AFTER.match(text[match.end(1):])
            return (about.group(1) if about else match.group(1)).replace(",", "")
    return None


#: What the fault did, in the customer's words (C1/C2 scenario); the first that fits.
#: A plain outage ("down", "crashed", "宕机") of anything but a website is C1's
#: service unavailability.
_SCENARIOS: Sequence[Tuple[Pattern[str], str]] = _labelled((
        (r"\b(?:billed|charged|invoiced)\b[^.!?]{0,30}\b(?:twice|double|wrong(?:ly)?|too much|incorrect(?:ly)?)|"
         r"\b(?:double|duplicate|wrong|incorrect) (?:billing|charge|bill|invoice)|\bbilling (?:error|mistake)|"
         r"\bover-?charged|多扣|重复扣费|扣错|账单错|计费错", "billing_error"),
        (r"\b(?:provision\w*|creat\w+|launch\w*|spin(?:ning)? up|open\w*) (?:a |the |new |an? new )?"
         r"(?:instance|server|vm|ecs)s?\b[^.!?]{0,25}\b(?:fail\w*|stuck|delay\w*|hang\w*|error)|"
         r"\bprovisioning\b[^.!?]{0,20}\b(?:fail\w*|stuck|delay\w*|took|slow|late)|"
         r"\b(?:delay\w*|slow|late|failed|stuck)\W{0,3}(?:the\s+|in\s+(?:the\s+)?)?\W?provisioning\b|"
         r"\b(?:wasn'?t|was not|not|never) (?:be |been )?(?:provisioned|set up|created|delivered)\b|"
         r"\btook [^.!?]{0,45}\bto (?:provision|set up|be set up|come up|be created|be provisioned)\b|"
         r"\b(?:instance|server|vm|ecs|machine)s?\b[^.!?]{0,30}\btook [^.!?]{0,30}\bto (?:even |finally )?"
         r"(?:show up|appear|be ready|be delivered|start up)\b|"
         r"开不出|创建(?:实例)?失败|开通(?:失败|延迟)|才开通|迟迟(?:没有?)?开通|一直没开通",
         "provisioning_failure"),
        (r"\b(?:config(?:uration)?|policy|setting|spec|resize|upgrade) (?:change|update)s?\b[^.!?]{0,30}"
         r"\b(?:fail\w*|didn'?t (?:apply|work)|not (?:apply|applied)|stuck|error)|\b(?:fail\w*) to apply\b|"
         r"\b(?:raised|changed|upgraded|increased|modified|resized|scaled)\b[^.!?]{0,40}\b(?:bandwidth|spec|config\w*|plan|"
         r"size|flavou?r)\b[^.!?]{0,60}\b(?:processing|stuck|hung|pending|erroring|errors?|never applied|didn'?t apply|failed)|"
         r"\bchange (?:sat|stuck|hung|stayed)\b|"
         r"\b(?:resiz\w*|upgrad\w*|downgrad\w*|scal\w* (?:up|down|out))\b[^.!?]{0,60}\b(?:stuck|hung|hanging|pending|"
         r"processing|fail\w*|error\w*|never (?:applied|finished|completed))|"
         r"\b(?:change|resize|upgrade|downgrade)\s+(?:was|got|is|stayed)\s+(?:stuck|hung|pending)\b|"
         r"变更失败|配置(?:修改|变更)?失败|改配置没生效|变更一直|升配失败", "config_change_failure"),
        (r"\b(?:web ?site|site|web ?page|shop|store|homepage|blog|forum)\b[^.!?]{0,40}?\b(?:down|inaccessible|unreachable|"
         r"offline|not (?:be )?(?:open|load|reach|access)\w*|(?:could|can)(?:n'?t| ?not) (?:be )?(?:open|load|reach|"
         r"access)\w*|wouldn'?t (?:open|load)|dead)|网站[^。！？]{0,10}(?:打不开|访问不了|无法访问|上不去|挂了|宕)",
         "website_inaccessible"),
        (r"\b(?:down|outage|unavailable|unava\w*l\w*bl\w*|crash\w*|offline|unreachable|not responding|dead|went (?:dark|off|blank)|"
         r"(?:simply |just |completely )?gone(?! (?:up|down))|"
         r"stopped (?:showing|loading|responding|opening)|"
         r"no (?:service|connection)|disconnect\w*|interrupt\w*|timed? ?out)\b|宕机|挂了|崩了|中断|不可用|用不了|无法使用|"
         r"连不上|掉线|死机|故障|打不开|访问不了|用唔到|用不到|上唔到|开唔到|冇反应|死咗|"
         r"\b(?:not working|stopped working|isn'?t working|wasn'?t working|doesn'?t work|didn'?t work|"
         r"(?:server|site|website|instance|ecs|shop) (?:stop|stops|die|died)|"
         r"not (?:accessible|reachable|available|responding)|"
         r"(?:could|can)(?:n'?t| ?not) (?:open|access|reach|load|connect)|(?:nobody|no one) could)\b",
         "service_unavailable"),
    )
)


def scenario_in_text(text: object) -> Optional[str]:
    """C1/C2: "my site was unreachable" -> website_inaccessible, "billed twice" ->
    billing_error, "the server was down" -> service_unavailable; None when unsaid."""
    return _first_label(_SCENARIOS, text)


#: R4 in the customer's words; the first that fits ("returned" before "issued")
_INVOICES: Sequence[Tuple[Pattern[str], str]] = _labelled((
        (r"\binvoice\b[^.!?]{0,30}\b(?:returned|sent back|given back|cancell?ed)\b|"
         r"\b(?:returned|sent back|cancell?ed) (?:the |my |our )?invoice\b|发票(?:已经?)?(?:退回|退了|作废)|退回(?:了)?发票",
         "returned"),
        (r"\bnone (?:was|were|has been|got) issued\b|\b(?:nobody|no one|never) (?:asked|requested) (?:for )?(?:an?|the|any) invoice|"
         r"\b(?:no|without (?:an?|any)?|never (?:got|asked for|requested|issued) an?|didn'?t (?:get|ask for|request) an?|"
         r"not (?:issued|requested) an?) invoices?\b|\binvoice\b[^.!?]{0,20}\bnot (?:yet )?issued\b|"
         r"没(?:有)?开(?:过)?发票|未开(?:具)?发票|发票没开|不要发票|没要发票", "none"),
        (r"\binvoice\b[^.!?]{0,25}\b(?:was |has been |already )?(?:issued|sent|received)\b|"
         r"\b(?:got|have|received|issued|sent (?:me|us)|gave (?:me|us)|mailed (?:me|us)) (?:an?|the)(?: vat| tax| paper| e-?)? invoice\b|"
         r"\b(?:did )?(?:ask(?:ed)? for|request(?:ed)?) (?:an?|the) invoice\b|\binvoice (?:is|was) (?:here|with me|on my desk)\b|发票(?:已经?)?开(?:了|过|好)|已开(?:具)?发票|开了发票",
         "issued"),
    )
)
#: "An invoice? No, I never asked for one."
_INVOICE_NONE_ONE = re.compile(r"\binvoice\b.{0,20}\b(?:never|didn'?t|did not|haven'?t) (?:ask(?:ed)? for|request(?:ed)?|get|got|need(?:ed)?) "
                               r"(?:one|it)\b", re.I | re.S)
#: mixed writing: "invoice已经开具", "发票已开具"
_INVOICE_ISSUED_MIXED = re.compile(r"(?:invoice|发票)\s*(?:已经?|已)\s*开(?:具|了|过|好)?", re.I)


def invoice_in_text(text: object) -> Optional[str]:
    """R4: "the invoice was issued" -> issued, "no invoice" -> none, "I returned the
    invoice" / "发票已经退回" -> returned; None when the message does not say."""
    said = _first_label(_INVOICES, text)
    if said is None and isinstance(text, str) and _INVOICE_ISSUED_MIXED.search(text):
        return "issued"
    if said is None and isinstance(text, str) and _INVOICE_NONE_ONE.search(text):
        return "none"  # "An invoice? No, I never asked for one."
    return said


#: "still down", "not fixed yet", "到现在还没好": the fault has no end yet
STILL_OPEN_RE = re.compile(
    r"\b(?:still (?:down|not (?:working|fixed|back|up)|broken|offline|unavailable|unreachable)|"
    r"not (?:fixed|back|resolved|restored) yet|(?:is|are) (?:still )?down (?:right )?now|hasn'?t (?:come back|been fixed)|"
    r"still (?:isn'?t|is not|ain'?t|hasn'?t|has not|doesn'?t|does not) (?:working|work|back|up|fixed|been fixed|come back))\b|"
    r"还没(?:好|恢复|修好)|到现在还|一直没恢复|至今未恢复", re.I)


def still_open_in_text(text: object) -> Optional[str]:
    """C5's fault_rectified: "still down" -> "open" (the fault has not ended)."""
    return "open" if isinstance(text, str) and STILL_OPEN_RE.search(text) else None


_SENTENCES = re.compile(r"(?<=[.!?。！？])\s*")


def _asks(text: str) -> bool:
    from actions.forms_base import asks_something

    return asks_something(text)


def says_no_to_filing(text: object) -> bool:
    """Words against filing anywhere in the message ("OK 先不要送出", "ok but not yet")."""
    from bot.nlu.chinese_script import to_simplified

    return isinstance(text, str) and bool(NO_TO_FILING_RE.search(to_simplified(text)))


def submit_answer_in_text(text: object) -> Optional[bool]:
    """A clear yes (True) or no (False) to "Shall I submit?"; None when the words
    say neither or both ("yes, but not now")."""
    if not isinstance(text, str):
        return None
    from bot.nlu.chinese_script import to_simplified

    text = to_simplified(text)  # "確認送出"
    if _asks(text):
        # "And the files get deleted? It's empty. Yes, go ahead please.": the last
        # sentence answers when it asks nothing; "OK. What about the 17th?" is no yes
        last = [part for part in _SENTENCES.split(text) if part.strip()][-1:]
        if not last or _asks(last[0]) or "?" in last[0] or "？" in last[0]:
            return None
        text = last[0]
    yes, no = bool(YES_TO_FILING_RE.search(text)), bool(NO_TO_FILING_RE.search(text))
    if yes == no:
        return None
    return yes


#: R1/R5: how an order is billed, as customers say it ("a server for one month", "包月");
#: "a month ago" and "down for a day" say when or how long, not the billing
_BILLINGS: Sequence[Tuple[Pattern[str], str]] = _labelled((
    (r"\bpay[- ]?per[- ]?use (?:resource )?package|\bresource package|\busage package|资源包|按量包|流量包", "pay_per_use_package"),
    (r"\bpay[- ]?per[- ]?use\b|\bpay[- ]?as[- ]?you[- ]?go\b|\bon[- ]demand\b|\bpostpaid\b|按需|按量|后付费", "pay_per_use"),
    (r"\bhourly\b|\bby the hour\b|\bper hour\b|按小时", "hourly"),
    (r"\b(?:yearly|annual(?:ly)?|per year|a year plan)\b|\b(?:for|of) (?:one|a|1) (?:whole )?year\b(?! ago)|"
     r"\b(?:one|1|a)[- ]year (?:plan|package|subscription|term|contract|server|instance|order)|包年|一年的|年付|按年|年费", "yearly"),
    (r"\b(?:monthly|per month|a month plan)\b|\b(?:for|of) (?:one|a|1) (?:whole )?month\b(?! ago)|"
     r"\b(?:one|1|a)[- ]month (?:plan|package|subscription|term|contract|server|instance|order)|包月|一个月的|月付|按月|月费",
     "monthly"),
))


def billing_in_text(text: object) -> Optional[str]:
    """R1/R5: "it was a server for one month" -> "monthly", "按量付费的" -> "pay_per_use"."""
    return _first_label(_BILLINGS, text)
