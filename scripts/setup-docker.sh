#!/usr/bin/env bash
# Make a Docker engine answer on this machine, for the testcontainers-based integration tests.
# Idempotent: installs Debian's docker.io only when dockerd is missing, starts dockerd only
# when `docker info` fails. Exits non-zero with a message when it cannot.
#
# dockerd runs with --bridge=none --iptables=false: this machine has no bridge networking and
# no image registry, so containers run in host network mode on images built locally
# (see scripts/build-nats-image.sh).
set -euo pipefail

log() { echo "[setup-docker] $*" >&2; }
die() { log "ERROR: $*"; exit 1; }

DOCKERD_LOG="${DOCKERD_LOG:-/var/log/mms-dockerd.log}"
WAIT_SECONDS="${DOCKERD_WAIT_SECONDS:-60}"

as_root() {
  if [ "$(id -u)" -eq 0 ]; then "$@"; elif command -v sudo >/dev/null 2>&1; then sudo -n "$@"; else
    die "need root (or passwordless sudo) to run: $*"
  fi
}

if ! command -v dockerd >/dev/null 2>&1 || ! command -v docker >/dev/null 2>&1; then
  command -v apt-get >/dev/null 2>&1 || die "dockerd is missing and apt-get is not available to install docker.io"
  log "installing Debian package docker.io"
  as_root env DEBIAN_FRONTEND=noninteractive apt-get update -qq </dev/null >/dev/null \
    || die "apt-get update failed"
  as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends docker.io </dev/null >/dev/null \
    || die "apt-get install docker.io failed"
fi

if docker info >/dev/null 2>&1; then
  log "Docker engine already answers ($(docker version --format '{{.Server.Version}}' 2>/dev/null || echo '?'))"
  exit 0
fi

if pgrep -x dockerd >/dev/null 2>&1; then
  log "dockerd is running but does not answer yet; waiting for it"
else
  [ -w "$(dirname "$DOCKERD_LOG")" ] || DOCKERD_LOG=/tmp/mms-dockerd.log
  log "starting dockerd --bridge=none --iptables=false (log: $DOCKERD_LOG)"
  # setsid + nohup + stdin from /dev/null: the daemon outlives this script and holds none of
  # its pipes open, so a CI runner waiting on our stdout does not hang.
  as_root setsid nohup dockerd --bridge=none --iptables=false </dev/null >>"$DOCKERD_LOG" 2>&1 &
fi

for ((i = 0; i < WAIT_SECONDS; i++)); do
  if docker info >/dev/null 2>&1; then
    log "Docker engine answers after ${i}s ($(docker version --format '{{.Server.Version}}' 2>/dev/null || echo '?'))"
    exit 0
  fi
  sleep 1
done

log "last lines of $DOCKERD_LOG:"
tail -n 30 "$DOCKERD_LOG" >&2 2>/dev/null || true
die "Docker engine did not answer within ${WAIT_SECONDS}s"
