"""Facts stated in passing: read from any message of a check,
used in the decision, and corrected by a later statement."""
from __future__ import annotations

import pytest

from actions import stated_facts
from actions.common import readable_problem
from actions.compensation import ActionFaultSubmit, ValidateFaultForm
from actions.icp import ValidateIcpForm
from tests.actions.conftest import make_tracker, rendered, responses


def slot_events(events):
    return {e["name"]: e["value"] for e in events if e.get("event") == "slot"}


SPAN = {"from": "2026-11-26T14:00:00+08:00", "to": "2026-11-26T15:35:00+08:00"}


@pytest.mark.parametrize("text,cause", [
    ("We got hit by a DDoS attack yesterday, site down 2 hours", "attack_or_virus"),
    ("ransomware encrypted the disk", "attack_or_virus"),
    ("I accidentally misconfigured my security group", "user_improper_operation"),
    ("it was during your scheduled maintenance 1am-3am", "scheduled_maintenance"),
    ("the telecom carrier had packet loss", "carrier_fault"),
    ("a typhoon hit the region", "force_majeure"),
    ("power outage in the datacenter", "unexpected_event"),
    ("our intern deleted the VM by mistake", "user_negligence"),
    ("Our intern messed up the security group rules", "user_negligence"),
    ("no, it was your side", "platform"),
    ("it wasn't an attack, it was on your end", "platform"),
    ("我们被DDoS攻击了", "attack_or_virus"),
    ("是你们的问题", "platform"),
    ("this morning my ecs was dead for 2 hrs, that was 100% ur side, platform broke", "platform"),
    ("no idea", "unknown"),
    ("my server was down from 2 to 4", None),
    ("somebody steal my password because i write it in the group chat", "user_improper_operation"),
    ("密码被盗了，数据全没了", "user_improper_operation"),
    ("I forgot my password and the console was down", None),
    ("down about three hours last night because i set the firewall rules wrong myself", "user_improper_operation"),
    ("I set up the server yesterday and it went down, your fault", "platform"),
])
def test_causes_in_the_customers_words(text, cause):
    assert stated_facts.cause_in_text(text) == cause


@pytest.mark.parametrize("text,cost", [
    ("down 3 hours, it costs us 48 a day", "48.00"), ("36.50/day", "36.50"), ("daily cost is 120 yuan", "120.00"),
    ("我们每天48元", "48.00"), ("it was down 3 hours a day", None), ("I paid 300", None),
    ("down yesterday 14:00-17:30, daily cost 24 yuan", "24.00"), ("down till 17:30 daily", None),
    ("Daily cost of the site's host is 60.00. How much do we get?", "60.00"),
])
def test_daily_cost_in_the_customers_words(text, cost):
    assert stated_facts.daily_cost_in_text(text) == cost


@pytest.mark.parametrize("text,first", [
    ("it's not my first filing with you", False), ("we filed with you before", False),
    ("this is our first filing", True), ("这是我们第一次备案", True), ("不是第一次备案", False), ("approved", None),
])
def test_first_filing(text, first):
    assert stated_facts.first_filing_in_text(text) is first


def test_tier_refund_count_and_filing_status():
    assert stated_facts.tier_in_text("I'm a VIP customer") == "vip"
    assert stated_facts.tier_in_text("we are not VIP") == "common"
    assert stated_facts.refunds_this_year_in_text("we already had 3 refunds this year") == 3
    assert stated_facts.refunds_this_year_in_text("first refund this year") == 0
    assert stated_facts.refunds_this_year_in_text("今年没退过款") == 0
    assert stated_facts.refunds_this_year_in_text("first filing") is None
    assert stated_facts.refunds_this_year_in_text("今年已经退过2次") == 2
    assert stated_facts.filing_status_in_text("it got approved last week") == "approved"
    assert stated_facts.filing_status_in_text("the filing was rejected") == "rejected"
    assert stated_facts.filing_status_in_text("I want a refund") is None
    assert stated_facts.filing_status_in_text("update: approved on the 24th. no delays on our side.") == "approved"
    assert stated_facts.filing_status_in_text("the refund was approved?") is None
    assert stated_facts.first_filing_in_text("it's the first time we ever filed anything with you") is True


