"""Fast checks of the blind conversation suite (no stack): the files follow the
format, the expectation tables cover the format and name real responses, and the
text matchers accept the renderings they should and refuse the ones they should not."""
from __future__ import annotations

from pathlib import Path

import pytest
import yaml

from tests.conversations import expectations as ex
from tests.conversations import suite
from tests.domain import domain_dict

FORMAT_ASKS = (
    "refund_item billing purchased_at invoice resource_state amount_paid discounts customer_tier "
    "refunds_this_year confirm incident affected_order scenario fault_cause fault_start fault_end "
    "daily_cost period_confirm host_subscription used_for_website first_filing accumulated_recharge "
    "reward_received host_status filing_status approved_at delay_days").split()
FORMAT_TOPICS = ("refund refund_status compensation icp_reward hotline scope faq handoff smalltalk "
                 "out_of_scope stop").split()


def domain() -> dict:
    return domain_dict()


# --- the files ------------------------------------------------------------------------

BLIND = suite.blind_files()


@pytest.mark.parametrize("path", BLIND or [None], ids=[p.name for p in BLIND] or ["none"])
def test_blind_file_follows_the_format(path):
    if path is None:
        pytest.skip("no blind conversation files yet (tests/conversations/blind/)")
    conversations = suite.load_file(path)
    assert conversations, path


def test_blind_ids_are_unique_across_files():
    if not BLIND:
        pytest.skip("no blind conversation files yet")
    conversations = suite.load_files(BLIND)
    assert len({c.id for c in conversations}) == len(conversations)


def test_examples_follow_the_format():
    conversations = suite.load_file(Path(__file__).with_name("examples.yml"))
    assert len(conversations) >= 8


def _one(**conv):
    base = {"id": "x-1", "account": "guest", "turns": [{"user": "hi"}]}
    base.update(conv)
    return suite.parse_conversations({"conversations": [base]}, Path("t.yml"))


@pytest.mark.parametrize("bad, words", [
    ({"acount": "guest"}, "unknown key"),
    ({"account": "C9999"}, "unknown account"),
    ({"turns": [{"user": "hi", "expect": {"asks": "fault_reason"}}]}, "not an `asks` name"),
    ({"turns": [{"user": "hi", "expect": {"topik": "refund"}}]}, "unknown expect key"),
    ({"turns": [{"user": "hi", "expect": {"topic": "billing"}}]}, "not a topic"),
    ({"turns": [{"user": "hi", "expect": {"decision": "maybe"}}]}, "not a decision"),
    ({"turns": [{"user": "hi", "expect": {"rules": ["X9"]}}]}, "rule IDs"),
    ({"turns": [{"user": "hi", "expect": {"amount": "lots"}}]}, "money figure"),
    ({"turns": [{"user": "hi", "expect": {"apply_by": "next week"}}]}, "YYYY-MM-DD"),
    ({"turns": [{"user": "hi", "expect": {"ticket": "yes"}}]}, "true or false"),
    ({"turns": [{"user": "hi", "says": "x"}]}, "unknown key"),
    ({"turns": []}, "non-empty"),
    ({"outcome": {"refunded": True}}, "unknown outcome key"),
])
def test_format_errors_are_clear(bad, words):
    with pytest.raises(suite.FormatError, match=words):
        _one(**bad)


def test_values_are_normalised():
    (conv,) = _one(turns=[{"user": 48, "expect": {"rules": "C4", "amount": 280, "apply_by": yaml.safe_load("2026-12-03")}}])
    assert conv.turns[0].user == "48"
    assert conv.turns[0].expect == {"rules": ["C4"], "amount": "280.00", "apply_by": "2026-12-03"}


def test_duplicate_ids_across_files_are_refused(tmp_path):
    for name in ("a.yml", "b.yml"):
        (tmp_path / name).write_text("conversations:\n- id: dup\n  account: guest\n  turns:\n  - user: hi\n")
    with pytest.raises(suite.FormatError, match="already used"):
        suite.load_files([tmp_path / "a.yml", tmp_path / "b.yml"])


# --- the tables -------------------------------------------------------------------------


def test_tables_cover_the_format():
    assert set(ex.ASKS) == set(FORMAT_ASKS)
    assert set(ex.TOPICS) == set(FORMAT_TOPICS) == set(ex.TOPIC_TABLE)
    assert set(ex.TURN_CHECKS) == set(ex.EXPECT_KEYS)
    assert set(ex.DECISION_RESPONSES) | {"partially_eligible"} == set(ex.DECISIONS)


def test_tables_name_real_responses_and_slots():
    d = domain()
    responses, slots = set(d["responses"]), set(d["slots"])
    assert ex.referenced_responses() - responses == set()
    for name, ask in ex.ASKS.items():
        if ask.gap:
            continue
        assert set(ask.slots) <= slots, name
        # every form question of the ask is uttered by a response or an action_ask_*
        assert all(f"utter_ask_{s}" in responses or f"action_ask_{s}" in d["actions"] for s in ask.slots), name
    forms = set(d["forms"])
    assert {f for t in ex.TOPIC_TABLE.values() for f in t.forms} <= forms


