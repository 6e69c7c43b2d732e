"""Blind end-to-end conversation suite: load and validate conversation files, run
them against a running stack, and report.

    python -m tests.conversations --stack                 # every file under blind/
    python -m tests.conversations --stack FILE [FILE...]  # these files
    python -m tests.conversations --stack --only zh-007 --gate 0.6

Each conversation runs over the REST channel (`/webhooks/rest/webhook`) with a
fresh random session id: as a guest (no token) or signed in as a demo customer (a
token minted like the support site's demo picker: the stack runs in demo mode with
the public demo secret and the pinned clock ASSURANCE_NOW). After every user
message the runner reads the Rasa tracker through the HTTP API (the stack's API
token) — the turn's bot messages with their response names
(`BotUttered.metadata.utter_action`), slots, active loop — and the store (claims and
tickets of the account, or of the guest's conversation, before/after the message).
tests/conversations/expectations.py says what each `expect` key means.

Isolation: conversations of one account never run at the same time, and whatever a
conversation filed is deleted from the store after it, so every conversation starts
from the seeded demo data (R3 counts and "already requested" depend on it).
"""
from __future__ import annotations

import argparse
from http.client import HTTPConnection
import json
import os
import random
import sys
import shutil
import threading
import time
import urllib.parse
import urllib.request
import uuid
from collections import Counter, defaultdict
from concurrent.futures import ThreadPoolExecutor
from dataclasses import asdict, dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Any, Dict, Iterable, List, Optional, Sequence, Tuple

import yaml

from tests.conversations import expectations as ex

ROOT = Path(__file__).resolve().parents[2]
HERE = Path(__file__).resolve().parent
BLIND_DIR = HERE / "blind"
OUT_DIR = ROOT / "var" / "conversations"
HTTP_TIMEOUT = 120


# --- the format ---------------------------------------------------------------------


class FormatError(ValueError):
    """A conversation file that does not follow the format (file, place, what)."""


@dataclass
class Turn:
    user: str
    expect: Dict[str, Any] = field(default_factory=dict)


@dataclass
class Conversation:
    id: str
    account: str
    turns: List[Turn]
    persona: str = ""
    outcome: Dict[str, Any] = field(default_factory=dict)
    source: str = ""  # file path (relative to the repo when inside it)
    writer: str = ""  # file stem, e.g. writer_a

    @property
    def signed_in(self) -> bool:
        return self.account != "guest"

    @property
    def primary_topic(self) -> str:
        """The first `topic` the conversation expects (its subject, for the report)."""
        for turn in self.turns:
            if "topic" in turn.expect:
                return str(turn.expect["topic"])
        return "unspecified"


def _where(path: Path, index: int, cid: Any = None, turn: Optional[int] = None) -> str:
    place = f"{path}: conversation #{index + 1}" + (f" ({cid})" if cid else "")
    return place + (f", turn {turn + 1}" if turn is not None else "")


def _unknown(keys: Iterable[str], allowed: Sequence[str]) -> List[str]:
    return [k for k in keys if k not in allowed]