async def test_a_cause_in_the_first_message_is_kept_and_decides(store, dispatcher, domain):
    """'We got hit by a DDoS... site down' -> C4 ineligible, not an amount."""
    text = "We got hit by a DDoS attack yesterday from 2pm to 3:35pm, site down, it costs 48 a day"
    tracker = make_tracker({"requested_slot": None}, intent="report_fault", active_loop="fault_form", text=text,
                           new_slots={"scenario": "website_inaccessible", "fault_when": SPAN})
    slots = slot_events(await ValidateFaultForm().run(dispatcher, tracker, domain))
    assert slots["fault_cause"] == "attack_or_virus" and slots["daily_cost"] == "48.00"
    assert slots["requested_slot"] is None  # nothing left to ask
    done = {k: v for k, v in slots.items() if k != "requested_slot"}
    await ActionFaultSubmit().run(dispatcher, make_tracker(done), domain)
    names = responses(dispatcher)
    assert "utter_fault_ineligible" in names and "utter_fault_rule_C4" in names
    assert "utter_fault_amount" not in names
    text = " ".join(rendered(dispatcher, domain))
    assert "attacks or viruses" in text and "{" not in text


async def test_the_cause_is_never_asked_and_a_correction_replaces_it(store, dispatcher, domain):
    known = {"scenario": "service_unavailable", "fault_start": SPAN["from"], "fault_end": SPAN["to"],
             "daily_cost": "48.00"}
    asked = make_tracker({**known, "requested_slot": "daily_cost"}, active_loop="fault_form", text="48 a day")
    assert slot_events(await ValidateFaultForm().run(dispatcher, asked, domain))["requested_slot"] == "fault_confirmed"
    history = [{"event": "slot", "name": "requested_slot", "value": "daily_cost"}]
    fix = make_tracker({**known, "fault_cause": "attack_or_virus", "requested_slot": None}, active_loop="fault_form",
                       history=history, text="sorry, it was not an attack, it was your side")
    assert slot_events(await ValidateFaultForm().run(dispatcher, fix, domain))["fault_cause"] == "platform"


async def test_a_question_about_exclusions_sets_no_cause(store, dispatcher, domain):
    tracker = make_tracker({"requested_slot": "daily_cost"}, intent="faq", active_loop="fault_form",
                           text="are DDoS attacks excluded?")
    assert "fault_cause" not in slot_events(await ValidateFaultForm().run(dispatcher, tracker, domain))


async def test_not_my_first_filing_said_up_front_is_used(store, dispatcher, domain):
    tracker = make_tracker({"requested_slot": None}, intent="ask_icp_reward", active_loop="icp_form",
                           text="do I get the ICP reward? it's not my first filing with you though")
    slots = slot_events(await ValidateIcpForm().run(dispatcher, tracker, domain))
    assert slots["first_with_provider"] is False


def test_bad_input_is_said_without_field_names_or_iso_times():
    text = readable_problem("fault_end: 2027-08-21T12:00:00+08:00 is after now (2026-11-27T10:00:00+08:00)")
    assert "fault_end" not in text and "T12:00" not in text and "2027" in text
    assert text.startswith("The time it was fixed")


@pytest.mark.parametrize("text,scenario", [
    ("My little shop website could not be opened this morning", "website_inaccessible"),
    ("our site was unreachable on the 24th", "website_inaccessible"),
    ("从早上8点开始网站就打不开", "website_inaccessible"),
    ("srver down frm 11pm to 1am lst nite", "service_unavailable"),
    ("ECS down yesterday 14:00-15:35", "service_unavailable"),
    ("服务器宕机了两个小时", "service_unavailable"),
    ("you billed my CDN traffic twice on Wednesday", "billing_error"),
    ("The bucket policy change of my OBS was failing to apply", "config_change_failure"),
    ("tried to resize our ECS yest at 10am, the change was stuck till 2pm", "config_change_failure"),
    ("HUAWEI CLOUD delayed provisioning of my ECS yesterday", "provisioning_failure"),
    ("instance provisioning stuck for 3 hours", "provisioning_failure"),
    ("昨天下午开不出实例", "provisioning_failure"), ("前天上午我们的云服务器用不了", "service_unavailable"),
    ("it costs 48 a day", None), ("how much is the ICP reward", None),
])
def test_what_the_fault_did_in_the_customers_words(text, scenario):
    assert stated_facts.scenario_in_text(text) == scenario


@pytest.mark.parametrize("text,state", [
    ("发票已经开了", "issued"), ("the invoice was issued yesterday", "issued"), ("我们没开发票", "none"),
    ("no invoice", "none"), ("invoice not issued yet", "none"), ("I returned the invoice", "returned"),
    ("发票已经退回了", "returned"), ("how do invoices work?", None),
    ("already got the VAT invoice and I'm not sending it back", "issued"),
])
def test_invoice_in_the_customers_words(text, state):
    assert stated_facts.invoice_in_text(text) == state


