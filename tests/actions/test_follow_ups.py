"""Questions after a decision: answered from the policy, or honestly
declined with a ticket offered; a plain "yes" opens a ticket only after an offer."""
from __future__ import annotations

from datetime import timedelta

import pytest
from rasa_sdk.executor import CollectingDispatcher

from actions.faq import OFFERS_TICKET, ActionFaq
from actions.handoff import ActionHandoff, ticket_was_offered
from actions.icp import credit_overdue, present
from tests.actions.conftest import NOW, make_tracker, rendered, responses, user_event


def selector(key: str) -> dict:
    return {"default": {"response": {"intent_response_key": f"faq/{key}", "confidence": 0.9}}}


def bot_event(response: str) -> dict:
    return {"event": "bot", "text": "…", "metadata": {"utter_action": response}}


async def test_reward_payout_says_nothing_to_apply_for_and_when(dispatcher, domain):
    await ActionFaq().run(dispatcher, make_tracker({}, intent="faq", selector=selector("reward_payout")), domain)
    assert responses(dispatcher) == ["utter_faq/reward_payout"]  # answered by the policy: no ticket offer
    text = rendered(dispatcher, domain)[0]
    assert "(I9)" in text and "7 days" in text


@pytest.mark.parametrize("key", sorted(OFFERS_TICKET))
async def test_what_the_policy_does_not_say_is_declined_with_a_ticket_offer(key, dispatcher, domain):
    await ActionFaq().run(dispatcher, make_tracker({}, intent="faq", selector=selector(key)), domain)
    assert responses(dispatcher) == [f"utter_faq/{key}", "utter_offer_ticket"]
    rendered(dispatcher, domain)


def test_an_offer_counts_only_in_the_assistants_last_turn():
    offered = [user_event("why rejected?", "faq"), bot_event("utter_faq/filing_rejection"),
               bot_event("utter_offer_ticket"), user_event("yes", "affirm")]
    assert ticket_was_offered(offered)
    older = offered[:3] + [user_event("ok", "affirm"), bot_event("utter_anything_else"), user_event("yes", "affirm")]
    assert not ticket_was_offered(older)


async def test_yes_after_an_offer_opens_a_ticket(store, domain):
    history = [user_event("why was my filing rejected", "faq"), bot_event("utter_faq/filing_rejection"),
               bot_event("utter_offer_ticket")]
    said = CollectingDispatcher()
    await ActionHandoff().run(said, make_tracker({}, intent="affirm", text="yes please", history=history), domain)
    assert responses(said)[0] == "utter_handoff_ticket"


async def test_yes_without_an_offer_opens_nothing(store, domain):
    history = [user_event("how much is the reward", "faq"), bot_event("utter_faq/reward_amount")]
    said = CollectingDispatcher()
    await ActionHandoff().run(said, make_tracker({}, intent="affirm", text="yes", history=history), domain)
    assert responses(said) == ["utter_anything_else"]
    assert store.claims(None, conversation_id="test-conversation") == []


def eligible(credit_by) -> dict:
    return {"decision": "eligible", "reward_amount": "100.00", "credit_by": credit_by.isoformat(),
            "valid_until": (credit_by + timedelta(days=365)).isoformat(), "rules_failed": []}


def test_a_credit_date_in_the_past_is_overdue():
    assert credit_overdue(eligible(NOW - timedelta(days=1)))
    assert not credit_overdue(eligible(NOW + timedelta(days=2)))
    assert not credit_overdue({"decision": "eligible", "credit_by": None})


async def test_overdue_reward_offers_a_person(dispatcher, domain):
    present(dispatcher, domain, {}, eligible(NOW - timedelta(days=3)))
    assert responses(dispatcher) == ["utter_icp_eligible", "utter_icp_credit_overdue", "utter_offer_ticket"]
    assert "24 Nov" in rendered(dispatcher, domain)[1]


async def test_reward_not_yet_due_offers_nothing(dispatcher, domain):
    present(dispatcher, domain, {}, eligible(NOW + timedelta(days=2)))
    assert responses(dispatcher) == ["utter_icp_eligible"]


