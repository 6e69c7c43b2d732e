"""The one HTTP helper of the harness: a REST webhook message and its reply.

Why urllib and not aiohttp: tests call it from plain threads (many conversations at
once through ThreadPoolExecutor); a blocking call with a timeout is what they need.
"""
from __future__ import annotations

import json
import urllib.error
import urllib.request
from dataclasses import dataclass
from typing import Any, Optional

#: The response header HAProxy adds with the name of the Rasa replica that answered.
REPLICA_HEADER = "X-Replica"


@dataclass
class Reply:
    """What a REST webhook answered: status, messages and the replica that served it."""

    status: int
    messages: list[dict]
    replica: str = ""
    headers: Optional[dict[str, str]] = None  # names in lower case

    @property
    def texts(self) -> list[str]:
        return [m.get("text", "") for m in self.messages if isinstance(m, dict)]

    @property
    def text(self) -> str:
        return "\n".join(t for t in self.texts if t)


def _messages(data: bytes) -> list[dict]:
    try:
        msgs = json.loads(data)
    except ValueError:
        msgs = [{"text": data.decode(errors="replace")}]
    return msgs if isinstance(msgs, list) else [msgs]


def post(base_url: str, sender: Optional[str], text: Any, token: Optional[str] = None,
         timeout: float = 90.0, raw: Optional[bytes] = None,
         headers: Optional[dict[str, str]] = None) -> Reply:
    """One REST webhook message; never raises on HTTP errors (status is returned,
    0 when the connection itself failed)."""
    body = raw if raw is not None else json.dumps(
        {k: v for k, v in {"sender": sender, "message": text}.items() if v is not None}).encode()
    sent = {"Content-Type": "application/json", **(headers or {})}
    if token:
        sent["Authorization"] = "Bearer " + token
    req = urllib.request.Request(base_url + "/webhooks/rest/webhook", data=body,
                                 method="POST", headers=sent)
    try:
        with urllib.request.urlopen(req, timeout=timeout) as resp:
            return Reply(resp.status, _messages(resp.read()), resp.headers.get(REPLICA_HEADER, ""),
                         {k.lower(): v for k, v in resp.headers.items()})
    except urllib.error.HTTPError as err:
        return Reply(err.code, _messages(err.read()), err.headers.get(REPLICA_HEADER, "") or "",
                     {k.lower(): v for k, v in err.headers.items()})
    except (urllib.error.URLError, OSError) as err:
        return Reply(0, [{"text": f"connection error: {err}"}])
