"""FAQ, support scope, hotline, handoff, fallback, stop, identity and the
service-down answer."""
from __future__ import annotations

import pytest
from rasa_sdk.executor import CollectingDispatcher

from actions import store_access
from actions.common import figures
from actions.contact import ActionHotline
from actions.faq import ActionFaq
from actions import handoff
from actions.handoff import ActionHandoff
from actions.identity import customer_id
from actions.refund import ActionAskRefundItem, ActionRefundStatus
from actions.scope import ActionScope
from actions.smalltalk import ActionCancelForm, ActionFallback
from bot.store.errors import StoreUnavailable
from bot import identity
from tests.actions.conftest import NOW, SENDER, make_tracker, rendered, responses, signed_auth, user_event

FAQ_KEYS = ("products_covered refund_window refund_limit invoice discounts data_deletion refund_process "
            "pay_per_use grace_period compensation_formula compensation_exclusions compensation_deadline "
            "reward_amount reward_validity reward_conditions reward_payout compensation_payout filing_rejection "
            "billing_correction").split()


def selector(intent, key):
    return {"default": {"response": {"intent_response_key": f"{intent}/{key}", "confidence": 0.9}}}


@pytest.mark.parametrize("key", FAQ_KEYS)
async def test_every_faq_answer_renders_with_policy_figures(key, dispatcher, domain):
    tracker = make_tracker({}, intent="faq", selector=selector("faq", key))
    await ActionFaq().run(dispatcher, tracker, domain)
    assert responses(dispatcher)[0] == f"utter_faq/{key}"
    rendered(dispatcher, domain)  # fails on any placeholder left unfilled


async def test_faq_figures_come_from_the_policy(dispatcher, domain):
    await ActionFaq().run(dispatcher, make_tracker({}, intent="faq", selector=selector("faq", "refund_limit")), domain)
    assert figures()["refund_limit"] in rendered(dispatcher, domain)[0]


async def test_unknown_faq_key_is_not_invented(dispatcher, domain):
    await ActionFaq().run(dispatcher, make_tracker({}, intent="faq"), domain)
    assert responses(dispatcher) == ["utter_faq_unknown", "utter_offer_ticket"]


async def test_scope_not_provided_lists_what_is(dispatcher, domain):
    events = await ActionScope().run(dispatcher, make_tracker({}, intent="scope", selector=selector("scope", "third_party_deployment")), domain)
    assert responses(dispatcher) == ["utter_scope_not_provided", "utter_scope_provided_list"]  # S2
    assert "third-party" in rendered(dispatcher, domain)[0]
    assert events[0]["value"] == "third_party_deployment"


async def test_scope_provided_offers_a_ticket(dispatcher, domain):
    await ActionScope().run(dispatcher, make_tracker({}, intent="scope", selector=selector("scope", "console")), domain)
    assert responses(dispatcher) == ["utter_scope_provided", "utter_offer_ticket"]  # S1


@pytest.mark.parametrize("now, open_", [("2026-11-27T10:00:00+08:00", True), ("2026-11-28T20:00:00+08:00", False)])
async def test_hotline_open_now_uses_the_clock(now, open_, monkeypatch, dispatcher, domain):
    monkeypatch.setenv("ASSURANCE_NOW", now)
    await ActionHotline().run(dispatcher, make_tracker({}, intent="ask_hotline"), domain)
    expected = "utter_hotline_open_now" if open_ else "utter_hotline_closed_now"
    assert responses(dispatcher) == ["utter_hotline", expected]
    text = " ".join(rendered(dispatcher, domain))
    assert figures()["hotline_number"] in text and "24/7" in text


async def test_handoff_opens_a_ticket_with_a_transcript(store, dispatcher, domain):
    history = [user_event("refund pls", "request_refund"), {"event": "bot", "text": "Which order?"}]
    tracker = make_tracker({}, intent="human_handoff", text="open a ticket please, I want to talk to a human",
                           history=history, customer="C1001")
    await ActionHandoff().run(dispatcher, tracker, domain)
    assert responses(dispatcher)[0] == "utter_handoff_ticket"
    reference = dispatcher.messages[0]["reference"]
    ticket = store.claim("C1001", reference)
    assert ticket.kind == "ticket" and "customer: refund pls" in ticket.summary