async def test_in_a_check_the_answer_offers_no_second_question(dispatcher, domain):
    tracker = make_tracker({}, intent="faq", selector=selector("billing_correction"), active_loop="fault_form")
    await ActionFaq().run(dispatcher, tracker, domain)
    assert responses(dispatcher) == ["utter_faq/billing_correction"]  # the form asks its question next


def ranked(*pairs):
    return {"default": {"response": {"intent_response_key": f"faq/{pairs[0][0]}", "confidence": pairs[0][1]},
                        "ranking": [{"intent_response_key": f"faq/{k}", "confidence": c} for k, c in pairs]}}


async def test_a_short_follow_up_is_read_in_the_context_of_the_check(dispatcher, domain):
    """'By when do I have to apply?' after a compensation answer: C5, not R2."""
    close = ranked(("refund_window", 0.215), ("compensation_deadline", 0.209), ("reward_payout", 0.177))
    after_fault = make_tracker({"last_check": {"form": "fault_form", "slots": {}}}, intent="faq", selector=close)
    await ActionFaq().run(dispatcher, after_fault, domain)
    assert responses(dispatcher) == ["utter_faq/compensation_deadline"]


async def test_by_when_after_an_answer_gives_that_answer_again_with_its_date(dispatcher, domain):
    close = ranked(("refund_window", 0.215), ("compensation_deadline", 0.209))
    slots = {"scenario": "service_unavailable", "daily_cost": "36.00", "fault_start": "2026-11-25T09:10:00+08:00",
             "fault_end": "2026-11-25T11:40:00+08:00"}
    after_fault = make_tracker({"last_check": {"form": "fault_form", "slots": slots}}, intent="faq", selector=close,
                               text="By when do I have to apply?")
    events = await ActionFaq().run(dispatcher, after_fault, domain)
    assert events[-1] == {"event": "followup", "timestamp": None, "name": "fault_form"}
    assert {e["name"]: e["value"] for e in events if e["event"] == "slot"}["daily_cost"] == "36.00"


async def test_a_clear_answer_of_another_check_stands(dispatcher, domain):
    clear = ranked(("reward_amount", 0.9), ("compensation_deadline", 0.05))
    after_fault = make_tracker({"last_check": {"form": "fault_form", "slots": {}}}, intent="faq", selector=clear,
                               text="and how much is the ICP reward?")
    await ActionFaq().run(dispatcher, after_fault, domain)
    assert responses(dispatcher) == ["utter_faq/reward_amount"]


async def test_a_question_about_ones_own_filing_runs_the_check(store, dispatcher, domain):
    tracker = make_tracker({}, customer="C1004", intent="faq", selector=selector("reward_payout"),
                           text="When will I get the ICP reward for chenjie.example.cn?")
    events = await ActionFaq().run(dispatcher, tracker, domain)
    assert events == [{"event": "followup", "timestamp": None, "name": "icp_form"}]
    assert responses(dispatcher) == []
    guest = type(dispatcher)()
    await ActionFaq().run(guest, make_tracker({}, intent="faq", selector=selector("reward_payout"),
                                              text="When will I get the ICP reward for chenjie.example.cn?"), domain)
    assert responses(guest) == ["utter_faq/reward_payout"]


async def test_an_answer_of_another_check_not_named_is_read_as_this_ones(dispatcher, domain):
    """'So what can I do with it?' after a refund refusal: the refund's answer, not the reward's."""
    scored = ranked(("reward_payout", 0.6), ("grace_period", 0.2))
    after_refund = make_tracker({"last_check": {"form": "refund_form", "slots": {}}}, intent="faq", selector=scored,
                                text="So what can I do with it?")
    await ActionFaq().run(dispatcher, after_refund, domain)
    assert responses(dispatcher) == ["utter_faq/grace_period"]


FAULT_ANSWERED = {"form": "fault_form", "slots": {"scenario": "service_unavailable", "daily_cost": "150.00",
                                                  "fault_start": "2026-11-25T20:00:00+08:00",
                                                  "fault_end": "2026-11-25T22:30:00+08:00",
                                                  "fault_cause": "attack_or_virus"}}


