"""Times read right: clock ranges across midnight, ranges
with a day part, weekday plus day of month, Chinese day parts. Through the real
Duckling parser at Friday 2026-11-27 10:00 UTC+08:00, and the pure range reader."""
from __future__ import annotations

from datetime import datetime, time

import pytest

from bot.nlu import time_ranges
from bot.nlu.duckling import DucklingParser

NOW = datetime.fromisoformat("2026-11-27T10:00:00+08:00")  # Friday


@pytest.fixture(scope="module")
def parser() -> DucklingParser:
    return DucklingParser()


def times(parser: DucklingParser, text: str, now: datetime = NOW) -> list:
    return [e["value"] for e in parser.parse(text, now) if e["entity"] == "time"]


def span(start: str, end: str) -> dict:
    return {"from": f"2026-11-{start}:00+08:00", "to": f"2026-11-{end}:00+08:00"}


@pytest.mark.parametrize("text,expected", [
    ("from 11pm to 1am last night", span("26T23:00", "27T01:00")),
    ("it was down from 11pm to 1am", span("26T23:00", "27T01:00")),
    ("Tuesday afternoon 3 to 5", span("24T15:00", "24T17:00")),
    ("this morning 7:10 to 8:45", span("27T07:10", "27T08:45")),
    ("yesterday 2pm to 3:35pm", span("26T14:00", "26T15:35")),
    ("down from 8:00 to 9:30 this morning", span("27T08:00", "27T09:30")),
    ("between 2 and 4 yesterday", span("26T14:00", "26T16:00")),
    ("from 1am to 3am last night", span("27T01:00", "27T03:00")),
    ("昨晚11点到凌晨1点", span("26T23:00", "27T01:00")),
    ("周二下午三点到五点", span("24T15:00", "24T17:00")),
    ("昨天下午2点到3点35分", span("26T14:00", "26T15:35")),
])
def test_ranges_with_a_day(parser, text, expected):
    assert expected in times(parser, text)


def test_an_ambiguous_range_is_the_latest_past_occurrence(parser):
    # said at 16:00, "10 till 11:20" is this morning (was: yesterday)
    at_four = datetime.fromisoformat("2026-11-27T16:00:00+08:00")
    assert span("27T10:00", "27T11:20") in times(parser, "from 10 till 11:20", at_four)
    # said at 10:00 it cannot have ended at 11:20 today
    assert span("26T10:00", "26T11:20") in times(parser, "from 10 till 11:20")


@pytest.mark.parametrize("text,expected", [
    ("the outage ended on Saturday the 21st at noon", "2026-11-21T12:00:00+08:00"),
    ("last Saturday at noon", "2026-11-21T12:00:00+08:00"),
    ("凌晨1点", "2026-11-27T01:00:00+08:00"),
    ("the 24th", "2026-11-24T00:00:00+08:00"),
])
def test_single_times_resolve_to_the_recent_past(parser, text, expected):
    assert expected in times(parser, text)


def test_ids_and_dates_are_not_clock_ranges():
    assert time_ranges.find_range("bought on 2026-11-12") is None
    assert time_ranges.find_range("order CS2611240001") is None
    assert time_ranges.find_range("ecs-1a2b3c4d") is None


@pytest.mark.parametrize("text,begin,finish", [
    ("11pm to 1am", time(23), time(1)),
    ("11 to 1am", time(23), time(1)),
    ("9 to 11pm", time(21), time(23)),
    ("afternoon 3 to 5", time(15), time(17)),
    ("morning 11 to 1", time(11), time(13)),
    ("13:00-15:30", time(13), time(15, 30)),
    ("12pm to 2pm", time(12), time(14)),
    ("12am to 2am", time(0), time(2)),
])
def test_find_range_reads_am_pm_and_day_parts(text, begin, finish):
    found = time_ranges.find_range(text)
    assert found is not None and (found.begin, found.finish) == (begin, finish)


@pytest.mark.parametrize("text,expected", [
    ("my website is not open from 9 o'clock this morning until 9:40", span("27T09:00", "27T09:40")),
    ("Last night, oh, from around 11 o'clock until 1 in the morning, nobody could open it",
     span("26T23:00", "27T01:00")),
    ("今天早上8点到9点15分, 我们的云服务器连不上", span("27T08:00", "27T09:15")),
    ("down 9:00~10:30 yesterday", span("26T09:00", "26T10:30")),
])
def test_ranges_said_with_oclock_day_parts_and_chinese_minutes(parser, text, expected):
    assert expected in times(parser, text)


