"""Claim integrity in the conversation: an incident, order or ICP filing
with a standing claim gets "You already filed CP-… on …, status …" at decision
time (no "Good news… qualifies", no question to submit), filing never makes a
second claim, and the choices offered say why they cannot succeed."""
from __future__ import annotations

import pytest

from typing import Any

from actions.compensation import ActionAskFaultConfirmed, ActionAskFaultIncident, ActionFaultSubmit, ValidateFaultForm
from actions.icp import ActionAskIcpFiling, ActionIcpResult
from actions.refund import ActionAskRefundConfirmed, ActionAskRefundItem, ActionRefundSubmit, ValidateRefundForm
from bot.policy import decide, load_policy
from tests.actions.conftest import make_tracker, rendered, responses

OTHER = "another-conversation"


def slot_events(events: list) -> dict:
    return {e["name"]: e["value"] for e in events if e.get("event") == "slot"}


def outage(store: Any) -> str:
    return [i for i in store.incidents("C1001") if i.cause == "platform" and i.scenario == "service_unavailable"][0].incident_id


def file_compensation(store: Any, incident_id: str, key: str = "earlier-conversation") -> Any:
    case = store.compensation_case("C1001", incident_id=incident_id)
    return store.submit_claim("C1001", "compensation", case, decide(case), key, details={"incident_id": incident_id})


def file_refund(store: Any, cid: str, order_id: str, key: str = "earlier-conversation") -> Any:
    case = store.refund_case(cid, [order_id])
    return store.submit_claim(cid, "refund", case, decide(case), key)


def assert_exists_said(dispatcher: Any, domain: dict, claim: Any, status_words: str = "submitted") -> None:
    assert responses(dispatcher) == ["utter_claim_exists"]
    (text,) = rendered(dispatcher, domain)
    assert claim.reference in text and "Fri 27 Nov 2026" in text and f"status: {status_words}" in text


async def test_chosen_incident_with_a_claim_is_not_offered_for_filing_again(store, dispatcher, domain):
    incident = outage(store)
    first = file_compensation(store, incident)
    tracker = make_tracker({"requested_slot": "fault_incident"}, customer="C1001", active_loop="fault_form",
                           new_slots={"fault_incident": incident}, sender=OTHER)
    slots = slot_events(await ValidateFaultForm().run(dispatcher, tracker, domain))
    assert slots["fault_incident"] == incident and slots["requested_slot"] is None  # no "shall I file?"
    ask = type(dispatcher)()
    await ActionAskFaultConfirmed().run(ask, make_tracker({"fault_incident": incident}, customer="C1001"), domain)
    assert_exists_said(ask, domain, first)
    done = type(dispatcher)()
    await ActionFaultSubmit().run(done, make_tracker({"fault_incident": incident, "fault_confirmed": True},
                                                     customer="C1001", sender=OTHER), domain)
    assert_exists_said(done, domain, first)
    assert [c.reference for c in store.claims("C1001", "compensation")] == [first.reference]


async def test_claim_filed_meanwhile_is_named_at_submission(store, dispatcher, domain, monkeypatch):
    incident = outage(store)
    first = file_compensation(store, incident)
    monkeypatch.setattr(store, "open_claim", lambda *a, **k: None)  # the look before filing missed it
    await ActionFaultSubmit().run(dispatcher, make_tracker({"fault_incident": incident, "fault_confirmed": True},
                                                           customer="C1001", sender=OTHER), domain)
    assert_exists_said(dispatcher, domain, first)  # the store's ClaimExists, not "no longer qualifies"
    assert len(store.claims("C1001", "compensation")) == 1


async def test_status_is_shown_in_words(store, dispatcher, domain):
    incident = outage(store)
    first = file_compensation(store, incident)
    store.transition("C1001", first.reference, "under_review", "reviewer:ops-7")
    await ActionFaultSubmit().run(dispatcher, make_tracker({"fault_incident": incident, "fault_confirmed": True},
                                                           customer="C1001", sender=OTHER), domain)
    assert_exists_said(dispatcher, domain, first, "under review")
    assert "under_review" not in rendered(dispatcher, domain)[0]


async def test_incident_buttons_say_why_they_cannot_succeed(store, dispatcher, domain):
    incident = outage(store)
    first = file_compensation(store, incident)
    carrier = [i for i in store.incidents("C1001") if i.cause == "carrier_fault"][0].incident_id
    await ActionAskFaultIncident().run(dispatcher, make_tracker({}, customer="C1001"), domain)
    titles = {b["payload"].split('"')[3]: b["title"] for b in dispatcher.messages[0]["buttons"][:-1]}
    assert titles[incident].endswith(f"already requested: {first.reference}")
    assert f"not eligible: {load_policy().rule('C4').title} (C4)" in titles[carrier]
    plain = [t for i, t in titles.items() if i not in (incident, carrier)]
    assert plain and not any("—" in t for t in plain)  # the config-change failure (C2) is offered as is


