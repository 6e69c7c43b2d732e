"""Policy FAQ: `faq/<key>` answers with the policy figures filled in.

The built-in retrieval action cannot pass template variables, so this action
reads the response selector's key and utters `utter_faq/<key>` with
`load_policy().figures()`; the texts live in domain/faq.yml."""
from __future__ import annotations

import re
from typing import List, Optional, Text

from rasa_sdk import Action, Tracker
from rasa_sdk.events import EventType, FollowupAction

from actions import in_passing, store_access
from actions.common import guarded, say
from actions.follow_up import PUSHBACK_RE, WHY_RE, follows_up_the_answer
from actions.money import currency_of
from actions.forms_base import LAST_CHECK, stated_facts_of
from actions.identity import customer_id
from actions.retrieval import chosen_key, other_retrieval_intent, ranking
from bot.nlu.chinese_script import to_simplified
from bot.nlu.cues import COMPENSATION_RE, REFUND_OR_COMPENSATION_RE, REFUND_RE

#: the check each answer belongs to: a short follow-up ("by when do I have to apply?")
#: is read in the context of the check being discussed
FAQ_CHECKS = {
    **dict.fromkeys(("products_covered", "refund_window", "refund_limit", "invoice", "discounts",
                     "data_deletion", "refund_process", "pay_per_use", "grace_period"), "refund_form"),
    **dict.fromkeys(("compensation_formula", "compensation_exclusions", "compensation_deadline",
                     "compensation_payout", "billing_correction"), "fault_form"),
    **dict.fromkeys(("reward_amount", "reward_validity", "reward_conditions", "reward_payout",
                     "filing_rejection"), "icp_form"),
}
#: a same-check answer wins when it scores at least this share of the top one
CONTEXT_SHARE = 0.5
#: the same question about another check ("do I need to apply, or is it automatic?",
#: "when does it arrive?"): asked while that check is discussed, it is about that check
PARALLEL = {
    ("reward_payout", "fault_form"): "compensation_payout",
    ("reward_validity", "fault_form"): "compensation_payout",
    ("compensation_payout", "icp_form"): "reward_payout",
    ("refund_process", "fault_form"): "compensation_payout",
    ("compensation_deadline", "refund_form"): "refund_window",
    ("refund_window", "fault_form"): "compensation_deadline",
    ("refund_limit", "fault_form"): "compensation_deadline",
}
#: words that name a check outright: "when do I get the ICP reward?" after a fault is about the reward
NAMED = {"icp_form": re.compile(r"\bicp\b|\breward|备案|奖励", re.I), "fault_form": COMPENSATION_RE,
         "refund_form": REFUND_RE}

#: answers where the published policy is silent: a person is offered (H1)
OFFERS_TICKET = frozenset({"compensation_payout", "filing_rejection", "billing_correction"})


def current_check(tracker: Tracker) -> Optional[str]:
    """The check being discussed: the active one, else the one that just ended."""
    active = (tracker.active_loop or {}).get("name")
    if active in FAQ_CHECKS.values():
        return active
    last = tracker.get_slot(LAST_CHECK)
    return last.get("form") if isinstance(last, dict) else None


def key_in_context(tracker: Tracker, key: Optional[str]) -> Optional[str]:
    """The selector's answer, or the best answer of the check being discussed when it
    scores nearly as well ("by when do I have to apply?" after a compensation answer)."""
    context = current_check(tracker)
    if not key or not context or FAQ_CHECKS.get(key) in (None, context):
        return key
    text = str((tracker.latest_message or {}).get("text") or "")
    if NAMED[FAQ_CHECKS[key]].search(text):
        return key  # "how much is the ICP reward?" after a fault names the reward
    if (key, context) in PARALLEL:
        return PARALLEL[(key, context)]
    own = next((k for k, _ in ranking(tracker, "faq") if FAQ_CHECKS.get(k) == context), None)
    if own:
        return own  # "so what can I do with it?" after a refund answer is about that refund
    candidates = ranking(tracker, "faq")
    top = next((c for k, c in candidates if k == key), 0.0)
    for other, confidence in candidates:
        if FAQ_CHECKS.get(other) == context and confidence >= top * CONTEXT_SHARE:
            return other
    return key


async def check_for_own_record(tracker: Tracker, key: Optional[str]) -> Optional[str]:
    """"When will I get the ICP reward for chenjie.example.cn?", "can CS… be refunded?":
    a signed-in customer asking about one of their own records gets the check on it,
    not the general rule (outside a check only)."""
    check = FAQ_CHECKS.get(key or "")
    cid = customer_id(tracker)
    if not cid or (tracker.active_loop or {}).get("name") or check not in ("icp_form", "refund_form"):
        return None
    latest = tracker.latest_message or {}
    names = {e.get("entity") for e in latest.get("entities") or []}
    if check == "refund_form":
        return check if names & {"order_id", "resource_id"} else None
    text = str(latest.get("text") or "").lower()
    filings = await store_access.read(tracker, "filings", cid)
    named = "filing_id" in names or any(str(f.domain).lower() in text for f in filings)
    return check if named else None


