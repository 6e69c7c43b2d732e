"""Refund dialog (R1-R9): the refund form's validation, its custom questions,
the decision with every blocker, the R8 warning and filing, and "where is my
refund?". The decision is always `bot.policy.decide`'s."""
from __future__ import annotations

import dataclasses
import re

from dataclasses import dataclass
from decimal import Decimal
from typing import Any, Dict, List, Optional, Text, Tuple

from rasa_sdk import Action, Tracker
from rasa_sdk.events import EventType
from rasa_sdk.executor import CollectingDispatcher
from rasa_sdk.types import DomainDict

from actions import claims, deadline, facts, late_yes, money, record_match, stated_facts, store_access
from actions.common import clearly_said, decide, guarded, missing_words, next_facts, say, show_date, show_time
from actions.forms_base import (CONTINUE, FAILED, FAILURES, PAUSED, QUESTION_INTENTS, AssuranceFormValidation,
                                forget_and_remember, previous_value, said_values, taken_back_values)
from actions.identity import customer_id
from actions.handoff import guest_limits
from actions.refund_guest import guest_questions, open_conditions, provisional_responses
from actions.refund_items import chosen_items, eligible_ids, per_item, shown_items, slot_value
from bot.nlu.time_words import PRESENT_WORDS_RE

FORM_SLOTS = (
    "refund_item",
    "customer_tier",
    "refunds_this_year",
    "billing",
    "purchased_at",
    "invoice",
    "resource_state",
    "amount_paid",
    "unrecoverable_discounts",
    "refund_confirmed",
)
#: set when the customer said "yes" to the discount question without an amount:
#: the question is asked again as "how much?" (domain conditional response)
DISCOUNT_USED = "discount_used"
RESET = FORM_SLOTS + (CONTINUE, PAUSED, FAILURES, FAILED, DISCOUNT_USED)
#: intents whose text never answers a form question (digressions, see domain/)
NOT_ANSWERS = ("faq", "scope", "out_of_scope", "ask_hotline", "refund_status", "bot_challenge",
               "human_handoff", "stop", "thank", "nlu_fallback", "report_fault", "ask_icp_reward")
#: intents whose text asks something: its amounts answer nothing of this check
QUESTIONS = QUESTION_INTENTS + ("refund_status",)
MAX_BUTTONS = 6
FILED_STATES = ("eligible", "partially_eligible")


async def build_case(tracker: Tracker) -> Tuple[Optional[str], Optional[Dict[str, Any]]]:
    """(customer id, case): the store's facts for a verified customer (None until
    an order is chosen), a hypothetical case from the slots for a guest."""
    cid = customer_id(tracker)
    items = chosen_items(tracker.get_slot("refund_item"))
    item = items[0] if items else None
    if cid:
        if not items:
            return cid, None
        from bot.store.errors import NotFound

        try:
            base = await store_access.read(tracker, "refund_case", cid, items, store_access.turn_now(tracker))
        except NotFound:  # not this customer's: validate_refund_item says so
            return cid, None
    else:
        base = facts.guest_refund_case(store_access.turn_now(tracker).isoformat(), item)
    return cid, facts.fill_case(base, tracker.slots, next_facts)


