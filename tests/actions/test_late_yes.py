"""A yes to filing after the check stopped asking ("hold on, let me check my backup" ...
"ok all backed up, yes submit") re-opens that check with the yes; a bare yes, a yes
after something was filed, or a check that never asked files nothing."""
from __future__ import annotations

from actions import late_yes
from actions.forms_base import LAST_CHECK, holds_on
from actions.smalltalk import ActionYesAfterAnswer
from tests.actions.conftest import make_tracker, responses

ASKED = {"event": "bot", "text": "Shall I submit?", "metadata": {"utter_action": "utter_ask_refund_confirmed"}}
FILED = {"event": "bot", "text": "Done.", "metadata": {"utter_action": "utter_refund_filed"}}
LAST = {"form": "refund_form", "slots": {"billing": "monthly", "purchased_at": "2026-11-25T15:00:00+08:00",
                                         "invoice": "none", "amount_paid": "300.00"}}


def slots_of(events):
    return {e.get("name"): e.get("value") for e in events if e.get("event") == "slot"}


async def test_a_late_yes_reopens_the_check_with_its_answers_and_the_yes(dispatcher, domain):
    tracker = make_tracker({LAST_CHECK: LAST}, intent="affirm", text="ok i backd it all up already go ahed submit",
                           history=[ASKED])
    events = await ActionYesAfterAnswer().run(dispatcher, tracker, domain)
    slots = slots_of(events)
    assert slots["refund_confirmed"] is True and slots["amount_paid"] == "300.00"
    assert events[-1]["event"] == "followup" and events[-1]["name"] == "refund_form"
    assert responses(dispatcher) == []


async def test_no_filing_without_the_words_after_a_filing_or_when_never_asked(dispatcher, domain):
    bare = make_tracker({LAST_CHECK: LAST}, intent="affirm", text="yes", history=[ASKED])
    assert await late_yes.reopen_to_file(bare) == []
    filed = make_tracker({LAST_CHECK: LAST}, intent="affirm", text="yes submit it", history=[ASKED, FILED])
    assert await late_yes.reopen_to_file(filed) == []
    never = make_tracker({LAST_CHECK: LAST}, intent="affirm", text="yes submit it")
    assert await late_yes.reopen_to_file(never) == []
    against = make_tracker({LAST_CHECK: LAST}, intent="affirm", text="no, don't submit it", history=[ASKED])
    assert await late_yes.reopen_to_file(against) == []


def test_waiting_is_neither_yes_nor_no():
    assert holds_on("hold on let me check if i backd evrything up")
    assert holds_on("稍等，我看看备份好了没有")
    assert not holds_on("hold on, no, cancel it")
    assert not holds_on("ok all backed up yes submit")
