#!/usr/bin/env python
"""`make bench`: our assistant against a stock `rasa init` assistant, same load.

Starts every server itself on free loopback ports (action server + Rasa server on
models/assistant.tar.gz with DATABASE_URL on a fresh SQLite file or PostgreSQL
database; then the stock assistant from var/bench/stock), drives N concurrent
simulated customers holding multi-turn REST conversations (closed loop, no think
time) plus a one-user run, samples resident memory, kills its servers and prints
the side-by-side table against the issue-5 targets. Bounded: a fixed number of
conversations per simulated customer and a hard wall-clock limit.

    python scripts/bench.py                  # 20 users + 1 user, ours and stock
    python scripts/bench.py --users 10 --conversations 2 --skip-stock
    python scripts/bench.py --replicas 2     # two Rasa processes behind HAProxy (deploy/haproxy)
    python scripts/bench.py --train          # also time `rasa train --force` (~minutes)
    python scripts/bench.py --json var/bench/result.json
"""
from __future__ import annotations

import argparse
import asyncio
import json
import os
import secrets
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable, Optional

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

import aiohttp  # noqa: E402

from tests.harness import haproxy, servers  # noqa: E402

STOCK_DIR = ROOT / "var" / "bench" / "stock"
MODEL = ROOT / "models" / "assistant.tar.gz"

#: Issue 5 targets (not policy figures: performance goals of this project).
TARGET_RATIO = 3.0
TARGET_P95_MS = 300.0
TARGET_P50_1U_MS = 40.0
TARGET_READY_S = 20.0
TARGET_TRAIN_S = 180.0
TARGET_RSS_MB = 1200.0

Turn = str
#: A refund script with this customer takes the next load-test account (its own
#: refundable order), so every such conversation files a new claim.
POOL = "pool"
#: Ids filled into the scripts' {placeholders} (seeded_facts); stock scripts have none.
FACTS: dict[str, str] = {}
#: (customer, refundable order) pairs added to the bench database for POOL scripts.
LOAD_CUSTOMERS: list[tuple[str, str]] = []


@dataclass
class Script:
    """One customer conversation: who is talking and what they type, in order."""

    name: str
    turns: list[Turn]
    customer: Optional[str] = None  # authenticated account (Bearer JWT) or guest


# Conversations of our assistant (vocabulary: docs/ARCHITECTURE.md). The refund
# check ends in a claim written to the database; the compensation question carries
# times Duckling must parse; FAQ and scope questions are retrieval intents. Order and
# incident ids come from the freshly seeded bench database ({refund_order} etc.).
OUR_SCRIPTS: list[Script] = [
    Script("refund_claim", [
        "hi",
        "I want a refund",
        "{refund_order}",
        "yes",
        "thanks, bye",
    ], customer=POOL),
    Script("compensation", [
        "hello",
        "my cloud server was unavailable yesterday from 14:00 to 15:35, can I get compensation?",
        "it costs 48 yuan per day",
        "how is the compensation calculated?",
        "thank you",
    ]),
    Script("faq", [
        "how many days do I have to ask for a refund?",
        "are pay-per-use products refundable?",
        "how much is the ICP filing reward?",
        "what is the hotline number?",
        "can you help me deploy wordpress?",
        "bye",
    ]),
    Script("small_talk", [
        "hi",
        "are you a bot?",
        "what can you do?",
        "thanks",
        "goodbye",
    ]),
    Script("refund_vip", [
        "hello",
        "I'd like my money back for {refund_order_vip}",
        "yes",
        "where is my refund?",
        "bye",
    ], customer="C1002"),
]


def seeded_facts(db_url: str) -> dict[str, str]:
    """Ids the scripts need, read from the seeded bench database (they depend on
    the seeding time): a refundable order of C1001 and of C1002."""
    from datetime import timedelta

    from bot.clock import now
    from bot.store import Store

    store = Store(db_url)
    facts: dict[str, str] = {}
    for cid, key in (("C1001", "refund_order"), ("C1002", "refund_order_vip")):
        fresh = [o for o in store.orders(cid)
                 if o.billing in ("hourly", "monthly", "yearly") and o.resource_state == "active"
                 and o.invoice != "issued" and now() - o.purchased_at < timedelta(days=4)]
        if fresh:
            facts[key] = fresh[0].order_id
    return facts


