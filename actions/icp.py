"""ICP filing reward dialog (I1-I9): the verified customer's filing and host
from the store (a guest answers the policy's questions), then the amount, when it
is credited, how long it is valid, and that it cannot be withdrawn."""
from __future__ import annotations

from datetime import datetime
from typing import Any, Dict, List, Optional, Text, Tuple

from rasa_sdk import Action, Tracker
from rasa_sdk.events import EventType
from rasa_sdk.executor import CollectingDispatcher
from rasa_sdk.types import DomainDict

from actions import claims, facts, money, record_match, stated_facts, store_access
from actions.common import decide, figures, guarded, logger, missing_words, next_facts, now, say, service_down, show_date
from actions.forms_base import CONTINUE, FAILED, FAILURES, PAUSED, AssuranceFormValidation, forget_and_remember
from actions.icp_guest import guest_questions, open_conditions, provisional_responses, reward_figure
from actions.identity import customer_id

FORM_SLOTS = (
    "icp_filing",
    "customer_tier",
    "host_subscription",
    "used_for_website",
    "host_status",
    "first_with_provider",
    "filing_status",
    "approved_at",
    "customer_delay_days",
    "accumulated_recharge",
    "icp_reward_received",
)
RESET = FORM_SLOTS + (CONTINUE, PAUSED, FAILURES, FAILED)
MAX_BUTTONS = 6
#: filing states that are not yet a completed transaction (I7)
WAITING = frozenset({"not_submitted", "in_progress", "submitted_to_authority"})


async def build_case(tracker: Tracker) -> Tuple[Optional[str], Dict[str, Any]]:
    cid = customer_id(tracker)
    if cid:
        from bot.store.errors import NotFound

        try:
            base = await store_access.read(tracker, "icp_case", cid, tracker.get_slot("icp_filing"), store_access.turn_now(tracker))
        except NotFound:  # not this customer's filing: validation says so
            base = await store_access.read(tracker, "icp_case", cid, None, store_access.turn_now(tracker))
    else:
        base = facts.guest_icp_case(store_access.turn_now(tracker).isoformat())
    return cid, facts.fill_case(base, tracker.slots, next_facts)


class ValidateIcpForm(AssuranceFormValidation):
    form_slots = FORM_SLOTS
    stated_readers = {"customer_tier": stated_facts.tier_in_text,
                      "first_with_provider": stated_facts.first_filing_in_text,
                      "filing_status": stated_facts.filing_status_in_text,
                      "used_for_website": stated_facts.used_for_website_in_text,
                      "host_status": stated_facts.host_status_in_text,
                      "icp_reward_received": stated_facts.reward_received_in_text,
                      "customer_delay_days": stated_facts.delay_in_text,
                      "accumulated_recharge": stated_facts.recharge_in_text}
    checked_slots = ("customer_tier", "host_subscription", "used_for_website", "host_status", "first_with_provider",
                     "filing_status", "approved_at", "customer_delay_days", "accumulated_recharge",
                     "icp_reward_received")

    def name(self) -> Text:
        return "validate_icp_form"

    async def trial_case(self, tracker: Tracker) -> Optional[Dict[str, Any]]:
        return (await build_case(tracker))[1]

    async def asked_slots(self, dispatcher, tracker, domain) -> List[Text]:
        cid = customer_id(tracker)
        if cid and tracker.get_slot("icp_filing") is None:
            if len(await store_access.read(tracker, "filings", cid)) > 1:
                # which filing matters only when one of them could still get the reward
                return [] if await none_qualifies(tracker, cid) else ["icp_filing"]
        _, case = await build_case(tracker)
        asked = facts.slots_to_ask(next_facts(case))
        if not cid and tracker.get_slot("filing_status") in WAITING:
            return []  # not approved yet: no reward now whatever else holds (I7), nothing more to ask
        return asked if cid else guest_questions(asked)  # a guest: the rest are named conditions

    async def extract_icp_filing(self, dispatcher: CollectingDispatcher, tracker: Tracker,
                                 domain: DomainDict) -> Dict[Text, Any]:
        """"my filing for chenjie.example.cn", "the one still in progress": the
        customer's one filing the message names by domain or status."""
        cid = customer_id(tracker)
        if not cid or tracker.get_slot("icp_filing"):
            return {}
        text = str((tracker.latest_message or {}).get("text") or "")
        filings = await store_access.read(tracker, "filings", cid)
        meant = record_match.only(record_match.filings_meant(filings, text, stated_facts.filing_status_in_text(text)))
        return {"icp_filing": meant.filing_id} if meant else {}

    async def validate_icp_filing(self, value, dispatcher, tracker, domain):
        cid = customer_id(tracker)
        ident = facts.parse_id(value, "filing_id")  # only a real id is ever said back
        known = {f.filing_id for f in await store_access.read(tracker, "filings", cid)} if cid else set()
        if ident and ident in known:
            return {"icp_filing": ident, FAILURES: 0.0}
        if ident:
            say(dispatcher, "utter_filing_not_found", filing=ident)
        return self.failed("icp_filing", dispatcher, tracker, domain, said=bool(ident)) | {"icp_filing": None}


async def filing_decisions(tracker: Tracker, cid: str) -> List[Tuple[Any, Dict[str, Any]]]:
    """Each of the customer's filings with the policy's decision on it (and on what the
    customer said in this check)."""
    out = []
    for filing in await store_access.read(tracker, "filings", cid):
        base = await store_access.read(tracker, "icp_case", cid, filing.filing_id, store_access.turn_now(tracker))
        out.append((filing, decide(facts.fill_case(base, tracker.slots, next_facts))))
    return out