def after_answer(text: str, intent: str, answer: str = "utter_fault_rule_C4", **slots):
    history = [user_event("ddos wed 20:00 to 22:30, 150/day, comp?", "report_fault"), bot_event(answer)]
    return make_tracker({"last_check": FAULT_ANSWERED, **slots}, intent=intent, text=text, history=history)


@pytest.mark.parametrize("text,intent", [
    ("so what does that mean for us in practice, we get nothing at all?", "out_of_scope"),
    ("so that's today?? by what time exactly", "out_of_scope"),
    ("咁即係點呀？我唔用咗都退唔到？", "stop"),
])
async def test_a_question_about_the_answer_gives_that_answer_again(text, intent, dispatcher, domain):
    from actions.smalltalk import ActionCancelForm, ActionOutOfScope

    action = ActionCancelForm() if intent == "stop" else ActionOutOfScope()
    events = await action.run(dispatcher, after_answer(text, intent), domain)
    assert events[-1] == {"event": "followup", "timestamp": None, "name": "fault_form"}
    kept = {e["name"]: e["value"] for e in events if e.get("event") == "slot"}
    assert kept["fault_cause"] == "attack_or_virus" and kept["fault_start"] == "2026-11-25T20:00:00+08:00"
    assert responses(dispatcher) == []


@pytest.mark.parametrize("text,answer", [
    ("what's the weather like in Shanghai?", "utter_fault_rule_C4"),  # no pointer back at the answer
    ("so what does that mean?", "utter_greet"),  # the turn before answered no check
])
async def test_an_unrelated_question_stays_out_of_scope(text, answer, dispatcher, domain):
    from actions.smalltalk import ActionOutOfScope

    events = await ActionOutOfScope().run(dispatcher, after_answer(text, "out_of_scope", answer), domain)
    assert events == [] and responses(dispatcher) == ["utter_out_of_scope"]


async def test_a_question_after_the_hotline_hours_is_about_the_hotline(dispatcher, domain):
    from actions.smalltalk import ActionOutOfScope

    history = [user_event("what's the number, is anyone there now?", "ask_hotline"), bot_event("utter_hotline_open_now")]
    tracker = make_tracker({}, intent="out_of_scope", text="and are written tickets read at the weekend too?",
                           history=history)
    assert await ActionOutOfScope().run(dispatcher, tracker, domain) == [
        {"event": "followup", "timestamp": None, "name": "action_hotline"}]


@pytest.mark.parametrize("text,intent", [
    ("only late one day also cannot?", "out_of_scope"),
    ("Five days must mean five business days. Re-assess.", "out_of_scope"),
    ("拖咗十幾日都唔得？", "scope"),
])
async def test_pushing_back_on_the_answer_gives_it_again_with_its_reasons(text, intent, dispatcher, domain):
    from actions.scope import ActionScope
    from actions.smalltalk import ActionOutOfScope

    action = ActionScope() if intent == "scope" else ActionOutOfScope()
    events = await action.run(dispatcher, after_answer(text, intent), domain)
    assert events[-1] == {"event": "followup", "timestamp": None, "name": "fault_form"}


async def test_a_clock_time_after_a_day_asked_about_is_on_that_day(dispatcher, domain):
    from actions.contact import ActionHotline

    asked = {"event": "user", "text": "would anyone pick up on Monday at 8:30?",
             "parse_data": {"intent": {"name": "ask_hotline"}, "entities": [
                 {"entity": "time", "value": "2026-11-23T08:30:00+08:00", "text": "Monday at 8:30",
                  "additional_info": {"grain": "minute"}}]}}
    tracker = make_tracker({}, intent="inform", text="09:00 then?", history=[asked, bot_event("utter_hotline_closed_then")],
                           entities=[{"entity": "time", "value": "2026-11-27T09:00:00+08:00", "text": "09:00",
                                      "additional_info": {"grain": "minute"}}])
    await ActionHotline().run(dispatcher, tracker, domain)
    assert responses(dispatcher) == ["utter_hotline", "utter_hotline_open_then"]
    assert "Mon 30 Nov" in rendered(dispatcher, domain)[1]