# The stock `rasa init` bot only knows greet/mood/bot_challenge/goodbye: the same
# number of turns, small-talk shaped.
STOCK_SCRIPTS: list[Script] = [
    Script("stock_a", ["hi", "I am sad", "yes", "thanks, bye", "are you a bot?", "goodbye"]),
    Script("stock_b", ["hello", "I feel great", "are you a bot?", "bye", "hey"]),
    Script("stock_c", ["good morning", "not good", "no", "goodbye", "hi", "bye"]),
    Script("stock_d", ["hey there", "are you human?", "perfect", "see you", "hi"]),
]


@dataclass
class RunResult:
    """Latencies (ms) and counts of one load run."""

    label: str
    users: int
    latencies_ms: list[float] = field(default_factory=list)
    errors: int = 0
    empty_replies: int = 0
    error_samples: list[str] = field(default_factory=list)
    wall_s: float = 0.0
    rss_peak_mb: dict[str, float] = field(default_factory=dict)
    cpu_ms_per_msg: dict[str, float] = field(default_factory=dict)
    transcript: Optional[list[str]] = None

    @property
    def messages(self) -> int:
        return len(self.latencies_ms)

    def pct(self, q: float) -> float:
        if not self.latencies_ms:
            return float("nan")
        data = sorted(self.latencies_ms)
        idx = min(len(data) - 1, max(0, int(round(q / 100.0 * len(data) + 0.5)) - 1))
        return data[idx]

    @property
    def throughput(self) -> float:
        return self.messages / self.wall_s if self.wall_s else 0.0

    def as_dict(self) -> dict:
        return {"label": self.label, "users": self.users, "messages": self.messages,
                "errors": self.errors, "empty_replies": self.empty_replies,
                "p50_ms": self.pct(50), "p95_ms": self.pct(95), "p99_ms": self.pct(99),
                "mean_ms": statistics.fmean(self.latencies_ms) if self.latencies_ms else None,
                "msg_per_s": self.throughput, "wall_s": self.wall_s,
                "rss_peak_mb": self.rss_peak_mb, "cpu_ms_per_msg": self.cpu_ms_per_msg,
                "error_samples": self.error_samples[:5]}


class RssSampler:
    """Samples the peak resident memory of some processes every 0.25 s in a thread."""

    def __init__(self, pids: dict[str, int]) -> None:
        self.pids = pids
        self.peak: dict[str, int] = {k: servers.tree_rss_bytes(p) for k, p in pids.items()}
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)

    def _run(self) -> None:
        while not self._stop.wait(0.25):
            for name, pid in self.pids.items():
                self.peak[name] = max(self.peak[name], servers.tree_rss_bytes(pid))

    def __enter__(self) -> "RssSampler":
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._stop.set()
        self._thread.join()

    def peak_mb(self) -> dict[str, float]:
        return {k: v / 1e6 for k, v in self.peak.items()}


async def _conversation(session: aiohttp.ClientSession, url: str, script: Script,
                        sender: str, token_for: Callable[[str], str], result: RunResult,
                        deadline: float) -> None:
    headers = {"Content-Type": "application/json"}
    facts = dict(FACTS)
    customer = script.customer
    if customer == POOL:
        if not LOAD_CUSTOMERS:
            customer = "C1001"
        else:
            customer, facts["refund_order"] = LOAD_CUSTOMERS.pop()
    if customer:
        headers["Authorization"] = "Bearer " + token_for(customer)
    for template in script.turns:
        if time.monotonic() > deadline:
            return
        text = template.format(**facts)
        body = json.dumps({"sender": sender, "message": text})
        t0 = time.perf_counter()
        try:
            async with session.post(url, data=body, headers=headers) as resp:
                payload = await resp.read()
                ms = (time.perf_counter() - t0) * 1000.0
                result.latencies_ms.append(ms)
                if resp.status != 200:
                    result.errors += 1
                    result.error_samples.append(f"{resp.status}: {payload[:200]!r}")
                    continue
                replies = json.loads(payload)
                if not replies:
                    result.empty_replies += 1
                if result.transcript is not None:
                    result.transcript.append(f"[{sender}] > {text}")
                    result.transcript += [f"    < {m.get('text', m)}" for m in replies]
        except (aiohttp.ClientError, asyncio.TimeoutError, ValueError) as exc:
            result.latencies_ms.append((time.perf_counter() - t0) * 1000.0)
            result.errors += 1
            result.error_samples.append(f"{type(exc).__name__}: {exc}")


