"""Support scope (S1/S2): the topic comes from the `scope/<topic>` response
selector, the verdict from the policy's `support_scope` decision. Provided (S1):
offer a service ticket. Not provided (S2): say so kindly and list what is."""
from __future__ import annotations

import re

from typing import List, Text

from rasa_sdk import Action
from rasa_sdk.events import EventType, FollowupAction, SlotSet

from actions.common import clearly_said, decide, guarded, say
from actions import faq, follow_up
from actions.retrieval import chosen_key, other_retrieval_intent, ranking, response_text
from bot.nlu.chinese_script import to_simplified
from bot.nlu.cues import WHAT_COVERED_RE


class ActionScope(Action):
    def name(self) -> Text:
        return "action_scope"

    @guarded
    async def run(self, dispatcher, tracker, domain) -> List[EventType]:
        from actions.smalltalk import ANOTHER_RE, answer_again, reopen_last_check

        latest = tracker.latest_message or {}
        names = {e.get("entity") for e in latest.get("entities") or []}
        text = str(latest.get("text") or "")
        another = ANOTHER_RE.search(text) or len(text.split()) <= 6
        if another and names & {"product", "order_id", "resource_id", "incident_id", "filing_id"}:

            reopened = await reopen_last_check(tracker, domain)  # "And the OBS object storage?" after an answer
            if reopened:
                return reopened
        pushback = follow_up.pushes_back(tracker) and not asks_support_for_something(text)
        if follow_up.follows_up_the_answer(tracker) and (pushback or not clearly_said(tracker)):
            return await answer_again(tracker, domain)  # "so we get nothing at all?", "not my fault!! is your maintenance"
        if WHAT_COVERED_RE.search(to_simplified(text)):
            say(dispatcher, "utter_scope_overview")  # "那你们到底管什么呀": the whole of S1 and S2
            return []
        topic = chosen_key(tracker, "scope")
        if topic is None and other_retrieval_intent(tracker, "scope") == "faq":
            return [FollowupAction("action_faq")]  # read as support scope, answered as a policy FAQ
        scored = ranking(tracker, "scope")
        in_check = faq.answer_of_current_check(tracker, scored[0][1] if scored else 0.0)
        if in_check:
            await faq.answer(dispatcher, tracker, domain, in_check)
            return []
        if not topic:
            say(dispatcher, "utter_scope_unknown")
            return []
        decision = decide({"kind": "support_scope", "topic": topic})
        label = response_text(domain, f"utter_scope/{topic}") or topic
        if decision.get("decision") == "provided":
            say(dispatcher, "utter_scope_provided", topic_label=label)
            say(dispatcher, "utter_offer_ticket")
        elif decision.get("decision") == "not_provided":
            say(dispatcher, "utter_scope_not_provided", topic_label=label)
            say(dispatcher, "utter_scope_provided_list")
        else:
            say(dispatcher, "utter_scope_unknown")
        return [SlotSet("scope_topic", topic)]


#: asking support to do something ("can your support at least tune our nginx config"): a new
#: support-scope question, whatever pushback word comes before it
SUPPORT_ASK_RE = re.compile(r"\b(?:can|could|will|would)\s+(?:your\s+|the\s+)?(?:support|team|engineers?|you(?:\s+guys)?)\s+"
                            r"(?:at least\s+|please\s+|also\s+)?(?:help|tune|fix|set|install|configure|write|look|check|deploy|do)\b|"
                            r"能不能帮|可以帮我|能帮我", re.I)


def asks_support_for_something(text: str) -> bool:
    return bool(SUPPORT_ASK_RE.search(text))
