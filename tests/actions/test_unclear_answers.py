"""A long answer misread as another topic still gives its facts:
when the intent reading is doubtful, the form takes the message's entities for its
slots as if it were an answer; a clear other-topic message gives none."""
from __future__ import annotations

from actions.forms_base import entity_answers
from actions.refund import FORM_SLOTS, ValidateRefundForm
from tests.actions.conftest import make_tracker

ANSWER = "no invoice, I'm a normal customer, first refund this year, it's running fine, paid 1200, no discounts"
ENTITIES = [{"entity": "invoice", "value": "none", "start": 0, "end": 10},
            {"entity": "resource_state", "value": "running", "start": 67, "end": 74}]


def refund_tracker(confidence: float):
    tracker = make_tracker({"requested_slot": "invoice", "billing": "yearly",
                            "purchased_at": "2026-11-25T10:00:00+08:00"},
                           intent="ask_icp_reward", text=ANSWER, entities=ENTITIES, active_loop="refund_form")
    tracker.latest_message["intent"]["confidence"] = confidence
    return tracker


def slot_events(events):
    return {e["name"]: e["value"] for e in events if e.get("event") == "slot"}


def test_entity_answers_ignore_intent_filters_for_this_form_only(domain):
    found = entity_answers(refund_tracker(0.4), domain, "refund_form", FORM_SLOTS)
    assert found == {"invoice": "none", "resource_state": "running"}
    assert entity_answers(refund_tracker(0.4), domain, "fault_form", FORM_SLOTS) == {}


async def test_a_doubtful_reading_still_answers_the_refund_questions(store, dispatcher, domain):
    events = await ValidateRefundForm().get_extraction_events(dispatcher, refund_tracker(0.45), domain)
    got = slot_events(events)
    assert got["invoice"] == "none" and got["resource_state"] == "running"
    assert got["amount_paid"] is not None and got["refunds_this_year"] == 0


async def test_a_clear_other_topic_gives_only_this_checks_own_facts(store, dispatcher, domain):
    """The check went on, so the message's refund facts are answers; a time or a
    number could be another topic's and is taken only from a doubtful reading."""
    tracker = refund_tracker(0.95)
    tracker.latest_message["entities"].append({"entity": "time", "value": "2026-11-26T14:00:00+08:00"})
    got = slot_events(await ValidateRefundForm().get_extraction_events(dispatcher, tracker, domain))
    assert got["invoice"] == "none" and "purchased_at" not in got
    doubtful = refund_tracker(0.4)
    doubtful.latest_message["entities"].append({"entity": "time", "value": "2026-11-26T14:00:00+08:00"})
    assert entity_answers(doubtful, domain, "refund_form", FORM_SLOTS)["purchased_at"] == "2026-11-26T14:00:00+08:00"


async def test_a_question_states_no_fact(store, dispatcher, domain):
    tracker = refund_tracker(0.95)
    tracker.latest_message["intent"]["name"] = "faq"
    tracker.latest_message["text"] = "what if there is no invoice and it's still running?"
    assert "invoice" not in slot_events(await ValidateRefundForm().get_extraction_events(dispatcher, tracker, domain))


async def test_a_statement_read_as_a_question_intent_still_states_facts(store, dispatcher, domain):
    """"The filing was rejected by the authority last week" read as an FAQ: a fact, not a question."""
    tracker = refund_tracker(0.95)
    tracker.latest_message["intent"]["name"] = "faq"
    assert slot_events(await ValidateRefundForm().get_extraction_events(dispatcher, tracker, domain))["invoice"] == "none"
