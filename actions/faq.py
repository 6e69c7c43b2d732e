"""Policy FAQ: `faq/<key>` answers with the policy figures filled in.

The built-in retrieval action cannot pass template variables, so this action
reads the response selector's key and utters `utter_faq/<key>` with
`load_policy().figures()`; the texts live in domain.yml."""
from __future__ import annotations

from typing import List, Text

from rasa_sdk import Action
from rasa_sdk.events import EventType

from actions.common import guarded, say
from actions.money import currency_of
from actions.retrieval import chosen_key

#: answers where the published policy is silent: a person is offered (H1)
OFFERS_TICKET = frozenset({"compensation_payout", "filing_rejection", "billing_correction"})


class ActionFaq(Action):
    def name(self) -> Text:
        return "action_faq"

    @guarded
    async def run(self, dispatcher, tracker, domain) -> List[EventType]:
        key = chosen_key(tracker, "faq")
        name = f"utter_faq/{key}"
        if key and name in (domain.get("responses") or {}):
            say(dispatcher, name, currency=await currency_of(tracker))  # the reward in the account's currency
            if key in OFFERS_TICKET and not (tracker.active_loop or {}).get("name"):
                # in a check the form asks its next question: a second question would
                # leave "yes" ambiguous; the answer text names the hotline and tickets
                say(dispatcher, "utter_offer_ticket")
        else:  # never an invented answer
            say(dispatcher, "utter_faq_unknown")
            if not (tracker.active_loop or {}).get("name"):
                say(dispatcher, "utter_offer_ticket")
        return []
