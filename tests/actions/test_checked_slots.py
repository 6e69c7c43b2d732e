"""The table-driven `validate_<slot>` of the three checks: each slot of `checked_slots`
is validated by the policy parser, each is a slot of its form, and nothing else is made up."""
import asyncio

import pytest
from rasa_sdk import Tracker
from rasa_sdk.executor import CollectingDispatcher

from actions.compensation import ValidateFaultForm
from actions.icp import ValidateIcpForm
from actions.refund import ValidateRefundForm

FORMS = (ValidateRefundForm, ValidateFaultForm, ValidateIcpForm)


@pytest.mark.parametrize("form", FORMS)
def test_every_checked_slot_is_a_form_slot_with_a_validator(form):
    assert form.checked_slots
    for slot in form.checked_slots:
        assert slot in form.form_slots
        assert callable(getattr(form(), f"validate_{slot}"))


@pytest.mark.parametrize("form", FORMS)
def test_no_validator_is_made_up_for_other_names(form):
    with pytest.raises(AttributeError):
        getattr(form(), "validate_not_a_slot")  # noqa: B009 - rasa_sdk looks validators up with getattr; so does this test
    assert not hasattr(form(), "extract_customer_tier")


def _tracker(requested: str) -> Tracker:
    return Tracker("t", {"requested_slot": requested}, {"text": "x", "intent": {}, "entities": []}, [], False,
                   None, {"name": "refund_form"}, "action_listen")


def test_a_checked_slot_is_normalised_and_a_bad_value_asked_again():
    form = ValidateRefundForm()
    good = asyncio.run(form.validate_refunds_this_year("2", CollectingDispatcher(), _tracker("refunds_this_year"), {}))
    assert good["refunds_this_year"] == 2
    dispatcher = CollectingDispatcher()
    bad = asyncio.run(form.validate_refunds_this_year("lots", dispatcher, _tracker("refunds_this_year"), {}))
    assert bad.get("refunds_this_year") is None