def _validate_expect(expect: Any, where: str) -> Dict[str, Any]:
    """One turn's `expect` mapping, values normalised; FormatError on anything unknown."""
    if expect is None:
        return {}
    if not isinstance(expect, dict):
        raise FormatError(f"{where}: 'expect' must be a mapping, not {type(expect).__name__}")
    unknown = _unknown(expect, ex.EXPECT_KEYS)
    if unknown:
        raise FormatError(f"{where}: unknown expect key(s) {unknown}; known: {', '.join(ex.EXPECT_KEYS)}")
    out: Dict[str, Any] = {}
    for key, value in expect.items():
        bad = f"{where}: expect.{key}={value!r}"
        if key == "topic":
            if value not in ex.TOPICS:
                raise FormatError(f"{bad} is not a topic; topics: {', '.join(ex.TOPICS)}")
        elif key == "asks":
            if value not in ex.ASKS:
                raise FormatError(f"{bad} is not an `asks` name; names: {', '.join(ex.ASKS)}")
        elif key == "decision":
            if value not in ex.DECISIONS:
                raise FormatError(f"{bad} is not a decision; decisions: {', '.join(ex.DECISIONS)}")
        elif key == "scope":
            if value not in ex.SCOPES:
                raise FormatError(f"{bad}: scope is provided or not_provided")
        elif key == "rules":
            rules = [value] if isinstance(value, str) else value
            if not isinstance(rules, list) or not rules or not all(
                    isinstance(r, str) and ex.RULE_ID.match(r.strip().upper()) for r in rules):
                raise FormatError(f"{bad}: rules is a list of rule IDs such as [C4] or [R2, R4]")
            value = [r.strip().upper() for r in rules]
        elif key == "amount":
            number = ex.to_decimal(value) if isinstance(value, (str, int, float)) else None
            if number is None or number < 0:
                raise FormatError(f"{bad}: amount is a money figure such as \"280.00\"")
            value = f"{number:.2f}" if not isinstance(value, str) else value.strip()
        elif key == "minutes":
            number = ex.to_decimal(value) if isinstance(value, (str, int, float)) else None
            if number is None or number < 0:
                raise FormatError(f"{bad}: minutes is a number of minutes such as 95 or 95.5")
        elif key == "apply_by":
            day = ex.as_date(value)
            if day is None:
                raise FormatError(f"{bad}: apply_by is a date YYYY-MM-DD")
            value = day.isoformat()
        elif key in ("hotline_open", "ticket", "filed"):
            if not isinstance(value, bool):
                raise FormatError(f"{bad}: {key} is true or false")
        out[key] = value
    return out


def parse_conversations(data: Any, path: Path) -> List[Conversation]:
    """The conversations of one parsed file; FormatError on the first problem."""
    if not isinstance(data, dict) or "conversations" not in data:
        raise FormatError(f"{path}: the file must be a mapping with a 'conversations' list")
    unknown = _unknown(data, ("conversations",))
    if unknown:
        raise FormatError(f"{path}: unknown top-level key(s) {unknown}; only 'conversations'")
    items = data["conversations"]
    if not isinstance(items, list) or not items:
        raise FormatError(f"{path}: 'conversations' must be a non-empty list")
    try:
        source = str(path.resolve().relative_to(ROOT))
    except ValueError:
        source = str(path)
    result: List[Conversation] = []
    for i, item in enumerate(items):
        if not isinstance(item, dict):
            raise FormatError(f"{_where(path, i)}: must be a mapping")
        cid = item.get("id")
        where = _where(path, i, cid)
        unknown = _unknown(item, ex.CONVERSATION_KEYS)
        if unknown:
            raise FormatError(f"{where}: unknown key(s) {unknown}; known: {', '.join(ex.CONVERSATION_KEYS)}")
        for key in ex.REQUIRED_CONVERSATION_KEYS:
            if key not in item:
                raise FormatError(f"{where}: '{key}' is required")
        if not isinstance(cid, (str, int)) or not str(cid).strip():
            raise FormatError(f"{where}: 'id' must be a non-empty string")
        account = item["account"]
        if account not in ex.ACCOUNTS:
            raise FormatError(f"{where}: unknown account {account!r}; accounts: {', '.join(ex.ACCOUNTS)}")
        persona = item.get("persona") or ""
        if not isinstance(persona, str):
            raise FormatError(f"{where}: 'persona' is free text")
        turns_raw = item["turns"]
        if not isinstance(turns_raw, list) or not turns_raw:
            raise FormatError(f"{where}: 'turns' must be a non-empty list")
        turns: List[Turn] = []
        for t, turn in enumerate(turns_raw):
            twhere = _where(path, i, cid, t)
            if not isinstance(turn, dict):
                raise FormatError(f"{twhere}: a turn is a mapping with 'user' (and 'expect')")
            unknown = _unknown(turn, ex.TURN_KEYS)
            if unknown:
                raise FormatError(f"{twhere}: unknown key(s) {unknown}; known: {', '.join(ex.TURN_KEYS)}")
            user = turn.get("user")
            if isinstance(user, (int, float)) and not isinstance(user, bool):
                user = str(user)  # YAML reads `user: 48` as a number; it is what was typed
            if not isinstance(user, str) or not user.strip():
                raise FormatError(f"{twhere}: 'user' must be the customer's message (text)")
            turns.append(Turn(user=user, expect=_validate_expect(turn.get("expect"), twhere)))
        outcome = item.get("outcome") or {}
        if not isinstance(outcome, dict):
            raise FormatError(f"{where}: 'outcome' must be a mapping")
        unknown = _unknown(outcome, ex.OUTCOME_KEYS)
        if unknown:
            raise FormatError(f"{where}: unknown outcome key(s) {unknown}; known: {', '.join(ex.OUTCOME_KEYS)}")
        for key, value in outcome.items():
            if not isinstance(value, bool):
                raise FormatError(f"{where}: outcome.{key} is true or false")
        result.append(Conversation(id=str(cid).strip(), account=account, turns=turns, persona=persona,
                                   outcome=dict(outcome), source=source, writer=path.stem))
    return result