class ValidateRefundForm(AssuranceFormValidation):
    form_slots = FORM_SLOTS
    stated_readers = {"customer_tier": stated_facts.tier_in_text,
                      "refunds_this_year": stated_facts.refunds_this_year_in_text,
                      "invoice": stated_facts.invoice_in_text,
                      "billing": stated_facts.billing_in_text}
    always_extracted = ("amount_paid", "unrecoverable_discounts")
    confirm_slot = "refund_confirmed"
    checked_slots = ("customer_tier", "refunds_this_year", "billing", "invoice", "resource_state")

    def name(self) -> Text:
        return "validate_refund_form"

    async def trial_case(self, tracker: Tracker) -> Optional[Dict[str, Any]]:
        return (await build_case(tracker))[1]

    async def asked_slots(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict) -> List[Text]:
        cid, case = await build_case(tracker)
        if case is None:
            return ["refund_item"]
        if await standing_request(tracker, cid, case) is not None:
            return []  # already requested: nothing to ask; the submit action says which request
        asked = facts.slots_to_ask(next_facts(case))
        if not cid:
            questions = guest_questions(asked)  # the rest are conditions named with the answer
            if questions or tracker.get_slot("refund_confirmed") is not None:
                return questions
            return ["refund_confirmed"] if guest_may_file(decide(case)) else []
        if not asked and tracker.get_slot("refund_confirmed") is None:
            if decide(case)["decision"] in FILED_STATES:
                asked = ["refund_confirmed"]  # R8: an explicit yes before filing
        return asked

    async def validate_refund_item(self, value: Any, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict) -> Dict[Text, Any]:
        items = chosen_items(value)
        cid = customer_id(tracker)
        if not cid:
            items = items[:1]  # a guest's check is one hypothetical order
        found = []
        for item in items if cid else []:
            order = await store_access.read(tracker, "find_order", cid, item)
            if order is None:
                say(dispatcher, "utter_order_not_found", item=item)
            elif order.order_id not in found:
                found.append(order.order_id)
        if cid and items and not found:
            return self.failed("refund_item", dispatcher, tracker, domain, said=True) | {"refund_item": None}
        items = found if cid else items
        if not items:
            return self.failed("refund_item", dispatcher, tracker, domain)
        # new orders: their facts and the earlier answer to R8 no longer apply (but a yes
        # said with the order, "ok just the evs then, yes submit it", is that order's)
        confirmed = True if late_yes.yes_given_this_turn(tracker, "refund_confirmed") else None
        return {"refund_item": slot_value(items), "refund_confirmed": confirmed, FAILURES: 0.0}

    def facts_on_record(self, tracker: Tracker) -> set:
        if customer_id(tracker) and chosen_items(tracker.get_slot("refund_item")):
            return set(RECORD_FACTS)
        return set()

    async def validate_purchased_at(self, value, dispatcher, tracker, domain):
        if present_said_only(tracker):
            return {"purchased_at": previous_value(tracker, "purchased_at")}  # "服务器现在正常在运行": its state now
        kept = said_values(tracker, "time")
        taken_back = taken_back_values(tracker, "time")
        fresh = [v for v in kept if v not in taken_back]
        text = str((tracker.latest_message or {}).get("text") or "")
        if isinstance(value, list) or (taken_back and fresh) or (len(fresh) > 1 and MEANT_RE.search(text)):
            # "purchased sunday 22:10, not saturday. the saturday one was another order":
            # the first time said and not taken back is the purchase (Rasa's mapping keeps the last)
            value = (fresh or kept or [value])[0]
        value = finer_time_said(tracker, value, taken_back)
        return await self.check("purchased_at", value, dispatcher, tracker, domain)

    # --- custom extraction: everything said in one long message (R7 money) ---
    @staticmethod
    def _answer_text(tracker: Tracker) -> Optional[str]:
        """The latest message's text when it can answer form questions."""
        latest = tracker.latest_message or {}
        if (latest.get("intent") or {}).get("name") in QUESTIONS and clearly_said(tracker):
            return None  # a question's amounts are not this order's (another check's start is read)
        return latest.get("text")

    async def extract_refund_item(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict) -> Dict[Text, Any]:
        """'refund CS… and CS…': every ID said; 'the web server I bought two days
        ago', 'the CDN and the EVS disk': the orders that product, day and description
        single out (actions/record_match.py; still ambiguous: the order buttons ask)."""
        cid = customer_id(tracker)
        if cid and tracker.get_slot("refund_item") and not list(tracker.get_latest_entity_values("order_id")):
            other = await self._another_product_named(tracker, cid)
            if other:  # "the yearly RDS in its reservation period: can that one be refunded?"
                return {"refund_item": slot_value(other), "refund_confirmed": None}
        if not cid or self._answer_text(tracker) is None:
            return {}
        said = chosen_items([v for name in ("order_id", "resource_id")
                             for v in tracker.get_latest_entity_values(name)])
        if len(said) > 1:  # "refund CS… and CS…": Rasa's mapping keeps one of them
            return {"refund_item": slot_value(said)}
        if len(said) == 1:  # "refund CS2611250001 and also the yearly CDN order I bought yesterday"
            more = await self._orders_besides(tracker, cid, said[0])
            return {"refund_item": slot_value([said[0]] + more)} if more else {}
        if tracker.get_slot("refund_item"):
            return {}
        if ALL_ORDERS_RE.search(self._answer_text(tracker) or ""):
            # "refunds for all of my orders": each one, decided on its own
            orders = sorted(await store_access.read(tracker, "orders", cid), key=lambda o: o.purchased_at, reverse=True)
            return {"refund_item": slot_value(o.order_id for o in orders[:MAX_BUTTONS])} if orders else {}
        clues = record_match.clues(tracker.latest_message or {})
        if not clues.products and not clues.days:
            return {}
        meant = record_match.orders_meant(await store_access.read(tracker, "orders", cid), clues)
        return {"refund_item": slot_value(o.order_id for o in meant)} if meant else {}

    @staticmethod
    async def _another_product_named(tracker: Tracker, cid: str) -> List[str]:
        """The orders of a product the message names that none of the orders being
        checked is (the customer turns to another order); [] when none or unclear."""
        said = record_match.clues(tracker.latest_message or {})
        if not said.products or not ANOTHER_ORDER_RE.search(str((tracker.latest_message or {}).get("text") or "")):
            return []  # "the CDN is fine" names another order without asking about it
        orders = await store_access.read(tracker, "orders", cid)
        current = set(chosen_items(tracker.get_slot("refund_item")))
        if {str(o.product).upper() for o in orders if o.order_id in current} & said.products:
            return []
        return [o.order_id for o in record_match.orders_meant(orders, said)]

    @staticmethod
    async def _orders_besides(tracker: Tracker, cid: str, named_id: str) -> List[str]:
        """The orders of the other products the message names next to one ID."""
        said = record_match.clues(tracker.latest_message or {})
        if not said.products:
            return []
        orders = await store_access.read(tracker, "orders", cid)
        named = next((o for o in orders if named_id.upper() in (o.order_id.upper(), str(o.resource_id).upper())), None)
        others = said.products - ({str(named.product).upper()} if named else set())
        if not named or not others:
            return []
        meant = record_match.orders_meant(orders, dataclasses.replace(said, products=frozenset(others)))
        return [o.order_id for o in meant if o.order_id != named.order_id]

    async def extract_amount_paid(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict) -> Dict[Text, Any]:
        """'paid 300' is a bare Duckling `number`: the word 'paid' says it is the
        amount paid, whichever question was asked."""
        amount = facts.paid_amount_in_text(self._answer_text(tracker))
        return {"amount_paid": amount} if amount is not None else {}

    async def extract_unrecoverable_discounts(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict) -> Dict[Text, Any]:
        """'no discounts' / 'a 20 yuan coupon' anywhere in a message (R7)."""
        asked = tracker.get_slot("requested_slot") == "unrecoverable_discounts"
        amount = facts.discounts_in_text(self._answer_text(tracker), asked=asked)
        return {"unrecoverable_discounts": amount} if amount is not None else {}

    async def validate_amount_paid(self, value, dispatcher, tracker, domain):
        if tracker.get_slot("requested_slot") == "unrecoverable_discounts":
            # the money said now answers the discount question, not the amount paid
            return {"amount_paid": previous_value(tracker, "amount_paid")}
        if money_is_the_discount(self._answer_text(tracker), value):
            # "用了一张50元的优惠券": that money is the coupon, not the amount paid
            return {"amount_paid": previous_value(tracker, "amount_paid")}
        return await self.check("amount_paid", value, dispatcher, tracker, domain)

    async def validate_unrecoverable_discounts(self, value, dispatcher, tracker, domain):
        if value == "yes":
            # "yes" to "did you use a discount ... how much?": ask the amount (R7)
            return {"unrecoverable_discounts": None, DISCOUNT_USED: True, FAILURES: 0.0}
        return await self.check("unrecoverable_discounts", value, dispatcher, tracker, domain)

    def validate_refund_confirmed(self, value, dispatcher, tracker, domain):
        return self.validate_confirmation("refund_confirmed", value, dispatcher, tracker, domain)


