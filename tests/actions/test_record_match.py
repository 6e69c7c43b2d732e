"""People name their orders, incidents and filings by product, day and what happened:
the one record those clues single out is taken; otherwise the buttons ask."""
from __future__ import annotations

from actions import record_match
from actions.compensation import ValidateFaultForm
from actions.icp import ValidateIcpForm
from actions.refund import ValidateRefundForm
from tests.actions.conftest import make_tracker


def product(value):
    return {"entity": "product", "value": value}


def when(value):
    return {"entity": "time", "value": value}


def message(text, *entities):
    return {"text": text, "entities": list(entities), "intent": {"name": "request_refund", "confidence": 0.9}}


def test_a_day_or_a_description_tells_two_orders_of_one_product_apart(store):
    orders = store.orders("C1001")  # two ECS orders: a web server (2 days ago) and a website host
    bought = message("the web server I bought two days ago", product("ECS"), when("2026-11-25T10:00:00+08:00"))
    (order,) = record_match.orders_meant(orders, record_match.clues(bought))
    assert order.product == "ECS" and order.billing == "monthly"
    described = message("refund the ECS web server", product("ECS"))
    assert [o.billing for o in record_match.orders_meant(orders, record_match.clues(described))] == ["monthly"]
    vague = message("refund my ECS", product("ECS"))
    assert record_match.orders_meant(orders, record_match.clues(vague)) == []  # ambiguous: ask


def test_a_product_named_by_what_it_is_is_that_product(store):
    said = message("Then please go ahead with the refund of the disk. Yes, I have copied everything off it.")
    (order,) = record_match.orders_meant(store.orders("C1001"), record_match.clues(said))
    assert order.product == "EVS"
    assert record_match.products_in_words("the server is slow") == frozenset()  # ECS has two orders: by name only


def test_several_products_name_several_orders(store):
    said = message("the CDN purchased yesterday, the EVS data disk, and the ECS web server purchased on Wednesday",
                   product("CDN"), product("EVS"), product("ECS"),
                   when("2026-11-26T00:00:00+08:00"), when("2026-11-25T00:00:00+08:00"))
    meant = record_match.orders_meant(store.orders("C1001"), record_match.clues(said))
    assert sorted(o.product for o in meant) == ["CDN", "ECS", "EVS"]


def test_incidents_by_product_day_scenario_and_still_down(store):
    c1002 = store.incidents("C1002")
    monday = message("我这周一凌晨的ECS中断能赔偿吗？", product("ECS"), when("2026-11-23T00:00:00+08:00"))
    (incident,) = record_match.incidents_meant(c1002, record_match.clues(monday))
    assert incident.cause == "scheduled_maintenance"
    c1003 = store.incidents("C1003")
    ongoing = message("Your server has been down SINCE 8AM and it is still down", when("2026-11-27T08:00:00+08:00"))
    (open_one,) = record_match.incidents_meant(c1003, record_match.clues(ongoing))
    assert open_one.rectified_at is None
    assert record_match.incidents_meant(c1003, record_match.clues(message("hello"))) == []


async def test_the_refund_form_takes_the_order_the_customer_describes(store, dispatcher, domain):
    tracker = make_tracker({}, customer="C1001", intent="request_refund", active_loop="refund_form",
                           text="The web server I bought two days ago keeps crashing. I want my money back.",
                           entities=[product("ECS"), when("2026-11-25T10:00:00+08:00")])
    got = await ValidateRefundForm().extract_refund_item(dispatcher, tracker, domain)
    ecs = [o for o in store.orders("C1001") if o.product == "ECS" and o.billing == "monthly"][0]
    assert got == {"refund_item": ecs.order_id}


async def test_the_fault_form_takes_the_incident_the_customer_describes(store, dispatcher, domain):
    tracker = make_tracker({}, customer="C1001", intent="report_fault", active_loop="fault_form",
                           text="comp for the ECS outage", entities=[product("ECS")])
    got = await ValidateFaultForm().extract_fault_incident(dispatcher, tracker, domain)
    assert got["fault_incident"] == [i for i in store.incidents("C1001") if i.product == "ECS"][0].incident_id


async def test_the_icp_form_takes_the_filing_named_by_its_domain(store, dispatcher, domain):
    tracker = make_tracker({}, customer="C1004", intent="ask_icp_reward", active_loop="icp_form",
                           text="My ICP filing for chenjie.example.cn is still being processed")
    got = await ValidateIcpForm().extract_icp_filing(dispatcher, tracker, domain)
    assert got["icp_filing"] == [f for f in store.filings("C1004") if f.domain == "chenjie.example.cn"][0].filing_id


