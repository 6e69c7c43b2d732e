"""Fault times as people say them (C3): minutes shown as written, "started" and
"fixed" say which end a time is, and a corrected start keeps the day of the known
end."""
from __future__ import annotations

from tests.actions.conftest import make_tracker, slot_events, user_event


def test_fault_minutes_are_shown_like_people_write_them():
    from actions.compensation import show_minutes

    assert show_minutes("95.00") == "95" and show_minutes("95.50") == "95.5" and show_minutes("120") == "120"


def test_started_and_fixed_say_which_fault_end():
    from actions.fault_period import end_cue, fault_when_target, same_day_as_other_end

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


def test_a_corrected_time_is_on_the_day_of_the_time_it_replaces():
    from actions.fault_period import on_the_day_replaced

    # "it came back 09:30 not 10:30" about a fault fixed 20 Nov 10:30 (10:30 read as last night's 22:30)
    assert on_the_day_replaced("2026-11-27T09:30:00+08:00", "2026-11-20T10:30:00+08:00",
                               ["2026-11-26T22:30:00+08:00"]) == "2026-11-20T09:30:00+08:00"
    assert on_the_day_replaced("2026-11-27T09:30:00+08:00", "2026-11-20T10:30:00+08:00", []) is None
    assert on_the_day_replaced("2026-11-27T09:30:00+08:00", "2026-11-20T11:00:00+08:00",
                               ["2026-11-26T22:30:00+08:00"]) is None  # it takes back another time


async def test_clock_times_alone_land_on_the_day_already_said(store, dispatcher, domain):
    """"Wednesday morning" (no clock) then "From 9:10 to 11:40": on Wednesday 25 Nov."""
    from actions.compensation import ValidateFaultForm

    before = user_event("My shop website couldn't be opened on Wednesday morning. 36 yuan a day.", "report_fault")
    before["parse_data"]["entities"] = [{"entity": "time", "text": "Wednesday morning", "value": {
        "from": "2026-11-25T00:00:00+08:00", "to": "2026-11-25T12:00:00+08:00", "approximate": True}}]
    said = {"from": "2026-11-26T09:10:00+08:00", "to": "2026-11-26T11:40:00+08:00"}
    tracker = make_tracker({"requested_slot": "fault_start", "scenario": "website_inaccessible", "daily_cost": "36.00"},
                           active_loop="fault_form", text="From 9:10 to 11:40.", history=[before],
                           entities=[{"entity": "time", "text": "From 9:10 to 11:40", "value": said, "start": 0, "end": 18}],
                           new_slots={"fault_when": said})
    slots = slot_events(await ValidateFaultForm().run(dispatcher, tracker, domain))
    assert (slots["fault_start"], slots["fault_end"]) == ("2026-11-25T09:10:00+08:00", "2026-11-25T11:40:00+08:00")


async def test_just_now_in_another_answer_is_no_fault_time(store, dispatcher, domain):
    from actions.compensation import ValidateFaultForm

    known = {"scenario": "website_inaccessible", "fault_start": "2026-11-26T23:00:00+08:00",
             "fault_end": "2026-11-27T01:00:00+08:00", "requested_slot": "daily_cost"}
    tracker = make_tracker(known, active_loop="fault_form",
                           text="The server costs us 36 yuan per day, my husband checked the bill just now.",
                           entities=[{"entity": "time", "value": "2026-11-27T10:00:00+08:00", "text": "just now"},
                                     {"entity": "amount-of-money", "value": {"value": 36, "unit": "CNY"}}],
                           new_slots={"fault_when": "2026-11-27T10:00:00+08:00", "daily_cost": {"value": 36, "unit": "CNY"}},
                           history=[{"event": "slot", "name": k, "value": v} for k, v in known.items()])
    slots = slot_events(await ValidateFaultForm().run(dispatcher, tracker, domain))
    assert slots.get("fault_end", known["fault_end"]) == known["fault_end"] and slots["daily_cost"] == "36.00"


