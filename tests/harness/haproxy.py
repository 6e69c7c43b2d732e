"""HAProxy in front of Rasa replicas, from the repository's own config.

Why render and not copy: the tests run on free ports and with any number of
replicas, so the "bind" address and the "server" lines of
deploy/haproxy/haproxy.cfg are rewritten; every other line (hashing, checks,
retries, limits, error files) is used exactly as deployed. The limits are
environment variables of the HAProxy process (the config's `presetenv` defaults).
"""
from __future__ import annotations

import json
import re
import shutil
import subprocess
import time
import urllib.request
from pathlib import Path
from typing import Mapping, Optional, Sequence
from urllib.parse import urlsplit

from tests.harness.servers import ROOT, Server

CONFIG_DIR = ROOT / "deploy" / "haproxy"
CONFIG = CONFIG_DIR / "haproxy.cfg"
HEALTH_PATH = "/haproxy/health"
_BIND = re.compile(r"^(\s+bind )\S+", re.MULTILINE)
_SERVER = re.compile(r"^(\s+)server rasa\d+ \S+\n", re.MULTILINE)


def binary() -> Optional[str]:
    """Path of the haproxy executable, or None when the package is not installed."""
    return shutil.which("haproxy") or next(
        (p for p in ("/usr/sbin/haproxy", "/usr/local/sbin/haproxy") if Path(p).exists()), None)


def replica_name(i: int) -> str:
    """The server name of replica ``i`` (0-based): what X-Replica says."""
    return f"rasa{i + 1}"


def _address(replica: str) -> str:
    parts = urlsplit(replica if "://" in replica else f"http://{replica}")
    return f"{parts.hostname}:{parts.port}"


def render(port: int, replicas: Sequence[str], text: Optional[str] = None) -> str:
    """deploy/haproxy/haproxy.cfg listening on 127.0.0.1:``port`` in front of
    ``replicas`` (URLs or host:port), named rasa1, rasa2, ... in that order."""
    text = CONFIG.read_text() if text is None else text
    text, binds = _BIND.subn(lambda m: f"{m.group(1)}127.0.0.1:{port}", text)
    servers = list(_SERVER.finditer(text))
    if binds != 1 or not servers:
        raise ValueError(f"{CONFIG} must have one bind line and at least one 'server rasaN' line")
    indent = servers[0].group(1)
    lines = "".join(f"{indent}server {replica_name(i)} {_address(r)}\n" for i, r in enumerate(replicas))
    first, last = servers[0].start(), servers[-1].end()
    if any(m.start() != servers[i].end() for i, m in enumerate(servers[1:])):
        raise ValueError(f"the 'server' lines of {CONFIG} must be consecutive")
    return text[:first] + lines + text[last:]


def write_config(directory: Path, port: int, replicas: Sequence[str]) -> Path:
    """The rendered config and its error files in ``directory``; the config's path."""
    directory.mkdir(parents=True, exist_ok=True)
    shutil.copytree(CONFIG_DIR / "errors", directory / "errors", dirs_exist_ok=True)
    path = directory / "haproxy.cfg"
    path.write_text(render(port, replicas))
    return path


def check(path: Path, env: Optional[Mapping[str, str]] = None) -> subprocess.CompletedProcess:
    """`haproxy -c -f path`: the config parses and every file it names exists."""
    exe = binary()
    if exe is None:
        raise FileNotFoundError("haproxy is not installed (apt-get install -y haproxy)")
    return subprocess.run([exe, "-c", "-f", str(path)], capture_output=True, text=True,
                          env=None if env is None else dict(env), timeout=30)


def server(port: int, replicas: Sequence[str], work: Path, env: Mapping[str, str],
           limits: Optional[Mapping[str, int]] = None) -> Server:
    """HAProxy (foreground, logs to its log file) over ``replicas`` on ``port``;
    ``limits`` sets ASSURANCE_LIMIT_* variables (e.g. very high ones for the bench)."""
    exe = binary()
    if exe is None:
        raise FileNotFoundError("haproxy is not installed (apt-get install -y haproxy)")
    path = write_config(work / f"haproxy-{port}", port, replicas)
    full_env = {**env, **{k: str(v) for k, v in (limits or {}).items()}}
    return Server("haproxy", [exe, "-db", "-f", str(path)], port,
                  work / f"haproxy-{port}.log", full_env)


#: Limits high enough never to trigger in a load test from one address.
NO_LIMITS = {
    "ASSURANCE_LIMIT_REQUESTS_PER_10S": 10**9,
    "ASSURANCE_LIMIT_SENDER_MESSAGES_PER_MIN": 10**9,
    "ASSURANCE_LIMIT_GUEST_MESSAGES_PER_MIN": 10**9,
    "ASSURANCE_LIMIT_GUEST_TICKETS_PER_HOUR": 10**9,
}


def replicas_up(front: Server) -> int:
    """How many replicas HAProxy currently sends to (its health answer)."""
    with urllib.request.urlopen(front.url + HEALTH_PATH, timeout=5) as resp:
        return int(json.loads(resp.read())["replicas_up"])


def wait_replicas_up(front: Server, count: int, timeout: float = 15.0) -> None:
    """Wait until HAProxy's health checks see exactly ``count`` replicas up."""
    front.wait_http(HEALTH_PATH, timeout=timeout)
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if replicas_up(front) == count:
            return
        time.sleep(0.1)
    raise TimeoutError(f"HAProxy did not see {count} replicas up within {timeout}s "
                       f"(now {replicas_up(front)}):\n{front.log_tail()}")
