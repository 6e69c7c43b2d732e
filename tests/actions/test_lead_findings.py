"""Defects the lead found over REST (issue 4 dialogue): a long guest message must
fill everything it says (R7 amount paid and unrecoverable discounts), "yes" to the
discount question asks how much, another check asked mid-form switches forms,
and "/restart" / "/session_start" get a reply."""
from __future__ import annotations

import pytest

from actions import facts
from actions.refund import ValidateRefundForm
from actions.smalltalk import ActionCancelForm, ActionSessionStart
from tests.actions.conftest import make_tracker, rendered, responses, user_event

LONG = "monthly, bought 2 days ago, paid 300 yuan, no invoice, still running, no discounts"
LONG_BARE = "I bought it 2 days ago, paid 300, no invoice, still running, no discounts"
# what Rasa's own slot mappings extracted from LONG_BARE (billing already answered)
EXTRACTED = {"purchased_at": "2026-11-25T10:00:00+08:00", "invoice": "none", "resource_state": "active"}


def slot_events(events):
    return {e["name"]: e["value"] for e in events if e.get("event") == "slot"}


@pytest.mark.parametrize("text, paid, discounts", [
    (LONG, "300.00", "0.00"),
    (LONG_BARE, "300.00", "0.00"),
    ("it cost me ¥300.50, I used a 20 yuan coupon", "300.50", "20.00"),
    ("discount of 12.5", None, "12.50"),
    ("I paid 2 days ago", None, None),  # a time, not money
    ("I paid monthly, didn't use any discount", None, "0.00"),
])
def test_money_phrases_in_a_long_message(text, paid, discounts):
    assert facts.paid_amount_in_text(text) == paid
    assert facts.discounts_in_text(text) == discounts


def test_bare_none_answers_the_discount_question_only_when_asked():
    assert facts.discounts_in_text("none", asked=True) == "0.00"
    assert facts.discounts_in_text("none", asked=False) is None


async def test_one_long_message_fills_amount_and_discounts_at_once(store, dispatcher, domain):
    """R7: 'paid 300' (a bare number) and 'no discounts' said while the purchase
    time was asked are both taken; neither is asked afterwards."""
    tracker = make_tracker({"requested_slot": "purchased_at", "billing": "monthly"}, active_loop="refund_form",
                           text=LONG_BARE, entities=[{"entity": "number", "value": 300}], new_slots=EXTRACTED)
    slots = slot_events(await ValidateRefundForm().run(dispatcher, tracker, domain))
    assert slots["amount_paid"] == "300.00"
    assert slots["unrecoverable_discounts"] == "0.00"
    assert slots["requested_slot"] not in ("amount_paid", "unrecoverable_discounts", "purchased_at")
    assert "utter_not_understood_slot" not in responses(dispatcher)


async def test_long_answer_to_the_billing_question_fills_discounts(store, dispatcher, domain):
    tracker = make_tracker({"requested_slot": "billing"}, active_loop="refund_form", text=LONG,
                           new_slots={"billing": "monthly", "amount_paid": "300", **EXTRACTED})
    slots = slot_events(await ValidateRefundForm().run(dispatcher, tracker, domain))
    assert slots["unrecoverable_discounts"] == "0.00" and slots["amount_paid"] == "300.00"
    assert slots["requested_slot"] != "unrecoverable_discounts"


async def test_a_question_mentioning_discounts_fills_nothing(store, dispatcher, domain):
    tracker = make_tracker({"requested_slot": "amount_paid", "billing": "monthly", **EXTRACTED},
                           active_loop="refund_form", intent="faq", text="what if I had no discount?")
    slots = slot_events(await ValidateRefundForm().run(dispatcher, tracker, domain))
    assert slots.get("unrecoverable_discounts") is None


ASKED_DISCOUNTS = {"requested_slot": "unrecoverable_discounts", "billing": "monthly", "amount_paid": "300.00", **EXTRACTED}


async def test_yes_to_the_discount_question_is_kept_not_misread(store, dispatcher, domain):
    tracker = make_tracker(ASKED_DISCOUNTS, active_loop="refund_form", intent="affirm", text="yes",
                           new_slots={"unrecoverable_discounts": "yes"})
    slots = slot_events(await ValidateRefundForm().run(dispatcher, tracker, domain))
    assert slots["discount_used"] is True
    assert slots["unrecoverable_discounts"] is None
    # a guest is not asked the amount: the answer names the R7 deduction rule instead
    assert slots["requested_slot"] is None
    assert responses(dispatcher) == []  # no "Sorry, I couldn't use that answer."
    ask = domain["responses"]["utter_ask_unrecoverable_discounts"]
    how_much = [r for r in ask if r.get("condition")]
    assert how_much and how_much[0]["condition"][0]["name"] == "discount_used" and "How much" in how_much[0]["text"]