def test_an_open_till_is_on_the_day_of_the_time_before_it(parser):
    found = times(parser, "ordered RDS wed 10:00. wasn't provisioned till 16:00")
    assert "2026-11-25T10:00:00+08:00" in found
    assert {"from": None, "to": "2026-11-25T16:00:00+08:00"} in found


def test_a_chinese_clock_is_on_the_day_said_before_it(parser):
    found = times(parser, "周二上午8点买的云服务器，一直到下午1点才开通成功")
    assert found == ["2026-11-24T08:00:00+08:00", "2026-11-24T13:00:00+08:00"]


def test_today_beside_a_purchase_time_is_when_they_ask(parser):
    assert times(parser, "Monthly ECS bought Sunday 22 November at 09:00. Can it still be refunded today?") == [
        "2026-11-22T09:00:00+08:00"]
    assert times(parser, "refund a yearly ECS. bought sunday ~11:00. paid 1200") == ["2026-11-22T11:00:00+08:00"]


def test_a_two_digit_amount_after_a_date_is_no_year(parser):
    assert times(parser, "I buy monthly ECS on Sunday 22nd at 9:05 in morning, 80 yuan") == ["2026-11-22T09:05:00+08:00"]


def test_times_in_words_and_log_stamps(parser):
    from bot.nlu.time_words import as_digits

    for said in ("between two and four in the morning", "I have two servers and four disks", "2pm UTC+8"):
        assert len(as_digits(said)) == len(said)
    assert as_digits("I have two servers and four disks") == "I have two servers and four disks"
    assert span("23T02:00", "23T04:00") in times(
        parser, "Last Sunday night my website was down between two and four in the morning.")
    assert {"from": None, "to": "2026-11-24T12:30:00+08:00"} in times(
        parser, "could not be opened on Tuesday, from about nine in the morning until half past twelve.")
    assert times(parser, "[2026-11-26 23:12:00 +08:00] ALERT heartbeat lost (3/3 probes)\n"
                         "[2026-11-27 01:47:30 +08:00] RESOLVED heartbeat ok") == [
        "2026-11-26T23:12:00+08:00", "2026-11-27T01:47:30+08:00"]


def test_chinese_numbers_in_words_decimals_and_half_hours(parser):
    assert span("26T14:00", "26T17:00") in times(parser, "昨天下午2点到5点一直连不上")
    assert span("26T23:30", "27T01:00") in times(parser, "昨晚11点半到今天凌晨1点服务器挂了")
    found = parser.parse("前天晚上9点买了个学生机，包月的，9.9元", NOW)
    assert {"value": 9.9, "unit": "CNY"} in [e["value"] for e in found if e["entity"] == "amount-of-money"]
    durations = [e["value"] for e in parser.parse("大概两个半小时才好", NOW) if e["entity"] == "duration"]
    assert durations == [9000]


@pytest.mark.parametrize("text,expected", [
    ("tried to resize our ECS yest at 10am", ["2026-11-26T10:00:00+08:00"]),
    ("down since yday 9pm", [{"from": "2026-11-26T21:00:00+08:00", "to": None}]),
])
def test_phone_typed_day_words_and_the_verb_sat(parser, text, expected):
    """"yest"/"yday" are yesterday (offsets stay the customer's); "sat in" is not Saturday."""
    found = [e for e in parser.parse(text, NOW) if e["entity"] == "time"]
    assert [e["value"] for e in found] == expected
    for entity in found:
        assert text[entity["start"]:entity["end"]] == entity["text"]


def test_sat_as_a_verb_is_no_saturday(parser):
    found = [e for e in parser.parse("wed 10:00, the change sat in 'processing' until 16:00", NOW) if e["entity"] == "time"]
    assert [e["text"] for e in found] == ["wed 10:00", "until 16:00"]


def test_short_day_words_map_back_onto_the_words_said():
    from bot.nlu.time_words import expanded

    text, origin = expanded("yest 2pm")
    assert text == "yesterday 2pm" and len(origin) == len(text) + 1
    assert origin[text.index("2pm")] == 5 and origin[len(text)] == len("yest 2pm")


