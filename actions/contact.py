"""Contact (H1/H2): hotline number and hours, whether it is open right now
(the policy's `hotline` decision at bot.clock.now()), tickets 24/7."""
from __future__ import annotations

from typing import List, Text

from rasa_sdk import Action
from rasa_sdk.events import EventType

from actions.common import guarded, say, say_hotline_status


class ActionHotline(Action):
    def name(self) -> Text:
        return "action_hotline"

    @guarded
    async def run(self, dispatcher, tracker, domain) -> List[EventType]:
        say(dispatcher, "utter_hotline")
        say_hotline_status(dispatcher)
        return []