@pytest.mark.parametrize("intent, text, new_slots", [
    ("deny", "no", {"unrecoverable_discounts": "0"}),
    ("inform", "none", {}),
])
async def test_no_or_none_to_the_discount_question_is_zero(store, dispatcher, domain, intent, text, new_slots):
    tracker = make_tracker(ASKED_DISCOUNTS, active_loop="refund_form", intent=intent, text=text, new_slots=new_slots)
    slots = slot_events(await ValidateRefundForm().run(dispatcher, tracker, domain))
    assert slots["unrecoverable_discounts"] == "0.00"


@pytest.mark.parametrize("intent, expected", [("report_fault", "utter_form_switched"), ("ask_icp_reward", "utter_form_switched"),
                                              ("stop", "utter_form_cancelled")])
async def test_cancel_form_says_why(store, dispatcher, domain, intent, expected):
    events = await ActionCancelForm().run(dispatcher, make_tracker({"billing": "monthly"}, intent=intent,
                                                                    active_loop="refund_form"), domain)
    assert responses(dispatcher) == [expected]
    assert slot_events(events)["billing"] is None
    rendered(dispatcher, domain)


async def test_typed_session_start_greets(dispatcher, domain):
    tracker = make_tracker(intent="session_start", text="/session_start")
    events = await ActionSessionStart().run(dispatcher, tracker, domain)
    assert [e["event"] for e in events] == ["session_started", "action"]
    assert responses(dispatcher) == ["utter_greet"]


async def test_automatic_session_start_is_silent(dispatcher, domain):
    """Before a new conversation's first message (or after a reply) nothing is said."""
    from rasa_sdk import Tracker

    for history in ([], [user_event("hi", "greet"), {"event": "bot", "text": "Hello!"}]):
        tracker = Tracker("s-1234567890", {}, {}, history, False, None, {}, "action_listen")
        events = await ActionSessionStart().run(dispatcher, tracker, domain)
        assert events[0]["event"] == "session_started"
    assert responses(dispatcher) == []


async def test_restart_says_what_the_bot_can_do():
    """Rasa's action_restart utters `utter_restart` when the domain has it."""
    from rasa.core.actions.action import ActionRestart
    from rasa.core.channels import CollectingOutputChannel
    from rasa.core.nlg import TemplatedNaturalLanguageGenerator
    from rasa.shared.core.domain import Domain
    from rasa.shared.core.events import Restarted
    from rasa.shared.core.trackers import DialogueStateTracker

    from tests.actions.conftest import ROOT

    domain = Domain.load(str(ROOT / "domain.yml"))
    tracker = DialogueStateTracker("s-1234567890", domain.slots)
    events = await ActionRestart().run(CollectingOutputChannel(), TemplatedNaturalLanguageGenerator(domain.responses),
                                       tracker, domain)
    assert isinstance(events[-1], Restarted)
    texts = [getattr(e, "text", None) for e in events[:-1]]
    assert texts and texts[0] and "{" not in texts[0]


FORM_START = {"refund_form": "request_refund", "fault_form": "report_fault", "icp_form": "ask_icp_reward"}


def test_no_form_takes_a_message_that_asks_for_another_check(domain):
    """'my ECS was down yesterday from 2 till 3:35pm' (report_fault) during the
    refund form must not fill the refund's purchase time: the refund form has to
    reject it so the switch rule (data/rules/form_switch.yml) runs. Rasa predicts an
    active form before any rule, so only a rejected form lets the rule act."""
    checked = 0
    for slot, spec in domain["slots"].items():
        for mapping in spec.get("mappings") or []:
            if mapping.get("type") not in ("from_entity", "from_text"):
                continue
            for condition in mapping.get("conditions") or []:
                form = condition.get("active_loop")
                others = {i for f, i in FORM_START.items() if f != form}
                assert others <= set(mapping.get("not_intent") or []), (slot, mapping)
                assert FORM_START[form] not in (mapping.get("not_intent") or []), (slot, mapping)
                checked += 1
    assert checked > 20


async def test_unknown_order_is_said_once(store, dispatcher, domain):
    """'I can't find CS...' already says what was wrong: no extra 'couldn't use that answer'."""
    tracker = make_tracker({"requested_slot": "refund_item"}, customer="C1001", active_loop="refund_form",
                           entities=[{"entity": "order_id", "value": "CS2001010001"}],
                           new_slots={"refund_item": "CS2001010001"})
    await ValidateRefundForm().run(dispatcher, tracker, domain)
    assert responses(dispatcher).count("utter_order_not_found") == 1
    assert "utter_not_understood_slot" not in responses(dispatcher)


def test_fault_minutes_are_shown_like_people_write_them():
    from actions.compensation import show_minutes

    assert show_minutes("95.00") == "95" and show_minutes("95.50") == "95.5" and show_minutes("120") == "120"


@pytest.mark.parametrize("entities, form", [
    ([{"entity": "order_id", "value": "CS2611240001"}, {"entity": "billing", "value": "monthly"},
      {"entity": "number", "value": 300}], "refund_form"),
    ([{"entity": "scenario", "value": "service_unavailable"}, {"entity": "billing", "value": "monthly"}], "fault_form"),
    ([{"entity": "filing_id", "value": "ICP26112001"}], "icp_form"),
])
async def test_details_outside_a_form_start_their_check(dispatcher, domain, entities, form):
    from actions.smalltalk import ActionRouteInform

    tracker = make_tracker(text="refund CS2611240001, monthly, ...", entities=entities)
    events = await ActionRouteInform().run(dispatcher, tracker, domain)
    assert events == [{"event": "followup", "timestamp": None, "name": form}]
    assert responses(dispatcher) == []