def load_file(path: Path) -> List[Conversation]:
    try:
        data = yaml.safe_load(Path(path).read_text(encoding="utf-8"))
    except yaml.YAMLError as err:
        raise FormatError(f"{path}: not valid YAML: {err}") from err
    return parse_conversations(data, Path(path))


def blind_files(directory: Path = BLIND_DIR) -> List[Path]:
    return sorted(p for p in directory.rglob("*") if p.suffix in (".yml", ".yaml") and p.is_file())


def load_files(paths: Sequence[Path]) -> List[Conversation]:
    """All conversations of these files; ids must be unique across them."""
    conversations: List[Conversation] = []
    seen: Dict[str, str] = {}
    for path in paths:
        for conv in load_file(path):
            if conv.id in seen:
                raise FormatError(f"{conv.source}: id {conv.id!r} is already used in {seen[conv.id]}")
            seen[conv.id] = conv.source
            conversations.append(conv)
    return conversations


# --- talking to the stack -------------------------------------------------------------


def http(method: str, url: str, body: Any = None, headers: Optional[Dict[str, str]] = None,
         timeout: float = HTTP_TIMEOUT, source_ip: Optional[str] = None) -> Tuple[int, Any]:
    """One JSON request; `source_ip` binds the client end to that local address (each
    conversation comes from its own loopback address, as each customer has their own:
    the channel counts guest tickets per client address)."""
    parts = urllib.parse.urlsplit(url)
    path = parts.path + (f"?{parts.query}" if parts.query else "")
    data = json.dumps(body).encode() if body is not None else None
    source = (source_ip, 0) if source_ip and parts.hostname in ("127.0.0.1", "localhost") else None
    conn = HTTPConnection(parts.hostname, parts.port or 80, timeout=timeout, source_address=source)
    try:
        conn.request(method, path, body=data, headers={"Content-Type": "application/json", **(headers or {})})
        resp = conn.getresponse()
        raw, status = resp.read(), resp.status
    finally:
        conn.close()
    try:
        return status, json.loads(raw or b"null")
    except ValueError:
        return status, raw.decode("utf-8", "replace")


def loopback_address(rng: random.Random) -> str:
    """A loopback address other than 127.0.0.1 (all of 127/8 reaches the local stack)."""
    return f"127.{rng.randint(1, 254)}.{rng.randint(0, 255)}.{rng.randint(1, 254)}"


@dataclass
class Target:
    """Where the stack is: Rasa's URL, its HTTP API token, the store's URL."""

    rasa_url: str
    api_token: str
    database_url: str
    pinned_now: str


def configure_identity(pinned_now: str) -> None:
    """Mint tokens the way the support site does in demo mode (the stack's secret is
    the public demo one, its clock the pinned one): identity.mint reads these."""
    from bot import identity

    os.environ.pop(identity.SECRET_ENV, None)
    os.environ[identity.DEMO_ENV] = "1"
    os.environ["ASSURANCE_NOW"] = pinned_now