@pytest.mark.parametrize("text,recap", [
    ("Even though it is only a couple of hours over?", True),
    ("And when does the count start again?", True),
    ("and can I call your hotline now about it?", False),
])
async def test_a_follow_up_read_as_a_hotline_question(text, recap, dispatcher, domain):
    from actions.contact import ActionHotline

    events = await ActionHotline().run(dispatcher, after_answer(text, "ask_hotline"), domain)
    assert bool(events and events[-1].get("name") == "fault_form") is recap
    assert ("utter_hotline" in responses(dispatcher)) is not recap


async def test_a_time_today_is_asked_about_today(dispatcher, domain):
    from actions.contact import ActionHotline

    tracker = make_tracker({}, intent="ask_hotline", text="is it open at 6pm today if i call after standup?",
                           entities=[{"entity": "time", "value": "2026-11-26T18:00:00+08:00", "text": "6pm today",
                                      "additional_info": {"grain": "hour"}}])
    await ActionHotline().run(dispatcher, tracker, domain)
    assert responses(dispatcher) == ["utter_hotline", "utter_hotline_closed_then"]  # 18:00 is the closing time
    assert "Fri 27 Nov" in rendered(dispatcher, domain)[1]


async def test_the_minute_asked_about_wins_over_the_day_part_said_with_it(dispatcher, domain):
    from actions.contact import ActionHotline

    text = "And at 5:59 PM this evening?"
    found = [{"entity": "time", "value": "2026-11-26T17:59:00+08:00", "text": "at 5:59 PM", "start": 4, "end": 14,
              "additional_info": {"grain": "minute"}},
             {"entity": "time", "value": {"from": "2026-11-26T18:00:00+08:00", "to": "2026-11-27T00:00:00+08:00",
                                          "approximate": True}, "text": "this evening", "start": 15, "end": 27,
              "additional_info": {"grain": "hour"}}]
    await ActionHotline().run(dispatcher, make_tracker({}, intent="inform", text=text, entities=found), domain)
    assert responses(dispatcher) == ["utter_hotline", "utter_hotline_open_then"]
    assert "Fri 27 Nov 2026, 17:59" in rendered(dispatcher, domain)[1]


async def test_an_faq_reading_with_a_sure_scope_answer_is_answered_as_scope(dispatcher, domain):
    sure_scope = {"default": {"response": {"intent_response_key": "scope/console", "confidence": 0.89},
                              "ranking": [{"intent_response_key": "scope/console", "confidence": 0.89}]}}
    tracker = make_tracker({}, intent="faq", text="management console billing page throws errors. that covered?",
                           selector=sure_scope)
    assert await ActionFaq().run(dispatcher, tracker, domain) == [
        {"event": "followup", "timestamp": None, "name": "action_scope"}]


async def test_pushing_back_with_a_cause_reopens_the_check(dispatcher, domain):
    from actions.scope import ActionScope

    tracker = after_answer("But it is not my fault!! is your maintenance", "scope", answer="utter_fault_amount")
    events = await ActionScope().run(dispatcher, tracker, domain)
    # the check again; its form reads the cause from this message (stated facts replace the old)
    assert events[-1] == {"event": "followup", "timestamp": None, "name": "fault_form"}
    assert responses(dispatcher) == []


@pytest.mark.parametrize("text,entities,day", [
    ("Your page says 'Monday to Friday, 9 AM to 6 PM'. If I telephone at precisely 6:00 PM this evening, will I be served?",
     [("9 AM to 6 PM", {"from": "2026-11-23T09:00:00+08:00", "to": "2026-11-23T18:00:00+08:00"}),
      ("6:00 PM this evening", "2026-11-27T18:00:00+08:00")], "Fri 27 Nov 2026, 18:00"),
    # the parser reads "this evening" into the past; asked about calling, it is today's evening
    ("If I telephone at precisely 6:00 PM this evening, will I be served?",
     [("6:00 PM this evening", "2026-11-26T18:00:00+08:00")], "Fri 27 Nov 2026, 18:00"),
    ("I can't call during the day, I'm alone. Can I call tonight around 9pm?",
     [("the day", "2026-11-27T00:00:00+08:00"), ("tonight around 9pm", "2026-11-27T21:00:00+08:00")],
     "Fri 27 Nov 2026, 21:00"),
])
async def test_the_time_asked_about_is_the_last_one_said_outside_quotes(text, entities, day, dispatcher, domain):
    from actions.contact import ActionHotline

    found = [{"entity": "time", "value": value, "text": words, "start": text.index(words),
              "end": text.index(words) + len(words), "additional_info": {"grain": "minute"}} for words, value in entities]
    await ActionHotline().run(dispatcher, make_tracker({}, intent="ask_hotline", text=text, entities=found), domain)
    assert responses(dispatcher) == ["utter_hotline", "utter_hotline_closed_then"]
    assert day in rendered(dispatcher, domain)[1]


