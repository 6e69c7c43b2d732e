"""A real scale-out deployment on this machine, for tests: one action server,
N Rasa replicas sharing a fresh PostgreSQL tracker database and a Redis lock store
(unique key prefix), HAProxy in front (deploy/haproxy/haproxy.cfg), claims in a
fresh store database.

Everything it starts it stops (``close()``), and it drops what it created.
"""
from __future__ import annotations

import json
import secrets
import shutil
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Optional

import yaml

from tests.harness import haproxy, servers, services


@dataclass
class Cluster:
    """Start with ``Cluster(...).start()``; always ``close()``."""

    model: Path
    replicas: int = 2
    haproxy: bool = True         # HAProxy in front of the replicas (``front``)
    limits: Optional[dict] = None  # ASSURANCE_LIMIT_* for HAProxy (default: the config's)
    lock_lifetime_s: int = 5
    pg_base: str = field(default_factory=services.postgres_url)
    redis: str = field(default_factory=services.redis_url)
    tracker: str = "sql"  # "sql" (PostgreSQL) or "memory"
    work: Path = field(default_factory=lambda: Path(tempfile.mkdtemp(prefix="cluster-")))
    secret: str = field(default_factory=lambda: secrets.token_urlsafe(48))
    prefix: str = field(default_factory=lambda: "t" + secrets.token_hex(5))
    tracker_db: str = ""
    store_db: str = ""
    env: dict = field(default_factory=dict)
    actions: Optional[servers.Server] = None
    rasa: list = field(default_factory=list)
    front: Optional[servers.Server] = None
    endpoints: Optional[Path] = None
    credentials: Path = servers.ROOT / "credentials.yml"
    with_actions: bool = True
    gateway: bool = False        # bot.scaleout.action_gateway in front of the action server
    store_proxy: bool = False    # the action server reaches PostgreSQL through a TcpProxy
    action_gateway: Optional[servers.Server] = None
    proxy: Optional[Any] = None
    action_env: dict = field(default_factory=dict)

    def start(self, wait: bool = True) -> "Cluster":
        services.check_postgres(self.pg_base)
        services.check_redis(self.redis)
        self.store_db = services.create_database(self.pg_base, "assure_store")
        self.env = servers.base_env({
            "DATABASE_URL": self.store_db, "ASSURANCE_JWT_SECRET": self.secret,
            "ASSURANCE_DEMO": "0", "TICKET_LOCK_LIFETIME": str(self.lock_lifetime_s)})
        import subprocess

        for step in ("migrate", "seed"):
            subprocess.run([servers.PYTHON, "-m", "bot.store", step], cwd=servers.ROOT, check=True,
                           env=self.env, stdout=subprocess.DEVNULL)
        action_env = dict(self.env)
        if self.store_proxy:
            from sqlalchemy.engine import make_url

            from tests.harness.tcpproxy import TcpProxy

            url = make_url(self.store_db)
            self.proxy = TcpProxy(url.host or "127.0.0.1", url.port or 5432).start()
            action_env["DATABASE_URL"] = url.set(host="127.0.0.1", port=self.proxy.port) \
                .render_as_string(hide_password=False)
        self.action_env = action_env
        action_url = None
        if self.with_actions:
            self.actions = servers.action_server(servers.free_port(), self.work, action_env).start()
            action_url = f"{self.actions.url}/webhook"
            if self.gateway:
                port = servers.free_port()
                self.action_gateway = servers.Server(
                    "action gateway", [servers.PYTHON, "-m", "bot.scaleout.action_gateway",
                                       "--port", str(port), "--upstream", self.actions.url],
                    port, self.work / f"gateway-{port}.log", dict(self.env)).start()
                action_url = f"{self.action_gateway.url}/webhook"
        tracker = None
        if self.tracker == "sql":
            self.tracker_db = services.create_database(self.pg_base, "assure_tracker")
            tracker = {"type": "SQL", "dialect": "postgresql", "url": self.tracker_db}
        self.endpoints = servers.write_endpoints(
            self.work / "endpoints.yml", action_url, tracker,
            services.redis_lock_settings(self.redis, self.prefix))
        if self.haproxy:
            self.credentials = behind_proxy(self.credentials, self.work / "credentials.yml")
        for _ in range(self.replicas):
            self.rasa.append(self._new_replica(servers.free_port()))
        if self.haproxy:
            self.front = haproxy.server(servers.free_port(), [r.url for r in self.rasa],
                                        self.work, self.env, self.limits).start()
        if wait:
            self.wait_ready()
        return self

    def _new_replica(self, port: int) -> servers.Server:
        assert self.endpoints is not None
        return servers.rasa_server(port, self.model, self.endpoints,
                                 self.credentials, self.work, self.env).start()

    def wait_ready(self, timeout: float = 180.0) -> None:
        if self.actions is not None:
            self.actions.wait_http("/health", timeout=timeout)
        if self.action_gateway is not None:
            self.action_gateway.wait_http("/health", timeout=30)
        for r in self.rasa:
            r.wait_reply(timeout=timeout, sender=f"ready-{r.port}")
        if self.front:
            haproxy.wait_replicas_up(self.front, len(self.rasa), timeout=30)

    def restart_replica(self, i: int) -> servers.Server:
        """Start replica ``i`` again on its old port (after a kill or stop)."""
        old = self.rasa[i]
        old.stop()
        new = self._new_replica(old.port)
        self.rasa[i] = new
        new.wait_reply(timeout=180, sender=f"ready-{new.port}-{int(time.time())}")
        return new

    def stop_actions(self) -> None:
        """The action server dies (SIGKILL)."""
        assert self.actions is not None
        self.actions.kill()
        self.actions.proc.wait(10)  # type: ignore[union-attr]
        self.actions.stop()

    def start_actions(self) -> None:
        """The action server comes back on its old port."""
        assert self.actions is not None
        self.actions = servers.action_server(self.actions.port, self.work, self.action_env).start()
        self.actions.wait_http("/health", timeout=120)

    def token(self, customer_id: str) -> str:
        from bot import identity

        return identity.mint(customer_id, secret=self.secret)

    # --- what the databases hold -------------------------------------------------
    def events(self, sender: str) -> list[dict]:
        """The sender's tracker events, in order, from the shared tracker database."""
        from sqlalchemy import create_engine, text

        eng = create_engine(self.tracker_db, future=True)
        try:
            with eng.connect() as c:
                rows = c.execute(text("SELECT type_name, intent_name, action_name, data "
                                      "FROM events WHERE sender_id = :s ORDER BY id"),
                                 {"s": sender}).all()
        finally:
            eng.dispose()
        return [{"event": r[0], "intent": r[1], "action": r[2], **json.loads(r[3] or "{}")}
                for r in rows]

    def store(self) -> Any:
        """A bot.store.Store on the cluster's store database."""
        from bot.store import Store

        return Store(self.store_db)

    def add_customers(self, count: int, first: int = 2001) -> list[tuple[str, str]]:
        """See add_load_customers (on the cluster's own store database)."""
        return add_load_customers(self.store_db, count, first)

    def sql(self, query: str, **params: Any) -> list[tuple]:
        """Run a read query on the store database (claims and their items)."""
        from sqlalchemy import create_engine, text

        eng = create_engine(self.store_db, future=True)
        try:
            with eng.connect() as c:
                return [tuple(r) for r in c.execute(text(query), params).all()]
        finally:
            eng.dispose()

    def close(self) -> None:
        running = ([self.front] if self.front else []) + list(self.rasa) + (
            [self.actions] if self.actions else []) + (
            [self.action_gateway] if self.action_gateway else [])
        for s in running:
            try:
                s.stop()
            except Exception:  # noqa: BLE001 - keep stopping the others
                s.kill()
        for db in (self.tracker_db, self.store_db):
            if db:
                try:
                    services.drop_database(self.pg_base, db)
                except Exception:  # noqa: BLE001
                    pass
        try:
            services.redis_delete_prefix(self.redis, self.prefix)
        except Exception:  # noqa: BLE001
            pass
        if self.proxy is not None:
            self.proxy.close()

    def logs(self) -> str:
        parts = []
        for s in ([self.actions] if self.actions else []) + list(self.rasa) + (
                [self.front] if self.front else []) + (
                [self.action_gateway] if self.action_gateway else []):
            parts.append(f"--- {s.name} ({s.log_path}) ---\n{s.log_tail(30)}")
        return "\n".join(parts)

    def cleanup_workdir(self) -> None:
        shutil.rmtree(self.work, ignore_errors=True)