class StoreProbe:
    """The claims (refunds, compensation, ICP reward, tickets) of an account or of
    a guest's conversation, read straight from the stack's store."""

    def __init__(self, database_url: str) -> None:
        from bot.store import Store

        self.url = database_url
        self.store = Store(database_url)
        self.baseline: Dict[str, set] = {}

    def claims(self, account: Optional[str], sender_id: str) -> Dict[str, ex.Claim]:
        if account:
            views = self.store.claims(account)
        else:
            views = self.store.claims(None, conversation_id=sender_id)
        return {v.reference: ex.Claim(reference=v.reference, kind=v.kind, status=v.status,
                                      amount=None if v.amount is None else str(v.amount)) for v in views}

    def remember_baseline(self, accounts: Iterable[str]) -> None:
        for account in accounts:
            self.baseline[account] = set(self.claims(account, ""))

    def restore(self, account: str) -> int:
        """Delete the claims this account gained since the baseline (seeded state)."""
        from sqlalchemy import delete, select

        from bot.store.engine import Sessions, get_engine
        from bot.store.models import Claim, ClaimEvent, ClaimItem

        keep = self.baseline.get(account, set())
        with Sessions(get_engine(self.url)).write() as s:
            ids = [cid for cid, ref in s.execute(select(Claim.id, Claim.reference).where(Claim.customer_id == account))
                   if ref not in keep]
            if ids:
                s.execute(delete(ClaimEvent).where(ClaimEvent.claim_id.in_(ids)).execution_options(synchronize_session=False))
                s.execute(delete(ClaimItem).where(ClaimItem.claim_id.in_(ids)).execution_options(synchronize_session=False))
                s.execute(delete(Claim).where(Claim.id.in_(ids)).execution_options(synchronize_session=False))
        return len(ids)


def _reply_of(event: Dict[str, Any]) -> ex.Reply:
    data = event.get("data") or {}
    buttons = [str(b.get("title", "")) for b in (data.get("buttons") or []) if isinstance(b, dict)]
    metadata = event.get("metadata") or {}
    return ex.Reply(text=event.get("text") or "", response=metadata.get("utter_action"), buttons=buttons)


def turn_events(events: List[Dict[str, Any]], users_before: int) -> List[Dict[str, Any]]:
    """The events from this turn's user message on: after the first `users_before`
    user events. Positions are not stable between reads (the first read shows the
    session-start metadata slot event before `action_session_start`, later reads do
    not); counting user messages is. No new user event (the channel refused it): none."""
    count = 0
    for index, event in enumerate(events):
        if event.get("event") == "user":
            count += 1
            if count == users_before + 1:
                return events[index:]
    return []


def observe_turn(user: str, events: List[Dict[str, Any]], tracker: Dict[str, Any]) -> ex.TurnObservation:
    """What happened in one turn, from the tracker events after the previous turn."""
    obs = ex.TurnObservation(user=user)
    for event in events:
        kind = event.get("event")
        if kind == "bot":
            obs.replies.append(_reply_of(event))
        elif kind == "action":
            obs.actions.append(str(event.get("name")))
        elif kind == "slot":
            obs.slots_set[str(event.get("name"))] = event.get("value")
        elif kind == "user" and obs.intent is None:
            obs.intent = ((event.get("parse_data") or {}).get("intent") or {}).get("name")
    loop = tracker.get("active_loop") or {}
    obs.active_loop = loop.get("name") if isinstance(loop, dict) else None
    obs.slots = dict(tracker.get("slots") or {})
    obs.requested_slot = obs.slots.get("requested_slot")
    return obs


@dataclass
class Result:
    id: str
    writer: str
    source: str
    account: str
    persona: str
    topic: str
    served: bool
    seconds: float
    turns: List[Dict[str, Any]]
    outcome_checks: List[Dict[str, Any]]
    error: Optional[str] = None

    def failing(self) -> List[Dict[str, Any]]:
        out = [dict(c, turn=t["index"] + 1) for t in self.turns for c in t["checks"] if not c["ok"]]
        return out + [dict(c, turn=None) for c in self.outcome_checks if not c["ok"]]


def _check_dict(check: ex.Check) -> Dict[str, Any]:
    return {"key": check.key, "expected": check.expected, "ok": check.ok, "observed": check.observed,
            "label": check.label}


