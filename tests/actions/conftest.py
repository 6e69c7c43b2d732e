"""Fixtures for the action tests: real rasa_sdk Tracker and CollectingDispatcher,
the real domain (domain/ merged, as Rasa hands it to the action server), the real
policy, and the store on a temporary, seeded SQLite file."""
from __future__ import annotations

import re
from datetime import datetime
from pathlib import Path
from typing import Any, Dict, Iterator, List, Optional

import pytest
from rasa_sdk import Tracker
from rasa_sdk.executor import CollectingDispatcher

from actions import store_access
from bot import identity
from bot.clock import CST
from bot.store import Store
from bot.store.engine import dispose_engine
from bot.store.seed import seed
from tests.domain import domain_dict

ROOT = Path(__file__).resolve().parents[2]
NOW = datetime(2026, 11, 27, 10, 0, tzinfo=CST)  # a Friday, hotline open
SECRET = "actions-test-secret-" + "x" * 40
SENDER = "test-conversation"
PLACEHOLDER = re.compile(r"{([^{}]+)}")


@pytest.fixture(scope="session")
def domain() -> Dict[str, Any]:
    return domain_dict()


@pytest.fixture(autouse=True)
def pinned_now(monkeypatch: pytest.MonkeyPatch) -> datetime:
    monkeypatch.setenv("ASSURANCE_NOW", NOW.isoformat())
    monkeypatch.setenv(identity.SECRET_ENV, SECRET)
    monkeypatch.delenv(identity.DEMO_ENV, raising=False)
    return NOW


@pytest.fixture(scope="session")
def template_db(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("actions-store") / "template.db"
    url = f"sqlite:///{path}"
    store = Store(url)
    store.migrate()
    with store._db.write() as session:
        seed(session, NOW)
    dispose_engine(url)
    return path


@pytest.fixture
def store(template_db: Path, tmp_path: Path) -> Iterator[Store]:
    """A fresh copy of the seeded demo database, installed as the actions' store."""
    path = tmp_path / "assurance.db"
    path.write_bytes(template_db.read_bytes())
    url = f"sqlite:///{path}"
    instance = Store(url)
    store_access.set_store(instance)
    yield instance
    store_access.set_store(None)
    dispose_engine(url)


def signed_auth(customer: str, sender: str = SENDER) -> Dict[str, Any]:
    """The `auth` block our channel writes for `customer` in conversation `sender`."""
    who = identity.Identity(customer, NOW, NOW + identity.DEFAULT_TTL)
    return who.metadata(sender, SECRET)


def user_event(text: str = "", intent: str = "inform", entities: Optional[List[dict]] = None,
               customer: Optional[str] = None, selector: Optional[dict] = None,
               sender: str = SENDER) -> Dict[str, Any]:
    metadata: Dict[str, Any] = {}
    if customer:
        metadata["auth"] = signed_auth(customer, sender)
    parse = {"intent": {"name": intent, "confidence": 1.0}, "entities": entities or [], "text": text}
    if selector:
        parse["response_selector"] = selector
    return {"event": "user", "text": text, "parse_data": parse, "metadata": metadata}


def make_tracker(slots: Optional[Dict[str, Any]] = None, *, customer: Optional[str] = None,
                 intent: str = "inform", text: str = "", entities: Optional[List[dict]] = None,
                 new_slots: Optional[Dict[str, Any]] = None, history: Optional[List[dict]] = None,
                 selector: Optional[dict] = None, active_loop: Optional[str] = None,
                 sender: str = SENDER) -> Tracker:
    """A real Tracker; `new_slots` are the slot events since the last user message
    (what a form's validation action sees as candidates)."""
    values = dict(slots or {})
    values.update(new_slots or {})
    latest = user_event(text, intent, entities, customer, selector=selector, sender=sender)
    events = list(history or []) + [latest]
    events += [{"event": "slot", "name": k, "value": v} for k, v in (new_slots or {}).items()]
    return Tracker(sender, values, latest["parse_data"], events, False, None,
                   {"name": active_loop} if active_loop else {}, "action_listen")


def responses(dispatcher: CollectingDispatcher) -> List[str]:
    return [m.get("response") for m in dispatcher.messages]


def slot_events(events: List[Dict[str, Any]]) -> Dict[str, Any]:
    """The slots an action's events set, by name (the last value wins)."""
    return {e["name"]: e["value"] for e in events if e.get("event") == "slot"}


def rendered(dispatcher: CollectingDispatcher, domain: Dict[str, Any]) -> List[str]:
    """Each message's first text variant filled like Rasa does; a placeholder the
    action did not provide fails the test (no figure or fact left as '{x}')."""
    out = []
    for message in dispatcher.messages:
        name = message.get("response")
        text = domain["responses"][name][0]["text"]
        missing = [p for p in PLACEHOLDER.findall(text) if p not in message]
        assert not missing, f"{name} lacks {missing}"
        out.append(PLACEHOLDER.sub(lambda m, message=message: str(message[m.group(1)]), text))
    return out


@pytest.fixture
def dispatcher() -> CollectingDispatcher:
    return CollectingDispatcher()