def test_a_night_read_as_the_next_day_still_finds_the_incident(store):
    said = message("The one on Monday night, 2 to 4 in the morning.",
                   {"entity": "time", "value": {"from": "2026-11-24T02:00:00+08:00", "to": "2026-11-24T04:00:00+08:00"}})
    (incident,) = record_match.incidents_meant(store.incidents("C1002"), record_match.clues(said))
    assert incident.cause == "scheduled_maintenance"


async def test_an_id_and_another_product_named_are_both_checked(store, dispatcher, domain):
    from tests.actions.conftest import slot_events

    text = "Please refund order CS2611250001 and also the yearly CDN order I bought yesterday, together in one request."
    tracker = make_tracker({"requested_slot": None}, customer="C1001", intent="request_refund", text=text,
                           active_loop="refund_form",
                           entities=[{"entity": "order_id", "value": "CS2611250001"}, product("CDN"),
                                     when("2026-11-26T00:00:00+08:00")],
                           new_slots={"refund_item": "CS2611250001"})
    slots = slot_events(await ValidateRefundForm().run(dispatcher, tracker, domain))
    from actions.refund_items import chosen_items

    assert chosen_items(slots["refund_item"]) == ["CS2611250001", "CS2611260001"]  # the CDN bought yesterday


def test_a_product_taken_back_is_not_meant(store):
    text = "I want to refund the CDN I bought yesterday. Oh wait, no, not the CDN - the ECS, the monthly one from Wednesday."
    entities = [dict(product("CDN"), start=text.index("CDN")), dict(product("CDN"), start=text.rindex("CDN")),
                dict(product("ECS"), start=text.index("ECS")), when("2026-11-25T00:00:00+08:00")]
    meant = record_match.orders_meant(store.orders("C1001"), record_match.clues({"text": text, "entities": entities}))
    assert [o.product for o in meant] == ["ECS"]


async def test_another_day_at_the_confirmation_names_another_incident(store, dispatcher, domain):
    incidents = store.incidents("C1005")
    billing = next(i for i in incidents if i.scenario == "billing_error")
    ddos = next(i for i in incidents if i.cause == "attack_or_virus")
    text = "also the DDoS that hit our ECS on 2026-11-22, claim that too"
    tracker = make_tracker({"fault_incident": billing.incident_id, "requested_slot": "fault_confirmed"},
                           customer="C1005", intent="report_fault", text=text,
                           entities=[when("2026-11-22T00:00:00+08:00")], active_loop="fault_form")
    extracted = await ValidateFaultForm().extract_fault_incident(dispatcher, tracker, domain)
    assert extracted == {"fault_incident": ddos.incident_id, "fault_confirmed": None}
    same_day = make_tracker({"fault_incident": billing.incident_id, "requested_slot": "fault_confirmed"},
                            customer="C1005", intent="inform", text="the double billing one, 25 Nov 00:00-06:00",
                            entities=[when({"from": "2026-11-25T00:00:00+08:00", "to": "2026-11-25T06:00:00+08:00"})],
                            active_loop="fault_form")
    assert await ValidateFaultForm().extract_fault_incident(dispatcher, same_day, domain) == {}


async def test_an_incident_described_with_a_question_answers_which_incident(store, dispatcher, domain):
    provisioning = next(i for i in store.incidents("C1002") if i.scenario == "provisioning_failure")
    text = ("The provisioning failure from yesterday afternoon, which took three hours to be resolved. "
            "How is compensation computed for provisioning failures?")
    tracker = make_tracker({"requested_slot": "fault_incident"}, customer="C1002", intent="faq", text=text,
                           entities=[when({"from": "2026-11-26T12:00:00+08:00", "to": "2026-11-26T19:00:00+08:00",
                                           "approximate": True})], active_loop="fault_form")
    assert await ValidateFaultForm().extract_fault_incident(dispatcher, tracker, domain) == {
        "fault_incident": provisioning.incident_id}


def test_a_product_data_was_moved_to_is_not_the_one_meant(store):
    text = "refund the yearly EVS we bought on Tuesday please, we moved everything to OBS"
    said = message(text, {"entity": "product", "value": "EVS", "start": text.index("EVS")},
                   {"entity": "product", "value": "OBS", "start": text.index("OBS")})
    assert record_match.clues(said).products == frozenset({"EVS"})
    both = "refund the EVS and the OBS"
    said = message(both, {"entity": "product", "value": "EVS", "start": both.index("EVS")},
                   {"entity": "product", "value": "OBS", "start": both.index("OBS")})
    assert record_match.clues(said).products == frozenset({"EVS", "OBS"})