def behind_proxy(credentials: Path, out: Path) -> Path:
    """``credentials`` with both web channels believing HAProxy's X-Forwarded-For (as
    docs/SCALEOUT.md tells a deployment to), so per-address limits count the client."""
    data = yaml.safe_load(credentials.read_text()) or {}
    for name in ("bot.channels.rest.AuthRestInput", "bot.channels.socketio.AuthSocketIOInput"):
        data[name] = {**(data.get(name) or {}), "trusted_proxy_header": "X-Forwarded-For"}
    out.write_text(yaml.safe_dump(data))
    return out


def add_load_customers(db_url: str, count: int, first: int = 2001) -> list[tuple[str, str]]:
    """Common customers C<first>.. each with one monthly ECS order bought a day ago
    (refundable under R1-R7), so many conversations can each file their own claim.
    Only for throw-away test/bench databases. Returns (customer, order) pairs."""
    import hashlib
    from datetime import timedelta
    from decimal import Decimal

    from sqlalchemy import create_engine
    from sqlalchemy.orm import Session

    from bot.clock import now
    from bot.store.models import Customer, Order

    bought = now() - timedelta(days=1)
    pairs = []
    eng = create_engine(db_url, future=True)
    try:
        with Session(eng, future=True) as s, s.begin():
            for i in range(count):
                cid = f"C{first + i:04d}"
                oid = f"CS{bought.strftime('%y%m%d')}{(first + i) % 10000:04d}"
                s.add(Customer(customer_id=cid, name=f"Load Test {i}", tier="common",
                               currency="CNY", accumulated_recharge=Decimal("500.00"),
                               icp_reward_received=False))
                s.add(Order(order_id=oid, customer_id=cid,
                            resource_id="ecs-" + hashlib.sha1(oid.encode()).hexdigest()[:8],
                            product="ECS", billing="monthly", purchased_at=bought,
                            amount_paid=Decimal("100.00"), daily_cost=Decimal("3.30"),
                            resource_state="active", invoice="none", description="load test"))
                pairs.append((cid, oid))
    finally:
        eng.dispose()
    return pairs