def test_a_zero_padded_range_is_on_a_24_hour_clock(parser):
    assert times(parser, "your DC lost power monday 03:05-04:20") == [span("23T03:05", "23T04:20")]


def test_a_bare_now_that_ends_a_question_dates_nothing(parser):
    assert times(parser, "ours says hypervisor kernel fault, same times. now?") == []
    assert times(parser, "it came back just now") == ["2026-11-27T10:00:00+08:00"]


def test_one_day_before_its_cost_is_a_daily_price_not_a_duration(parser):
    found = parser.parse("服务器今天早上6点15开始挂了，大概两个半小时才好。one day cost 4.32元", NOW)
    assert [e["value"] for e in found if e["entity"] == "duration"] == [9000]
    assert [e["value"] for e in parser.parse("it was down for one day", NOW) if e["entity"] == "duration"] == [86400]


def test_days_before_with_no_event_after_it_is_days_ago(parser):
    assert times(parser, "i buy it 8 days before, is monthly") == ["2026-11-19T10:00:00+08:00"]
    assert times(parser, "it was 2 days before the outage") == []  # before an event: no date of its own


def test_the_first_time_names_no_day(parser):
    assert times(parser, "approved on Monday the 23rd, it's the first time we file") == ["2026-11-23T00:00:00+08:00"]


def test_british_half_nine_is_nine_thirty(parser):
    assert times(parser, "down tuesday from half 9 to quarter past 11 in the morning") == [span("24T09:30", "24T11:15")]


def test_money_one_day_is_a_price_per_day(parser):
    found = [e["value"] for e in parser.parse("i pay 19.20 yuan one day for the server", NOW) if e["entity"] == "amount-of-money"]
    assert found == [{"value": 19.2, "unit": "CNY"}]


def test_a_time_zone_offset_is_no_time_of_day(parser):
    assert times(parser, "will someone pick up monday 08:30 our time (+08:00)?") == ["2026-11-23T08:30:00+08:00"]
    assert times(parser, "log 2026-11-26 14:02:11+08:00 ecs down") == ["2026-11-26T14:02:11+08:00"]
    assert times(parser, "down from 14:00 - 15:00 yesterday") == [span("26T14:00", "26T15:00")]


def test_clock_times_in_words_are_the_fault_period_not_a_day_part(parser):
    said = "my website was down yesterday from two thirty pm to four fifteen pm the server costs forty yuan a day"
    assert times(parser, said) == [span("26T14:30", "26T16:15")]
    assert [e for e in parser.parse(said, NOW) if e["entity"] == "duration"] == []  # "a day" of a price
    assert [e["value"] for e in parser.parse("it was down for a day", NOW) if e["entity"] == "duration"] == [86400]


def test_a_number_after_a_clock_range_is_no_part_of_it(parser):
    assert times(parser, "ECS totally unreachable from 11pm to 1am, 200 players") == [span("26T23:00", "27T01:00")]
    assert times(parser, "down from 2pm to 4pm, 200 players") == [span("26T14:00", "26T16:00")]


def test_a_clock_range_after_a_weekday_and_its_date_is_on_that_date(parser):
    said = "Client B's server was down Wednesday the 25th from 9pm to 11:30pm and your notice said"
    assert times(parser, said) == [span("25T21:00", "25T23:30")]


def test_for_now_is_no_time(parser):
    assert times(parser, "Thank you, that is all for now.") == []
    assert times(parser, "please submit it right now") == ["2026-11-27T10:00:00+08:00"]


def at(moment: str) -> str:
    return f"2026-11-{moment}:00+08:00"


def test_the_night_before_last_is_two_nights_ago(parser):
    assert times(parser, "night before last 10pm til 1am ecs unreachable") == [span("25T22:00", "26T01:00")]


def test_a_24_hour_clock_without_colon_in_a_range(parser):
    assert times(parser, "ecs unreachable 2340 wed -> 0115 thu. comp?") == [at("25T23:40"), at("26T01:15")]
    assert times(parser, "I paid 2340 yuan for it") == []


def test_clock_times_in_words_are_on_the_day_named_before_them(parser):
    text = ("an outage on Tuesday, 24th November, from a quarter past eleven in the morning until twenty to one "
            "in the afternoon.")
    assert times(parser, text) == [at("24T11:15"), {"from": None, "to": at("24T12:40")}]