async def _load(url: str, scripts: list[Script], users: int, conversations: int,
                label: str, token_for: Callable[[str], str], max_seconds: float,
                run_id: str, transcript: bool = False) -> RunResult:
    """``users`` concurrent customers, each holding ``conversations`` conversations."""
    result = RunResult(label, users, transcript=[] if transcript else None)
    webhook = url + "/webhooks/rest/webhook"
    deadline = time.monotonic() + max_seconds
    timeout = aiohttp.ClientTimeout(total=60)
    conn = aiohttp.TCPConnector(limit=0)

    async def user(u: int) -> None:
        for c in range(conversations):
            script = scripts[(u + c) % len(scripts)]
            sender = f"bench-{run_id}-{label}-{u}-{c}"
            await _conversation(session, webhook, script, sender, token_for, result, deadline)

    async with aiohttp.ClientSession(timeout=timeout, connector=conn) as session:
        t0 = time.perf_counter()
        await asyncio.gather(*(user(u) for u in range(users)))
        result.wall_s = time.perf_counter() - t0
    return result


def run_load(url: str, scripts: list[Script], users: int, conversations: int, label: str,
             token_for: Callable[[str], str], pids: dict[str, int], max_seconds: float,
             run_id: str, transcript: bool = False) -> RunResult:
    cpu0 = {k: servers.cpu_seconds(p) for k, p in pids.items()}
    with RssSampler(pids) as sampler:
        result = asyncio.run(_load(url, scripts, users, conversations, label, token_for,
                                   max_seconds, run_id, transcript))
    result.rss_peak_mb = sampler.peak_mb()
    if result.messages:
        # CPU time per message: what the servers spend, independent of other load.
        result.cpu_ms_per_msg = {k: (servers.cpu_seconds(p) - cpu0[k]) * 1000.0 / result.messages
                                 for k, p in pids.items()}
    return result


