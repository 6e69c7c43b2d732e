"""Rasa input channels that bind a conversation to a verified account (docs/CHANNELS.md).

Configured in credentials.yml by module path, e.g. `bot.channels.socketio.AuthSocketIOInput`.
Only these channels may put `metadata["auth"]` on a user message; see ARCHITECTURE.md,
"Conversation identity".
"""
