"""Form validation base class shared by the refund, fault and ICP forms.

Like financial-demo's custom form base: a slot that fails validation twice in a
row is explained (`utter_explain_<slot>`) and the person is asked whether to go
on (`continue_form`); "no" ends the form without filing anything.

The forms' required slots are dynamic: the subclass builds the policy case (store
for a verified customer, slots for a guest) and asks `bot.policy.next_facts` what
is still missing; only those slots are asked, in the policy's order. Slots that
are already set stay in the list so that a value said out of turn ("no, it was
the 24th") is validated too.
"""
from __future__ import annotations

import copy
import logging
import re
from abc import abstractmethod
from typing import Any, Callable, Dict, List, Optional, Text

from rasa_sdk import Tracker
from rasa_sdk.events import EventType, SlotSet
from rasa_sdk.executor import CollectingDispatcher
from rasa_sdk.forms import FormValidationAction
from rasa_sdk.types import DomainDict

from actions import facts
from actions.negation import negated
from actions.common import clearly_said, decide, readable_problem, say, service_down
from actions.stated_facts import says_no_to_filing, submit_answer_in_text
from actions.tone import is_complaint

logger = logging.getLogger(__name__)

FAILURES = "repeated_validation_failures"
PAUSED = "form_paused"
CONTINUE = "continue_form"
FAILED = "form_failed"
EXPLAIN_AFTER = 2


def just_started(tracker: Tracker, form: str) -> bool:
    """True on the form's first validation: nothing asked since it was activated."""
    for event in reversed(tracker.events or []):
        if event.get("event") == "slot" and event.get("name") == "requested_slot" and event.get("value"):
            return False
        if event.get("event") == "active_loop" and event.get("name") == form:
            return True
    return True


def stated_facts_of(readers: Dict[str, Callable[[str], Any]], text: Any) -> Dict[str, Any]:
    """Pure: slot -> value for every reader that finds its fact in `text` (traditional
    Chinese read as simplified: the readers' Chinese words are simplified)."""
    if not isinstance(text, str) or not text.strip():
        return {}
    from bot.nlu.chinese_script import to_simplified

    text = to_simplified(text)
    found = {slot: reader(text) for slot, reader in readers.items()}
    return {slot: value for slot, value in found.items() if value is not None}


def message_before(tracker: Tracker) -> Dict[str, Any]:
    """The parse data of the user message before the latest one ({} if none)."""
    users = [e for e in tracker.events or [] if e.get("event") == "user"]
    return (users[-2].get("parse_data") or {}) if len(users) >= 2 else {}


def slots_said_this_turn(tracker: Tracker) -> set:
    """The slots Rasa's mappings took from the latest user message."""
    names = set()
    for event in reversed(tracker.events or []):
        if event.get("event") == "user":
            break
        if event.get("event") == "slot":
            names.add(event.get("name"))
    return names


def previous_value(tracker: Tracker, slot: str) -> Any:
    """The slot's value before the latest user message (its extraction this turn
    is a candidate, not yet an answer)."""
    events = tracker.events or []
    last_user = max((i for i, e in enumerate(events) if e.get("event") == "user"), default=len(events))
    for event in reversed(events[:last_user]):
        if event.get("event") == "slot" and event.get("name") == slot:
            return event.get("value")
    return None


#: Intents whose message asks something else: its words state no fact of the check
#: ("are DDoS attacks excluded?" is a question, not the cause of this fault).
QUESTION_INTENTS = ("faq", "scope", "out_of_scope", "ask_hotline", "bot_challenge")
#: "why was it rejected?", "can I ...", "吗": a question; "the filing was rejected" is not
_QUESTION_RE = re.compile(
    r"[?？]|^\s*(?:(?:wait|hold on|hang on|sorry|ok(?:ay)?|um+|hmm+|but|and|so|oh)\b[,.!\s]*)*"
    r"(?:what|how|why|when|where|which|who|whose|can|could|do|does|did|is|are|was|were|will|would|"
    r"should|may|might|am|have|has)\b|[吗呢么]\s*[。.!！]?\s*$|(?:为什么|怎么|多少|几|什么|哪)", re.I)