def start_profilers(pids: dict[str, int], work: Path) -> list[tuple[subprocess.Popen, Path]]:
    """py-spy (pip install py-spy) sampling each server during the N-user run."""
    spy = Path(sys.executable).parent / "py-spy"
    if not spy.exists():
        print("--profile needs py-spy: .venv/bin/pip install py-spy", file=sys.stderr)
        return []
    out = []
    for name, pid in pids.items():
        path = work / f"profile-{name}.txt"
        proc = subprocess.Popen([str(spy), "record", "--pid", str(pid), "--format", "raw",
                                 "--rate", "200", "--nonblocking", "-o", str(path)],
                                stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        out.append((proc, path))
    time.sleep(1.0)
    return out


def stop_profilers(spies: list[tuple[subprocess.Popen, Path]]) -> list[str]:
    import signal as _signal

    for proc, _ in spies:
        proc.send_signal(_signal.SIGINT)
    for proc, _ in spies:
        try:
            proc.wait(30)
        except subprocess.TimeoutExpired:
            proc.kill()
    return [str(path) for _, path in spies]


def ensure_stock() -> Path:
    """Create and train the stock `rasa init` assistant once (var/bench/stock)."""
    models = sorted((STOCK_DIR / "models").glob("*.tar.gz"))
    if not models:
        print("Creating the stock `rasa init` baseline in var/bench/stock (trains ~1-2 min)...",
              flush=True)
        subprocess.run([str(ROOT / "scripts" / "bench_baseline" / "make_stock.sh")],
                       check=True, cwd=ROOT)
        models = sorted((STOCK_DIR / "models").glob("*.tar.gz"))
    return models[-1]


def time_training(workdir: Path) -> float:
    """Seconds for a forced `rasa train` of our assistant into a scratch directory."""
    out = workdir / "train"
    t0 = time.monotonic()
    # As `make train` runs it: all cores for TensorFlow (not the serving thread pins).
    env = {**os.environ, "TF_CPP_MIN_LOG_LEVEL": "2", "PYTHONHASHSEED": "0",
           "SQLALCHEMY_SILENCE_UBER_WARNING": "1", "RASA_TELEMETRY_ENABLED": "false"}
    subprocess.run([servers.RASA, "train", "--force", "--domain", "domain", "--fixed-model-name", "bench",
                    "--out", str(out), "--quiet"], cwd=ROOT, check=True,
                   env=env, stdout=subprocess.DEVNULL)
    return time.monotonic() - t0


def prepare_database(url: str, env: dict[str, str]) -> None:
    """Migrate and seed the benchmark's own database (never the demo one)."""
    for step in ("migrate", "seed"):
        subprocess.run([servers.PYTHON, "-m", "bot.store", step], cwd=ROOT, check=True,
                       env={**env, "DATABASE_URL": url}, stdout=subprocess.DEVNULL)


def fresh_postgres_db(base_url: str, name: str) -> str:
    """CREATE DATABASE ``name`` on the server of ``base_url``; its URL."""
    from sqlalchemy import create_engine, text
    from sqlalchemy.engine import make_url

    admin = create_engine(base_url, isolation_level="AUTOCOMMIT", future=True)
    with admin.connect() as c:
        c.execute(text(f'DROP DATABASE IF EXISTS "{name}"'))
        c.execute(text(f'CREATE DATABASE "{name}"'))
    admin.dispose()
    return make_url(base_url).set(database=name).render_as_string(hide_password=False)


def count_claims(db_url: str) -> Optional[int]:
    """Claims in the benchmark database (proof the refund turns wrote rows)."""
    try:
        from sqlalchemy import create_engine, inspect, text

        eng = create_engine(db_url, future=True)
        with eng.connect() as c:
            tables = inspect(c).get_table_names()
            if "claims" not in tables:
                return None
            n = c.execute(text("SELECT count(*) FROM claims")).scalar_one()
        eng.dispose()
        return int(n)
    except Exception:  # noqa: BLE001 - reporting only
        return None


def bench_ours(args: argparse.Namespace, work: Path, run_id: str) -> dict:
    """Start our stack, run the one-user and N-user loads, stop it."""
    secret = secrets.token_urlsafe(48)
    env = servers.base_env({"ASSURANCE_JWT_SECRET": secret, "ASSURANCE_DEMO": "0"})
    if args.threads:
        env.update({"TF_NUM_INTRAOP_THREADS": str(args.threads),
                    "TF_NUM_INTEROP_THREADS": str(args.threads),
                    "OMP_NUM_THREADS": str(args.threads)})
    if args.database_url:
        db_url = fresh_postgres_db(args.database_url, f"bench_{run_id}")
    else:
        db_url = f"sqlite:///{work / 'bench.db'}"
    env["DATABASE_URL"] = db_url
    prepare_database(db_url, env)
    FACTS.update(seeded_facts(db_url))
    FACTS.setdefault("refund_order", FACTS.get("refund_order_vip", ""))
    from tests.harness.cluster import add_load_customers

    LOAD_CUSTOMERS[:] = add_load_customers(db_url, 400, first=3001)
    seeded_claims = count_claims(db_url) or 0  # the demo seed has claims of its own

    from bot import identity

    tokens: dict[str, str] = {}

    def token_for(cid: str) -> str:
        if cid not in tokens:
            tokens[cid] = identity.mint(cid, secret=secret)
        return tokens[cid]

    started: list[servers.Server] = []
    out: dict = {"database": db_url.split("@")[-1]}
    try:
        act = servers.action_server(servers.free_port(), work, env).start()
        started.append(act)
        endpoints = servers.write_endpoints(work / "endpoints.yml", f"{act.url}/webhook")
        credentials = ROOT / "credentials.yml"
        if not credentials.exists():  # before the channels work lands: our REST channel
            credentials = work / "credentials.yml"
            credentials.write_text("bot.channels.rest.AuthRestInput: {}\n")
        replicas = [servers.rasa_server(servers.free_port(), args.model, endpoints,
                                      credentials, work, env, fast=not args.plain_rasa).start()
                    for _ in range(args.replicas)]
        started += replicas
        act.wait_http("/health", timeout=120)
        out["ready_s"] = max(r.wait_reply(timeout=180) for r in replicas)
        url = replicas[0].url
        if args.replicas > 1:
            # the repository's HAProxy config, its limits lifted: the load comes from one address
            front = haproxy.server(servers.free_port(), [r.url for r in replicas], work, env,
                                   haproxy.NO_LIMITS).start()
            started.append(front)
            haproxy.wait_replicas_up(front, len(replicas), timeout=30)
            url = front.url
        pids = {"rasa": replicas[0].pid, "actions": act.pid}
        for i, r in enumerate(replicas[1:], 2):
            pids[f"rasa{i}"] = r.pid
        # Warm-up: one pass of every script (first-call costs are not steady state).
        # (--transcript: one customer holds them one after another, so replies stay in order)
        users, convs = (1, len(OUR_SCRIPTS)) if args.transcript else (len(OUR_SCRIPTS), 1)
        warm = run_load(url, OUR_SCRIPTS, users, convs, "warmup", token_for, pids, 120,
                        run_id, transcript=args.transcript)
        if args.transcript:
            print("\n".join(warm.transcript or []))
            print(f"warm-up: {warm.messages} messages, {warm.errors} errors, "
                  f"{warm.empty_replies} empty replies")
        out["one_user"] = run_load(url, OUR_SCRIPTS, 1, args.one_user_conversations, "ours-1u",
                                   token_for, pids, args.max_seconds, run_id).as_dict()
        spies = start_profilers(pids, work) if args.profile else []
        out["n_users"] = run_load(url, OUR_SCRIPTS, args.users, args.conversations,
                                  f"ours-{args.users}u", token_for, pids, args.max_seconds,
                                  run_id).as_dict()
        out["profiles"] = stop_profilers(spies)
        after = count_claims(db_url)
        out["claims_in_db"] = None if after is None else after - seeded_claims
        for s in started:
            if not s.alive():
                out.setdefault("crashed", []).append(s.name)
    finally:
        for s in reversed(started):
            s.stop()
        if args.database_url:
            from tests.harness.services import drop_database

            drop_database(args.database_url, db_url)
    return out


def bench_stock(args: argparse.Namespace, work: Path, run_id: str) -> dict:
    """Start the stock assistant (in-memory tracker, no actions), same loads."""
    model = ensure_stock()
    # Stock as shipped (default TF threads, plain `rasa`), telemetry off like ours.
    env = servers.base_env() if args.stock_fast_env else {
        **os.environ, "TF_CPP_MIN_LOG_LEVEL": "2", "SQLALCHEMY_SILENCE_UBER_WARNING": "1",
        "RASA_TELEMETRY_ENABLED": "false"}
    endpoints = servers.write_endpoints(work / "stock-endpoints.yml", None)
    srv = servers.rasa_server(servers.free_port(), model, endpoints, STOCK_DIR / "credentials.yml",
                            work, env, cwd=STOCK_DIR, fast=False)
    out: dict = {}
    try:
        srv.start()
        out["ready_s"] = srv.wait_reply(timeout=240)
        pids = {"rasa": srv.pid}
        tok = lambda cid: ""  # noqa: E731 - the stock bot has no accounts
        run_load(srv.url, STOCK_SCRIPTS, len(STOCK_SCRIPTS), 1, "warmup", tok, pids, 120, run_id)
        out["one_user"] = run_load(srv.url, STOCK_SCRIPTS, 1, args.one_user_conversations,
                                   "stock-1u", tok, pids, args.max_seconds, run_id).as_dict()
        out["n_users"] = run_load(srv.url, STOCK_SCRIPTS, args.users, args.conversations,
                                  f"stock-{args.users}u", tok, pids, args.max_seconds,
                                  run_id).as_dict()
    finally:
        srv.stop()
    return out


def _fmt(v: Optional[float], unit: str = "", digits: int = 0) -> str:
    if v is None or v != v:  # None or NaN
        return "n/a"
    return f"{v:.{digits}f}{unit}"


def _rasa_cpu(run: dict) -> Optional[float]:
    """Summed CPU ms per message over all Rasa processes of a run."""
    vals = [v for k, v in run.get("cpu_ms_per_msg", {}).items() if k.startswith("rasa")]
    return sum(vals) if vals else None


def report(res: dict, users: int) -> str:
    """The side-by-side table, with each target and whether it is met."""
    ours, stock = res.get("ours", {}), res.get("stock", {})
    on, sn = ours.get("n_users", {}), stock.get("n_users", {})
    o1, s1 = ours.get("one_user", {}), stock.get("one_user", {})
    ratio = (on["msg_per_s"] / sn["msg_per_s"]) if sn.get("msg_per_s") and on.get("msg_per_s") else None
    rss = max((v for k, v in on.get("rss_peak_mb", {}).items() if k.startswith("rasa")),
              default=None)
    act_rss = on.get("rss_peak_mb", {}).get("actions")
    # Messages per CPU-second, ours (Rasa + action server) against stock (Rasa only).
    ours_cpu = (_rasa_cpu(on) or 0) + on.get("cpu_ms_per_msg", {}).get("actions", 0)
    cpu_ratio = (_rasa_cpu(sn) / ours_cpu) if ours_cpu and _rasa_cpu(sn) else None

    def ok(cond: Optional[bool]) -> str:
        return "n/a" if cond is None else ("MET" if cond else "NOT MET")

    rows = [
        ("metric", "ours", "stock", "target", "status"),
        (f"{users} users: msg/s", _fmt(on.get("msg_per_s"), digits=1),
         _fmt(sn.get("msg_per_s"), digits=1), f">= {TARGET_RATIO:.0f}x stock",
         ok(None if ratio is None else ratio >= TARGET_RATIO)),
        (f"{users} users: throughput ratio", _fmt(ratio, "x", 2), "1.00x", f">= {TARGET_RATIO:.0f}x", ""),
        (f"{users} users: CPU-capacity ratio", _fmt(cpu_ratio, "x", 2), "1.00x", "(load-independent)", ""),
        (f"{users} users: p50 / p95 / p99 ms",
         f"{_fmt(on.get('p50_ms'))} / {_fmt(on.get('p95_ms'))} / {_fmt(on.get('p99_ms'))}",
         f"{_fmt(sn.get('p50_ms'))} / {_fmt(sn.get('p95_ms'))} / {_fmt(sn.get('p99_ms'))}",
         f"p95 <= {TARGET_P95_MS:.0f}",
         ok(None if not on else on.get("p95_ms", 1e9) <= TARGET_P95_MS)),
        (f"{users} users: messages / errors / empty",
         f"{on.get('messages', 0)} / {on.get('errors', 0)} / {on.get('empty_replies', 0)}",
         f"{sn.get('messages', 0)} / {sn.get('errors', 0)} / {sn.get('empty_replies', 0)}",
         "0 errors", ok(None if not on else on.get("errors", 1) == 0)),
        ("1 user: p50 / p95 / p99 ms",
         f"{_fmt(o1.get('p50_ms'))} / {_fmt(o1.get('p95_ms'))} / {_fmt(o1.get('p99_ms'))}",
         f"{_fmt(s1.get('p50_ms'))} / {_fmt(s1.get('p95_ms'))} / {_fmt(s1.get('p99_ms'))}",
         f"p50 <= {TARGET_P50_1U_MS:.0f}",
         ok(None if not o1 else o1.get("p50_ms", 1e9) <= TARGET_P50_1U_MS)),
        ("1 user: msg/s", _fmt(o1.get("msg_per_s"), digits=1), _fmt(s1.get("msg_per_s"), digits=1), "", ""),
        ("server ready s", _fmt(ours.get("ready_s"), digits=1), _fmt(stock.get("ready_s"), digits=1),
         f"<= {TARGET_READY_S:.0f}",
         ok(None if ours.get("ready_s") is None else ours["ready_s"] <= TARGET_READY_S)),
        ("Rasa server peak RSS MB", _fmt(rss), _fmt(sn.get("rss_peak_mb", {}).get("rasa")),
         f"<= {TARGET_RSS_MB:.0f}", ok(None if rss is None else rss <= TARGET_RSS_MB)),
        ("action server peak RSS MB", _fmt(act_rss), "-", "", ""),
        (f"{users} users: Rasa CPU ms/msg", _fmt(_rasa_cpu(on), digits=1),
         _fmt(_rasa_cpu(sn), digits=1), "", ""),
        (f"{users} users: action server CPU ms/msg",
         _fmt(on.get("cpu_ms_per_msg", {}).get("actions"), digits=1), "-", "", ""),
        ("training s", _fmt(res.get("train_s"), digits=0), _fmt(res.get("stock_train_s"), digits=0),
         f"<= {TARGET_TRAIN_S:.0f}",
         ok(None if res.get("train_s") is None else res["train_s"] <= TARGET_TRAIN_S)),
        ("claims written in run", str(ours.get("claims_in_db", "n/a")), "-", "> 0",
         ok(None if ours.get("claims_in_db") is None else ours["claims_in_db"] > 0)),
    ]
    widths = [max(len(str(r[i])) for r in rows) for i in range(5)]
    lines = ["  ".join(str(c).ljust(w) for c, w in zip(r, widths, strict=True)) for r in rows]
    lines.insert(1, "  ".join("-" * w for w in widths))
    return "\n".join(lines)


def parse_args(argv: Optional[list[str]] = None) -> argparse.Namespace:
    p = argparse.ArgumentParser(description="Benchmark our assistant against stock rasa init.")
    p.add_argument("--users", type=int, default=20, help="concurrent simulated customers")
    p.add_argument("--conversations", type=int, default=3, help="conversations per customer")
    p.add_argument("--one-user-conversations", type=int, default=8)
    p.add_argument("--replicas", type=int, default=1,
                   help="Rasa server processes (>1 puts HAProxy in front, deploy/haproxy/haproxy.cfg)")
    p.add_argument("--threads", type=int, default=0,
                   help="TF/OMP threads per Rasa process (default: 1, see docs/PERFORMANCE.md)")
    p.add_argument("--database-url", default=os.environ.get("BENCH_POSTGRES_URL", ""),
                   help="PostgreSQL server URL: a fresh bench_<id> database is created on it "
                        "(default: a temporary SQLite file)")
    p.add_argument("--skip-stock", action="store_true")
    p.add_argument("--skip-ours", action="store_true")
    p.add_argument("--stock-fast-env", action="store_true",
                   help="give the stock server our thread settings too (default: stock as shipped)")
    p.add_argument("--train", action="store_true", help="also time a forced `rasa train`")
    p.add_argument("--max-seconds", type=float, default=300.0, help="wall-clock limit per load run")
    p.add_argument("--json", type=Path, default=ROOT / "var" / "bench" / "last.json",
                   help="write all numbers to this file (default var/bench/last.json)")
    p.add_argument("--plain-rasa", action="store_true",
                   help="start our Rasa server with plain `rasa` instead of bot.scaleout.serve")
    p.add_argument("--profile", action="store_true",
                   help="sample the servers with py-spy during the N-user run (collapsed stacks in the run dir)")
    p.add_argument("--transcript", action="store_true",
                   help="print the warm-up conversations (one per script) with the replies")
    p.add_argument("--model", type=Path, default=MODEL, help="our model (default models/assistant.tar.gz)")
    return p.parse_args(argv)


def main(argv: Optional[list[str]] = None) -> int:
    args = parse_args(argv)
    if not args.skip_ours and not args.model.exists():
        print(f"{args.model} is missing: run `make train` first.", file=sys.stderr)
        return 2
    run_id = time.strftime("%H%M%S") + secrets.token_hex(2)
    (ROOT / "var" / "bench").mkdir(parents=True, exist_ok=True)
    work = Path(tempfile.mkdtemp(prefix=f"run-{run_id}-", dir=ROOT / "var" / "bench"))
    res: dict = {"run_id": run_id, "work": str(work), "users": args.users,
                 "load_avg_before": os.getloadavg(), "cpus": os.cpu_count()}
    print(f"bench {run_id}: logs in {work.relative_to(ROOT)}; load average {os.getloadavg()[0]:.2f}",
          flush=True)
    if args.train:
        print("timing `rasa train --force` ...", flush=True)
        res["train_s"] = time_training(work)
    if not args.skip_ours:
        print(f"our assistant: {args.replicas} Rasa process(es), 1 + {args.users} users ...", flush=True)
        res["ours"] = bench_ours(args, work, run_id)
    if not args.skip_stock:
        print(f"stock rasa init: 1 + {args.users} users ...", flush=True)
        res["stock"] = bench_stock(args, work, run_id)
    res["load_avg_after"] = os.getloadavg()
    print()
    print(report(res, args.users))
    for side in ("ours", "stock"):
        for run in ("one_user", "n_users"):
            samples = res.get(side, {}).get(run, {}).get("error_samples")
            if samples:
                print(f"{side} {run} errors, e.g.: {samples[:3]}")
    print(f"\nload average before/after: {res['load_avg_before'][0]:.2f} / "
          f"{res['load_avg_after'][0]:.2f} on {res['cpus']} CPUs (other work skews numbers)")
    if args.json:
        args.json.parent.mkdir(parents=True, exist_ok=True)
        args.json.write_text(json.dumps(res, indent=2, default=str))
    return 0


if __name__ == "__main__":
    sys.exit(main())
