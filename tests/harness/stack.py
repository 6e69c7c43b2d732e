"""The full stack on free ports: action server, `rasa run`, support site.

Used by the session-scoped fixture in tests/web/conftest.py and by the conversation
runner (`python -m tests.conversations --stack`). Everything runs with a pinned clock
(ASSURANCE_NOW), a fresh seeded SQLite store, the demo token secret, and the Rasa
HTTP API on *with* an auth token (to prove it refuses anonymous calls). The processes
are tests.harness.servers.Server, like the scale-out cluster's.
"""
from __future__ import annotations

import os
import secrets
import subprocess
from pathlib import Path
from typing import Dict, List, Optional

import yaml

from bot import identity
from tests.channels.fakes import FakeApis
from tests.harness.servers import PYTHON, RASA, ROOT, Server, free_port

MODEL = ROOT / "models" / "assistant.tar.gz"
PINNED_NOW = "2026-11-27T10:00:00+08:00"  # a Friday morning: the hotline is open
TELEGRAM_TOKEN = "123456:FULLSTACK-token_abcdefghijklmnopq"
SLACK_SECRET = "fullstack-slack-signing-secret"


class Stack:
    """The running stack; attributes hold the URLs, secrets and the fake APIs."""

    def __init__(self, workdir: Path) -> None:
        self.workdir = workdir
        self.servers: Dict[str, Server] = {}
        self.api_token = secrets.token_hex(24)  # never starts with "-" (argparse would read an option)
        # The stack runs as the local demo (the support site's demo picker signs tokens),
        # and demo mode refuses a real secret next to it (docs/SECURITY.md, guarantee 3).
        self.jwt_secret = identity.DEMO_SECRET
        self.actions_port, self.rasa_port, self.web_port = free_port(), free_port(), free_port()
        self.rasa_url = f"http://127.0.0.1:{self.rasa_port}"
        self.web_url = f"http://127.0.0.1:{self.web_port}"
        self.apis: Optional[FakeApis] = None
        self.env: Dict[str, str] = {}

    def _spawn(self, name: str, args: List[str], port: int) -> Server:
        server = Server(name, args, port, self.workdir / f"{name}.log", self.env)
        self.servers[name] = server
        return server.start()

    def start(self) -> "Stack":
        self.apis = FakeApis().__enter__()
        db = self.workdir / "assurance.db"
        self.env = {
            **{k: v for k, v in os.environ.items() if k != identity.SECRET_ENV},
            "ASSURANCE_NOW": PINNED_NOW,
            identity.DEMO_ENV: "1",  # the support site's demo picker (tokens signed with DEMO_SECRET)
            "DATABASE_URL": f"sqlite:///{db}",
            "SQLALCHEMY_SILENCE_UBER_WARNING": "1",
            "TF_CPP_MIN_LOG_LEVEL": "2",
            "PYTHONHASHSEED": "0",
        }
        subprocess.run([PYTHON, "-m", "bot.store", "seed"], cwd=ROOT,
                       env=self.env, check=True, capture_output=True, timeout=120)
        endpoints = self.workdir / "endpoints.yml"
        endpoints.write_text(yaml.safe_dump(
            {"action_endpoint": {"url": f"http://127.0.0.1:{self.actions_port}/webhook"}}))
        credentials = yaml.safe_load((ROOT / "credentials.yml").read_text())
        credentials["bot.channels.messaging.AssuranceTelegramInput"] = {
            "access_token": TELEGRAM_TOKEN, "verify": self.apis.telegram_username,
            "webhook_url": "https://example.invalid/webhooks/telegram/webhook",
            "api_base_url": self.apis.url}
        credentials["bot.channels.messaging.AssuranceSlackInput"] = {
            "slack_token": "xoxb-fullstack", "slack_signing_secret": SLACK_SECRET,
            "api_base_url": self.apis.url + "/api/"}
        creds = self.workdir / "credentials.yml"
        creds.write_text(yaml.safe_dump(credentials))

        actions = self._spawn("actions", [RASA, "run", "actions", "--actions", "actions",
                                          "--port", str(self.actions_port)], self.actions_port)
        rasa = self._spawn("rasa", [RASA, "run", "--model", str(MODEL), "--endpoints", str(endpoints),
                                    "--credentials", str(creds), "--port", str(self.rasa_port),
                                    "--cors", "*", "--enable-api", "--auth-token", self.api_token],
                           self.rasa_port)
        web = self._spawn("web", [PYTHON, "-m", "bot.web.serve", "--port", str(self.web_port),
                                  "--rasa-url", self.rasa_url], self.web_port)
        web.wait_http("/health", timeout=30)
        actions.wait_http("/health", timeout=120)
        rasa.wait_http("/", timeout=180)
        return self

    def stop(self) -> None:
        for server in self.servers.values():
            server.stop(timeout=5)
        if self.apis:
            self.apis.__exit__(None, None, None)

    def log(self, name: str) -> str:
        path = self.workdir / f"{name}.log"
        return path.read_text() if path.exists() else ""