#: "First time? Yes, we never filed before.", "Delays? No.": the customer repeats the
#: question (a few words) and answers it; the repeat asks nothing
_QUESTION_WORD_RE = re.compile(r"\s*(?:why|how|what|when|where|which|who|can|could|is|are|do|does|will|would|"
                               r"should|really|seriously|so)\b", re.I)
_ECHOED_QUESTION_RE = re.compile(r"^\s*(?:\w+[\s'-]*){1,3}[?？]\s*(?=\S)")


#: sentence ends, Latin and Chinese
_SENTENCE_END_RE = re.compile(r"(?<=[.!?。！？])\s*")


def statements_of(text: Any) -> str:
    """Pure: the sentences of a message that ask nothing ("my ISP admitted the packet loss.
    so what do i get??" -> "my ISP admitted the packet loss.")."""
    if not isinstance(text, str):
        return ""
    return " ".join(part for part in _SENTENCE_END_RE.split(text) if part.strip() and not asks_something(part))


def asks_something(text: Any) -> bool:
    """True when the message is worded as a question (its words then state no fact)."""
    if not isinstance(text, str):
        return False
    echoed = _ECHOED_QUESTION_RE.match(text)
    if echoed and _QUESTION_WORD_RE.match(echoed.group(0)):
        echoed = None  # "Why not? ..." is a question of its own
    return bool(_QUESTION_RE.search(text[echoed.end():] if echoed else text))


#: Intents that leave the check when read clearly (a person, a ticket, stop)
LEAVING_INTENTS = ("human_handoff", "stop")
#: a fact the customer says they do not know: what the check assumed anyway
UNKNOWN = "unknown"
#: Intents whose entities Rasa's slot mappings already take during a check
ANSWER_INTENTS = ("inform", "affirm", "deny")


def _mapping_applies(mapping: Dict[str, Any], form: str, requested: Optional[str]) -> bool:
    """A from_entity mapping meant for this form (and this question, if it names one)."""
    if mapping.get("type") != "from_entity":
        return False
    for condition in mapping.get("conditions") or []:
        if condition.get("active_loop") == form and condition.get("requested_slot") in (None, requested):
            return True
    return False


#: entities any topic's message carries (a time, a number): taken against the intent
#: filters only when the intent reading is doubtful
GENERIC_ENTITIES = frozenset({"time", "duration", "number", "amount-of-money"})


def said_values(tracker: Tracker, entity: str) -> List[Any]:
    """The latest message's values of `entity`, without those it takes back."""
    latest = tracker.latest_message or {}
    return [e.get("value") for e in latest.get("entities") or []
            if e.get("entity") == entity and not negated(latest.get("text"), e)]


def taken_back_values(tracker: Tracker, entity: str) -> List[Any]:
    """The latest message's values of `entity` said after a negation ("not saturday")."""
    latest = tracker.latest_message or {}
    return [e.get("value") for e in latest.get("entities") or []
            if e.get("entity") == entity and negated(latest.get("text"), e)]


def entity_answers(tracker: Tracker, domain: DomainDict, form: str, slots: tuple,
                   generic: bool = True) -> Dict[str, Any]:
    """slot -> entity value for the form's from_entity mappings, ignoring their
    intent filters: a long answer misread as another topic still gives its facts
    while the check goes on ("no invoice, running fine" read as an ICP question).
    `generic=False` leaves out times and numbers, which could be another topic's."""
    requested = tracker.get_slot("requested_slot")
    found: Dict[str, Any] = {}
    for slot in slots:
        for mapping in (domain.get("slots", {}).get(slot) or {}).get("mappings") or []:
            if slot in found or not _mapping_applies(mapping, form, requested):
                continue
            if not generic and mapping["entity"] in GENERIC_ENTITIES:
                continue
            latest = tracker.latest_message or {}
            value = next((e.get("value") for e in latest.get("entities") or []
                          if e.get("entity") == mapping["entity"] and e.get("role") == mapping.get("role")
                          and e.get("group") == mapping.get("group") and not negated(latest.get("text"), e)), None)
            if value is not None:
                found[slot] = value
    return found