async def test_nothing_recognisable_outside_a_form_gets_the_fallback(store, dispatcher, domain):
    from actions.smalltalk import ActionRouteInform

    await ActionRouteInform().run(dispatcher, make_tracker(text="monday", entities=[{"entity": "time", "value": "x"}]), domain)
    assert responses(dispatcher)  # the honest "I can help with ..." (action_fallback)


async def test_back_says_what_it_did():
    """Rasa's action_back utters `utter_back` when the domain has it ("/back" got no reply)."""
    from rasa.core.actions.action import ActionBack
    from rasa.core.channels import CollectingOutputChannel
    from rasa.core.nlg import TemplatedNaturalLanguageGenerator
    from rasa.shared.core.domain import Domain
    from rasa.shared.core.trackers import DialogueStateTracker

    from tests.actions.conftest import ROOT

    domain = Domain.load(str(ROOT / "domain.yml"))
    tracker = DialogueStateTracker("s-1234567890", domain.slots)
    events = await ActionBack().run(CollectingOutputChannel(), TemplatedNaturalLanguageGenerator(domain.responses),
                                    tracker, domain)
    assert any(getattr(e, "text", None) for e in events)


async def test_refund_for_my_product_picks_the_only_such_order(store, dispatcher, domain):
    """'refund for my RDS' (C1001 has one RDS order, in its grace period): that order
    is checked at once and refused under R6 with deletion offered, no buttons."""
    rds = [o for o in store.orders("C1001") if o.product == "RDS"]
    assert len(rds) == 1
    tracker = make_tracker({"requested_slot": None}, customer="C1001", intent="request_refund", active_loop="refund_form",
                           text="refund for my RDS", entities=[{"entity": "product", "value": "RDS"}])
    slots = slot_events(await ValidateRefundForm().run(dispatcher, tracker, domain))
    assert slots["refund_item"] == rds[0].order_id
    assert slots["requested_slot"] is None  # ineligible (R6): nothing left to ask


async def test_product_with_several_orders_still_asks(store, dispatcher, domain):
    products = [o.product for o in store.orders("C1003")]
    several = next(p for p in products if products.count(p) > 1)
    tracker = make_tracker({"requested_slot": None}, customer="C1003", intent="request_refund", active_loop="refund_form",
                           text=f"refund my {several}", entities=[{"entity": "product", "value": several}])
    slots = slot_events(await ValidateRefundForm().run(dispatcher, tracker, domain))
    assert slots.get("refund_item") is None and slots["requested_slot"] == "refund_item"


def test_started_and_fixed_say_which_fault_end():
    from actions.compensation import end_cue, fault_when_target, same_day_as_other_end

    assert end_cue("no, it started at 1pm") == "fault_start"
    assert end_cue("it was fixed at 4") == "fault_end"
    assert end_cue("1pm") is None
    # the daily cost is asked, start and end are known: "started" makes it the start
    target = fault_when_target("2026-11-27T13:00:00+08:00", "daily_cost", "2026-11-26T14:00:00+08:00",
                               "no, it started at 1pm")
    assert target == {"fault_start": "2026-11-27T13:00:00+08:00"}
    # ... on the day of the known end (yesterday), not today (C3)
    assert same_day_as_other_end("fault_start", "2026-11-27T13:00:00+08:00",
                                 "2026-11-26T15:35:00+08:00") == "2026-11-26T13:00:00+08:00"
    assert same_day_as_other_end("fault_start", "2026-11-26T13:00:00+08:00",
                                 "2026-11-26T15:35:00+08:00") == "2026-11-26T13:00:00+08:00"


async def test_correction_of_the_start_keeps_the_day(store, dispatcher, domain):
    """'yesterday from 2 till 3:35pm', then 'no, it started at 1pm': 155 minutes, not a day."""
    from actions.compensation import ValidateFaultForm

    known = {"scenario": "service_unavailable", "fault_start": "2026-11-26T14:00:00+08:00",
             "fault_end": "2026-11-26T15:35:00+08:00", "requested_slot": "daily_cost"}
    history = [user_event("my ECS was down yesterday from 2 till 3:35pm", "report_fault")] + [
        {"event": "slot", "name": k, "value": v} for k, v in known.items()]
    tracker = make_tracker(known, active_loop="fault_form", text="no, it started at 1pm", history=history,
                           entities=[{"entity": "time", "value": "2026-11-27T13:00:00+08:00"}],
                           new_slots={"fault_when": "2026-11-27T13:00:00+08:00"})
    slots = slot_events(await ValidateFaultForm().run(dispatcher, tracker, domain))
    assert slots["fault_start"] == "2026-11-26T13:00:00+08:00"
    assert slots.get("fault_end", known["fault_end"]) == known["fault_end"]
