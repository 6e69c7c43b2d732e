"""Start and stop the real servers (action server, Rasa replicas; HAProxy in haproxy.py) on free
loopback ports, for `scripts/bench.py`, the full stack and the scale-out/fault tests.

Why one module: the benchmark and the tests must measure and break the same stack
the README starts, with the same options, and must always kill what they start.
"""
from __future__ import annotations

import json
import os
import signal
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from dataclasses import dataclass, field
from pathlib import Path
from typing import Mapping, Optional, Sequence

from tests.harness.http import post

ROOT = Path(__file__).resolve().parents[2]
VENV_BIN = Path(sys.executable).parent
RASA = str(VENV_BIN / "rasa")
PYTHON = sys.executable

#: Thread settings that pay on a small shared machine (docs/PERFORMANCE.md).
FAST_ENV: dict[str, str] = {
    "TF_CPP_MIN_LOG_LEVEL": "2",
    "TF_NUM_INTRAOP_THREADS": "1",
    "TF_NUM_INTEROP_THREADS": "1",
    "OMP_NUM_THREADS": "1",
    "SQLALCHEMY_SILENCE_UBER_WARNING": "1",
    "PYTHONHASHSEED": "0",
    "RASA_TELEMETRY_ENABLED": "false",
}


def free_port() -> int:
    """A TCP port on 127.0.0.1 that nothing listens on right now."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def rss_bytes(pid: int) -> int:
    """Resident set size of ``pid`` (psutil when installed, else /proc), 0 if gone."""
    try:
        import psutil  # type: ignore

        return int(psutil.Process(pid).memory_info().rss)
    except ImportError:
        pass
    except Exception:  # noqa: BLE001 - process gone
        return 0
    try:
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) * 1024
    except OSError:
        return 0
    return 0


def cpu_seconds(pid: int) -> float:
    """User + system CPU seconds ``pid`` has used so far (0.0 if gone)."""
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
        ticks = os.sysconf("SC_CLK_TCK")
        return (int(fields[11]) + int(fields[12])) / ticks  # utime, stime
    except (OSError, IndexError, ValueError):
        return 0.0


def tree_rss_bytes(pid: int) -> int:
    """RSS of ``pid`` plus its children (``rasa run actions`` may fork)."""
    total = rss_bytes(pid)
    try:
        children = Path(f"/proc/{pid}/task/{pid}/children").read_text().split()
    except OSError:
        children = []
    for child in children:
        total += tree_rss_bytes(int(child))
    return total


@dataclass
class Server:
    """One process we started; ``stop()`` kills its whole process group."""

    name: str
    args: list[str]
    port: int
    log_path: Path
    env: dict[str, str]
    cwd: Path = ROOT
    proc: Optional[subprocess.Popen] = None
    started_at: float = 0.0
    ready_after: Optional[float] = None
    _log: Optional[object] = field(default=None, repr=False)

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    @property
    def pid(self) -> int:
        assert self.proc is not None
        return self.proc.pid

    def start(self) -> "Server":
        self.log_path.parent.mkdir(parents=True, exist_ok=True)
        self._log = open(self.log_path, "ab")
        self.started_at = time.monotonic()
        self.proc = subprocess.Popen(
            self.args, cwd=self.cwd, env=self.env, stdout=self._log,
            stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL, start_new_session=True)
        return self

    def alive(self) -> bool:
        return self.proc is not None and self.proc.poll() is None

    def kill(self, sig: int = signal.SIGKILL) -> None:
        """Kill the process group we created (never anything else)."""
        if self.proc is None or self.proc.poll() is not None:
            return
        try:
            os.killpg(self.proc.pid, sig)
        except ProcessLookupError:
            pass

    def stop(self, timeout: float = 10.0) -> None:
        if self.proc is not None and self.proc.poll() is None:
            self.kill(signal.SIGTERM)
            try:
                self.proc.wait(timeout)
            except subprocess.TimeoutExpired:
                self.kill(signal.SIGKILL)
                self.proc.wait(5)
        if self._log is not None:
            self._log.close()  # type: ignore[attr-defined]
            self._log = None

    def log_tail(self, n: int = 40) -> str:
        try:
            return "\n".join(self.log_path.read_text(errors="replace").splitlines()[-n:])
        except OSError:
            return ""

    def wait_http(self, path: str = "/", timeout: float = 120.0) -> float:
        """Wait until ``GET path`` answers (any status < 500); seconds since start."""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if not self.alive():
                raise RuntimeError(f"{self.name} exited early:\n{self.log_tail()}")
            try:
                with urllib.request.urlopen(self.url + path, timeout=2) as resp:
                    if resp.status < 500:
                        self.ready_after = time.monotonic() - self.started_at
                        return self.ready_after
            except urllib.error.HTTPError as err:
                if err.code < 500:
                    self.ready_after = time.monotonic() - self.started_at
                    return self.ready_after
            except (urllib.error.URLError, OSError):
                pass
            time.sleep(0.2)
        raise TimeoutError(f"{self.name} not ready after {timeout}s:\n{self.log_tail()}")

    def wait_reply(self, timeout: float = 180.0, sender: str = "ready-probe",
                   headers: Optional[Mapping[str, str]] = None) -> float:
        """Wait until the REST webhook answers a message: the server is really ready."""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if not self.alive():
                raise RuntimeError(f"{self.name} exited early:\n{self.log_tail()}")
            if post(self.url, sender, "hello", timeout=10, headers=dict(headers or {})).status == 200:
                self.ready_after = time.monotonic() - self.started_at
                return self.ready_after
            time.sleep(0.2)
        raise TimeoutError(f"{self.name} not ready after {timeout}s:\n{self.log_tail()}")


def base_env(extra: Optional[Mapping[str, str]] = None) -> dict[str, str]:
    """The parent environment plus the fast thread settings plus ``extra``."""
    env = dict(os.environ)
    for k, v in FAST_ENV.items():
        env.setdefault(k, v)
    env["PYTHONPATH"] = str(ROOT) + (os.pathsep + env["PYTHONPATH"] if env.get("PYTHONPATH") else "")
    env.update(extra or {})
    return env


def action_server(port: int, log_dir: Path, env: Mapping[str, str]) -> Server:
    """``rasa run actions`` for this project's actions package."""
    return Server("action server", [RASA, "run", "actions", "--actions", "actions",
                                    "--port", str(port)], port, log_dir / f"actions-{port}.log", dict(env))