async def test_a_doubtful_request_for_a_person_is_offered_a_ticket(store, dispatcher, domain):
    tracker = make_tracker({}, intent="human_handoff", text="get me a human.", customer="C1001")
    tracker.latest_message["intent"]["confidence"] = 0.55  # a cue's reading over the classifier's (cues.py)
    await ActionHandoff().run(dispatcher, tracker, domain)
    assert responses(dispatcher) == ["utter_handoff_offer"]
    assert [c for c in store.claims("C1001") if c.kind == "ticket"] == []


async def test_guest_handoff_ticket_belongs_to_the_conversation(store, dispatcher, domain):
    await ActionHandoff().run(dispatcher, make_tracker({}, intent="human_handoff", sender="guest-42",
                                                       text="/human_handoff"), domain)
    reference = dispatcher.messages[0]["reference"]
    assert store.claim(None, reference, conversation_id="guest-42") is not None


def handoff_tracker(sender: str, turn: int, *, client: str = "c" * 32, customer=None):
    """A `/human_handoff` in its `turn`-th user message (one ticket key per turn), as
    the channel passes it: with the keyed client address in the metadata."""
    history = [user_event("hello", "greet", sender=sender) for _ in range(turn - 1)]
    tracker = make_tracker({}, intent="human_handoff", text="/human_handoff", history=history,
                           sender=sender, customer=customer)
    if client:
        tracker.events[-1]["metadata"]["client_address"] = client
    return tracker


async def test_guest_tickets_are_limited_per_conversation(store, domain, monkeypatch):
    """`/human_handoff` repeated must not open a ticket every time (docs/SECURITY.md, guarantee 7)."""
    limit = handoff.GUEST_TICKETS_PER_CONVERSATION
    for turn in range(1, limit + 1):
        said = CollectingDispatcher()
        await ActionHandoff().run(said, handoff_tracker("guest:flood-1", turn), domain)
        assert responses(said)[0] == "utter_handoff_ticket"
    refused = CollectingDispatcher()
    await ActionHandoff().run(refused, handoff_tracker("guest:flood-1", limit + 1), domain)
    assert "utter_handoff_ticket" not in responses(refused)
    assert responses(refused)[0] == "utter_ticket_limit"
    text = " ".join(rendered(refused, domain))
    assert figures()["hotline_number"] in text  # the number from the policy data
    assert len(store.claims(None, conversation_id="guest:flood-1")) == limit


async def test_guest_tickets_are_limited_per_client_address(store, domain, monkeypatch):
    """New conversation ids do not help: the channel's keyed client address counts."""
    monkeypatch.setenv("ASSURANCE_GUEST_TICKETS_PER_ADDRESS", "3")
    for n in range(3):
        said = CollectingDispatcher()
        await ActionHandoff().run(said, handoff_tracker(f"guest:rotate-{n}", 1), domain)
        assert responses(said)[0] == "utter_handoff_ticket"
    refused = CollectingDispatcher()
    await ActionHandoff().run(refused, handoff_tracker("guest:rotate-9", 1), domain)
    assert responses(refused)[0] == "utter_ticket_limit"
    other = CollectingDispatcher()  # another address is not affected
    await ActionHandoff().run(other, handoff_tracker("guest:rotate-9", 1, client="d" * 32), domain)
    assert responses(other)[0] == "utter_handoff_ticket"
    forged = CollectingDispatcher()  # a value that is no address key is ignored, not trusted
    await ActionHandoff().run(forged, handoff_tracker("guest:rotate-8", 1, client="<script>"), domain)
    assert responses(forged)[0] == "utter_handoff_ticket"


async def test_misunderstandings_never_open_a_ticket_unasked(store, domain):
    """Two misunderstandings offer a ticket; only the customer opens one."""
    twice = make_tracker({}, intent="nlu_fallback", text="zzz", sender="guest:fb-1",
                         history=[user_event("blorp", "nlu_fallback", sender="guest:fb-1")])
    said = CollectingDispatcher()
    await ActionFallback().run(said, twice, domain)
    assert responses(said)[:2] == ["utter_handoff_after_fallback", "utter_handoff_offer"]
    assert store.claims(None, conversation_id="guest:fb-1") == []


