"""Session start, /restart and /back each get a reply: a typed session start greets,
an automatic one is silent, Rasa's restart and back actions speak the domain's
`utter_restart` / `utter_back`."""
from __future__ import annotations

from actions.smalltalk import ActionSessionStart
from tests.actions.conftest import make_tracker, responses, user_event


async def test_typed_session_start_greets(dispatcher, domain):
    tracker = make_tracker(intent="session_start", text="/session_start")
    events = await ActionSessionStart().run(dispatcher, tracker, domain)
    assert [e["event"] for e in events] == ["session_started", "action"]
    assert responses(dispatcher) == ["utter_greet"]


async def test_automatic_session_start_is_silent(dispatcher, domain):
    """Before a new conversation's first message (or after a reply) nothing is said."""
    from rasa_sdk import Tracker

    for history in ([], [user_event("hi", "greet"), {"event": "bot", "text": "Hello!"}]):
        tracker = Tracker("s-1234567890", {}, {}, history, False, None, {}, "action_listen")
        events = await ActionSessionStart().run(dispatcher, tracker, domain)
        assert events[0]["event"] == "session_started"
    assert responses(dispatcher) == []


async def test_restart_says_what_the_bot_can_do():
    """Rasa's action_restart utters `utter_restart` when the domain has it."""
    from rasa.core.actions.action import ActionRestart
    from rasa.core.channels import CollectingOutputChannel
    from rasa.core.nlg import TemplatedNaturalLanguageGenerator
    from rasa.shared.core.domain import Domain
    from rasa.shared.core.events import Restarted
    from rasa.shared.core.trackers import DialogueStateTracker

    from tests.domain import DOMAIN_DIR

    domain = Domain.load(str(DOMAIN_DIR))
    tracker = DialogueStateTracker("s-1234567890", domain.slots)
    events = await ActionRestart().run(CollectingOutputChannel(), TemplatedNaturalLanguageGenerator(domain.responses),
                                       tracker, domain)
    assert isinstance(events[-1], Restarted)
    texts = [getattr(e, "text", None) for e in events[:-1]]
    assert texts and texts[0] and "{" not in texts[0]


async def test_back_says_what_it_did():
    """Rasa's action_back utters `utter_back` when the domain has it ("/back" got no reply)."""
    from rasa.core.actions.action import ActionBack
    from rasa.core.channels import CollectingOutputChannel
    from rasa.core.nlg import TemplatedNaturalLanguageGenerator
    from rasa.shared.core.domain import Domain
    from rasa.shared.core.trackers import DialogueStateTracker

    from tests.domain import DOMAIN_DIR

    domain = Domain.load(str(DOMAIN_DIR))
    tracker = DialogueStateTracker("s-1234567890", domain.slots)
    events = await ActionBack().run(CollectingOutputChannel(), TemplatedNaturalLanguageGenerator(domain.responses),
                                    tracker, domain)
    assert any(getattr(e, "text", None) for e in events)
