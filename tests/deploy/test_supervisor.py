"""`make run`: scripts/run.sh under supervisord with deploy/supervisord.conf.

The config is read with supervisor's own parser, and the real script runs the real
config in a scratch copy of the repository whose .venv holds stand-ins for the
project's programs (small HTTP servers on the ports they are given), so restart on
crash and Ctrl-C are exercised in seconds without a trained model.
"""
from __future__ import annotations

import os
import re
import shlex
import shutil
import signal
import subprocess
import sys
import time
import urllib.request
from pathlib import Path
from typing import Iterator

import pytest
from supervisor.datatypes import RestartUnconditionally
from supervisor.options import ServerOptions

from tests.harness.servers import free_port

ROOT = Path(__file__).resolve().parents[2]
CONF = ROOT / "deploy" / "supervisord.conf"
RUN_SH = ROOT / "scripts" / "run.sh"

#: What scripts/run.sh started before supervisord, by program name: the command each
#: must run (the old script's four processes).
PROGRAMS = {
    "actions": ".venv/bin/rasa run actions --actions actions --port 5056",
    "action-gateway": ".venv/bin/python -m bot.scaleout.action_gateway --port 5055 "
                      "--upstream http://127.0.0.1:5056",
    "rasa": ".venv/bin/python -m bot.scaleout.serve run --model models/assistant.tar.gz "
            "--endpoints endpoints.yml --credentials credentials.yml --port 5005 --cors \"*\"",
    "web": ".venv/bin/python -m bot.web.serve --port 8080 --rasa-url http://localhost:5005",
}
DEFAULT_ENV = {"RASA_PORT": "5005", "ACTIONS_PORT": "5055", "ACTIONS_UPSTREAM_PORT": "5056",
               "WEB_PORT": "8080", "MODEL": "models/assistant.tar.gz",
               "ENDPOINTS": "endpoints.yml", "CREDENTIALS": "credentials.yml",
               "ASSURANCE_UID": str(os.getuid()), "ASSURANCE_SUPERVISOR_PASSWORD": "not-a-secret"}


def parsed_config(var: Path, env: dict[str, str]) -> ServerOptions:
    (var / "log").mkdir(parents=True, exist_ok=True)
    (var / "run").mkdir(parents=True, exist_ok=True)
    saved = dict(os.environ)
    os.environ.update(env, ASSURANCE_VAR=str(var))
    try:
        options = ServerOptions()
        options.realize(args=["-c", str(CONF)])
        return options
    finally:
        os.environ.clear()
        os.environ.update(saved)


def test_every_config_variable_is_exported_by_the_script() -> None:
    used = set(re.findall(r"%\(ENV_(\w+)\)s", CONF.read_text()))
    exported = set(re.findall(r"^export (\w+)=", RUN_SH.read_text(), re.M))
    assert used, "the config reads its ports and paths from scripts/run.sh"
    assert used <= exported, f"not exported by scripts/run.sh: {sorted(used - exported)}"


def test_the_config_runs_every_program_restarted_and_logged(tmp_path: Path) -> None:
    options = parsed_config(tmp_path, DEFAULT_ENV)
    assert options.nodaemon, "supervisord stays in the foreground so Ctrl-C reaches it"
    programs = {p.name: p for group in options.process_group_configs for p in group.process_configs}
    assert set(programs) == set(PROGRAMS)
    for name, program in programs.items():
        command = program.command.replace(f"{ROOT}/deploy/../", "")
        assert shlex.split(command) == shlex.split(PROGRAMS[name])
        assert Path(program.directory).resolve() == ROOT
        assert program.autostart and program.autorestart is RestartUnconditionally, name
        # the whole tree of a program is stopped, not just its first process
        assert program.stopasgroup and program.killasgroup, name
        assert program.redirect_stderr and program.stdout_logfile == str(tmp_path / "log" / f"{name}.log")
    assert options.logfile == str(tmp_path / "log" / "supervisord.log")
    (socket,) = options.server_configs
    assert socket["file"] == str(tmp_path / "run" / "supervisor.sock") and socket["chmod"] == 0o700
    assert socket["password"] == "not-a-secret"


# --- the script itself, on stand-ins ----------------------------------------------

STAND_IN = '''\
"""Stand-in for one of the project's programs: answers HTTP on its --port."""
import http.server, os, sys
argv = sys.argv[1:]
port = int(argv[argv.index("--port") + 1])
with open(os.path.join(os.environ["STAND_IN_PIDS"], str(os.getpid())), "w") as f:
    f.write(" ".join(argv))
class Handler(http.server.BaseHTTPRequestHandler):
    def do_GET(self):
        body = f"{os.getpid()}".encode()
        self.send_response(200); self.send_header("Content-Length", str(len(body)))
        self.end_headers(); self.wfile.write(body)
    def log_message(self, *args):
        pass
http.server.HTTPServer(("127.0.0.1", port), Handler).serve_forever()
'''


def scratch_repo(tmp_path: Path) -> Path:
    """The script and the config as in the repository; .venv with stand-ins."""
    repo = tmp_path / "repo"
    (repo / "scripts").mkdir(parents=True)
    (repo / "deploy").mkdir()
    shutil.copy2(RUN_SH, repo / "scripts" / "run.sh")
    shutil.copy2(CONF, repo / "deploy" / "supervisord.conf")
    bin_dir = repo / ".venv" / "bin"
    bin_dir.mkdir(parents=True)
    (tmp_path / "stand_in.py").write_text(STAND_IN)
    for name in ("python", "rasa"):
        script = bin_dir / name
        script.write_text(f"#!/bin/sh\nexec {sys.executable} {tmp_path / 'stand_in.py'} \"$@\"\n")
        script.chmod(0o755)
    for name in ("supervisord", "supervisorctl"):
        (bin_dir / name).symlink_to(Path(sys.executable).parent / name)
    return repo


