#!/usr/bin/env bash
# Build the local NATS image the integration tests run (default tag mms-nats:local).
# No image registry is reachable here, so the image is made with `docker import` from
# Debian's nats-server binary and the shared libraries `ldd` says it needs.
# Idempotent: installs nats-server only when missing, builds only when the image is missing
# or was built from a different binary; always smoke-tests that the image starts in host
# network mode and logs "Server is ready".
set -euo pipefail

log() { echo "[build-nats-image] $*" >&2; }
die() { log "ERROR: $*"; exit 1; }

IMAGE="${MMS_NATS_LOCAL_IMAGE:-mms-nats:local}"
NATS_BIN=/usr/sbin/nats-server

as_root() {
  if [ "$(id -u)" -eq 0 ]; then "$@"; elif command -v sudo >/dev/null 2>&1; then sudo -n "$@"; else
    die "need root (or passwordless sudo) to run: $*"
  fi
}

docker info >/dev/null 2>&1 || die "Docker engine does not answer: run scripts/setup-docker.sh first"

if [ ! -x "$NATS_BIN" ]; then
  command -v apt-get >/dev/null 2>&1 || die "$NATS_BIN is missing and apt-get is not available"
  log "installing Debian package nats-server"
  as_root env DEBIAN_FRONTEND=noninteractive apt-get update -qq </dev/null >/dev/null || die "apt-get update failed"
  as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends nats-server </dev/null >/dev/null \
    || die "apt-get install nats-server failed"
  [ -x "$NATS_BIN" ] || die "nats-server installed but $NATS_BIN is missing"
  # Debian's package starts a system nats-server on 127.0.0.1:4222 where it can; the tests
  # never use that one (they pick their own free port).
fi

BIN_SHA="$(sha256sum "$NATS_BIN" | cut -d' ' -f1)"
CURRENT_SHA="$(docker image inspect --format '{{ index .Config.Labels "mms.nats.sha256" }}' "$IMAGE" 2>/dev/null || true)"

if [ "$CURRENT_SHA" = "$BIN_SHA" ]; then
  log "$IMAGE is up to date ($("$NATS_BIN" --version))"
else
  log "building $IMAGE from $NATS_BIN ($("$NATS_BIN" --version))"
  ROOTFS="$(mktemp -d)"
  trap 'rm -rf "$ROOTFS"' EXIT
  mkdir -p "$ROOTFS/tmp" "$ROOTFS/data" "$ROOTFS/etc"
  chmod 1777 "$ROOTFS/tmp"
  cp "$NATS_BIN" "$ROOTFS/nats-server"
  # Copy every shared library ldd names (none if the binary is static), at the same path,
  # symlinks resolved.
  if ldd "$NATS_BIN" >/dev/null 2>&1; then
    for lib in $(ldd "$NATS_BIN" | grep -oE '/[^ ]+' | sort -u); do
      mkdir -p "$ROOTFS$(dirname "$lib")"
      cp -L "$lib" "$ROOTFS$lib"
    done
  fi
  echo "root:x:0:0:root:/:/nats-server" >"$ROOTFS/etc/passwd"
  tar -C "$ROOTFS" -c . | docker import \
    --change 'ENTRYPOINT ["/nats-server"]' \
    --change 'CMD ["-a", "127.0.0.1", "-p", "4223", "-js", "-sd", "/data"]' \
    --change "LABEL mms.nats.sha256=$BIN_SHA" \
    --message "nats-server from Debian, imported for mms integration tests" \
    - "$IMAGE" >/dev/null
  rm -rf "$ROOTFS"
  trap - EXIT
  log "built $IMAGE"
fi

# Smoke test: host network, random free port (-p -1), JetStream on; must log "Server is ready".
NAME="mms-nats-smoke-$$"
trap 'docker rm -f "$NAME" >/dev/null 2>&1 || true' EXIT
docker run -d --name "$NAME" --network host "$IMAGE" -a 127.0.0.1 -p -1 -js -sd /data >/dev/null
for ((i = 0; i < 100; i++)); do
  if docker logs "$NAME" 2>&1 | grep -q "Server is ready"; then
    log "smoke test passed: $IMAGE starts with --network host and reports \"Server is ready\""
    exit 0
  fi
  [ "$(docker inspect --format '{{.State.Running}}' "$NAME")" = "true" ] || break
  sleep 0.2
done
docker logs "$NAME" >&2 2>&1 || true
die "$IMAGE did not report \"Server is ready\""
