"""A Redis ticket lock store for several Rasa replicas, with two fixes over
Rasa Open Source's `RedisLockStore` (docs/SCALEOUT.md):

1. **Atomic updates.** The stock store reads the lock, changes it and writes it
   back with no transaction, so two replicas taking a ticket for the same
   conversation at the same instant can both be served at once. Here every change
   (issue a ticket, drop expired ones, finish, clean up) is one optimistic Redis
   transaction (`WATCH` / `MULTI` / `EXEC`, retried on conflict).
2. **No stuck waiter after a crash.** When a replica dies holding a ticket, the
   stock store's waiter stays "locked" forever if its own ticket expires in the
   same one-second polling gap as the dead one (`now_serving` falls back to 0),
   until the HTTP request times out and the customer gets an empty reply. Here a
   waiter is served as soon as no *live* ticket older than its own remains, and it
   polls every 50 ms instead of every second.

Use it in endpoints.scale.yml:
    lock_store:
      type: bot.scaleout.locks.AtomicRedisLockStore
      url: ${REDIS_HOST}   (port, db, key_prefix, password as for type: redis)
"""
from __future__ import annotations

import asyncio
import json
import logging
from typing import Any, Callable, Optional, Text, TypeVar

from rasa.core.lock import TicketLock
from rasa.core.lock_store import LOCK_LIFETIME, LockError, RedisLockStore

log = logging.getLogger(__name__)
T = TypeVar("T")

POLL_SECONDS = 0.05


class AtomicRedisLockStore(RedisLockStore):
    """RedisLockStore whose read-modify-writes are Redis transactions."""

    def __init__(self, endpoint_config: Any = None, **kwargs: Any) -> None:
        if endpoint_config is not None:  # loaded by module path from endpoints.yml
            kwargs = {**(endpoint_config.kwargs or {}), **kwargs}
            kwargs.setdefault("host", endpoint_config.url or "localhost")
        kwargs.pop("type", None)
        if "url" in kwargs:
            kwargs.setdefault("host", kwargs.pop("url"))
        super().__init__(**kwargs)

    # --- the one primitive -------------------------------------------------------
    def _atomic(self, conversation_id: Text,
                change: Callable[[Optional[TicketLock]], tuple[Optional[TicketLock], T]]) -> T:
        """Apply ``change`` to the stored lock in one WATCH/MULTI/EXEC transaction.

        ``change`` gets the current lock (or None) and returns (new lock or None to
        delete, result)."""
        key = self.key_prefix + conversation_id
        out: dict[str, Any] = {}

        def txn(pipe: Any) -> None:
            raw = pipe.get(key)
            current = TicketLock.from_dict(json.loads(raw)) if raw else None
            new, out["result"] = change(current)
            pipe.multi()
            if new is None or not new.tickets:
                pipe.delete(key)
            else:
                pipe.set(key, new.dumps())

        self.red.transaction(txn, key)
        return out["result"]

    # --- LockStore API -----------------------------------------------------------
    def issue_ticket(self, conversation_id: Text, lock_lifetime: float = LOCK_LIFETIME) -> int:
        def change(lock: Optional[TicketLock]) -> tuple[TicketLock, int]:
            lock = lock or TicketLock(conversation_id)
            return lock, lock.issue_ticket(lock_lifetime)

        try:
            return self._atomic(conversation_id, change)
        except Exception as e:  # noqa: BLE001 - same contract as the stock store
            raise LockError(f"Error while acquiring lock. Error:\n{e}") from e

    def update_lock(self, conversation_id: Text) -> None:
        def change(lock: Optional[TicketLock]) -> tuple[Optional[TicketLock], None]:
            if lock:
                lock.remove_expired_tickets()
            return lock, None

        self._atomic(conversation_id, change)

    def finish_serving(self, conversation_id: Text, ticket_number: int) -> None:
        def change(lock: Optional[TicketLock]) -> tuple[Optional[TicketLock], None]:
            if lock:
                lock.remove_ticket_for(ticket_number)
            return lock, None

        self._atomic(conversation_id, change)

    def cleanup(self, conversation_id: Text, ticket_number: int) -> None:
        """Drop our ticket and expired ones; the key goes when nobody waits."""
        def change(lock: Optional[TicketLock]) -> tuple[Optional[TicketLock], None]:
            if lock:
                lock.remove_ticket_for(ticket_number)
                lock.remove_expired_tickets()
            return lock, None

        self._atomic(conversation_id, change)

    async def _acquire_lock(self, conversation_id: Text, ticket: int,
                            wait_time_in_seconds: float) -> TicketLock:
        """Served once no live ticket older than ours is left (see module docstring)."""
        wait = min(wait_time_in_seconds, POLL_SECONDS)
        while True:
            def change(lock: Optional[TicketLock]) -> tuple[Optional[TicketLock], Optional[TicketLock]]:
                if lock is None:
                    return None, TicketLock(conversation_id)
                lock.remove_expired_tickets()
                ahead = [t for t in lock.tickets if t.number < ticket]
                return lock, (None if ahead else lock)

            acquired = self._atomic(conversation_id, change)
            if acquired is not None:
                return acquired
            await asyncio.sleep(wait)