def get(url: str) -> str:
    with urllib.request.urlopen(url, timeout=2) as response:
        return response.read().decode()


def alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    # a zombie is gone for our purposes
    stat = Path(f"/proc/{pid}/stat")
    return stat.exists() and stat.read_text().split(") ", 1)[1][:1] != "Z"


def wait_until(check, timeout: float, what: str) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if check():
            return
        time.sleep(0.2)
    raise AssertionError(f"timed out waiting for {what}")


@pytest.fixture
def running(tmp_path: Path) -> Iterator[tuple[subprocess.Popen, dict[str, int], Path]]:
    repo = scratch_repo(tmp_path)
    pids = tmp_path / "pids"
    pids.mkdir()
    ports = {"RASA_PORT": free_port(), "ACTIONS_PORT": free_port(),
             "ACTIONS_UPSTREAM_PORT": free_port(), "WEB_PORT": free_port()}
    env = {k: v for k, v in os.environ.items() if k not in ("ASSURANCE_JWT_SECRET", "ASSURANCE_PROFILE")}
    env.update({k: str(v) for k, v in ports.items()}, STAND_IN_PIDS=str(pids),
               ASSURANCE_VAR=str(tmp_path / "var"))
    # its own process group: a terminal's Ctrl-C goes to the whole foreground group
    proc = subprocess.Popen(["bash", str(repo / "scripts" / "run.sh")], env=env,
                            stdout=open(tmp_path / "run.out", "w"), stderr=subprocess.STDOUT,
                            start_new_session=True)
    try:
        wait_until(lambda: "The assistant is running." in (tmp_path / "run.out").read_text()
                   or proc.poll() is not None, 30, "the script's banner")
        assert proc.poll() is None, (tmp_path / "run.out").read_text()
        yield proc, ports, tmp_path
    finally:
        if proc.poll() is None:
            os.killpg(proc.pid, signal.SIGKILL)
        for pid in (int(p.name) for p in pids.iterdir()):
            if alive(pid):
                os.kill(pid, signal.SIGKILL)


def stand_ins(tmp_path: Path) -> dict[int, str]:
    return {int(p.name): p.read_text() for p in (tmp_path / "pids").iterdir()}


def test_a_program_that_dies_is_restarted_and_ctrl_c_stops_everything(running) -> None:
    proc, ports, tmp_path = running
    web = f"http://127.0.0.1:{ports['WEB_PORT']}/"
    first = int(get(web))
    time.sleep(2.5)  # the web program's startsecs: its start counts as good
    os.kill(first, signal.SIGKILL)

    def restarted() -> bool:
        try:
            return int(get(web)) != first
        except OSError:
            return False
    wait_until(restarted, 15, "supervisord to restart the support page")
    assert "exited: web (terminated by SIGKILL" in (tmp_path / "var" / "log" / "supervisord.log").read_text()

    started = stand_ins(tmp_path)
    assert len(started) == 5  # four programs, one of them twice
    assert sorted(" ".join(a.split()[:2]) for a in started.values()) == sorted(
        ["run actions", "-m bot.scaleout.action_gateway", "-m bot.scaleout.serve",
         "-m bot.web.serve", "-m bot.web.serve"])

    os.killpg(proc.pid, signal.SIGINT)  # what Ctrl-C in the terminal sends
    assert proc.wait(timeout=30) == 130
    out = (tmp_path / "run.out").read_text()
    assert "Stopped." in out
    assert not [pid for pid in started if alive(pid)], out


def test_ctrl_c_stops_everything_when_the_output_pipe_is_gone(tmp_path: Path) -> None:
    """`make run | tee run.log`, then Ctrl-C: tee dies first, the shutdown still completes."""
    repo = scratch_repo(tmp_path)
    (tmp_path / "pids").mkdir()
    env = dict(os.environ, STAND_IN_PIDS=str(tmp_path / "pids"), ASSURANCE_VAR=str(tmp_path / "var"),
               RASA_PORT=str(free_port()), ACTIONS_PORT=str(free_port()),
               ACTIONS_UPSTREAM_PORT=str(free_port()), WEB_PORT=str(free_port()))
    env.pop("ASSURANCE_JWT_SECRET", None)
    proc = subprocess.Popen(["bash", str(repo / "scripts" / "run.sh")], env=env, stdout=subprocess.PIPE,
                            stderr=subprocess.STDOUT, start_new_session=True)
    try:
        assert proc.stdout is not None
        for line in proc.stdout:
            if b"Press Ctrl-C to stop." in line:
                break
        started = stand_ins(tmp_path)
        assert len(started) == 4
        proc.stdout.close()  # the reader is gone
        os.killpg(proc.pid, signal.SIGINT)
        assert proc.wait(timeout=30) == 130
        assert not [pid for pid in started if alive(pid)]
    finally:
        if proc.poll() is None:
            os.killpg(proc.pid, signal.SIGKILL)
        for pid in stand_ins(tmp_path):
            if alive(pid):
                os.kill(pid, signal.SIGKILL)


def test_sigterm_to_the_script_alone_stops_everything(running) -> None:
    proc, ports, tmp_path = running
    started = stand_ins(tmp_path)
    assert len(started) == 4
    proc.send_signal(signal.SIGTERM)
    assert proc.wait(timeout=30) == 143
    assert not [pid for pid in started if alive(pid)]