#: what an order's record says: a signed-in customer's words never change these
RECORD_FACTS = ("billing", "purchased_at", "invoice", "resource_state", "amount_paid", "unrecoverable_discounts")


#: turning to another order: "what about the RDS?", "and the OBS package?", "can that one be refunded?"
ANOTHER_ORDER_RE = re.compile(r"\b(?:refund\w*|what about|how about|and (?:the|my|our)|also|instead|that one|this one|"
                              r"too|as well|go back)\b|"
                              r"退|呢|也|还有|那个", re.I)


#: grains too coarse for a purchase time ("no refunds before this year")
COARSE_GRAINS = frozenset({"year", "quarter", "month"})


def present_said_only(tracker: Tracker) -> bool:
    """The latest message's only times are the present ("the server is running now") or
    whole years and months ("no refunds before this year"): no time of purchase."""
    times = [e for e in (tracker.latest_message or {}).get("entities") or [] if e.get("entity") == "time"]
    return bool(times) and all(PRESENT_WORDS_RE.match(str(e.get("text") or "")) or _grain(e) in COARSE_GRAINS
                               for e in times)


def finer_time_said(tracker: Tracker, value: Any, taken_back: List[Any]) -> Any:
    """"on 22.11. at 09:30 ... 2 refunds in 2026": a whole year or month said beside a day
    or a moment is no purchase time; the first finer time said is."""
    times = [e for e in (tracker.latest_message or {}).get("entities") or [] if e.get("entity") == "time"]
    coarse = [e.get("value") for e in times if _grain(e) in COARSE_GRAINS]
    fine = [e.get("value") for e in times if _grain(e) not in COARSE_GRAINS and isinstance(e.get("value"), str)
            and e.get("value") not in taken_back]
    return fine[0] if isinstance(value, str) and value in coarse and fine else value


