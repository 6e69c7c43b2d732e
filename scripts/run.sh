#!/usr/bin/env bash
# Start the assistant under supervisord (deploy/supervisord.conf): action server
# (5056) behind the action gateway (5055), Rasa server (5005: REST + socket.io) and
# support page (8080). supervisord restarts any of them that exits; each writes its
# log to var/log/. Ctrl-C (or SIGTERM) stops them all.
# Profiles: ASSURANCE_PROFILE=scale uses endpoints.scale.yml (PostgreSQL tracker
# store + Redis lock store); the default keeps conversations in memory.
set -euo pipefail
cd "$(dirname "$0")/.."

VENV=.venv
export RASA_PORT="${RASA_PORT:-5005}"
export ACTIONS_PORT="${ACTIONS_PORT:-5055}"
export ACTIONS_UPSTREAM_PORT="${ACTIONS_UPSTREAM_PORT:-$((ACTIONS_PORT + 1))}"
export WEB_PORT="${WEB_PORT:-8080}"
export MODEL="${MODEL:-models/assistant.tar.gz}"
export ENDPOINTS=endpoints.yml
[ "${ASSURANCE_PROFILE:-}" = "scale" ] && ENDPOINTS=endpoints.scale.yml
export CREDENTIALS="${CREDENTIALS:-credentials.yml}"
# Logs in $ASSURANCE_VAR/log, supervisord's pid file and control socket in $ASSURANCE_VAR/run.
export ASSURANCE_VAR="${ASSURANCE_VAR:-$PWD/var}"
export ASSURANCE_UID="${ASSURANCE_UID:-$(id -u)}"
# `make run` is the demo: the support page may mint demo tokens from a demo secret,
# unless a real secret is configured. Both at once would sign real tokens for anyone.
if [ -n "${ASSURANCE_JWT_SECRET:-}" ]; then
  export ASSURANCE_DEMO="${ASSURANCE_DEMO:-0}"
  case "$ASSURANCE_DEMO" in
    1|true|yes) echo "Refusing to start: ASSURANCE_DEMO=1 and ASSURANCE_JWT_SECRET are both set." >&2
                echo "Unset ASSURANCE_DEMO in production, or ASSURANCE_JWT_SECRET for the local demo." >&2
                exit 2 ;;
  esac
else
  export ASSURANCE_DEMO="${ASSURANCE_DEMO:-1}"
fi
# The action server and its gateway serve whoever reaches them: loopback only.
export SANIC_HOST="${SANIC_HOST:-127.0.0.1}"
export TF_CPP_MIN_LOG_LEVEL="${TF_CPP_MIN_LOG_LEVEL:-2}"
export SQLALCHEMY_SILENCE_UBER_WARNING=1
if [ "$ENDPOINTS" = endpoints.scale.yml ]; then
  # The scale profile reads its PostgreSQL/Redis settings from the environment.
  eval "$($VENV/bin/python -m bot.scaleout.env)"
fi
mkdir -p "$ASSURANCE_VAR/log" "$ASSURANCE_VAR/run"
# supervisorctl's settings, password included: readable by this user only
export ASSURANCE_SUPERVISOR_PASSWORD="$(od -An -N16 -tx1 /dev/urandom | tr -d ' \n')"
(umask 077; printf '[supervisorctl]\nserverurl=unix://%s\nusername=assurance\npassword=%s\n' \
  "$ASSURANCE_VAR/run/supervisor.sock" "$ASSURANCE_SUPERVISOR_PASSWORD" >"$ASSURANCE_VAR/run/supervisorctl.conf")
CTL="$VENV/bin/supervisorctl -c $ASSURANCE_VAR/run/supervisorctl.conf"
SUPERVISOR_LOG="$ASSURANCE_VAR/log/supervisord.log"

# A terminal or pipe that went away (`make run | tee`, then Ctrl-C) must not cut the
# shutdown short: writes to it fail quietly instead of killing this script.
trap '' PIPE
supervisor= follower=
stop() {
  trap - INT TERM EXIT
  set +e
  if [ -n "$supervisor" ] && kill -0 "$supervisor" 2>/dev/null; then
    echo; echo "Stopping the assistant..."
    kill -TERM "$supervisor" 2>/dev/null
    wait "$supervisor" 2>/dev/null
    sleep 0.2  # the last lines of supervisord's log
    echo "Stopped."
  fi
  [ -n "$follower" ] && kill "$follower" 2>/dev/null
}
trap 'stop; exit 130' INT
trap 'stop; exit 143' TERM
trap stop EXIT

wait_for() {  # wait_for NAME URL SECONDS PROGRAM
  local name=$1 url=$2 limit=$3 program=$4 i
  for ((i = 0; i < limit * 2; i++)); do
    if curl -fsS -o /dev/null "$url" 2>/dev/null; then echo "  $name is up ($url)"; return 0; fi
    if ! kill -0 "$supervisor" 2>/dev/null; then
      echo "  supervisord exited:" >&2
      tail -n 20 "$ASSURANCE_VAR/log/supervisord.out" >&2 || true
      return 1
    fi
    sleep 0.5
  done
  echo "  $name did not come up within ${limit}s; the end of $ASSURANCE_VAR/log/$program.log:" >&2
  tail -n 20 "$ASSURANCE_VAR/log/$program.log" >&2 || true
  return 1
}

echo "Starting supervisord (deploy/supervisord.conf): action server :$ACTIONS_UPSTREAM_PORT behind the"
echo "action gateway :$ACTIONS_PORT, Rasa server :$RASA_PORT (REST and socket.io; HTTP API off), support page :$WEB_PORT"
echo "Waiting for them to answer (the Rasa server loads the model: about 30-60 s) ..."
# supervisord's own log (programs started, exited, restarted) in this terminal too
touch "$SUPERVISOR_LOG"
tail -n 0 -F "$SUPERVISOR_LOG" 2>/dev/null &
follower=$!
$VENV/bin/supervisord -c deploy/supervisord.conf >>"$ASSURANCE_VAR/log/supervisord.out" 2>&1 &
supervisor=$!

wait_for "action server" "http://localhost:$ACTIONS_UPSTREAM_PORT/health" 60 actions
wait_for "action gateway" "http://localhost:$ACTIONS_PORT/health" 30 action-gateway
wait_for "Rasa server" "http://localhost:$RASA_PORT/" 180 rasa
wait_for "support page" "http://localhost:$WEB_PORT/" 30 web

cat <<EOF

The assistant is running.
  Support page with chat widget and demo login:  http://localhost:$WEB_PORT/
  FAQ page:                                       http://localhost:$WEB_PORT/faq.html
  REST channel (guest; add -H "Authorization: Bearer <token>" for an account):
                 curl -s localhost:$RASA_PORT/webhooks/rest/webhook -d '{"sender":"my-session-1","message":"hi"}'
  Terminal chat: .venv/bin/rasa shell --port 5007 (in another terminal, with this running for the
                 actions; you are a guest there: only the channels of this stack bind accounts)
Logs: $ASSURANCE_VAR/log/ (actions, action-gateway, rasa, web, supervisord). A program that exits is
restarted; see them with:  $CTL status
Press Ctrl-C to stop.
EOF
status=0
wait "$supervisor" || status=$?
supervisor=
echo "supervisord exited ($status); see $SUPERVISOR_LOG and $ASSURANCE_VAR/log/supervisord.out." >&2
exit 1
