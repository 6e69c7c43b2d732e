#!/usr/bin/env bash
# Create and train the stock `rasa init` assistant that scripts/bench.py compares
# against. Output goes to var/bench/stock (never committed). Idempotent: an existing
# trained stock project is kept. Prints the training wall time in seconds.
set -euo pipefail
cd "$(dirname "$0")/../.."
DIR="${STOCK_DIR:-var/bench/stock}"
RASA="${RASA:-.venv/bin/rasa}"
if ls "$DIR"/models/*.tar.gz >/dev/null 2>&1; then
  echo "stock assistant already trained in $DIR"; exit 0
fi
mkdir -p "$DIR"
export TF_CPP_MIN_LOG_LEVEL="${TF_CPP_MIN_LOG_LEVEL:-2}"
export SQLALCHEMY_SILENCE_UBER_WARNING=1
export RASA_TELEMETRY_ENABLED=false  # no network here; never turn telemetry on for the user
start=$(date +%s.%N)
# `rasa init --no-prompt` writes the stock project and trains it (no shell started).
"$RASA" init --no-prompt --init-dir "$DIR" >"$DIR.init.log" 2>&1 || { tail -30 "$DIR.init.log" >&2; exit 1; }
end=$(date +%s.%N)
ls "$DIR"/models/*.tar.gz >/dev/null
python3 -c "print(f'stock training took {($end - $start):.1f} s')" 2>/dev/null || echo "stock trained"
