"""Start the full stack on free ports: action server, `rasa run`, support site.

Used by the session-scoped fixture in tests/web/conftest.py. Everything runs with a
pinned clock (ASSURANCE_NOW), a fresh seeded SQLite store, a random token secret, and
the Rasa HTTP API on *with* an auth token (to prove it refuses anonymous calls).
"""
from __future__ import annotations

import os
import secrets
import signal
import subprocess
import sys
import time
import urllib.request
from pathlib import Path
from typing import Dict, List, Optional

import yaml

from bot import identity
from tests.channels.fakes import FakeApis, free_port

ROOT = Path(__file__).resolve().parents[2]
VENV_BIN = Path(sys.executable).parent
MODEL = ROOT / "models" / "assistant.tar.gz"
PINNED_NOW = "2026-11-27T10:00:00+08:00"  # a Friday morning: the hotline is open
TELEGRAM_TOKEN = "123456:FULLSTACK-token_abcdefghijklmnopq"
SLACK_SECRET = "fullstack-slack-signing-secret"


def _wait(url: str, proc: subprocess.Popen, name: str, log: Path, timeout: float) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise RuntimeError(f"{name} exited with {proc.returncode}:\n{log.read_text()[-3000:]}")
        try:
            with urllib.request.urlopen(url, timeout=2) as resp:
                if resp.status < 500:
                    return
        except Exception:
            pass
        time.sleep(0.3)
    raise RuntimeError(f"{name} did not answer {url} within {timeout}s:\n{log.read_text()[-3000:]}")


class Stack:
    """The running stack; attributes hold the URLs, secrets and the fake APIs."""

    def __init__(self, workdir: Path) -> None:
        self.workdir = workdir
        self.procs: List[subprocess.Popen] = []
        self.api_token = secrets.token_hex(24)  # never starts with "-" (argparse would read an option)
        # The stack runs as the local demo (the support site's demo picker signs tokens),
        # and demo mode refuses a real secret next to it (issue 9 finding 3).
        self.jwt_secret = identity.DEMO_SECRET
        self.actions_port, self.rasa_port, self.web_port = free_port(), free_port(), free_port()
        self.rasa_url = f"http://127.0.0.1:{self.rasa_port}"
        self.web_url = f"http://127.0.0.1:{self.web_port}"
        self.apis: Optional[FakeApis] = None
        self.env: Dict[str, str] = {}

    def _spawn(self, name: str, args: List[str]) -> subprocess.Popen:
        log = self.workdir / f"{name}.log"
        proc = subprocess.Popen(args, cwd=ROOT, env=self.env, stdout=log.open("w"),
                                stderr=subprocess.STDOUT, start_new_session=True)
        self.procs.append(proc)
        return proc

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
        subprocess.run([str(VENV_BIN / "python"), "-m", "bot.store", "seed"], cwd=ROOT,
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

        actions = self._spawn("actions", [str(VENV_BIN / "rasa"), "run", "actions", "--actions",
                                          "actions", "--port", str(self.actions_port)])
        rasa = self._spawn("rasa", [str(VENV_BIN / "rasa"), "run", "--model", str(MODEL),
                                    "--endpoints", str(endpoints), "--credentials", str(creds),
                                    "--port", str(self.rasa_port), "--cors", "*",
                                    "--enable-api", "--auth-token", self.api_token])
        web = self._spawn("web", [str(VENV_BIN / "python"), "-m", "bot.web.serve", "--port",
                                  str(self.web_port), "--rasa-url", self.rasa_url])
        _wait(f"{self.web_url}/health", web, "support site", self.workdir / "web.log", 30)
        _wait(f"http://127.0.0.1:{self.actions_port}/health", actions, "action server",
              self.workdir / "actions.log", 120)
        _wait(f"{self.rasa_url}/", rasa, "rasa", self.workdir / "rasa.log", 180)
        return self

    def stop(self) -> None:
        for proc in self.procs:
            if proc.poll() is None:
                try:
                    os.killpg(proc.pid, signal.SIGTERM)
                except ProcessLookupError:
                    pass
        for proc in self.procs:
            try:
                proc.wait(5)
            except subprocess.TimeoutExpired:
                os.killpg(proc.pid, signal.SIGKILL)
                proc.wait(5)
        if self.apis:
            self.apis.__exit__(None, None, None)

    def log(self, name: str) -> str:
        path = self.workdir / f"{name}.log"
        return path.read_text() if path.exists() else ""
