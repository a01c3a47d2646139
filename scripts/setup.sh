#!/usr/bin/env bash
# Set up everything ftlib needs on a fresh Debian machine (root, Python 3.11): the Debian
# packages (Chromium and CJK fonts for the browser tests, chart export and PDFs, poppler-utils to
# read PDFs back in tests, nginx for the two-server test, PostgreSQL server
# binaries for the register tests) and a virtual environment with ftlib and its test extras.
# Idempotent: a second run only checks.
set -euo pipefail
cd "$(dirname "$0")/.."

need=()
for pkg in chromium fonts-noto-cjk poppler-utils nginx postgresql; do
  dpkg -s "$pkg" >/dev/null 2>&1 || need+=("$pkg")
done
if [ ${#need[@]} -gt 0 ]; then
  echo "setup: installing Debian packages: ${need[*]}"
  export DEBIAN_FRONTEND=noninteractive
  # Another apt run (unattended upgrades, a second setup) may hold the dpkg lock: wait for it
  # (up to 10 minutes) instead of failing at once.
  lock=(-o DPkg::Lock::Timeout=600)
  apt-get "${lock[@]}" update -qq
  apt-get "${lock[@]}" install -y -qq "${need[@]}" >/dev/null
fi

if [ ! -x .venv/bin/python ]; then
  python3 -m venv .venv
fi
stamp=.venv/.ftlib-installed
if [ ! -f "$stamp" ] || [ pyproject.toml -nt "$stamp" ]; then
  echo "setup: installing Python packages into .venv"
  .venv/bin/python -m pip install -q --upgrade pip
  .venv/bin/python -m pip install -q -e ".[test]"
  .venv/bin/python -m ipykernel install --sys-prefix --name python3 >/dev/null
  touch "$stamp"
fi