class Runner:
    def __init__(self, target: Target) -> None:
        self.target = target
        configure_identity(target.pinned_now)
        self.probe = StoreProbe(target.database_url)
        self.probe.remember_baseline(a for a in ex.ACCOUNTS if a != "guest")

    def token(self, account: str) -> str:
        from bot import identity

        return identity.mint(account)

    def tracker(self, sender_id: str) -> Dict[str, Any]:
        url = (f"{self.target.rasa_url}/conversations/{urllib.parse.quote(sender_id, safe=':')}/tracker"
               f"?include_events=ALL&token={urllib.parse.quote(self.target.api_token)}")
        status, body = http("GET", url)
        if status != 200 or not isinstance(body, dict):
            raise RuntimeError(f"tracker of {sender_id}: HTTP {status}: {str(body)[:300]}")
        return body

    def run(self, conv: Conversation) -> Result:
        started = time.monotonic()
        session = uuid.uuid4().hex
        account = conv.account if conv.signed_in else None
        sender_id = f"acct:{account}:{session}" if account else f"guest:{session}"
        client_ip = loopback_address(random.Random(session))
        turns: List[Dict[str, Any]] = []
        observations: List[ex.TurnObservation] = []
        users_seen = 0  # user messages of earlier turns in the tracker
        error = None
        try:
            for index, turn in enumerate(conv.turns):
                headers = {"Authorization": f"Bearer {self.token(account)}"} if account else {}
                before = self.probe.claims(account, sender_id)
                status, body = http("POST", f"{self.target.rasa_url}/webhooks/rest/webhook",
                                    {"sender": session, "message": turn.user}, headers, source_ip=client_ip)
                after = self.probe.claims(account, sender_id)
                tracker = self.tracker(sender_id)
                events = tracker.get("events") or []
                obs = observe_turn(turn.user, turn_events(events, users_seen), tracker)
                users_seen = max(users_seen, sum(1 for e in events if e.get("event") == "user"))
                obs.new_claims = [c for ref, c in after.items() if ref not in before]
                if status != 200 or not isinstance(body, list):
                    obs.error = f"HTTP {status}: {str(body)[:300]}"
                else:
                    obs.channel_texts = [m.get("text") for m in body if isinstance(m, dict) and m.get("text")]
                observations.append(obs)
                checks = ex.check_turn(turn.expect, obs) + ex.check_leaks(obs)
                turns.append({
                    "index": index, "user": turn.user, "expect": turn.expect,
                    "replies": [asdict(r) for r in obs.replies],
                    "intent": obs.intent, "actions": obs.actions, "active_loop": obs.active_loop,
                    "requested_slot": obs.requested_slot,
                    "slots_set": {k: v for k, v in obs.slots_set.items() if v is not None},
                    "new_claims": [asdict(c) for c in obs.new_claims],
                    "checks": [_check_dict(c) for c in checks],
                })
        except Exception as err:  # the stack failed: the conversation is not served
            error = f"{type(err).__name__}: {err}"
        outcome = ex.check_outcome(conv.outcome, observations)
        if error:
            outcome.append(ex.Check("run", "completed", False, error))
        served = error is None and all(c["ok"] for t in turns for c in t["checks"]) and all(c.ok for c in outcome)
        return Result(id=conv.id, writer=conv.writer, source=conv.source, account=conv.account,
                      persona=conv.persona, topic=conv.primary_topic, served=served,
                      seconds=round(time.monotonic() - started, 2), turns=turns,
                      outcome_checks=[_check_dict(c) for c in outcome], error=error)

    def run_all(self, conversations: Sequence[Conversation], workers: int = 2,
                progress: Optional[Any] = None) -> List[Result]:
        """Run with `workers` conversations at a time; never two of one account at once
        (each restores the account's claims when it ends)."""
        pending = list(conversations)
        busy: set = set()
        cond = threading.Condition()
        results: Dict[str, Result] = {}

        def take() -> Optional[Conversation]:
            with cond:
                while True:
                    if not pending:
                        return None
                    for i, conv in enumerate(pending):
                        if not conv.signed_in or conv.account not in busy:
                            if conv.signed_in:
                                busy.add(conv.account)
                            return pending.pop(i)
                    cond.wait()

        def worker() -> None:
            while True:
                conv = take()
                if conv is None:
                    return
                try:
                    result = self.run(conv)
                finally:
                    if conv.signed_in:
                        try:
                            self.probe.restore(conv.account)
                        finally:
                            with cond:
                                busy.discard(conv.account)
                                cond.notify_all()
                with cond:
                    results[conv.id] = result
                if progress:
                    progress(result, len(results), len(conversations))

        with ThreadPoolExecutor(max_workers=max(1, workers)) as pool:
            for future in [pool.submit(worker) for _ in range(max(1, workers))]:
                future.result()
        return [results[c.id] for c in conversations]


