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


def _cache(tracker: Any) -> dict:
    cache = getattr(tracker, "_assurance_store_cache", None)
    if cache is None:
        cache = {}
        tracker._assurance_store_cache = cache
    return cache


async def read(tracker: Any, method: str, *args: Any, **kwargs: Any) -> Any:
    """A store read, remembered for the rest of this action run (this tracker
    object lives for one request). rasa_sdk asks a form's required slots several
    times per run; the answer cannot change within it."""
    key = (method, repr(args), repr(sorted(kwargs.items())))
    cache = _cache(tracker)
    if key not in cache:
        cache[key] = await call(method, *args, **kwargs)
    return cache[key]


def turn_now(tracker: Any) -> Any:
    """One `bot.clock.now()` per action run, so every case of the run agrees."""
    from bot import clock

    cache = _cache(tracker)
    if "now" not in cache:
        cache["now"] = clock.now()
    return cache["now"]