def rasa_server(port: int, model: Path, endpoints: Path, credentials: Optional[Path],
                log_dir: Path, env: Mapping[str, str], cwd: Path = ROOT,
                extra_args: Sequence[str] = (), fast: bool = True) -> Server:
    """``rasa run`` (HTTP API off) with the given model and endpoint/credential files;
    ``fast`` starts it through bot.scaleout.serve (the measured fixes), else plain rasa."""
    launcher = [PYTHON, "-m", "bot.scaleout.serve"] if fast else [RASA]
    args = launcher + ["run", "--model", str(model), "--endpoints", str(endpoints),
            "--port", str(port), "--interface", "127.0.0.1"]
    if credentials is not None:
        args += ["--credentials", str(credentials)]
    args += list(extra_args)
    return Server(f"rasa:{port}", args, port, log_dir / f"rasa-{port}.log", dict(env), cwd=cwd)


def write_endpoints(path: Path, action_url: Optional[str], tracker: Optional[dict] = None,
                    lock: Optional[dict] = None) -> Path:
    """Write a Rasa endpoints file (YAML is a superset of JSON)."""
    cfg: dict = {}
    if action_url:
        cfg["action_endpoint"] = {"url": action_url}
    if tracker:
        cfg["tracker_store"] = tracker
    if lock:
        cfg["lock_store"] = lock
    path.write_text(json.dumps(cfg, indent=2))
    return path