@pytest.mark.parametrize("text,answer", [
    ("Yes, there's nothing on it I need. Go ahead and submit.", True), ("数据已经备份好了，确认提交退款。", True),
    ("Alright. Everything's backed up, yes please submit the refund.", True), ("not now", False),
    ("先不用提交，谢谢", False), ("yes but not now", None), ("Why 280 and not the 300 I paid?", None),
    ("数据都备份好了，退吧", True), ("OK. What about the outage on the 17th?", None),
])
def test_a_yes_or_no_to_submit_in_words(text, answer):
    assert stated_facts.submit_answer_in_text(text) is answer


def test_still_down_means_no_end_yet():
    assert stated_facts.still_open_in_text("服务器从早上8点开始就连不上了, still down now!!") == "open"
    assert stated_facts.still_open_in_text("到现在还没好") == "open"
    assert stated_facts.still_open_in_text("it came back at 3pm") is None


async def test_submit_said_in_words_at_the_question_files_the_check(store, dispatcher, domain):
    from actions.refund import ValidateRefundForm

    order = [o for o in store.orders("C1002") if o.product == "EVS"][0].order_id
    tracker = make_tracker({"refund_item": order, "requested_slot": "refund_confirmed"}, customer="C1002",
                           intent="request_refund", text="Alright, everything's backed up, yes please submit the refund.",
                           active_loop="refund_form")
    slots = slot_events(await ValidateRefundForm().run(dispatcher, tracker, domain))
    assert slots["refund_confirmed"] is True and slots["requested_slot"] is None


def test_a_repeated_question_then_its_answer_asks_nothing():
    from actions.forms_base import asks_something

    assert not asks_something("First time? Yes, we've never done this licence business before.")
    assert not asks_something("Delays? No, we did everything they asked straight away.")
    assert asks_something("Why not? I only paid for a few days.")
    assert asks_something("OK. What about the outage on the 17th?")


def test_icp_facts_said_in_passing():
    from actions import stated_facts as sf

    said = ("ICP reward. yearly ECS for our site, first filing ever, recharged 5000 total, never got the reward, "
            "host active, we're VIP. filing still in progress. eligible?")
    assert sf.first_filing_in_text(said) is True and sf.used_for_website_in_text(said) is True
    assert sf.host_status_in_text(said) == "active" and sf.reward_received_in_text(said) is False
    assert sf.recharge_in_text(said) == "5000" and sf.filing_status_in_text(said) == "in_progress"
    zh = "第一次在华为云备案，11月25日已经通过管局审核，没有拖延。累计充值500元，以前没领过奖励。"
    assert sf.filing_status_in_text(zh) == "approved" and sf.delay_in_text(zh) == 0
    assert sf.recharge_in_text(zh) == "500" and sf.reward_received_in_text(zh) is False
    assert sf.first_filing_in_text("我以前在别家云备案过，这是第一次在华为云备案") is True
    assert sf.first_filing_in_text("我之前在你们华为云备案过一个网站") is False
    assert sf.delay_in_text("I took almost two weeks to send the photo they asked for") == 14
    assert sf.delay_in_text("the host has been running for 30 days") is None


def test_what_they_say_they_are_wins_over_a_tier_they_quote():
    from actions.stated_facts import cause_in_text, tier_in_text

    assert tier_in_text("I am a VIP customer. Your text states 'Each common user's reward amount is 100'.") == "vip"
    assert tier_in_text("normal account not VIP") == "common"
    assert cause_in_text("turns out my dev pushed a bad security group rule") == "user_negligence"


async def test_a_fault_period_said_before_switching_checks_is_carried_over(store, dispatcher, domain):
    """"昨天下午2点到3点35宕机了，我要退款" ... "算了，不退款了，我要故障赔偿，每天48元": the period stays."""
    period = {"from": "2026-11-26T14:00:00+08:00", "to": "2026-11-26T15:35:00+08:00"}
    before = {"event": "user", "text": "我的服务器昨天下午2点到3点35宕机了，我要退款",
              "parse_data": {"intent": {"name": "request_refund"}, "entities": [{"entity": "time", "value": period}]}}
    tracker = make_tracker({"requested_slot": None}, intent="report_fault", active_loop="fault_form",
                           text="算了，不退款了，我要故障赔偿。平台的问题，服务器每天费用48元",
                           history=[before, {"event": "active_loop", "name": "fault_form"}],
                           new_slots={"daily_cost": {"value": 48, "unit": "CNY"}})
    slots = slot_events(await ValidateFaultForm().run(dispatcher, tracker, domain))
    assert slots["fault_start"] == period["from"] and slots["fault_end"] == period["to"]
    assert slots["requested_slot"] != "fault_start"