async def none_qualifies(tracker: Tracker, cid: str) -> bool:
    """Several filings, and the policy rules out every one (one filing is just decided)."""
    decisions = await filing_decisions(tracker, cid)
    return len(decisions) > 1 and all(d.get("decision") == "ineligible" for _, d in decisions)


async def present_none_qualify(dispatcher: CollectingDispatcher, tracker: Tracker, cid: str) -> None:
    """"Why am I not getting any reward on my filings?": every filing with the rules it fails."""
    say(dispatcher, "utter_icp_none_qualify")
    for filing, decision in (await filing_decisions(tracker, cid))[:MAX_BUTTONS]:
        say(dispatcher, "utter_icp_candidate_rules", filing=filing.filing_id, domain_name=filing.domain,
            status=claims.shown_status(filing.status), rules=claims.rule_names(decision.get("rules_failed") or []))


class ActionAskIcpFiling(Action):
    def name(self) -> Text:
        return "action_ask_icp_filing"

    @guarded
    async def run(self, dispatcher, tracker, domain):
        cid = customer_id(tracker)
        filings = await store_access.read(tracker, "filings", cid) if cid else []
        held = await claims.held_targets(tracker, cid, "icp_reward")
        buttons = [{"title": filing_title(domain, f, held.get(f.filing_id)),
                    "payload": f'/inform{{"filing_id":"{f.filing_id}"}}'} for f in filings[:MAX_BUTTONS]]
        dispatcher.utter_message(response="utter_ask_icp_filing", buttons=buttons)
        return []


def credit_overdue(decision: Dict[str, Any]) -> bool:
    """I9: the reward is credited within a week of approval; past that date a
    customer who has not received it needs a person, not another check."""
    try:
        credit_by = datetime.fromisoformat(str(decision.get("credit_by")))
    except ValueError:
        return False
    return credit_by.tzinfo is not None and credit_by < now()


def present(dispatcher: CollectingDispatcher, domain: DomainDict, case: Dict[str, Any], decision: Dict[str, Any],
            currency: Optional[str] = None) -> None:
    """The I1-I9 decision; the reward amount in the conversation's `currency`."""
    shown = {
        "reward_amount": decision.get("reward_amount", ""),
        "credit_by": show_date(decision.get("credit_by")),
        "valid_until": show_date(decision.get("valid_until")),
    }
    state = decision.get("decision")
    if state == "eligible":
        say(dispatcher, "utter_icp_eligible", currency=currency, **shown)
        if credit_overdue(decision):
            say(dispatcher, "utter_icp_credit_overdue", credit_by=shown["credit_by"])
            say(dispatcher, "utter_offer_ticket")
        return
    if state == "ineligible":
        say(dispatcher, "utter_icp_ineligible")
        from actions.refund import say_rules

        say_rules(dispatcher, domain, "utter_icp_rule_", decision, shown, currency)
        return
    if "filing_approval" in (decision.get("waiting_for") or []):
        say(dispatcher, "utter_icp_waiting_approval")
        # "and once it is approved, how much?": what the approval would bring, by tier (I9)
        amount = figures()[reward_figure((case.get("customer") or {}).get("tier"))]
        say(dispatcher, "utter_icp_provisional_when_approved", currency=currency, reward_amount=amount)
    else:
        say(dispatcher, "utter_icp_undetermined", missing=missing_words(decision.get("missing")))


def filing_title(domain: DomainDict, filing: Any, claim: Optional[Any]) -> str:
    """A filing button's title; one with a standing reward application names it."""
    title = f"{filing.filing_id} · {filing.domain} · {claims.shown_status(filing.status)}"
    if claim is None:
        return title
    return claims.render(domain, "utter_choice_claimed", choice=title, reference=claim.reference)


def present_to_guest(dispatcher: CollectingDispatcher, domain: DomainDict, case: Dict[str, Any],
                     decision: Dict[str, Any], currency: Optional[str]) -> None:
    """A guest's answer: the decision, or a qualified yes naming what we cannot see."""
    conditions = open_conditions(decision)
    if conditions is None:
        present(dispatcher, domain, case, decision, currency)
        return
    waiting = "filing_approval" in (decision.get("waiting_for") or [])
    amount = figures()[reward_figure((case.get("customer") or {}).get("tier"))]
    for name in provisional_responses(conditions, waiting):
        say(dispatcher, name, currency=currency, reward_amount=amount)


class ActionIcpResult(Action):
    """After the form: the I1-I9 decision (a check; the reward is credited by
    the provider after approval, I9)."""

    def name(self) -> Text:
        return "action_icp_result"

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict) -> List[EventType]:
        try:
            if tracker.get_slot(FAILED):
                pass
            elif tracker.get_slot(CONTINUE) is False:
                say(dispatcher, "utter_form_stopped")
            else:
                cid, case = await build_case(tracker)
                held = await claims.standing(tracker, cid, "icp_reward", tracker.get_slot("icp_filing"))
                if cid and not tracker.get_slot("icp_filing") and await none_qualifies(tracker, cid):
                    await present_none_qualify(dispatcher, tracker, cid)
                elif held is not None:  # a reward application already stands for this filing
                    claims.say_exists(dispatcher, claims.view_facts(held))
                elif cid:
                    present(dispatcher, domain, case, decide(case), await money.currency_of(tracker))
                else:
                    present_to_guest(dispatcher, domain, case, decide(case), await money.currency_of(tracker))
                if not cid:
                    say(dispatcher, "utter_guest_check_only")
        except Exception:  # noqa: BLE001
            logger.exception("icp result failed")
            service_down(dispatcher)
        return forget_and_remember("icp_form", tracker, RESET)