def test_a_long_sentence_keeps_its_times_and_the_following_afternoon_is_the_next_day(parser):
    text = ("our new cloud servers could not be provisioned from half past eight in the morning on Monday, "
            "23rd November, until two o'clock the following afternoon. daily cost 48 yuan")
    found = times(parser, text)
    assert found[0]["from"] == at("23T08:30") and found[-1]["to"] == at("24T14:00")


def test_an_undivided_range_over_twelve_hours_starts_in_the_evening(parser):
    assert times(parser, "from half ten until midnight ffs") == [span("26T22:30", "27T00:00")]
    assert times(parser, "from 9 to 11:30") == [span("26T09:00", "26T11:30")]


def test_log_times_keep_their_seconds_on_the_day_named(parser):
    assert times(parser, "Wednesday the 25th: started 09:00:00, rectified 10:35:30.") == [
        at("25T09:00"), "2026-11-25T10:35:30+08:00"]


def test_which_day_asks_and_says_no_duration(parser):
    found = parser.parse("回到剛才重複扣費那個賠償，申請期限到哪一天？", NOW)
    assert [e for e in found if e["entity"] in ("time", "duration")] == []


def test_european_dates_decimal_commas_and_versions(parser):
    assert times(parser, "I purchased a monthly ECS on 22.11. at 09:30") == [at("22T09:30")]
    assert times(parser, "On 18.11. from 20:00 to 23:30 our website was down") == [span("18T20:00", "18T23:30")]
    assert times(parser, "on 25.11.2026 at 14:00") == [at("25T14:00")]
    money = [e["value"] for e in parser.parse("I paid 150,00 CNY", NOW) if e["entity"] == "amount-of-money"]
    assert money == [{"value": 150, "unit": "CNY"}]
    assert times(parser, "Paper 1.20.1 with 12 players") == []


def test_back_at_a_bare_clock_is_on_the_day_it_went_down(parser):
    assert times(parser, "It went off at 8 o'clock Tuesday morning and came back at 12 noon.") == [
        at("24T08:00"), at("24T12:00")]
    assert times(parser, "went down on Tuesday at 9pm and was back at 1") == [at("24T21:00"), at("25T01:00")]


def test_a_time_corrected_in_the_same_breath_replaces_the_one_before(parser):
    found = times(parser, "Last night our site was dead from 8:30pm... sorry, 9:30pm, until a quarter past midnight.")
    assert [v["from"] if v.get("from") else v["to"] for v in found] == [at("26T21:30"), at("27T00:15")]
    assert times(parser, "My little blog was down from Wednesday evening until Thursday noon.")[-1]["to"] == \
        at("26T12:00")


def test_slashed_day_first_dates_and_a_date_said_twice_in_one_range(parser):
    assert times(parser, "ecs down 26/11 02:10-04:55, platform side") == [span("26T02:10", "26T04:55")]
    assert times(parser, "it ran 24 Nov 08:00 to 24 Nov 20:00 (China time)") == [span("24T08:00", "24T20:00")]
    assert times(parser, "it ran 24/11 08:00 - 24/11 20:00") == [span("24T08:00", "24T20:00")]
    assert times(parser, "on the 21st from 1pm to 1 45pm") == [span("21T13:00", "21T13:45")]


def test_a_window_asked_about_is_no_time_of_the_case(parser):
    assert times(parser, "I bought it last Saturday at 9am. That's within five days, right?") == [at("21T09:00")]


def test_chinese_last_week_weekday_is_in_the_week_before(parser):
    assert times(parser, "我上个礼拜三买了一个包年的云硬盘") == [at("18T00:00")]
    assert times(parser, "这周一坏了") == [at("23T00:00")]


def test_a_clock_on_a_day_morning_keeps_its_clock(parser):
    assert times(parser, "from 23:20 on Thursday until 1:05 on Friday morning.") == [span("26T23:20", "27T01:05")]


def test_iso_stamps_zero_padded_clocks_and_a_chinese_end_in_its_start_half(parser):
    assert times(parser, "unavailable from 2026-11-26T21:05:00+08:00 to 2026-11-26T23:20:00+08:00.") == [
        span("26T21:05", "26T23:20")]
    assert times(parser, "went down at 23:50 last night and only came back at 02:20.") == [at("26T23:50"), at("27T02:20")]
    assert times(parser, "我们网站从早上9点20打不开，一直到9点50才恢复") == [at("27T09:20"), at("27T09:50")]
