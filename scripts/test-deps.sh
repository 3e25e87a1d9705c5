#!/usr/bin/env bash
# What the test suite needs besides Python packages and the Claude Code CLI, installed when
# missing (Debian packages; run as root, as CI does, or with the packages already there):
#   - redis-server and postgresql: tests/team starts its own servers on loopback ports;
#   - chromium: the dashboard's tests drive it headless through Playwright;
#   - the real local model of tests/localmodel (scripts/local-model.sh).
# The tests start and stop every service themselves. Usage: . .venv/bin/activate && scripts/test-deps.sh
set -euo pipefail
cd "$(dirname "$0")/.."

missing=()
command -v redis-server >/dev/null || missing+=(redis-server)
ls /usr/lib/postgresql/*/bin/initdb >/dev/null 2>&1 || missing+=(postgresql)
[ -x /usr/bin/chromium ] || missing+=(chromium)
if [ ${#missing[@]} -gt 0 ]; then
  echo "test-deps: installing ${missing[*]} (Debian packages)" >&2
  apt-get update -q && apt-get install -y -q "${missing[@]}"
fi

scripts/local-model.sh