class ActionFaq(Action):
    def name(self) -> Text:
        return "action_faq"

    @guarded
    async def run(self, dispatcher, tracker, domain) -> List[EventType]:
        text = str((tracker.latest_message or {}).get("text") or "")
        if REFUND_OR_COMPENSATION_RE.search(to_simplified(text)):
            await answer(dispatcher, tracker, domain, "refund_vs_compensation")  # asked outright, in any check
            return []
        key = key_in_context(tracker, chosen_key(tracker, "faq"))
        check = await check_for_own_record(tracker, key)
        if check:
            return [FollowupAction(check)]
        reopened = await about_the_last_check(tracker, domain, key)
        if reopened:
            return reopened
        if key is None and other_retrieval_intent(tracker, "faq") == "scope":
            return [FollowupAction("action_scope")]  # read as an FAQ, answered as a support-scope topic
        if key is None:
            scored = ranking(tracker, "faq")
            key = answer_of_current_check(tracker, scored[0][1] if scored else 0.0)
        if key is None and follows_up_the_answer(tracker):  # "So what can I do with it?" after an answer
            from actions.smalltalk import answer_again

            return await answer_again(tracker, domain)
        await answer(dispatcher, tracker, domain, key)
        if key in OWN_DATE_KEYS and FAQ_CHECKS.get(key) == (tracker.active_loop or {}).get("name"):
            await in_passing.answer_deadline(dispatcher, tracker, asked=True)  # and this check's own date
        return []


#: "by when do I have to apply?" right after an answer: that answer's own date
OWN_DATE_KEYS = frozenset({"compensation_deadline", "refund_window"})


async def about_the_last_check(tracker: Tracker, domain, key: Optional[str]) -> List[EventType]:
    """A question about the answer just given is answered by that check again, with its
    facts: "by when do I have to apply?" (its date), "I recharged 200, isn't that
    enough?" or "would the 10% discount be a problem?" (a fact it now uses)."""
    from actions.smalltalk import VALIDATIONS, reopen_last_check

    last = tracker.get_slot(LAST_CHECK)
    if (tracker.active_loop or {}).get("name") or not isinstance(last, dict) or last.get("form") not in VALIDATIONS:
        return []
    text = (tracker.latest_message or {}).get("text")
    own_date = key in OWN_DATE_KEYS and FAQ_CHECKS.get(key) == last["form"] and bool(last.get("slots"))
    why = bool(WHY_RE.search(str(text or "")) or PUSHBACK_RE.search(str(text or ""))) and bool(last.get("slots"))
    states = stated_facts_of(VALIDATIONS[last["form"]].stated_readers, text)
    if not (own_date or why or states):
        return []
    return await reopen_last_check(tracker, domain, any_question=True)


async def answer(dispatcher, tracker: Tracker, domain, key: Optional[str]) -> None:
    """Utter the answer `key` (the account's currency, a ticket offer where the policy
    is silent), or say honestly that there is no published answer."""
    name = f"utter_faq/{key}"
    if key and name in (domain.get("responses") or {}):
        say(dispatcher, name, currency=await currency_of(tracker))  # the reward in the account's currency
        if key in OFFERS_TICKET and not (tracker.active_loop or {}).get("name"):
            # in a check the form asks its next question: a second question would
            # leave "yes" ambiguous; the answer text names the hotline and tickets
            say(dispatcher, "utter_offer_ticket")
    else:  # never an invented answer
        say(dispatcher, "utter_faq_unknown")
        if not (tracker.active_loop or {}).get("name"):
            say(dispatcher, "utter_offer_ticket")


#: words that keep a question on the check being discussed ("how much do I need to recharge?")
CHECK_WORDS = {
    "icp_form": re.compile(r"\brecharg\w*|\btop(?:ped)?[- ]?up|\breward|\bfiling|\bicp\b|充值|奖励|备案", re.I),
    "refund_form": re.compile(r"\brefund\w*|\binvoice|\bdiscount|\bcoupon|\bvoucher|money back|退款|发票|优惠", re.I),
    "fault_form": re.compile(r"\bcompensat\w*|\boutage|\bdowntime|\bdaily cost|赔|故障|宕机", re.I),
}


def on_current_check(tracker: Tracker) -> Optional[str]:
    """"how much I need recharge?" read as off-topic right after an ICP answer: the best
    answer of the check being discussed, when the words are that check's."""
    context = current_check(tracker)
    text = str((tracker.latest_message or {}).get("text") or "")
    if not context or not CHECK_WORDS[context].search(text):
        return None
    return next((key for key, _ in ranking(tracker, "faq") if FAQ_CHECKS.get(key) == context), None)


def answer_of_current_check(tracker: Tracker, top: float) -> Optional[str]:
    """"do I need to apply or is it automatic?" read as a support-scope question while a
    check is discussed: that check's best answer when it scores at least CONTEXT_SHARE
    of the scope reading (`top`)."""
    context = current_check(tracker)
    if not context:
        return None
    for key, confidence in ranking(tracker, "faq"):
        if FAQ_CHECKS.get(key) == context and confidence >= top * CONTEXT_SHARE:
            return key
    return None
