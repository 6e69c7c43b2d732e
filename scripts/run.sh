#!/usr/bin/env bash
# Start the assistant: action server (5055), Rasa server (5005: REST + socket.io),
# support page (8080). Ctrl-C (or SIGTERM) stops all three.
# Profiles: ASSURANCE_PROFILE=scale uses endpoints.scale.yml (PostgreSQL tracker
# store + Redis lock store); the default keeps conversations in memory.
set -euo pipefail
cd "$(dirname "$0")/.."

VENV=.venv
RASA_PORT="${RASA_PORT:-5005}"
ACTIONS_PORT="${ACTIONS_PORT:-5055}"
WEB_PORT="${WEB_PORT:-8080}"
MODEL="${MODEL:-models/assistant.tar.gz}"
ENDPOINTS=endpoints.yml
[ "${ASSURANCE_PROFILE:-}" = "scale" ] && ENDPOINTS=endpoints.scale.yml
CREDENTIALS="${CREDENTIALS:-credentials.yml}"
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
mkdir -p var/log

pids=()
stop() {
  trap - INT TERM EXIT
  echo; echo "Stopping the assistant..."
  for pid in "${pids[@]}"; do kill "$pid" 2>/dev/null || true; done
  wait 2>/dev/null || true
  echo "Stopped."
}
trap 'stop; exit 130' INT
trap 'stop; exit 143' TERM
trap stop EXIT

wait_for() {  # wait_for NAME URL SECONDS
  local name=$1 url=$2 limit=$3 i
  for ((i = 0; i < limit * 2; i++)); do
    if curl -fsS -o /dev/null "$url" 2>/dev/null; then echo "  $name is up ($url)"; return 0; fi
    sleep 0.5
  done
  echo "  $name did not come up within ${limit}s; see var/log/" >&2
  return 1
}

ACTIONS_UPSTREAM_PORT="${ACTIONS_UPSTREAM_PORT:-$((ACTIONS_PORT + 1))}"
echo "Starting the action server on :$ACTIONS_UPSTREAM_PORT behind the action gateway on :$ACTIONS_PORT ..."
supervise_actions() {  # restart the action server if it dies; the gateway answers meanwhile
  local child=
  trap '[ -n "$child" ] && kill "$child" 2>/dev/null; wait; exit 0' TERM
  while true; do
    $VENV/bin/rasa run actions --actions actions --port "$ACTIONS_UPSTREAM_PORT" >>var/log/actions.log 2>&1 &
    child=$!
    wait "$child" || true
    echo "$(date -Is) action server exited; restarting it" | tee -a var/log/actions.log >&2
    sleep 2
  done
}
supervise_actions &
pids+=($!)
# The gateway tells the customer when the action server is down (utter_service_down)
# instead of leaving them without a reply; docs/SCALEOUT.md.
$VENV/bin/python -m bot.scaleout.action_gateway --port "$ACTIONS_PORT" \
  --upstream "http://127.0.0.1:$ACTIONS_UPSTREAM_PORT" >var/log/action-gateway.log 2>&1 &
pids+=($!)
if [ "$ENDPOINTS" = endpoints.scale.yml ]; then
  # The scale profile reads its PostgreSQL/Redis settings from the environment.
  eval "$($VENV/bin/python -m bot.scaleout.env)"
fi
echo "Starting the Rasa server on :$RASA_PORT (REST and socket.io; HTTP API off) ..."
# bot.scaleout.serve is `rasa` plus the measured fixes of docs/PERFORMANCE.md.
$VENV/bin/python -m bot.scaleout.serve run --model "$MODEL" --endpoints "$ENDPOINTS" --credentials "$CREDENTIALS" \
  --port "$RASA_PORT" --cors "*" >var/log/rasa.log 2>&1 &
pids+=($!)
echo "Starting the support page on :$WEB_PORT ..."
$VENV/bin/python -m bot.web.serve --port "$WEB_PORT" --rasa-url "http://localhost:$RASA_PORT" \
  >var/log/web.log 2>&1 &
pids+=($!)

wait_for "action server" "http://localhost:$ACTIONS_UPSTREAM_PORT/health" 60
wait_for "action gateway" "http://localhost:$ACTIONS_PORT/health" 30
wait_for "Rasa server" "http://localhost:$RASA_PORT/" 120
wait_for "support page" "http://localhost:$WEB_PORT/" 30

cat <<EOF

The assistant is running.
  Support page with chat widget and demo login:  http://localhost:$WEB_PORT/
  FAQ page:                                       http://localhost:$WEB_PORT/faq.html
  REST channel (guest; add -H "Authorization: Bearer <token>" for an account):
                 curl -s localhost:$RASA_PORT/webhooks/rest/webhook -d '{"sender":"my-session-1","message":"hi"}'
  Terminal chat: .venv/bin/rasa shell --port 5007 (in another terminal, with this running for the
                 actions; you are a guest there: only the channels of this stack bind accounts)
Logs are in var/log/. Press Ctrl-C to stop.
EOF
wait -n "${pids[@]}" || true
echo "The Rasa server, the gateway or the support page exited; see var/log/." >&2
exit 1