#: the answers of the check that just ended: {"form": name, "slots": {...}}; a later
#: detail or correction outside any form re-opens that check with them
LAST_CHECK = "last_check"
#: the answers of a check left for another ({"form": ..., "slots": ...}): "back to the refund" restores them
LEFT_CHECK = "left_check"
#: answers never carried into a re-opened check (a new yes is needed, bookkeeping)
NOT_REMEMBERED = ("refund_confirmed", "fault_confirmed", CONTINUE, PAUSED, FAILURES, FAILED, "requested_slot")


#: going back to a check left for another: "back to the ECS refund", "回到剛才那個賠償"
GOES_BACK_RE = re.compile(r"\b(?:back to|go(?:ing)? back|return(?:ing)? to|resume|continue with|where we left|"
                          r"as (?:i|we) (?:said|were saying) (?:before|earlier))\b|回到|回去|继续刚才|刚才那|剛才那|之前那",
                          re.I)


def goes_back(text: str) -> bool:
    return bool(GOES_BACK_RE.search(text))


def left_answers(events: List[Dict[str, Any]], form: str) -> Dict[str, Any]:
    """The answers `form` had when it was last left (kept in LAST_CHECK then), {} if never."""
    for event in reversed(events):
        value = event.get("value") if event.get("event") == "slot" and event.get("name") in (LAST_CHECK, LEFT_CHECK) else None
        if isinstance(value, dict) and value.get("form") == form:
            return dict(value.get("slots") or {})
    return {}


def answers_of(form: str, tracker: Tracker, slots: tuple) -> Dict[str, Any]:
    """What a check has been told so far, as LAST_CHECK and LEFT_CHECK keep it."""
    kept = {s: tracker.get_slot(s) for s in slots
            if s not in NOT_REMEMBERED and tracker.get_slot(s) is not None}
    return {"form": form, "slots": kept}  # also with no answers: the check discussed


def forget_and_remember(form: str, tracker: Tracker, slots: tuple) -> List[EventType]:
    """End a check: reset its slots, and keep its answers in LAST_CHECK so that "sorry,
    it came back at 15:00, not 16:00" can re-decide with everything else kept."""
    return [SlotSet(slot, None) for slot in slots] + [SlotSet(LAST_CHECK, answers_of(form, tracker, slots))]


#: a no said outright besides the waiting ("wait, no, cancel it")
PLAIN_NO_RE = re.compile(r"\b(?:no|nope|cancel|stop|don'?t|do not|not now|not yet|not today|forget)\b|不要|算了|取消|不用", re.I)


def holds_on(text: Any) -> bool:
    """Waiting, neither a yes nor a no ("hold on, let me check I backed everything up")."""
    from bot.nlu.chinese_script import to_simplified
    from bot.nlu.filing_words import HOLD_ON_RE

    if not isinstance(text, str):
        return False
    text = to_simplified(text)
    return (bool(HOLD_ON_RE.search(text)) and not PLAIN_NO_RE.search(text)
            and submit_answer_in_text(text) is not True)