async def test_signed_in_customers_tickets_are_not_limited(store, domain, monkeypatch):
    monkeypatch.setenv("ASSURANCE_GUEST_TICKETS_PER_ADDRESS", "1")
    limit = handoff.GUEST_TICKETS_PER_CONVERSATION
    for turn in range(1, limit + 3):
        said = CollectingDispatcher()
        await ActionHandoff().run(said, handoff_tracker("acct:C1001:s1", turn, customer="C1001"), domain)
        assert responses(said)[0] == "utter_handoff_ticket"


async def test_second_misunderstanding_in_a_row_hands_off(store, dispatcher, domain):
    once = make_tracker({}, intent="nlu_fallback", text="blorp")
    await ActionFallback().run(dispatcher, once, domain)
    assert responses(dispatcher) == ["utter_default"]
    twice = make_tracker({}, intent="nlu_fallback", text="zzz", history=[user_event("blorp", "nlu_fallback")])
    second = type(dispatcher)()
    await ActionFallback().run(second, twice, domain)
    assert responses(second)[:2] == ["utter_handoff_after_fallback", "utter_handoff_offer"]


async def test_stop_ends_the_form_and_forgets(dispatcher, domain):
    events = await ActionCancelForm().run(dispatcher, make_tracker({"billing": "monthly"}, intent="stop",
                                                                   active_loop="refund_form"), domain)
    assert events[0] == {"event": "active_loop", "timestamp": None, "name": None}
    assert {"event": "slot", "timestamp": None, "name": "billing", "value": None} in events
    assert responses(dispatcher) == ["utter_form_cancelled"]


def test_only_verified_channel_metadata_identifies_a_customer():
    assert customer_id(make_tracker({}, customer="C1001")) == "C1001"
    unverified = make_tracker({})
    unverified.events[-1]["metadata"] = {"auth": {"customer_id": "C1001", "verified": False}}
    assert customer_id(unverified) is None
    # a slot or the message text cannot bind an account
    assert customer_id(make_tracker({"customer_id": "C1001"}, text="I am C1001, verified")) is None
    bad = make_tracker({})
    bad.events[-1]["metadata"] = {"auth": {"customer_id": "C1001; drop", "verified": True}}
    assert customer_id(bad) is None


@pytest.mark.parametrize("forge", [
    # the flag the channel used to write, once believed from any caller (guarantee 1)
    lambda auth: {"customer_id": "C1003", "verified": True},
    # a proof made for another conversation
    lambda auth: signed_auth("C1003", sender="acct:C1003:someone-else"),
    # a real proof with the account swapped
    lambda auth: {**auth, "customer_id": "C1003"},
    # a real proof with the expiry pushed out
    lambda auth: {**auth, "expires": auth["expires"] + 3600},
    # a proof made with another key
    lambda auth: identity.Identity("C1003", NOW, NOW + identity.DEFAULT_TTL).metadata(
        SENDER, "another-secret-" + "y" * 40),
    lambda auth: {**auth, "proof": auth["proof"].upper()},
    lambda auth: {**auth, "expires": str(auth["expires"])},
    lambda auth: "C1003",
])
def test_action_server_believes_only_a_valid_channel_proof(forge):
    tracker = make_tracker({}, customer="C1001")
    assert customer_id(tracker) == "C1001"
    tracker.events[-1]["metadata"] = {"auth": forge(tracker.events[-1]["metadata"]["auth"])}
    assert customer_id(tracker) is None


def test_an_expired_channel_proof_makes_a_guest(monkeypatch):
    tracker = make_tracker({}, customer="C1001")
    later = NOW + identity.DEFAULT_TTL + identity.LEEWAY
    monkeypatch.setenv("ASSURANCE_NOW", later.isoformat())
    assert customer_id(tracker) is None


def test_without_a_secret_the_action_server_proves_nobody(monkeypatch):
    tracker = make_tracker({}, customer="C1001")
    monkeypatch.delenv(identity.SECRET_ENV)
    assert customer_id(tracker) is None


class DownStore:
    def __getattr__(self, name):
        def fail(*args, **kwargs):
            raise StoreUnavailable("database unreachable")
        return fail


@pytest.mark.parametrize("action", [ActionRefundStatus, ActionAskRefundItem, ActionHandoff])
async def test_store_down_gives_hotline_and_ticket_never_a_traceback(action, dispatcher, domain):
    store_access.set_store(DownStore())
    try:
        await action().run(dispatcher, make_tracker({}, customer="C1001", text="please open a ticket"), domain)
    finally:
        store_access.set_store(None)
    assert responses(dispatcher) == ["utter_service_down"]
    assert figures()["hotline_number"] in rendered(dispatcher, domain)[0]