async def test_clock_times_go_on_the_day_named_in_the_sentence_not_the_day_said_before(store, dispatcher, domain):
    from actions.compensation import ValidateFaultForm

    before = user_event("i blocked inbound traffic for like 2 hours yesterday morning", "report_fault",
                        [{"entity": "time", "text": "yesterday morning",
                          "value": {"from": "2026-11-26T04:00:00+08:00", "to": "2026-11-26T12:00:00+08:00",
                                    "approximate": True}}])
    text = "BUT on tuesday afternoon your platform actually broke the network, 3pm to 4:10pm, ECS unreachable"
    said = {"from": "2026-11-24T15:00:00+08:00", "to": "2026-11-24T16:10:00+08:00"}
    tracker = make_tracker({"requested_slot": "scenario"}, intent="report_fault", text=text, history=[before],
                           entities=[{"entity": "time", "text": "3pm to 4:10pm", "value": said,
                                      "additional_info": {"clock_anchored": True, "day_named": True}}],
                           active_loop="fault_form", new_slots={"fault_when": said})
    out = await ValidateFaultForm().validate_fault_when(said, dispatcher, tracker, domain)
    assert (out["fault_start"], out["fault_end"]) == (said["from"], said["to"])


async def test_a_day_taken_back_moves_the_whole_period_to_the_day_said(store, dispatcher, domain):
    from actions.compensation import ValidateFaultForm

    text = "no wait, it was Tuesday not Monday. same hours"
    found = [{"entity": "time", "text": "Tuesday", "start": 16, "end": 23, "value": "2026-11-24T00:00:00+08:00",
              "additional_info": {"grain": "day"}},
             {"entity": "time", "text": "Monday", "start": 28, "end": 34, "value": "2026-11-23T00:00:00+08:00",
              "additional_info": {"grain": "day"}}]
    known = {"fault_start": "2026-11-23T14:00:00+08:00", "fault_end": "2026-11-23T17:00:00+08:00"}
    history = [{"event": "slot", "name": k, "value": v} for k, v in known.items()]
    tracker = make_tracker({**known, "requested_slot": "fault_confirmed"}, text=text, entities=found, history=history,
                           active_loop="fault_form", new_slots={"fault_when": "2026-11-23T00:00:00+08:00"})
    out = await ValidateFaultForm().validate_fault_when("2026-11-23T00:00:00+08:00", dispatcher, tracker, domain)
    assert (out["fault_start"], out["fault_end"]) == ("2026-11-24T14:00:00+08:00", "2026-11-24T17:00:00+08:00")


async def test_a_clock_range_goes_on_the_one_day_named_not_the_one_taken_back(store, dispatcher, domain):
    from actions.compensation import ValidateFaultForm

    text = "sorry, typo - the log says 2026-11-20, not the 19th. same times, 21:00 to 23:30"
    rng = {"from": "2026-11-26T21:00:00+08:00", "to": "2026-11-26T23:30:00+08:00"}
    found = [{"entity": "time", "text": "2026-11-20", "start": 27, "end": 37, "value": "2026-11-20T00:00:00+08:00",
              "additional_info": {"grain": "day"}},
             {"entity": "time", "text": "the 19th", "start": 43, "end": 51, "value": "2026-11-19T00:00:00+08:00",
              "additional_info": {"grain": "day"}},
             {"entity": "time", "text": "21:00 to 23:30", "start": 65, "end": 79, "value": rng,
              "additional_info": {}}]
    tracker = make_tracker({"requested_slot": None}, intent="report_fault", text=text, entities=found,
                           active_loop="fault_form", new_slots={"fault_when": rng})
    out = await ValidateFaultForm().validate_fault_when(rng, dispatcher, tracker, domain)
    assert (out["fault_start"], out["fault_end"]) == ("2026-11-20T21:00:00+08:00", "2026-11-20T23:30:00+08:00")