def _grain(entity: Dict[str, Any]) -> Optional[str]:
    info = entity.get("additional_info") or {}
    return info.get("grain") or (info.get("to") or {}).get("grain") or (info.get("from") or {}).get("grain")


def order_button(order: Any) -> Dict[str, str]:
    title = f"{order.order_id} · {order.product} {order.billing} · {show_date(order.purchased_at)}"
    return {"title": title, "payload": f'/inform{{"order_id":"{order.order_id}"}}'}


def money_is_the_discount(text: Any, value: Any) -> bool:
    """The money a message names is the discount it describes ("a 50 yuan coupon"),
    with nothing said to be paid: no amount paid (R7)."""
    discount = facts.discounts_in_text(text)
    return discount is not None and discount == facts.parse_amount(value) and facts.paid_amount_in_text(text) is None


class ActionAskRefundItem(Action):
    """Known customer: the recent orders the policy does not already rule out,
    as buttons (one decide() per order, so R3 positions do not mix)."""

    def name(self) -> Text:
        return "action_ask_refund_item"

    @guarded
    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict) -> List[EventType]:
        cid = customer_id(tracker)
        if not cid:
            say(dispatcher, "utter_ask_refund_item")
            return []
        candidates = await refund_candidates(tracker, cid)
        if any(c.qualifies for c in candidates):
            buttons = [candidate_button(domain, c) for c in candidates if c.qualifies or c.claim]
            dispatcher.utter_message(response="utter_ask_refund_item_choose", buttons=buttons[:MAX_BUTTONS])
        elif candidates:
            say(dispatcher, "utter_refund_none_qualify")
            for candidate in candidates[:MAX_BUTTONS]:
                say_candidate(dispatcher, candidate)
            say(dispatcher, "utter_ask_refund_item_other")
        else:
            say(dispatcher, "utter_ask_refund_item_none")
        return []


@dataclass(frozen=True)
class Candidate:
    """One of the customer's orders as a refund choice: the policy's decision on
    it alone, and the standing request already holding it (if any)."""

    order: Any
    decision: Dict[str, Any]
    claim: Optional[Any] = None

    @property
    def qualifies(self) -> bool:
        return self.claim is None and self.decision.get("decision") != "ineligible"

    @property
    def rules(self) -> List[str]:
        return list(((self.decision.get("items") or [{}])[0] or {}).get("rules_failed") or [])