async def test_core_fallback_forgets_the_message_so_the_bot_listens(store, dispatcher, domain):
    """No rule fits (e.g. 'no, it was the 24th' after the form ended): answer once and
    revert the message, never loop the fallback."""
    events = await ActionFallback().run(dispatcher, make_tracker({}, intent="deny", text="no, it was the 24th"), domain)
    assert responses(dispatcher) == ["utter_default"]
    assert [e["event"] for e in events] == ["rewind"]


def test_responses_rasa_utters_itself_need_no_action_variables(domain):
    """Rules and form questions utter these without an action, so only slots could
    fill them: a policy figure there would show as '{refund_limit}'."""
    import re
    from pathlib import Path

    import yaml

    root = Path(__file__).resolve().parents[2]
    direct = set()
    for path in (root / "data" / "rules").glob("*.yml"):
        for rule in yaml.safe_load(path.read_text())["rules"]:
            direct |= {s["action"] for s in rule["steps"] if str(s.get("action", "")).startswith("utter_")}
    custom_asks = {a.replace("action_ask_", "utter_ask_") for a in domain["actions"] if a.startswith("action_ask_")}
    direct |= {r for r in domain["responses"] if r.startswith("utter_ask_") and r not in custom_asks}
    assert "utter_ask_billing" in direct and "utter_iamabot" in direct
    slots = set(domain["slots"])
    for name in sorted(direct):
        for variant in domain["responses"][name]:
            used = set(re.findall(r"(?<!{){([^{}]+)}(?!})", variant.get("text", "")))
            assert used <= slots, f"{name} uses {used - slots}"


async def test_unusable_answer_in_a_form_is_asked_again_then_explained(store, dispatcher, domain):
    """'sometime' for the purchase time: nothing extracted, no rule fits (core fallback)."""
    first = make_tracker({"requested_slot": "purchased_at"}, intent="inform", text="sometime", active_loop="refund_form")
    events = await ActionFallback().run(dispatcher, first, domain)
    assert responses(dispatcher) == ["utter_not_understood_slot", "utter_ask_purchased_at"]
    assert events[0]["event"] == "rewind" and events[1]["value"] == 1.0
    again = type(dispatcher)()
    second = make_tracker({"requested_slot": "purchased_at", "repeated_validation_failures": 1.0},
                          intent="inform", text="dunno", active_loop="refund_form")
    events = await ActionFallback().run(again, second, domain)
    assert responses(again) == ["utter_explain_purchased_at", "utter_ask_continue_form"]
    assert {e["name"]: e["value"] for e in events if e["event"] == "slot"}["requested_slot"] == "continue_form"
    assert load_figure("refund_days") in rendered(again, domain)[0]


def load_figure(name):
    return figures()[name]


def test_every_slot_mapping_is_conditioned_on_its_form(domain):
    """3.x mapping conditions: no slot fills from a message outside its form; intent
    and free-text answers only fill the slot that was asked (docs/CONVERSATIONS.md)."""
    for name, slot in domain["slots"].items():
        for mapping in slot["mappings"]:
            if mapping["type"] == "custom":
                continue
            conditions = mapping.get("conditions") or []
            assert conditions and all(c.get("active_loop") for c in conditions), name
            if mapping["type"] in ("from_intent", "from_text"):
                assert all(c.get("requested_slot") for c in conditions), name


async def test_stop_with_no_check_going_on_stops_nothing(dispatcher, domain):
    """"No, forget it, I'll call." after an answer: no "I'm not sure you want to stop this check"."""
    events = await ActionCancelForm().run(dispatcher, make_tracker({}, intent="stop", text="No, forget it, I'll call."),
                                          domain)
    assert responses(dispatcher) == ["utter_anything_else"]
    assert all(e.get("event") != "active_loop" for e in events)


async def test_yes_after_a_guest_answer_says_how_to_file(dispatcher, domain):
    from actions.smalltalk import ActionYesAfterAnswer

    await ActionYesAfterAnswer().run(dispatcher, make_tracker({}, intent="affirm", text="yes please submit"), domain)
    assert responses(dispatcher) == ["utter_guest_how_to_file"]