async def test_a_hotline_time_corrected_in_a_check_is_about_the_hotline(dispatcher, domain):
    from actions.smalltalk import ActionOutOfScope

    history = [user_event("is the hotline open right now?", "ask_hotline"), bot_event("utter_hotline_open_now")]
    tracker = make_tracker({}, intent="out_of_scope", text="and if they only get round to it at 18:30 today?",
                           history=history, active_loop="refund_form",
                           entities=[{"entity": "time", "value": "2026-11-27T18:30:00+08:00", "text": "at 18:30 today"}])
    assert await ActionOutOfScope().run(dispatcher, tracker, domain) == [
        {"event": "followup", "timestamp": None, "name": "action_hotline"}]


async def test_a_follow_up_after_a_signed_in_answer_answers_again_from_the_records(dispatcher, domain):
    from actions.smalltalk import ActionOutOfScope

    history = [user_event("do I get the ICP reward?", "ask_icp_reward"), bot_event("utter_icp_waiting_approval")]
    tracker = make_tracker({"last_check": {"form": "icp_form", "slots": {}}}, intent="out_of_scope",
                           text="so what does that mean for me?", history=history)
    events = await ActionOutOfScope().run(dispatcher, tracker, domain)
    assert events[-1] == {"event": "followup", "timestamp": None, "name": "icp_form"}


async def test_a_time_asked_after_the_hours_inside_a_check_is_about_calling_then(dispatcher, domain):
    from actions.refund import ValidateRefundForm

    text = "那下周一早上9点整呢"
    monday = [{"entity": "time", "value": "2026-11-23T09:00:00+08:00", "text": "下周一早上9点整", "start": 1, "end": 9,
               "additional_info": {"grain": "hour"}}]
    history = [{"event": "slot", "name": "purchased_at", "value": "2026-11-26T20:00:00+08:00"},
               {"event": "slot", "name": "requested_slot", "value": "refund_confirmed"},
               user_event("周六能打电话问吗", "ask_hotline"), bot_event("utter_hotline"),
               bot_event("utter_hotline_closed_then"), bot_event("utter_ask_refund_confirmed")]
    before = {"purchased_at": "2026-11-26T20:00:00+08:00", "requested_slot": "refund_confirmed"}
    tracker = make_tracker(before, intent="inform", text=text, entities=monday, history=history,
                           active_loop="refund_form", new_slots={"purchased_at": "2026-11-23T09:00:00+08:00"})
    events = await ValidateRefundForm().run(dispatcher, tracker, domain)
    assert responses(dispatcher) == ["utter_hotline_open_then"]
    assert {"event": "slot", "timestamp": None, "name": "purchased_at", "value": "2026-11-26T20:00:00+08:00"} in events


async def test_pushing_back_read_as_a_deny_no_rule_expects_gives_the_answer_again(dispatcher, domain):
    from actions.smalltalk import ActionFallback

    events = await ActionFallback().run(dispatcher, after_answer("But it is not my fault, the attacker is do it, not me",
                                                                 "deny"), domain)
    assert events[-1] == {"event": "followup", "timestamp": None, "name": "fault_form"}
    assert "utter_default" not in responses(dispatcher)


async def test_an_off_topic_question_after_the_hotline_hours_is_off_topic(dispatcher, domain):
    from actions.smalltalk import ActionOutOfScope

    history = [user_event("咁星期一朝早九點正打呢？", "ask_hotline"), bot_event("utter_hotline_open_then")]
    tracker = make_tracker({}, intent="out_of_scope", text="順便問下，銅鑼灣有冇好食嘅點心舖推介？", history=history)
    await ActionOutOfScope().run(dispatcher, tracker, domain)
    assert responses(dispatcher) == ["utter_out_of_scope"]