async def refund_candidates(tracker: Tracker, cid: str) -> List[Candidate]:
    """The customer's orders, newest first, each decided on its own (so one order's
    R3 position does not depend on the others), with its standing request."""
    orders = sorted(await store_access.read(tracker, "orders", cid), key=lambda o: o.purchased_at, reverse=True)
    if not orders:
        return []
    case = await store_access.read(tracker, "refund_case", cid, [o.order_id for o in orders],
                                   store_access.turn_now(tracker))
    by_id = {item["id"]: item for item in case.get("items") or []}
    held = await claims.held_targets(tracker, cid, "refund")
    return [Candidate(o, decide(dict(case, items=[by_id.get(o.order_id, {"id": o.order_id})])),
                      held.get(o.order_id)) for o in orders]


def candidate_button(domain: DomainDict, candidate: Candidate) -> Dict[str, str]:
    """An order button; one already in a standing request says so in its title."""
    button = order_button(candidate.order)
    if candidate.claim is not None:
        button["title"] = claims.render(domain, "utter_choice_claimed", choice=button["title"],
                                        reference=candidate.claim.reference)
    return button


def say_candidate(dispatcher: CollectingDispatcher, candidate: Candidate) -> None:
    """Why this order cannot be refunded: its standing request, or the failed rules."""
    order = candidate.order
    shown = {"item": order.order_id, "product": order.product, "billing": claims.shown_status(order.billing),
             "bought": show_date(order.purchased_at)}
    if candidate.claim is not None:
        say(dispatcher, "utter_refund_candidate_claimed", **shown, **claims.view_facts(candidate.claim))
    else:
        say(dispatcher, "utter_refund_candidate_rules", **shown, rules=claims.rule_names(candidate.rules))


def item_facts(case: Dict[str, Any], decision: Dict[str, Any]) -> Dict[str, Any]:
    """The first order's facts; for several orders `item` names those filed."""
    item = (case.get("items") or [{}])[0]
    decided = (decision.get("items") or [{}])[0]
    several = len(case.get("items") or []) > 1
    return {
        "item": shown_items(eligible_ids(decision)) if several else item.get("id", ""),
        "amount_paid": item.get("amount_paid", ""),
        "unrecoverable_discounts": item.get("unrecoverable_discounts", ""),
        "refund_amount": decided.get("refund_amount") or decision.get("refund_total", ""),
        "refund_total": decision.get("refund_total", ""),
    }


def window_end(decision: Dict[str, Any]) -> Any:
    """R2's window end of the (first) item, from the policy's decision."""
    return ((decision.get("items") or [{}])[0] or {}).get("request_by")


def say_rules(dispatcher: CollectingDispatcher, domain: DomainDict, prefix: str, decision: Dict[str, Any],
              facts_: Dict[str, Any], currency: Optional[str] = None) -> None:
    """Every failed rule, each with its own response (R6 offers deletion); a
    rule without one is read out from the policy's reason sentence."""
    reasons = decision.get("reasons") or []
    responses = domain.get("responses", {})
    for rule in decision.get("rules_failed") or []:
        name = f"{prefix}{rule}"
        if name in responses:
            say(dispatcher, name, currency=currency, **facts_)
        else:
            text = next((r for r in reasons if rule in r), rule)
            say(dispatcher, "utter_policy_reason", reason=text)


def present(dispatcher: CollectingDispatcher, domain: DomainDict, case: Dict[str, Any], decision: Dict[str, Any],
            currency: Optional[str] = None) -> None:
    """The decision in the customer's words: per order, amount and deductions (in
    the conversation's `currency`) or every blocker; for several, what is filed."""
    if (case.get("customer") or {}).get("tier") == "vip":
        say(dispatcher, "utter_refund_vip_no_limit")
    if len(case.get("items") or []) < 2:
        present_item(dispatcher, domain, case, decision, currency)
        return
    for one_case, one_decision in per_item(case, decision):
        present_item(dispatcher, domain, one_case, one_decision, currency)
    if decision.get("decision") == "partially_eligible":
        say(dispatcher, "utter_refund_partial_total", currency=currency, refund_total=decision.get("refund_total", ""),
            items=shown_items(eligible_ids(decision)))
    elif decision.get("decision") in FILED_STATES:
        say(dispatcher, "utter_refund_all_total", currency=currency, refund_total=decision.get("refund_total", ""),
            items=shown_items(eligible_ids(decision)))