def test_every_response_of_a_check_has_a_topic():
    """A response of the refund/fault/ICP checks that no topic claims would make a
    `topic` check fail for the wrong reason."""
    shared = {"utter_ask_customer_tier", "utter_ask_continue_form", "utter_order_not_found",
              "utter_not_understood_slot", "utter_explain_generic", "utter_invalid_fact",
              "utter_policy_reason", "utter_guest_how_to_file", "utter_guest_check_only",
              "utter_form_switched", "utter_service_down", "utter_service_down_bare",
              "utter_default", "utter_restart", "utter_back", "utter_stop_unsure", "utter_switch_unsure",
              "utter_take_your_time",
              "utter_sorry_trouble", "utter_guest_claim_how", "utter_guest_claim_limit",
              # issue 10: a standing claim of any check, and choice-button title notes
              "utter_claim_exists", "utter_choice_claimed", "utter_choice_ineligible"}
    for name in domain()["responses"]:
        if name in shared or name.startswith("utter_scope/"):
            continue
        assert any(t.matches(name) for t in ex.TOPIC_TABLE.values()), name


def test_gaps_are_the_known_ones():
    """Asks names the assistant has no question for; each check fails until it has."""
    d = domain()
    for name, ask in ex.ASKS.items():
        if ask.gap:
            questions = {f"utter_ask_{s}" for s in ask.slots} | {f"action_ask_{s}" for s in ask.slots}
            assert not questions & (set(d["responses"]) | set(d["actions"])), f"{name} is asked now: drop its gap note"


# --- matchers ---------------------------------------------------------------------------


@pytest.mark.parametrize("text", ["Compensation: 316.67 — 100 times", "¥316.67", "赔偿316.67元", "CNY316.67",
                                  "you get 316.67."])
def test_amount_found(text):
    assert ex.amount_in_text("316.67", text)


@pytest.mark.parametrize("expected, text", [
    ("17520.00", "CNY 17,520.00"), ("17520.00", "17520"), ("280.00", "¥280"), ("280.00", "退款280元"),
    ("280.00", "280 yuan"), ("0.00", "compensation 0.00"), ("200.00", "USD 200.00"),
])
def test_amount_renderings(expected, text):
    if expected == "17520.00" and text == "17520":
        assert not ex.amount_in_text(expected, text)  # a bare whole number is not money
    else:
        assert ex.amount_in_text(expected, text)


@pytest.mark.parametrize("expected, text", [
    ("316.67", "316.6"), ("316.67", "1316.67"), ("316.67", "316.670"[:6] + "8"), ("100.00", "100 times the cost"),
    ("1.00", "RF-DEM001"), ("35.00", "fixed at 15:35"), ("3.00", "2026-12-03"), ("24.00", "ecs-24"),
])
def test_amount_not_found(expected, text):
    assert not ex.amount_in_text(expected, text)


@pytest.mark.parametrize("text", [
    "Apply by 2026-12-03", "Apply by Thu 03 Dec 2026, 15:35 (UTC+08:00)", "by 3 Dec", "by Dec 3", "by December 3rd",
    "by the 3rd of December", "12月3日前申请", "2026年12月3日", "2026/12/3", "Thu 3 Dec", "3 Dec. 2026", "03.12.2026",
])
def test_date_found(text):
    assert ex.date_in_text("2026-12-03", text)


@pytest.mark.parametrize("text", ["13 Dec", "Dec 31", "3 Nov", "2026-12-30", "3 Dec 2025", "12月13日", "2026-12-04"])
def test_date_not_found(text):
    assert not ex.date_in_text("2026-12-03", text)


@pytest.mark.parametrize("expected, text", [
    (95, "the 95 minutes of the fault"), (95, "95.00 min"), (95, "1 h 35 min"), (95, "1 hour 35 minutes"),
    (95, "1小时35分钟"), (95, "95分钟"), (95, "95min"), ("95.5", "95.5 minutes"), ("95.5", "95 min 30 s"),
    ("95.5", "1 hour 35 minutes and 30 seconds"), (120, "2 hours"), (180, "3小时"),
])
def test_minutes_found(expected, text):
    assert ex.minutes_in_text(expected, text)


@pytest.mark.parametrize("expected, text", [
    (95, "195 minutes"), (95, "95 times"), (95, "9.5 minutes"), (95, "1 h 36 min"), (120, "12 hours"),
    (95, "95 yuan"), (95, "at 15:35"),
])
def test_minutes_not_found(expected, text):
    assert not ex.minutes_in_text(expected, text)


@pytest.mark.parametrize("text, kinds", [
    ("I still need: daily_cost, fault_start.", {"field_name"}),
    ("I still need: items[0].invoice", {"field_path"}),
    ("host.status is missing", {"field_path"}),
    ("It started 2026-11-26T14:00:00+08:00.", {"iso_timestamp"}),
    ("Your request {reference} is filed", {"placeholder"}),
    ("Apply by None.", {"None"}),
    ("Its cause (carrier_fault) is excluded", {"field_name"}),
])
def test_leaks_found(text, kinds):
    assert {k for k, _ in ex.leaks(text)} == kinds


