"""Which check a message runs: another check asked mid-form ends the form and says
why (the switch rule in data/rules/form_switch.yml can act only when the form
rejects the message), and details said before any check start the check they
belong to."""
from __future__ import annotations

import pytest

from actions.smalltalk import ActionCancelForm
from tests.actions.conftest import make_tracker, rendered, responses, slot_events


@pytest.mark.parametrize("intent, expected", [("report_fault", "utter_form_switched"), ("ask_icp_reward", "utter_form_switched"),
                                              ("stop", "utter_form_cancelled")])
async def test_cancel_form_says_why(store, dispatcher, domain, intent, expected):
    events = await ActionCancelForm().run(dispatcher, make_tracker({"billing": "monthly"}, intent=intent,
                                                                    active_loop="refund_form"), domain)
    assert responses(dispatcher) == [expected]
    assert slot_events(events)["billing"] is None
    rendered(dispatcher, domain)


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


def test_a_new_question_naming_the_other_check_is_a_clear_switch():
    from actions.smalltalk import names_another_check
    from tests.actions.conftest import make_tracker

    said = make_tracker(intent="ask_icp_reward", text="diff q: icp reward eligible?")
    assert names_another_check(said)
    assert not names_another_check(make_tracker(intent="ask_icp_reward", text="icp reward eligible?"))