def present_item(dispatcher: CollectingDispatcher, domain: DomainDict, case: Dict[str, Any],
                 decision: Dict[str, Any], currency: Optional[str] = None) -> None:
    """One order's answer: the amount, or every rule it fails, or what is missing."""
    shown = item_facts(case, decision)
    state = decision.get("decision")
    if state in FILED_STATES:
        deducted = Decimal(str(shown["unrecoverable_discounts"] or "0")) > 0
        say(dispatcher, "utter_refund_eligible_deducted" if deducted else "utter_refund_eligible_full",
            currency=currency, **shown)
        closes = deadline.soon_words(window_end(decision), case.get("now"))
        if closes:  # R2 closes within a day: say when
            say(dispatcher, "utter_refund_closing_soon", item=shown["item"], closes=closes)
    elif state == "ineligible":
        say(dispatcher, "utter_refund_ineligible", currency=currency, **shown)
        say_rules(dispatcher, domain, "utter_refund_rule_", decision, shown, currency)
    else:
        say(dispatcher, "utter_refund_undetermined", currency=currency, **shown, missing=missing_words(decision.get("missing")))


class ActionAskRefundConfirmed(Action):
    """Show the decision, the R8 warning, then ask for the explicit yes."""

    def name(self) -> Text:
        return "action_ask_refund_confirmed"

    @guarded
    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict) -> List[EventType]:
        cid, case = await build_case(tracker)
        held = await standing_request(tracker, cid, case)
        if held is not None:  # never "Good news… qualifies" for an order already requested
            claims.say_exists(dispatcher, claims.view_facts(held))
            return []
        if case is not None and not cid:  # a guest: the qualified answer, then what filing means
            present_to_guest(dispatcher, domain, case, decide(case), await money.currency_of(tracker), closing=False)
            say(dispatcher, "utter_guest_claim_how")
            say(dispatcher, "utter_ask_refund_confirmed")
            return []
        if case is not None:
            present(dispatcher, domain, case, decide(case), await money.currency_of(tracker))
        say(dispatcher, "utter_refund_warning")
        say(dispatcher, "utter_ask_refund_confirmed")
        return []


class ActionRefundSubmit(Action):
    """After the form: file (known customer, eligible, confirmed) or explain."""

    def name(self) -> Text:
        return "action_refund_submit"

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict) -> List[EventType]:
        try:
            await self._run(dispatcher, tracker, domain)
        except Exception:  # noqa: BLE001
            from actions.common import logger, service_down

            logger.exception("refund submit failed")
            service_down(dispatcher)
        return forget_and_remember("refund_form", tracker, RESET)

    async def _run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict) -> None:
        if tracker.get_slot(FAILED):
            return  # the form already said the check cannot run now
        if tracker.get_slot(CONTINUE) is False:
            say(dispatcher, "utter_form_stopped")
            return
        cid, case = await build_case(tracker)
        if case is None:
            say(dispatcher, "utter_form_stopped")
            return
        held = await standing_request(tracker, cid, case)
        if held is not None:  # already requested: say which request, file nothing
            claims.say_exists(dispatcher, claims.view_facts(held))
            return
        decision = decide(case)
        confirmed = tracker.get_slot("refund_confirmed")
        currency = await money.currency_of(tracker)
        if not cid:
            if confirmed is True and guest_may_file(decision):
                await file_guest_refund(dispatcher, tracker, case, decision, currency)
            elif confirmed is False:
                say_declined(dispatcher, tracker, case, decision)
            else:
                present_to_guest(dispatcher, domain, case, decision, currency)
            return
        if decision.get("decision") not in FILED_STATES:
            present(dispatcher, domain, case, decision, currency)
            return
        if confirmed is not True:
            say_declined(dispatcher, tracker, case, decision)
            return
        await file_refund(dispatcher, tracker, cid, case, decision)


def say_declined(dispatcher: CollectingDispatcher, tracker: Tracker, case: Dict[str, Any],
                 decision: Dict[str, Any], reply: str = "utter_refund_not_filed") -> None:
    """A "no" to filing: nothing filed, and once, when the R2 window closes soon."""
    say(dispatcher, reply)
    from actions.contact import answer_hotline_in_passing

    answer_hotline_in_passing(dispatcher, tracker)  # "No, don't submit then. What's your hotline, can I call now?"
    deadline.warn_once(dispatcher, tracker, "utter_refund_declined_deadline", window_end(decision),
                       case.get("now"), item=item_facts(case, decision)["item"])


