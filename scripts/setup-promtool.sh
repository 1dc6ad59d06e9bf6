#!/usr/bin/env bash
# promtool, for the tests that lint a live /metrics scrape and unit-test the alert rules, and
# the prometheus server binary, which a test starts itself to run the Grafana dashboard's
# queries against a live scrape. Both come with Debian's `prometheus` package; the packaged
# daemon is not started. Idempotent.
set -euo pipefail
if command -v promtool >/dev/null 2>&1 && command -v prometheus >/dev/null 2>&1; then
  exit 0
fi
export DEBIAN_FRONTEND=noninteractive
# policy-rc.d keeps the package's service from starting where an init system would start it.
policy=/usr/sbin/policy-rc.d
created_policy=false
if [ ! -e "$policy" ]; then
  printf '#!/bin/sh\nexit 101\n' >"$policy"
  chmod +x "$policy"
  created_policy=true
fi
trap '[ "$created_policy" = true ] && rm -f "$policy"' EXIT
apt-get install -y --no-install-recommends prometheus >/dev/null ||
  { apt-get update >/dev/null && apt-get install -y --no-install-recommends prometheus >/dev/null; }
command -v promtool >/dev/null
command -v prometheus >/dev/null