# --- reporting ------------------------------------------------------------------------


def share(results: Sequence[Result]) -> Tuple[int, int, float]:
    served = sum(r.served for r in results)
    return served, len(results), (served / len(results) if results else 0.0)


def breakdown(results: Sequence[Result]) -> Dict[str, Dict[str, Tuple[int, int, float]]]:
    groups: Dict[str, Dict[str, List[Result]]] = {"writer": defaultdict(list), "topic": defaultdict(list),
                                                   "account": defaultdict(list)}
    for r in results:
        groups["writer"][r.writer].append(r)
        groups["topic"][r.topic].append(r)
        groups["account"]["guest" if r.account == "guest" else "signed-in"].append(r)
    return {name: {k: share(v) for k, v in sorted(g.items())} for name, g in groups.items()}


def failing_checks(results: Sequence[Result]) -> List[Tuple[str, int, List[str]]]:
    """(check label, how many conversations fail it, examples) most common first."""
    counts: Counter = Counter()
    examples: Dict[str, List[str]] = defaultdict(list)
    for r in results:
        labels = set()
        for c in r.failing():
            label = c["label"] if c["key"] != "leak" else f"leak:{c['expected']}"
            if label in labels:
                continue
            labels.add(label)
            counts[label] += 1
            if len(examples[label]) < 3:
                where = f"turn {c['turn']}" if c.get("turn") else "outcome"
                examples[label].append(f"{r.id} ({where}): {c['observed']}")
    return [(label, n, examples[label]) for label, n in counts.most_common()]


def check_rates(results: Sequence[Result]) -> List[Tuple[str, int, int]]:
    """(check, passed, total) over every turn and outcome check; `asks`, `topic`,
    `decision` and `scope` per expected value, leaks per kind."""
    total: Counter = Counter()
    passed: Counter = Counter()
    for r in results:
        for c in [c for t in r.turns for c in t["checks"]] + r.outcome_checks:
            if c["key"] in ("asks", "topic", "decision", "scope", "hotline_open", "ticket", "filed") \
                    or c["key"].startswith("outcome."):
                name = c["label"]
            elif c["key"] == "leak":
                name = f"leak:{c['expected']}"
            else:
                name = c["key"]
            total[name] += 1
            passed[name] += bool(c["ok"])
    return [(name, passed[name], n) for name, n in total.most_common()]


def _pct(t: Tuple[int, int, float]) -> str:
    return f"{t[0]}/{t[1]} = {100 * t[2]:.1f}%"


def summary_lines(results: Sequence[Result], seconds: float, top: int = 15) -> List[str]:
    lines = [f"fully served: {_pct(share(results))}  ({seconds:.0f} s)"]
    for name, groups in breakdown(results).items():
        lines.append(f"  by {name}: " + "; ".join(f"{k} {_pct(v)}" for k, v in groups.items()))
    fails = failing_checks(results)
    if fails:
        lines.append(f"most common failing checks (conversations failing each, top {top}):")
        for label, n, samples in fails[:top]:
            lines.append(f"  {n:4d}  {label}")
            for sample in samples[:2]:
                lines.append(f"          e.g. {sample[:220]}")
    return lines