def test_an_open_start_and_an_open_end_said_apart_with_their_day_are_one_period():
    from actions.fault_period import one_period, without_bare_days

    said = [{"from": "2026-11-23T08:30:00+08:00", "to": None}, "2026-11-23T00:00:00+08:00",
            {"from": None, "to": "2026-11-24T14:00:00+08:00"}]
    assert one_period(without_bare_days(said)) == {"from": "2026-11-23T08:30:00+08:00",
                                                   "to": "2026-11-24T14:00:00+08:00"}
    assert without_bare_days(["2026-11-23T00:00:00+08:00"]) == ["2026-11-23T00:00:00+08:00"]


def test_a_unit_named_is_no_time():
    from bot.nlu.duckling import DucklingParser
    from tests.actions.conftest import NOW

    found = DucklingParser().parse("Daily cost 48.00. Please compute, including the seconds.", NOW)
    assert [e for e in found if e["entity"] == "time"] == []


def test_a_clock_time_alone_correcting_an_end_is_on_that_ends_day():
    from actions.fault_period import on_the_known_day

    assert on_the_known_day("fault_end", "2026-11-26T10:30:00+08:00", "2026-11-24T10:00:00+08:00",
                            "2026-11-24T09:00:00+08:00") == "2026-11-24T10:30:00+08:00"
    assert on_the_known_day("fault_end", "2026-11-26T01:00:00+08:00", "2026-11-24T23:30:00+08:00",
                            "2026-11-24T22:00:00+08:00") == "2026-11-25T01:00:00+08:00"


def test_a_corrected_clock_period_that_would_end_after_now_is_the_night_before():
    from datetime import datetime

    from actions.fault_period import on_the_day_of

    said = {"fault_start": "2026-11-26T22:30:00+08:00", "fault_end": "2026-11-27T00:00:00+08:00"}
    now = datetime.fromisoformat("2026-11-27T10:00:00+08:00")
    assert on_the_day_of(said, "2026-11-27T02:40:00+08:00", now) == said
    assert on_the_day_of({"fault_start": "2026-11-26T13:00:00+08:00", "fault_end": "2026-11-26T15:30:00+08:00"},
                         "2026-11-25T14:00:00+08:00", now)["fault_start"] == "2026-11-25T13:00:00+08:00"


def test_an_until_ends_the_time_said_just_before_it_whatever_else_is_said():
    from actions.fault_period import one_period

    said = ["2026-11-21T23:10:00+08:00", {"from": None, "to": "2026-11-22T02:25:00+08:00"}, "2026-11-22T00:00:00+08:00"]
    assert one_period(said) == {"from": "2026-11-21T23:10:00+08:00", "to": "2026-11-22T02:25:00+08:00"}


def test_pasted_alerts_give_the_period_from_the_first_problem_to_the_last_recovery():
    from actions.fault_period import said_period
    from bot.nlu.duckling import DucklingParser
    from tests.actions.conftest import NOW, make_tracker

    text = ("pasting from our pager:\n[PROBLEM]  2026-11-26 23:50:12 CST host=ecs-web-01 ICMP unreachable\n"
            "[PROBLEM]  2026-11-26 23:50:14 CST host=ecs-web-02 ICMP unreachable\n"
            "[RECOVERY] 2026-11-27 00:40:12 CST host=ecs-web-01 OK\n[RECOVERY] 2026-11-27 00:40:14 CST host=ecs-web-02 OK\n"
            "what compensation do we get?")
    entities = DucklingParser().parse(text, NOW)
    times = [e["value"] for e in entities if e["entity"] == "time"]
    tracker = make_tracker({}, intent="report_fault", text=text, entities=entities, active_loop="fault_form",
                           new_slots={"fault_when": times[-1]})
    assert said_period(tracker, times[-1]) == {"fault_start": "2026-11-26T23:50:12+08:00",
                                               "fault_end": "2026-11-27T00:40:14+08:00"}
