"""A guest may file what their check found: a refund request or a compensation
application as they described it, owned by the conversation and marked unverified
for staff to match to the account; never without an explicit yes, never past the
guest limits, and a "no" files nothing."""
from __future__ import annotations

import pytest

from actions.compensation import ActionFaultSubmit
from actions.refund import ActionAskRefundConfirmed, ActionRefundSubmit
from tests.actions.conftest import SENDER, make_tracker, rendered, responses

REFUND = {"billing": "monthly", "purchased_at": "2026-11-25T09:00:00+08:00", "amount_paid": "150.00",
          "unrecoverable_discounts": "0.00", "invoice": "none"}
FAULT = {"scenario": "service_unavailable", "fault_start": "2026-11-26T14:00:00+08:00",
         "fault_end": "2026-11-26T15:35:00+08:00", "daily_cost": "48.00", "fault_cause": "platform"}


def guest_claims(store):
    return store.claims(None, conversation_id=SENDER)


async def test_a_guest_is_asked_before_filing_and_told_what_filing_means(store, dispatcher, domain):
    await ActionAskRefundConfirmed().run(dispatcher, make_tracker(REFUND, active_loop="refund_form"), domain)
    said = responses(dispatcher)
    assert said[-2:] == ["utter_guest_claim_how", "utter_ask_refund_confirmed"]
    assert "utter_refund_eligible_provisional" in said and "utter_guest_how_to_file" not in said
    rendered(dispatcher, domain)  # every placeholder filled


async def test_a_guest_yes_files_an_unverified_refund_request(store, dispatcher, domain):
    tracker = make_tracker({**REFUND, "refund_confirmed": True}, intent="affirm", text="yes, submit it")
    await ActionRefundSubmit().run(dispatcher, tracker, domain)
    (claim,) = guest_claims(store)
    assert claim.kind == "refund" and claim.status == "submitted" and claim.customer_id is None
    assert claim.details["unverified"] is True and str(claim.amount) == "150.00"
    assert responses(dispatcher)[0] == "utter_refund_filed_guest"
    assert claim.reference in rendered(dispatcher, domain)[0]


async def test_a_guest_no_files_nothing(store, dispatcher, domain):
    tracker = make_tracker({**FAULT, "fault_confirmed": False}, intent="deny", text="not now")
    await ActionFaultSubmit().run(dispatcher, tracker, domain)
    assert guest_claims(store) == []
    assert responses(dispatcher)[0] == "utter_fault_not_filed"


async def test_a_guest_yes_files_a_compensation_application_with_its_figure(store, dispatcher, domain):
    tracker = make_tracker({**FAULT, "fault_confirmed": True}, intent="affirm", text="yes")
    await ActionFaultSubmit().run(dispatcher, tracker, domain)
    (claim,) = guest_claims(store)
    assert claim.kind == "compensation" and str(claim.amount) == "316.67"
    assert responses(dispatcher) == ["utter_fault_filed_guest"]


async def test_an_ineligible_guest_fault_is_not_offered_for_filing(store, dispatcher, domain):
    from actions.compensation import ValidateFaultForm
    from tests.actions.conftest import slot_events

    tracker = make_tracker({**FAULT, "fault_cause": "attack_or_virus", "requested_slot": "daily_cost"},
                           active_loop="fault_form", text="48 a day")
    assert slot_events(await ValidateFaultForm().run(dispatcher, tracker, domain))["requested_slot"] is None


async def test_guest_claims_count_against_the_guest_limits(store, dispatcher, domain, monkeypatch):
    monkeypatch.setenv("ASSURANCE_GUEST_TICKETS_PER_CONVERSATION", "1")
    await ActionFaultSubmit().run(dispatcher, make_tracker({**FAULT, "fault_confirmed": True}, intent="affirm"), domain)
    later = {**FAULT, "fault_start": "2026-11-25T08:00:00+08:00", "fault_end": "2026-11-25T09:00:00+08:00",
             "fault_confirmed": True}
    await ActionFaultSubmit().run(dispatcher, make_tracker(later, intent="affirm"), domain)
    assert len(guest_claims(store)) == 1
    assert responses(dispatcher)[-1] == "utter_guest_claim_limit"


@pytest.mark.parametrize("kind", ["ticket", "icp_reward"])
def test_the_store_files_only_refunds_and_compensation_for_a_guest(store, kind):
    with pytest.raises(ValueError):
        store.submit_guest_claim(SENDER, kind, {}, {}, "k")


async def test_a_correction_at_the_filing_question_re_decides_instead_of_declining(store, dispatcher, domain):
    from actions.compensation import ValidateFaultForm
    from tests.actions.conftest import slot_events

    said = [{"entity": "time", "value": "2026-11-26T15:00:00+08:00", "start": 28, "end": 33},
            {"entity": "time", "value": "2026-11-26T16:00:00+08:00", "start": 39, "end": 44}]
    before = {**FAULT, "fault_end": "2026-11-26T16:00:00+08:00", "requested_slot": "fault_confirmed"}
    tracker = make_tracker(before, active_loop="fault_form", text="wait sorry, it came back at 15:00, not 16:00",
                           entities=said, new_slots={"fault_when": [e["value"] for e in said]},
                           history=[{"event": "slot", "name": k, "value": v} for k, v in before.items()])
    slots = slot_events(await ValidateFaultForm().run(dispatcher, tracker, domain))
    assert slots.get("fault_confirmed") is None  # "not 16:00" is no "no, don't file"
    assert slots["fault_end"] == "2026-11-26T15:00:00+08:00"
    assert slots["requested_slot"] == "fault_confirmed"  # the new figure, then the question again


async def test_rasa_keeping_the_taken_back_time_does_not_undo_the_correction(store, dispatcher, domain):
    """Rasa's from_entity mapping keeps the LAST time of the message: "at 15:00, not 16:00" gives 16:00."""
    from actions.compensation import ValidateFaultForm
    from tests.actions.conftest import slot_events

    said = [{"entity": "time", "value": "2026-11-26T15:00:00+08:00", "start": 25, "end": 33},
            {"entity": "time", "value": "2026-11-26T16:00:00+08:00", "start": 39, "end": 44}]
    before = {**FAULT, "fault_end": "2026-11-26T16:00:00+08:00", "requested_slot": "fault_confirmed"}
    tracker = make_tracker(before, active_loop="fault_form", text="wait sorry, it came back at 15:00, not 16:00",
                           entities=said, new_slots={"fault_when": said[-1]["value"]},
                           history=[{"event": "slot", "name": k, "value": v} for k, v in before.items()])
    assert slot_events(await ValidateFaultForm().run(dispatcher, tracker, domain))["fault_end"] == "2026-11-26T15:00:00+08:00"


async def test_a_fact_said_again_as_it_was_does_not_hold_up_the_yes(store, dispatcher, domain):
    from actions.refund import ValidateRefundForm
    from tests.actions.conftest import slot_events

    before = {**REFUND, "requested_slot": "refund_confirmed"}
    tracker = make_tracker(before, active_loop="refund_form", intent="affirm",
                           text="We never got an invoice, as I said. Just submit it, data's backed up.",
                           history=[{"event": "slot", "name": k, "value": v} for k, v in before.items()])
    assert slot_events(await ValidateRefundForm().run(dispatcher, tracker, domain))["refund_confirmed"] is True