async def decline(dispatcher: CollectingDispatcher, tracker: Tracker, reply: str = "utter_refund_not_filed") -> None:
    """The customer ends the check at "Shall I submit?": the same as a no (`reply`:
    "let's leave it there" when they said stop)."""
    _, case = await build_case(tracker)
    if case is None:
        say(dispatcher, reply)
    else:
        say_declined(dispatcher, tracker, case, decide(case), reply)


def guest_may_file(decision: Dict[str, Any]) -> bool:
    """A guest's check that qualifies, outright or on the conditions we cannot see:
    the guest may file it as a request our team verifies against the account."""
    return decision.get("decision") in FILED_STATES or open_conditions(decision) is not None


async def file_guest_refund(dispatcher: CollectingDispatcher, tracker: Tracker, case: Dict[str, Any],
                            decision: Dict[str, Any], currency: Optional[str]) -> None:
    """File a guest's refund request as stated (unverified, owned by the conversation)."""
    from bot.store.errors import TicketLimitReached

    item = (case.get("items") or [{}])[0]
    key = f"{tracker.sender_id}:refund:guest:{item.get('purchased_at')}:{item.get('amount_paid')}"
    try:
        claim = await store_access.call("submit_guest_claim", tracker.sender_id, "refund", case, decision, key,
                                        currency=currency or "CNY", **guest_limits(tracker))
    except TicketLimitReached:
        say(dispatcher, "utter_guest_claim_limit")
        return
    say(dispatcher, "utter_refund_filed_guest", reference=claim.reference)
    say(dispatcher, "utter_refund_steps")


def present_to_guest(dispatcher: CollectingDispatcher, domain: DomainDict, case: Dict[str, Any],
                     decision: Dict[str, Any], currency: Optional[str], closing: bool = True) -> None:
    """A guest's answer: the decision, or a qualified yes naming what we cannot see;
    `closing` adds how to file (not when the next question offers to file it)."""
    conditions = open_conditions(decision)
    if conditions is None:
        present(dispatcher, domain, case, decision, currency)
    else:
        item = (case.get("items") or [{}])[0]
        refund_amount = ((decision.get("items") or [{}])[0] or {}).get("refund_amount")
        discounts = item.get("unrecoverable_discounts")
        for name in provisional_responses(conditions, item.get("amount_paid"), refund_amount, discounts):
            say(dispatcher, name, currency=currency, amount_paid=item.get("amount_paid") or "",
                refund_amount=refund_amount or "", unrecoverable_discounts=discounts or "")
    if decision.get("decision") in FILED_STATES or conditions is not None:
        say(dispatcher, "utter_refund_warning")
    if closing:
        say(dispatcher, "utter_guest_how_to_file")


async def standing_request(tracker: Tracker, cid: Optional[str], case: Optional[Dict[str, Any]]) -> Optional[Any]:
    """The signed-in customer's standing refund request for a chosen order, if any."""
    for item in (case or {}).get("items") or []:
        held = await claims.standing(tracker, cid, "refund", item.get("id")) if item.get("id") else None
        if held is not None:
            return held
    return None


async def file_refund(dispatcher: CollectingDispatcher, tracker: Tracker, cid: str, case: Dict[str, Any], decision: Dict[str, Any]) -> None:
    from bot.store.errors import ClaimExists, LimitReached, NotEligible

    ids = [str(i.get("id", "")) for i in case.get("items") or []]
    item = shown_items(eligible_ids(decision)) if len(ids) > 1 else (ids[0] if ids else "")
    key = f"{tracker.sender_id}:refund:{'+'.join(ids)}"
    try:
        claim = await store_access.call(
            "submit_claim", cid, "refund", case, decision, key,
            {"conversation_id": tracker.sender_id},
        )
    except ClaimExists as err:  # filed meanwhile (another conversation): name that request
        claims.say_exists(dispatcher, claims.error_facts(err))
        return
    except (LimitReached, NotEligible):
        say(dispatcher, "utter_refund_changed", item=item)
        return
    say(dispatcher, "utter_refund_filed", currency=claim.currency or await money.currency_of(tracker),
        reference=claim.reference, item=item,
        refund_total=str(claim.amount if claim.amount is not None else decision.get("refund_total", "")))
    say(dispatcher, "utter_refund_steps")