def transcript(r: Result) -> List[str]:
    lines: List[str] = []
    for t in r.turns:
        lines.append(f"- **customer:** {t['user']}")
        meta = f"intent `{t['intent']}`, active_loop `{t['active_loop']}`, requested_slot `{t['requested_slot']}`"
        for reply in t["replies"]:
            buttons = f" [buttons: {' | '.join(reply['buttons'])}]" if reply["buttons"] else ""
            lines.append(f"  - **assistant** (`{reply['response'] or 'text'}`): {reply['text']}{buttons}")
        if t["new_claims"]:
            lines.append("  - store: " + ", ".join(f"{c['kind']} {c['reference']}" for c in t["new_claims"]))
        lines.append(f"  - ({meta}; actions: {', '.join(a for a in t['actions'] if a != 'action_listen')})")
        for c in t["checks"]:
            mark = "ok" if c["ok"] else "**FAIL**"
            lines.append(f"  - {mark} `{c['label']}` — {c['observed']}")
    return lines


def write_report(results: Sequence[Result], seconds: float, out_dir: Path, files: Sequence[Path]) -> Tuple[Path, Path]:
    out_dir.mkdir(parents=True, exist_ok=True)
    lines = ["# Blind conversation suite: report", "",
             f"Run at {datetime.now().isoformat(timespec='seconds')} (conversation clock pinned); files: "
             + ", ".join(str(f) for f in files), "", "```"] + summary_lines(results, seconds, top=25) + ["```", "",
             "## Checks", "", "| check | passed | of |", "|---|---|---|"]
    lines += [f"| `{name}` | {ok} | {n} |" for name, ok, n in check_rates(results)]
    lines += ["", "## Conversations", ""]
    for r in results:
        fails = r.failing()
        head = f"- {'PASS' if r.served else 'FAIL'} `{r.id}` ({r.writer}, {r.account}, {r.topic}, {r.seconds:.1f} s)"
        if fails:
            head += ": " + "; ".join(
                f"{'t' + str(c['turn']) if c.get('turn') else 'outcome'} {c['label']}" for c in fails[:8])
        lines.append(head)
    lines += ["", "## Transcripts of failing conversations", ""]
    for r in results:
        if r.served:
            continue
        lines += [f"### {r.id} — {r.persona} ({r.account}; {r.source})", ""]
        if r.error:
            lines.append(f"**run error:** {r.error}")
        lines += transcript(r)
        for c in r.outcome_checks:
            lines.append(f"- outcome: {'ok' if c['ok'] else '**FAIL**'} `{c['label']}` — {c['observed']}")
        lines.append("")
    report = out_dir / "report.md"
    report.write_text("\n".join(lines) + "\n", encoding="utf-8")
    data = {
        "seconds": round(seconds, 1),
        "files": [str(f) for f in files],
        "served": share(results)[0], "total": len(results), "share": round(share(results)[2], 4),
        "by": {k: {g: {"served": v[0], "total": v[1], "share": round(v[2], 4)} for g, v in groups.items()}
               for k, groups in breakdown(results).items()},
        "check_rates": [{"check": name, "passed": ok, "total": n} for name, ok, n in check_rates(results)],
        "failing_checks": [{"check": label, "conversations": n, "examples": samples}
                           for label, n, samples in failing_checks(results)],
        "conversations": [asdict(r) for r in results],
    }
    path = out_dir / "results.json"
    path.write_text(json.dumps(data, indent=1, ensure_ascii=False, default=str), encoding="utf-8")
    return report, path


# --- command line ---------------------------------------------------------------------