@pytest.mark.parametrize("text,billing", [
    ("It was a server for one month, I paid 99 yuan", "monthly"), ("我前天买了一个月的服务器", "monthly"),
    ("I bought it a month ago", None), ("the RDS yearly one", "yearly"), ("OBS pay-per-use package", "pay_per_use_package"),
    ("pay as you go ECS", "pay_per_use"), ("the server was down for a day", None), ("按量付费的", "pay_per_use"),
])
def test_billing_in_the_customers_words(text, billing):
    assert stated_facts.billing_in_text(text) == billing


def test_causes_scenarios_and_fix_words_customers_use():
    from actions.fault_period import end_cue

    assert stated_facts.cause_in_text("they said it was a fault on the HUAWEI CLOUD platform and apologised") == "platform"
    assert stated_facts.cause_in_text("i fat-fingered the security group and blocked all inbound traffic") == \
        "user_improper_operation"
    assert stated_facts.scenario_in_text("My little blog was not accessible on Wednesday") == "website_inaccessible"
    assert end_cue("A fault on our ECS was rectified on Thursday 19 November at 17:30.") == "fault_end"


async def test_a_cause_stated_before_a_question_is_read(store, dispatcher, domain):
    from actions.compensation import ValidateFaultForm
    from tests.actions.conftest import make_tracker

    text = "my ISP already admitted its packet loss on THEIR side on the route to your datacenter. so what do i get??"
    tracker = make_tracker({"requested_slot": "scenario"}, intent="faq", text=text, active_loop="fault_form")
    events = await ValidateFaultForm().get_extraction_events(dispatcher, tracker, domain)
    assert {"event": "slot", "timestamp": None, "name": "fault_cause", "value": "carrier_fault"} in events
    asked = make_tracker({"requested_slot": "scenario"}, intent="faq", text="are DDoS attacks excluded?",
                         active_loop="fault_form")
    assert not [e for e in await ValidateFaultForm().get_extraction_events(dispatcher, asked, domain)
                if e.get("name") == "fault_cause"]


def test_none_issued_is_no_invoice():
    assert stated_facts.invoice_in_text("nobody asked for an invoice so none was issued") == "none"
    assert stated_facts.submit_answer_in_text("資料我已經 snapshot 備份好了，沒問題，請送出 refund") is True


def test_more_ways_customers_say_what_happened_and_why():
    assert stated_facts.scenario_in_text("our website could not be opened at all last night") == "website_inaccessible"
    assert stated_facts.scenario_in_text("it was stuck 'provisioning' until 3pm, six hours") == "provisioning_failure"
    assert stated_facts.cause_in_text("my nephew was 'improving security' and changed the security group rules") == \
        "user_negligence"


def test_another_site_filed_before_is_not_a_first_filing():
    said = ("Is it my first filing with you? Not really: we filed another website through Huawei Cloud back in 2024, "
            "this is our second one.")
    assert stated_facts.first_filing_in_text(said) is False


def test_a_recharge_said_as_a_bound_then_a_figure_is_the_figure():
    from actions.stated_facts import recharge_in_text

    assert recharge_in_text("total recharge is way over 200, about 5,000") == "5000"
    assert recharge_in_text("recharged 350 so far") == "350"


def test_facts_in_other_voices():
    from actions import stated_facts as sf

    assert sf.cause_in_text("I want compensation, and don't you dare tell me it's my fault.") is None
    assert sf.delay_in_text("approved the 24 of November but I was late 12 days sending the documents") == 12
    assert sf.filing_status_in_text("the filing is still in process") == "in_progress"
    assert sf.scenario_in_text("the new instance I ordered took 3 hours to even show up") == "provisioning_failure"
    assert sf.scenario_in_text("the page took 3 hours to show up") != "provisioning_failure"


def test_a_platform_blamed_for_not_stopping_an_attack_states_no_platform_fault():
    from actions import stated_facts as sf

    assert sf.cause_in_text("its cuz we got ddos attacked but ur platform shuld protect me rite??") == "attack_or_virus"
    assert sf.cause_in_text("it was your platform, not us") == "platform"
    assert sf.scenario_in_text("my ecs was unavaliable on the 21st") == "service_unavailable"


def test_a_terse_daily_cost():
    from actions import stated_facts as sf

    assert sf.daily_cost_in_text("platform fault. daily 120.00. amt?") == "120.00"
    assert sf.daily_cost_in_text("daily 500 users were affected") is None
