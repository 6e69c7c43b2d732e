"""Thin rasa_sdk actions, one module per dialog (docs/CONVERSATIONS.md).

They hold no policy logic: they build a case (from the store for a verified
customer, from slots for a guest), ask `bot.policy` for the decision and the next
missing facts, and utter domain responses filled with the decision's facts and the
policy figures."""
