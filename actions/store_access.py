"""One Store per action-server process, every call off the event loop.

rasa_sdk runs actions on one asyncio loop; the store is synchronous SQLAlchemy, so
each call goes through `asyncio.to_thread` and a slow database never blocks other
conversations."""
from __future__ import annotations

import asyncio
import threading
from typing import Any, Optional

_lock = threading.Lock()
_store: Optional[Any] = None


def get_store() -> Any:
    """The process-wide Store (DATABASE_URL; default sqlite:///var/assurance.db)."""
    global _store
    if _store is None:
        with _lock:
            if _store is None:
                from bot.store import Store

                _store = Store.from_env()
    return _store


def set_store(store: Optional[Any]) -> None:
    """Tests (and embedding code) hand in their own Store; None resets."""
    global _store
    _store = store


async def call(method: str, *args: Any, **kwargs: Any) -> Any:
    """`await call("orders", cid)` runs store.orders(cid) in a worker thread."""
    store = await asyncio.to_thread(get_store)
    return await asyncio.to_thread(getattr(store, method), *args, **kwargs)