KIND_WORDS = {"refund": "refund request", "compensation": "compensation application",
              "icp_reward": "ICP reward application", "ticket": "service ticket"}


#: every order at once ("refunds for all of my orders", "全部退了")
ALL_ORDERS_RE = re.compile(r"\ball (?:of )?(?:my|our|the) (?:orders|purchases|products|services)\b|\beverything I (?:bought|ordered)\b|"
                           r"所有(?:的)?订单|全部(?:的)?订单|全部退", re.I)
#: words of a status question ("where is my refund?", "进度"): never a fact of a check
STATUS_WORDS_RE = re.compile(r"\b(?:status|where|progress|track\w*|update on|any news|heard back|arrived?|received)\b|"
                             r"进度|到哪|状态|到账了吗|怎么样了", re.I)


#: a correction that says the right value first ("Sorry, I meant Sunday the 22nd at 4pm. Saturday
#: was when we got the quote"): the first time said is the purchase
MEANT_RE = re.compile(r"\b(?:i meant|meant to say|i mean|correction|it was actually)\b|我是说|应该是|记错", re.I)


#: a refund or compensation named: a status question about a claim, not about the reward
CLAIM_WORDS_RE = re.compile(r"\b(?:refunds?|compensation|claims?|applications?|requests?|RF-\w+|CP-\w+)\b|退款|赔偿|补偿|申请",
                            re.I)


class ActionRefundStatus(Action):
    """'Where is my refund?': the verified customer's own claims, newest first
    (R9 states). A guest is told to sign in; nothing is read for a guest."""

    def name(self) -> Text:
        return "action_refund_status"

    @guarded
    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict) -> List[EventType]:
        if not (tracker.active_loop or {}).get("name") and not STATUS_WORDS_RE.search(
                str((tracker.latest_message or {}).get("text") or "")):
            from actions.smalltalk import reopen_last_check

            # "update: approved on the 24th, no delays" right after an answer: a fact of that check
            reopened = await reopen_last_check(tracker, domain, facts_only=True)
            if reopened:
                return reopened
        last = tracker.get_slot("last_check")
        text = str((tracker.latest_message or {}).get("text") or "")
        if (isinstance(last, dict) and last.get("form") == "icp_form" and not (tracker.active_loop or {}).get("name")
                and not CLAIM_WORDS_RE.search(text)):
            from actions import faq

            await faq.answer(dispatcher, tracker, domain, "reward_payout")  # "大概什么时候到账？" after the reward answer
            return []
        cid = customer_id(tracker)
        if not cid:
            say(dispatcher, "utter_status_guest")
            return []
        # a value that is not a reference is ignored (never said back): all claims are listed
        ref = facts.parse_id(next(tracker.get_latest_entity_values("claim_ref"), None), "claim_ref")
        if ref:
            claim = await store_access.call("claim", cid, ref)
            claims = [claim] if claim else []
            if not claims:
                say(dispatcher, "utter_status_unknown_reference", reference=ref)
                return []
        else:
            claims = [c for c in await store_access.call("claims", cid) if c.kind != "ticket"][:MAX_BUTTONS]
        if not claims:
            say(dispatcher, "utter_status_none")
            return []
        say(dispatcher, "utter_status_intro")
        responses = domain.get("responses", {})
        currency = await money.currency_of(tracker)
        for claim in claims:
            items = ", ".join(i.order_id for i in claim.items) or claim.incident_id or claim.filing_id or ""
            name = f"utter_claim_status_{claim.status}"
            say(dispatcher, name if name in responses else "utter_claim_status_other", currency=claim.currency or currency,
                reference=claim.reference, what=KIND_WORDS.get(claim.kind, claim.kind), items=items,
                status=claim.status, updated=show_time(claim.updated_at),
                amount="" if claim.amount is None else str(claim.amount))
        return []
