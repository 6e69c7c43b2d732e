"""Thin rasa_sdk actions, one module per dialog (docs/CONVERSATIONS.md).

They hold no policy logic: they build a case (from the store for a verified
customer, from slots for a guest), ask `bot.policy` for the decision and the next
missing facts, and utter domain responses filled with the decision's facts and the
policy figures.

Importing the package (which `rasa run actions --actions actions` does before it
binds) makes the action server listen on loopback unless SANIC_HOST says otherwise:
it serves whoever can reach it, so it must not face the network (docs/SECURITY.md).
It also refuses to start in demo mode next to a real token secret."""
import os

from bot import identity as _identity

os.environ.setdefault("SANIC_HOST", "127.0.0.1")
_identity.check_configuration()
