"""A long answer misread as another topic still gives its facts (issue 15, family 2):
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


async def test_a_clear_other_topic_gives_no_entity_answers(store, dispatcher, domain):
    events = await ValidateRefundForm().get_extraction_events(dispatcher, refund_tracker(0.95), domain)
    assert "invoice" not in slot_events(events)