def main(argv: Optional[Sequence[str]] = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m tests.conversations", description=__doc__.split("\n\n")[0])
    parser.add_argument("files", nargs="*", type=Path, help="conversation files (default: every file under "
                        "tests/conversations/blind/)")
    parser.add_argument("--stack", action="store_true", help="start a full stack (tests/harness/stack.Stack) for the run")
    parser.add_argument("--rasa-url", help="a running stack instead: Rasa's URL")
    parser.add_argument("--api-token", help="... its HTTP API token")
    parser.add_argument("--database-url", help="... its store's DATABASE_URL")
    parser.add_argument("--now", default=None, help="... its pinned ASSURANCE_NOW (default the stack's)")
    parser.add_argument("--only", action="append", default=[], metavar="ID", help="run only this conversation id "
                        "(repeatable)")
    parser.add_argument("--gate", type=float, default=None, metavar="X",
                        help="exit 1 when the share fully served is below X (0..1)")
    parser.add_argument("--workers", type=int, default=2,
                        help="conversations at a time (default 2: Rasa is one CPU-bound process; on 2 cores "
                             "1, 2 and 4 took the same time, see tests/conversations/README.md)")
    parser.add_argument("--out", type=Path, default=OUT_DIR, help="report directory (default var/conversations)")
    parser.add_argument("--validate-only", action="store_true", help="only load and validate the files")
    parser.add_argument("--require", action="append", type=Path, default=[], metavar="FILE",
                        help="conversations that must all be served (a regression set, not blind): played in "
                             "the same run, reported, but not counted in the share the gate reads (repeatable)")
    args = parser.parse_args(argv)

    files = [f for f in args.files] or blind_files()
    if not files:
        print(f"no conversation files under {BLIND_DIR}", file=sys.stderr)
        return 2
    try:
        conversations = load_files(files + list(args.require))
    except FormatError as err:
        print(f"format error: {err}", file=sys.stderr)
        return 2
    if args.only:
        wanted = set(args.only)
        unknown = wanted - {c.id for c in conversations}
        if unknown:
            print(f"no conversation with id {sorted(unknown)}", file=sys.stderr)
            return 2
        conversations = [c for c in conversations if c.id in wanted]
    print(f"{len(conversations)} conversations from {len(files)} file(s) are valid")
    if args.validate_only:
        return 0

    from tests.harness.stack import MODEL, PINNED_NOW, Stack

    stack = None
    try:
        if args.stack:
            if not MODEL.exists():
                print(f"{MODEL} is missing: train it first (make train)", file=sys.stderr)
                return 2
            workdir = args.out / "stack"  # its logs stay there for a look after the run
            shutil.rmtree(workdir, ignore_errors=True)
            workdir.mkdir(parents=True)
            print(f"starting the stack (logs in {workdir}) ...", flush=True)
            t0 = time.monotonic()
            stack = Stack(workdir)
            stack.start()
            print(f"stack up in {time.monotonic() - t0:.0f} s", flush=True)
            target = Target(stack.rasa_url, stack.api_token, stack.env["DATABASE_URL"], stack.env["ASSURANCE_NOW"])
        elif args.rasa_url and args.api_token and args.database_url:
            target = Target(args.rasa_url.rstrip("/"), args.api_token, args.database_url, args.now or PINNED_NOW)
        else:
            print("give --stack, or --rasa-url, --api-token and --database-url of a running stack", file=sys.stderr)
            return 2
        runner = Runner(target)

        def progress(result: Result, done: int, total: int) -> None:
            fails = result.failing()
            mark = "PASS" if result.served else "FAIL"
            detail = "" if result.served else "  " + "; ".join(
                f"{'t' + str(c['turn']) if c.get('turn') else 'outcome'} {c['label']}" for c in fails[:6])
            print(f"[{done:3d}/{total}] {mark} {result.id} ({result.seconds:.1f} s){detail}", flush=True)

        t0 = time.monotonic()
        results = runner.run_all(conversations, workers=args.workers, progress=progress)
        seconds = time.monotonic() - t0
    finally:
        if stack is not None:
            stack.stop()
    report, data = write_report(results, seconds, args.out, files + list(args.require))
    required_ids = {c.id for c in load_files(args.require)} if args.require else set()
    counted = [r for r in results if r.id not in required_ids]
    print()
    print("\n".join(summary_lines(counted, seconds)))
    print(f"\nreport: {report}\nresults: {data}")
    status = 0
    if required_ids:
        missed = sorted(r.id for r in results if r.id in required_ids and not r.served)
        print(f"required: {len(required_ids) - len(missed)}/{len(required_ids)} served"
              + (f"; not served: {', '.join(missed)}" if missed else ""))
        status = 1 if missed else 0
    if args.gate is not None and share(counted)[2] < args.gate:
        print(f"below the gate {args.gate:.2f}", file=sys.stderr)
        return 1
    return status
