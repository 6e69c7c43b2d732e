#!/usr/bin/env bash
# Print the path of a working Python 3.10 (Rasa 3.6 needs Python < 3.11).
# A pyenv shim named python3.10 may exist without that version being selected,
# so each candidate is actually run before it is chosen.
set -u
cands=("${PYTHON310:-}" python3.10)
if command -v pyenv >/dev/null 2>&1; then
  for d in "$(pyenv root)"/versions/3.10*/bin/python3.10; do cands+=("$d"); done
fi
cands+=(/root/.pyenv/versions/3.10*/bin/python3.10 /usr/local/bin/python3.10 /usr/bin/python3.10)
for c in "${cands[@]}"; do
  [ -n "$c" ] || continue
  if "$c" -c 'import sys; assert sys.version_info[:2] == (3, 10)' >/dev/null 2>&1; then
    command -v "$c" 2>/dev/null || echo "$c"; exit 0
  fi
done
echo "No working python3.10 found: install Python 3.10 (e.g. pyenv install 3.10.13)" >&2
exit 1