async def test_asking_support_to_do_something_after_pushback_is_a_scope_question(dispatcher, domain):
    from actions.scope import ActionScope

    text = "seriously. whatever. can your support at least tune our nginx config for us"
    selector = {"scope": {"response": {"intent_response_key": "scope/routine_om", "confidence": 0.9},
                          "ranking": [{"intent_response_key": "scope/routine_om", "confidence": 0.9}]}}
    tracker = after_answer(text, "scope")
    tracker.latest_message["response_selector"] = selector
    await ActionScope().run(dispatcher, tracker, domain)
    assert "utter_scope_not_provided" in responses(dispatcher)


@pytest.mark.parametrize("text,day_part,clock,expected", [
    # "tomorrow morning, say 10am": the clock time on the day part's day
    ("What if I can only call tomorrow morning, say 10am? Will anyone pick up?",
     ("tomorrow morning", "2026-11-28T00:00:00+08:00"), ("10am", "2026-11-27T10:00:00+08:00"), "Sat 28 Nov 2026, 10:00"),
    # "Tomorrow around 10" keeps its own day over another day part said before it
    ("the only time I can sit down is Saturday morning. Tomorrow around 10, can I ring your hotline?",
     ("Saturday morning", "2026-11-21T00:00:00+08:00"), ("Tomorrow around 10", "2026-11-28T10:00:00+08:00"),
     "Sat 28 Nov 2026, 10:00"),
])
async def test_a_clock_time_and_a_day_part_said_together(text, day_part, clock, expected, dispatcher, domain):
    from actions.contact import ActionHotline

    (part_words, part_from), (clock_words, clock_at) = day_part, clock
    found = [{"entity": "time", "text": part_words, "start": text.index(part_words),
              "end": text.index(part_words) + len(part_words), "additional_info": {"from": {"grain": "hour"}},
              "value": {"from": part_from, "to": part_from[:11] + "12:00:00+08:00", "approximate": True}},
             {"entity": "time", "text": clock_words, "start": text.index(clock_words),
              "end": text.index(clock_words) + len(clock_words), "value": clock_at, "additional_info": {"grain": "hour"}}]
    await ActionHotline().run(dispatcher, make_tracker({}, intent="ask_hotline", text=text, entities=found), domain)
    assert responses(dispatcher) == ["utter_hotline", "utter_hotline_closed_then"]
    assert expected in rendered(dispatcher, domain)[1]


async def test_now_after_a_day_asked_about_is_now(dispatcher, domain):
    from actions.contact import ActionHotline

    asked = {"event": "user", "text": "客服电话是多少？这个周日可以打吗？", "parse_data": {
        "intent": {"name": "ask_hotline"}, "text": "客服电话是多少？这个周日可以打吗？",
        "entities": [{"entity": "time", "text": "这个周日", "value": "2026-11-29T00:00:00+08:00",
                      "additional_info": {"grain": "day"}}]}}
    tracker = make_tracker({}, intent="ask_hotline", text="那现在可以打吗", history=[asked, bot_event("utter_hotline_closed_then")],
                           entities=[{"entity": "time", "text": "现在", "value": "2026-11-27T10:00:00+08:00",
                                      "additional_info": {"grain": "second"}}])
    await ActionHotline().run(dispatcher, tracker, domain)
    assert responses(dispatcher) == ["utter_hotline", "utter_hotline_open_now"]


def test_another_check_asked_after_an_answer_is_no_follow_up_of_it():
    from actions.follow_up import follows_up_the_answer

    answered = [bot_event("utter_refund_ineligible")]
    last = {"last_check": {"form": "refund_form", "slots": {"refund_item": "CS2611260001"}}}
    same = make_tracker(last, intent="faq", text="so what can I do about that?", history=answered)
    other = make_tracker(last, intent="report_fault", history=answered,
                         text="my blog was not showing yesterday for an hour. Do I get anything for that?")
    assert follows_up_the_answer(same)
    assert not follows_up_the_answer(other)