@pytest.mark.parametrize("text", [
    "Apply by Thu 03 Dec 2026, 15:35 (UTC+08:00): within 7 days of the fix (C5).",
    "Refund request RF-7KQ2M9 for ecs-1a2b3c4d (CS2611250001) is submitted (280.00).",
    "Hotline +86-4000-955-988: Monday to Friday, 09:00-18:00 (UTC+08:00).",
    "Nothing was filed. None of your recent orders looks refundable to me.",
    "Apply by 2026-12-03.", "e.g. example.com",
])
def test_clean_text_has_no_leaks(text):
    assert ex.leaks(text) == []


def test_rules_in_parentheses():
    assert ex.rules_in_text("(C1, C3) and (C4); （R2） (I4 and I7)") == ["C1", "C3", "C4", "R2", "I4", "I7"]
    assert ex.rules_in_text("under rule C4") == []


# --- turn checks on made-up observations -------------------------------------------------


def obs(*replies, active_loop=None, requested_slot=None, claims=()):
    return ex.TurnObservation(
        user="x", replies=[ex.Reply(text=t, response=r) for r, t in replies], active_loop=active_loop,
        requested_slot=requested_slot, new_claims=[ex.Claim(reference=ref, kind=k) for k, ref in claims])


def results(expect, observation):
    return {c.key: c.ok for c in ex.check_turn(expect, observation)}


def test_asks_uses_the_last_question_or_the_requested_slot():
    o = obs(("utter_fault_amount", "Compensation: 1.00"), ("utter_ask_daily_cost", "What does it cost per day?"))
    assert results({"asks": "daily_cost"}, o)["asks"]
    assert not results({"asks": "fault_end"}, o)["asks"]
    o = obs(("utter_not_understood_slot", "Sorry"), active_loop="fault_form", requested_slot="daily_cost")
    assert results({"asks": "daily_cost"}, o)["asks"]
    o = obs(("utter_ask_fault_start", "When?"), ("utter_ask_continue_form", "Go on?"))
    assert not results({"asks": "fault_start"}, o)["asks"]  # the last question is another one
    assert not results({"asks": "fault_cause"}, obs(("utter_ask_scenario", "What happened?")))["asks"]
    assert results({"asks": "refund_item"}, obs(("utter_ask_refund_item_choose", "Which order?")))["asks"]


def test_decisions():
    assert ex.stated_decision(["utter_fault_amount", "utter_fault_apply_by", "utter_fault_sla_note"]) == "eligible"
    assert ex.stated_decision(["utter_fault_amount", "utter_fault_cause_review"]) == "undetermined"
    assert ex.stated_decision(["utter_refund_ineligible", "utter_refund_rule_R2"]) == "ineligible"
    assert ex.stated_decision(["utter_refund_eligible_full", "utter_refund_ineligible"]) == "partially_eligible"
    assert ex.stated_decision(["utter_icp_waiting_approval"]) == "undetermined"
    assert ex.stated_decision(["utter_hotline"]) is None


def test_topics():
    assert ex.topics_of(obs(("utter_faq/refund_window", "..."), active_loop="refund_form")) == ["refund", "faq"]
    assert ex.topics_of(obs(("utter_form_cancelled", "Okay, I've stopped."))) == ["stop"]
    assert "stop" not in ex.topics_of(obs(("utter_form_cancelled", "..."), active_loop="fault_form"))
    assert ex.topics_of(obs(("utter_default", "Sorry, I didn't get that."))) == []


def test_ticket_and_filed_need_the_store_and_the_reply():
    told = obs(("utter_handoff_ticket", "I've opened service ticket TK-ABC123"), claims=[("ticket", "TK-ABC123")])
    assert results({"ticket": True}, told)["ticket"]
    silent = obs(("utter_default", "Sorry"), claims=[("ticket", "TK-ABC123")])
    assert not results({"ticket": True}, silent)["ticket"]
    assert not results({"ticket": False}, silent)["ticket"]
    said_only = obs(("utter_refund_filed", "Done. RF-XYZ"))
    assert not results({"filed": True}, said_only)["filed"]
    assert results({"filed": False}, said_only)["filed"]


def test_outcome_defaults_to_nothing_filed_or_opened():
    quiet = [obs(("utter_greet", "Hello"))]
    assert all(c.ok for c in ex.check_outcome(None, quiet))
    ticket = [obs(("utter_handoff_ticket", "TK-1"), claims=[("ticket", "TK-1")])]
    checks = {c.key: c.ok for c in ex.check_outcome({}, ticket)}
    assert checks == {"outcome.ticket": False, "outcome.filed": True}
    assert all(c.ok for c in ex.check_outcome({"ticket": True}, ticket))


def test_a_silent_turn_fails():
    assert results({}, obs()) == {"reply": False}
