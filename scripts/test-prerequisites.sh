#!/usr/bin/env bash
# Make sure what the tests need is on the machine: PostgreSQL running and,
# unless --no-browser, Debian's chromium for the Playwright browser tests.
set -euo pipefail
if ! pg_isready -h 127.0.0.1 -p 5432 -q 2>/dev/null; then
  echo "PostgreSQL is down; starting it"
  pg_ctlcluster --skip-systemctl-redirect "$(ls /etc/postgresql | head -1)" main start
  for _ in $(seq 1 30); do pg_isready -h 127.0.0.1 -p 5432 -q && break; sleep 1; done
fi
if [[ "${1:-}" != "--no-browser" ]] && [[ ! -x /usr/bin/chromium ]]; then
  echo "Installing Debian's chromium for the browser tests"
  SUDO=""; [[ $(id -u) -eq 0 ]] || SUDO="sudo"
  $SUDO apt-get update -q
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -q chromium
fi