async def test_order_in_a_refund_request_gets_the_request_not_good_news(store, dispatcher, domain):
    ecs = [o for o in store.orders("C1001") if o.product == "ECS" and o.billing == "monthly"][0].order_id
    first = file_refund(store, "C1001", ecs)
    tracker = make_tracker({"requested_slot": None}, customer="C1001", intent="request_refund",
                           new_slots={"refund_item": ecs}, active_loop="refund_form", sender=OTHER)
    slots = slot_events(await ValidateRefundForm().run(dispatcher, tracker, domain))
    assert slots["refund_item"] == ecs and slots["requested_slot"] is None  # R8 question not asked
    ask = type(dispatcher)()
    await ActionAskRefundConfirmed().run(ask, make_tracker({"refund_item": ecs}, customer="C1001"), domain)
    assert_exists_said(ask, domain, first)
    done = type(dispatcher)()
    await ActionRefundSubmit().run(done, make_tracker({"refund_item": ecs, "refund_confirmed": True},
                                                      customer="C1001", intent="affirm", sender=OTHER), domain)
    assert_exists_said(done, domain, first)
    assert len(store.claims("C1001", "refund")) == 1


async def test_refund_buttons_name_the_standing_request(store, dispatcher, domain):
    eligible = [i["id"] for i in decide(store.refund_case("C1002", [o.order_id for o in store.orders("C1002")]))["items"]
                if i["decision"] == "eligible"]
    assert len(eligible) >= 2  # STORE.md: C1002's ECS hourly and EVS yearly
    first = file_refund(store, "C1002", eligible[0])
    await ActionAskRefundItem().run(dispatcher, make_tracker({}, customer="C1002"), domain)
    assert responses(dispatcher) == ["utter_ask_refund_item_choose"]
    titles = {b["payload"].split('"')[3]: b["title"] for b in dispatcher.messages[0]["buttons"]}
    assert titles[eligible[0]].endswith(f"already requested: {first.reference}")
    assert "already requested" not in titles[eligible[1]]


async def test_nothing_refundable_names_each_candidates_rule(store, dispatcher, domain):
    await ActionAskRefundItem().run(dispatcher, make_tracker({}, customer="C1001"), domain)
    ecs = [o for o in store.orders("C1001") if o.product == "ECS" and o.billing == "monthly"][0].order_id
    file_refund(store, "C1001", ecs)  # the one refundable order is now requested
    after = type(dispatcher)()
    await ActionAskRefundItem().run(after, make_tracker({}, customer="C1001", sender=OTHER), domain)
    assert responses(after)[0] == "utter_refund_none_qualify" and responses(after)[-1] == "utter_ask_refund_item_other"
    text = "\n".join(rendered(after, domain))
    for rule in ("R2", "R4", "R5", "R6"):  # STORE.md: C1001 has one order per refund rule
        assert f"{load_policy().rule(rule).title} ({rule})" in text, rule
    assert "already requested in RF-" in text
    lines = rendered(after, domain)[1:-1]  # one line per candidate
    assert lines and not any("_" in line or "None" in line for line in lines)  # no raw enum, no missing value


async def test_icp_reward_application_standing_is_named(store, dispatcher, domain):
    case = store.icp_case("C1001")
    first = store.submit_claim("C1001", "icp_reward", case, decide(case), "earlier-conversation")
    await ActionIcpResult().run(dispatcher, make_tracker({}, customer="C1001"), domain)
    assert_exists_said(dispatcher, domain, first)
    buttons = type(dispatcher)()
    await ActionAskIcpFiling().run(buttons, make_tracker({}, customer="C1001"), domain)
    (title,) = [b["title"] for b in buttons.messages[0]["buttons"] if first.filing_id in b["payload"]]
    assert title.endswith(f"already requested: {first.reference}")


async def test_ok_then_not_yet_at_the_filing_question_files_nothing(store, dispatcher, domain):
    slots = {"scenario": "service_unavailable", "daily_cost": "57.60", "fault_start": "2026-11-25T15:10:00+08:00",
             "fault_end": "2026-11-25T16:55:00+08:00", "requested_slot": "fault_confirmed"}
    form = ValidateFaultForm()
    for text in ("OK 先不要送出，我要先跟主管確認一下", "ok but don't submit it yet"):
        tracker = make_tracker(slots, intent="affirm", text=text, active_loop="fault_form")
        assert form.validate_fault_confirmed(True, dispatcher, tracker, domain).get("fault_confirmed") is not True


AT_CONFIRM = {"scenario": "service_unavailable", "daily_cost": "24.00", "fault_start": "2026-11-20T08:10:00+08:00",
              "fault_end": "2026-11-20T10:40:00+08:00", "requested_slot": "fault_confirmed"}
RIGHT_NOW = {"entity": "time", "text": "right now", "start": 43, "end": 52, "value": "2026-11-27T10:00:00+08:00"}


@pytest.mark.parametrize("intent,text,entities,filed", [
    # the "now" Rasa maps into the fault time is no correction
    ("report_fault", "then submit the compensation application right now please", [RIGHT_NOW], True),
    # a cause the customer does not know is what the check assumed
    ("refund_status", "i dont know what caused it please just file the claim for me", [], True),
    # "please confirm the rule" asks a question
    ("faq", "Is that 10.005 rounded up? Please confirm the rounding rule.", [], False),
])
async def test_what_the_words_say_at_the_filing_question(intent, text, entities, filed, store, dispatcher, domain):
    history = [{"event": "slot", "name": k, "value": v} for k, v in AT_CONFIRM.items()]
    new = {"fault_when": RIGHT_NOW["value"]} if entities else None
    tracker = make_tracker(AT_CONFIRM, intent=intent, text=text, entities=entities, history=history,
                           active_loop="fault_form", new_slots=new)
    events = await ValidateFaultForm().run(dispatcher, tracker, domain)
    said_yes = any(e.get("name") == "fault_confirmed" and e.get("value") is True for e in events)
    assert said_yes is filed
