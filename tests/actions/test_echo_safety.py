"""Bot texts never echo user-supplied values unchecked (docs/SECURITY.md, guarantee 10).

`/request_refund{"order_id": "<img src=x onerror=alert(1)>"}` (Rasa's intent syntax
sets any entity value) came back as "I can't find <img src=x onerror=...> on your
account." The shipped widget renders text as text, but messaging apps and other
clients may render HTML or Markdown. Identifiers are now checked against their
patterns (data/nlu/entities.yml) before they are used or echoed; only a well-formed
identifier is ever repeated back.
"""
from __future__ import annotations

import pytest

from actions import facts
from actions.compensation import ValidateFaultForm
from actions.icp import ValidateIcpForm
from actions.refund import ActionRefundStatus, ValidateRefundForm
from tests.actions.conftest import make_tracker, rendered, responses

HOSTILE = [
    "<img src=x onerror=alert(1)>",
    "<script>alert('x')</script>",
    "CS2611240001<b>x</b>",
    "[click](https://evil.example)",
    "<https://evil.example|CS2611240001>",  # a Slack link
    "*CS2611240001*",
    "<!channel>",
    "CS2611240001\n\nhi",
    "ecs-1a2b3c4d\u202e",
    "x" * 500,
]


def assert_not_echoed(dispatcher, domain, value: str) -> None:
    text = "\n".join(rendered(dispatcher, domain))
    assert value not in text, text
    assert "<" not in text and "](" not in text, text


def slot_events(events):
    return {e["name"]: e["value"] for e in events if e.get("event") == "slot"}


@pytest.mark.parametrize("value", HOSTILE)
@pytest.mark.parametrize("customer", ["C1001", None], ids=["signed-in", "guest"])
async def test_refund_item_is_never_echoed_unless_it_is_an_id(store, dispatcher, domain, value, customer):
    tracker = make_tracker({"requested_slot": "refund_item"}, customer=customer, active_loop="refund_form",
                           new_slots={"refund_item": value})
    events = await ValidateRefundForm().run(dispatcher, tracker, domain)
    assert slot_events(events).get("refund_item") is None  # never kept as the item
    assert_not_echoed(dispatcher, domain, value)


@pytest.mark.parametrize("value", HOSTILE)
async def test_fault_order_and_incident_are_never_echoed_unless_ids(store, dispatcher, domain, value):
    for slot in ("fault_order", "fault_incident"):
        said = type(dispatcher)()
        tracker = make_tracker({"requested_slot": slot}, customer="C1001", active_loop="fault_form",
                               new_slots={slot: value})
        events = await ValidateFaultForm().run(said, tracker, domain)
        assert slot_events(events).get(slot) is None
        assert_not_echoed(said, domain, value)


@pytest.mark.parametrize("value", HOSTILE + ["ICP12345678<img src=x>"])
async def test_icp_filing_is_never_echoed_unless_an_id(store, dispatcher, domain, value):
    tracker = make_tracker({"requested_slot": "icp_filing"}, customer="C1001", active_loop="icp_form",
                           new_slots={"icp_filing": value})
    events = await ValidateIcpForm().run(dispatcher, tracker, domain)
    assert slot_events(events).get("icp_filing") is None
    assert_not_echoed(dispatcher, domain, value)


@pytest.mark.parametrize("value", HOSTILE + ["RF-ABC123<img src=x>"])
async def test_claim_reference_is_never_echoed_unless_a_reference(store, dispatcher, domain, value):
    entities = [{"entity": "claim_ref", "value": value}]
    tracker = make_tracker({}, customer="C1003", intent="refund_status", entities=entities)
    await ActionRefundStatus().run(dispatcher, tracker, domain)
    assert_not_echoed(dispatcher, domain, value)


async def test_a_well_formed_unknown_id_is_still_named(store, dispatcher, domain):
    """The useful echo stays: a real-looking id that is not on the account."""
    tracker = make_tracker({"requested_slot": "refund_item"}, customer="C1001", active_loop="refund_form",
                           new_slots={"refund_item": "cs9999999999"})
    await ValidateRefundForm().run(dispatcher, tracker, domain)
    assert responses(dispatcher) == ["utter_order_not_found"]
    assert "CS9999999999" in rendered(dispatcher, domain)[0]
    status = type(dispatcher)()
    await ActionRefundStatus().run(status, make_tracker({}, customer="C1001", intent="refund_status",
                                                        entities=[{"entity": "claim_ref", "value": "RF-ZZZZZZ"}]), domain)
    assert responses(status) == ["utter_status_unknown_reference"]
    assert "RF-ZZZZZZ" in rendered(status, domain)[0]


@pytest.mark.parametrize("value, kinds, expected", [
    ("CS2611240001", ("order_id",), "CS2611240001"),
    (" cs2611240001 ", ("order_id", "resource_id"), "CS2611240001"),
    ("ECS-1A2B3C4D", ("order_id", "resource_id"), "ecs-1a2b3c4d"),
    ("inc12345678", ("incident_id",), "INC12345678"),
    ("ICP12345678", ("filing_id",), "ICP12345678"),
    ("rf-abc123", ("claim_ref",), "RF-ABC123"),
    ("CS2611240001", ("resource_id",), None),
    ("CS26112400011", ("order_id",), None),
    ("RF-ABCI23", ("claim_ref",), None),  # I is not in the reference alphabet
    ("<b>CS2611240001</b>", ("order_id",), None),
    (42, ("order_id",), None),
    (None, ("order_id",), None),
])
def test_parse_id(value, kinds, expected):
    assert facts.parse_id(value, *kinds) == expected