class AssuranceFormValidation(FormValidationAction):
    """Dynamic required slots from the policy, plus the explain-and-continue loop.

    Facts stated in passing: `stated_readers` maps a slot to a pure reader of the
    message text (actions/stated_facts.py). Every message of the check is read for
    all of them, whatever was asked, and a fact said again replaces the earlier one
    (a correction re-decides). The domain must give each such slot a `custom`
    mapping and the form a `validate_<slot>`.
    """

    #: every slot this form can ask or take, besides the bookkeeping slots
    form_slots: tuple = ()
    #: slot -> reader(text) -> value in slot shape, or None when the text does not say it
    stated_readers: Dict[str, Callable[[str], Any]] = {}
    #: slots whose `extract_<slot>` runs on every message, asked or not (a fact the
    #: check does not ask a guest is still taken when said)
    always_extracted: tuple = ()
    #: the "Shall I submit?" slot: its answer may be said in words the intent misses
    confirm_slot: Optional[str] = None
    #: slots whose answer the pure parser and the policy check alone (`check`): their
    #: `validate_<slot>`, which rasa_sdk looks up by name, comes from this table
    checked_slots: tuple = ()

    def __getattr__(self, name: str) -> Any:
        slot = name[len("validate_"):] if name.startswith("validate_") else None
        if slot is None or slot not in type(self).checked_slots:
            raise AttributeError(name)

        async def validate(value: Any, dispatcher: CollectingDispatcher, tracker: Tracker,
                           domain: DomainDict) -> Dict[Text, Any]:
            return await self.check(slot, value, dispatcher, tracker, domain)

        return validate

    @abstractmethod
    async def asked_slots(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> List[Text]:
        """The slots still to ask, in order (from bot.policy.next_facts)."""

    async def trial_case(self, tracker: Tracker) -> Optional[Dict[str, Any]]:
        """The case as it stands (used to catch bad input, e.g. R2's purchase
        time after now); None when it cannot be built yet."""
        return None

    # --- rasa_sdk hooks ---------------------------------------------------
    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict) -> List[EventType]:
        started = just_started(tracker, self.form_name())
        if started and is_complaint((tracker.latest_message or {}).get("text")):
            say(dispatcher, "utter_sorry_trouble")  # empathy and a way forward, then the check
        restored = (self.answers_again(tracker) + self.carried_over(tracker)) if started else []
        from actions import contact  # (contact reads follow-ups, which read this module)

        if started:
            contact.answer_hotline_in_passing(dispatcher, tracker)  # "..., and is your hotline open right now?"

        if not started:
            from actions.smalltalk import switch_asked, switched

            target = switch_asked(tracker, self.form_name())
            if target:  # "ok compensation then. it went down at 11:40pm ...": that check, with these facts
                return switched(dispatcher, tracker, target)
        asked = contact.asked_time(tracker)
        if not started and asked is not None and contact.asks_about_the_hotline_again(tracker):
            # "那下周一早上9点整呢" after the hours: when to call, no fact of the check
            contact.say_open_then(dispatcher, tracker, asked)
            return [SlotSet(slot, previous_value(tracker, slot))
                    for slot in slots_said_this_turn(tracker) if slot != "requested_slot"]
        try:
            events = restored + await super().run(dispatcher, tracker, domain)
            await self.answer_in_passing(dispatcher, tracker, events)
            return events
        except Exception:  # noqa: BLE001 - store down or a bug: say so, end the form
            logger.exception("validation of %s failed", self.form_name())
            service_down(dispatcher)
            return [SlotSet(FAILED, True), SlotSet("requested_slot", None)]

    def corrects_facts(self, tracker: Tracker, taken: set) -> bool:
        """The message gives facts of the check ("wait, it came back at 15:00, not 16:00",
        "no invoice, 2 refunds this year"): at "Shall I submit?" its "not"/"no" corrects a
        fact, it does not decline; the answer is decided again and the question asked again."""
        said = set(taken) | slots_said_this_turn(tracker)
        kept = self.no_facts_said(tracker) | self.facts_on_record(tracker)
        facts = said & set(self.form_slots) - {self.confirm_slot, "requested_slot"} - kept
        stated = {slot: value for slot, value in
                  stated_facts_of(self.stated_readers, (tracker.latest_message or {}).get("text")).items()
                  if slot not in kept}
        # a fact said again as it was ("the invoice was already issued ... just submit the ECS one") corrects nothing
        changed = {slot for slot, value in stated.items() if value != previous_value(tracker, slot)
                   and not (value == UNKNOWN and previous_value(tracker, slot) is None)}  # "I don't know what caused it"
        return bool(facts) or bool(changed)

    async def answer_in_passing(self, dispatcher: CollectingDispatcher, tracker: Tracker,
                                events: List[EventType]) -> None:
        """Answer a question the facts known so far already settle ("by when must that one be
        submitted?") before the check asks its next question (nothing by default)."""

    def facts_on_record(self, tracker: Tracker) -> set:
        """Slots the account's records decide for the record chosen, so that saying them
        changes no answer ("the invoice on the CDN was already issued ... just submit the
        ECS one"): none by default."""
        return set()

    def no_facts_said(self, tracker: Tracker) -> set:
        """Slots Rasa's mappings filled from this message that say no fact of the check
        (none by default; "submit it right now" fills the fault's time with "now")."""
        return set()

    def carried_over(self, tracker: Tracker) -> List[EventType]:
        """Facts said in the message before this check started (another check was
        asked then: "down yesterday 2 to 3:35, 我要退款" ... "算了，我要赔偿") that this
        check uses; each form says which (none by default)."""
        return []

    def answers_again(self, tracker: Tracker) -> List[EventType]:
        """A guest asking about the same check again ("what if I return the invoice?")
        keeps the answers just given (a signed-in customer's records are read afresh);
        anyone going back to a check left for another ("whatever. back to the ECS refund",
        "回到剛才那個賠償") gets that check's answers back. What this message says wins."""
        from actions.identity import customer_id

        last = tracker.get_slot(LAST_CHECK)
        if isinstance(last, dict) and last.get("form") == self.form_name() and not customer_id(tracker):
            kept = last.get("slots") or {}
        elif goes_back(str((tracker.latest_message or {}).get("text") or "")):
            kept = left_answers(tracker.events or [], self.form_name())
            from actions import late_yes

            if (kept and self.confirm_slot and late_yes.asks_to_file((tracker.latest_message or {}).get("text"))
                    and late_yes.awaits_yes(tracker.events or [], self.form_name())):
                # "Back to the disk: yes, refund it, I've copied everything off it": the yes it awaited
                kept = {**kept, self.confirm_slot: True}
        else:
            return []
        events: List[EventType] = []
        for slot, value in kept.items():
            if slot in self.form_slots and tracker.get_slot(slot) is None:
                events.append(SlotSet(slot, value))
                tracker.slots[slot] = value
        return events

    async def required_slots(
        self,
        domain_slots: List[Text],
        dispatcher: CollectingDispatcher,
        tracker: Tracker,
        domain: DomainDict,
    ) -> List[Text]:
        if tracker.get_slot(CONTINUE) is False or tracker.get_slot(FAILED):
            return []
        asked = list(await self.asked_slots(dispatcher, tracker, domain))
        if tracker.get_slot(PAUSED):
            asked = [CONTINUE] + asked
        already = [s for s in self.form_slots if s not in asked and tracker.get_slot(s) is not None]
        return asked + already

    async def get_extraction_events(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> List[EventType]:
        """The `extract_<slot>` methods, then every stated fact of the latest message."""
        events = await super().get_extraction_events(dispatcher, tracker, domain)
        latest = tracker.latest_message or {}
        intent = (latest.get("intent") or {}).get("name")
        if intent in LEAVING_INTENTS and clearly_said(tracker):
            # "it really was down ... could you open a ticket?": the facts in it must not
            # keep the check going; the form rejects the message and the handoff/stop rules run
            return events
        taken = {e.get("name") for e in events}
        confirm = self.confirm_slot
        asks_another_thing = intent in QUESTION_INTENTS + ("refund_status",) and clearly_said(tracker)
        if confirm and confirm not in taken and tracker.get_slot("requested_slot") == confirm \
                and tracker.get_slot(confirm) is None and not self.corrects_facts(tracker, taken):
            # "go ahead, submit it", "确认提交"; "And the files get deleted? It's empty. Yes,
            # go ahead please." (a question first, the yes last) too
            said = submit_answer_in_text(latest.get("text"))
            if said is False and asks_another_thing:
                said = None  # "hold on, what's your hotline number again": a question, not a no
            if said is not None:
                events.append(SlotSet(confirm, said))
                tracker.slots[confirm] = said
                taken.add(confirm)
        if intent in QUESTION_INTENTS and asks_something(latest.get("text")):
            # "are DDoS attacks excluded?" states no cause; "my ISP admitted packet loss on
            # their side. so what do i get??" states one before it asks
            told = statements_of(latest.get("text"))
            for slot, value in stated_facts_of(self.stated_readers, told).items():
                if slot not in taken and value != tracker.get_slot(slot):
                    events.append(SlotSet(slot, value))
                    tracker.slots[slot] = value
            return events
        for slot in self.always_extracted:
            extract = getattr(self, f"extract_{slot}", None)
            if slot in taken or extract is None:
                continue
            for name, value in (await extract(dispatcher, tracker, domain)).items():
                events.append(SlotSet(name, value))
                tracker.slots[name] = value
                taken.add(name)
        stated = dict(stated_facts_of(self.stated_readers, latest.get("text")))
        if intent not in ANSWER_INTENTS:
            found = entity_answers(tracker, domain, self.form_name(), self.form_slots,
                                   generic=not clearly_said(tracker))
            stated = {**found, **stated}
        for slot, value in stated.items():
            if slot not in taken and value != tracker.get_slot(slot):
                events.append(SlotSet(slot, value))
                tracker.slots[slot] = value
        return events

    # --- the explain-and-continue loop ------------------------------------
    def failed(
        self, slot: str, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict,
        said: bool = False,
    ) -> Dict[Text, Any]:
        """A value that is no answer: count it when it answered the question we
        asked; after EXPLAIN_AFTER failures explain the slot and ask whether to go on.
        `said`: the caller already said what was wrong ("I can't find CS...", the
        policy's bad-input message), so no extra "couldn't use that answer"."""
        if tracker.get_slot("requested_slot") != slot:
            # said out of turn and unusable: keep the earlier answer
            return {slot: previous_value(tracker, slot)}
        count = int(tracker.get_slot(FAILURES) or 0) + 1
        if count < EXPLAIN_AFTER:
            if not said:
                say(dispatcher, "utter_not_understood_slot")
            return {slot: None, FAILURES: float(count)}
        explain = f"utter_explain_{slot}"
        say(dispatcher, explain if explain in domain.get("responses", {}) else "utter_explain_generic")
        return {slot: None, FAILURES: 0.0, PAUSED: True}

    def validate_confirmation(
        self, slot: str, value: Any, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> Dict[Text, Any]:
        """Filing is irreversible: a yes counts when the intent is read clearly or the
        words say "submit" with nothing against it; a yes whose words say no is asked
        again."""
        parsed = facts.parse_bool(value)
        text = (tracker.latest_message or {}).get("text")
        if holds_on(text):
            say(dispatcher, "utter_take_your_time")  # "hold on, let me check my backup": still asked
            return {slot: None}
        said = submit_answer_in_text(text)
        if parsed is None:
            parsed = said
        elif parsed is True and (said is False or (said is not True and asks_something(text))
                                 or (said is None and (not clearly_said(tracker) or says_no_to_filing(text)))):
            parsed = None  # "ok, what about the other outage?" files nothing ("...? Yes, go ahead." does)
        return {slot: parsed} if parsed is not None else self.failed(slot, dispatcher, tracker, domain)

    def validate_continue_form(
        self, value: Any, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> Dict[Text, Any]:
        if value is False:
            return {CONTINUE: False, PAUSED: False}
        if value is True:
            return {CONTINUE: None, PAUSED: False, FAILURES: 0.0}
        return {CONTINUE: None}

    # --- generic validation -------------------------------------------------
    async def check(
        self,
        slot: str,
        value: Any,
        dispatcher: CollectingDispatcher,
        tracker: Tracker,
        domain: DomainDict,
    ) -> Dict[Text, Any]:
        """Normalize with the pure parser; refuse what the policy calls bad input."""
        parsed = facts.normalize(slot, value)
        if parsed is None:
            return self.failed(slot, dispatcher, tracker, domain)
        problem = await self.policy_problem(slot, parsed, tracker)
        if problem:
            say(dispatcher, "utter_invalid_fact", problem=readable_problem(problem))
            return self.failed(slot, dispatcher, tracker, domain, said=True) | {slot: None}
        return {slot: parsed, FAILURES: 0.0}

    async def policy_problem(self, slot: str, parsed: Any, tracker: Tracker) -> Optional[str]:
        """str(PolicyInputError) when this value makes the case bad input (for
        example R2's purchase time after now); the case is built without it
        (fill_case leaves bad values out) and the value is tried on its fact."""
        from bot.policy import PolicyInputError, next_facts

        case = await self.trial_case(tracker)
        if case is None:
            return None
        for fact in next_facts(case):
            if facts.fact_slot(fact) != slot:
                continue
            trial = copy.deepcopy(case)
            facts.set_fact(trial, fact, None if parsed == "open" else parsed)
            try:
                decide(trial)
            except PolicyInputError as err:
                return str(err)
        return None
