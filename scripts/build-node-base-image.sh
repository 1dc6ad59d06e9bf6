#!/usr/bin/env bash
# Build the local Node 24 base image the MMS image is built FROM here (default tag
# mms-node-base:local), in place of node:24-bookworm-slim: no image registry is reachable, so
# the image is made with `docker import` from a minimal root filesystem taken from this machine:
#   - the Node 24 binary (MMS_NODE_BINARY, else node_modules/node/bin/node, else `node` on the
#     PATH if it is version 24) as /usr/local/bin/node, where the node images have it;
#   - npm (the one `npm` on the PATH runs) as /usr/local/lib/node_modules/npm, linked from
#     /usr/local/bin/npm and npx, as in the node images;
#   - /bin/sh and the few tools the Dockerfile's build stages run (env, cp, rm, mkdir, cat, ls);
#   - every shared library `ldd` says those need, the CA bundle, /etc/passwd with root only
#     (the Dockerfile adds the service's uid 10001 itself, as it does on node:24-bookworm-slim),
#     a writable /tmp.
# Idempotent: rebuilds only when an input changed (their hashes are a label of the image);
# about a second when up to date. Always checks that the image runs node 24 and npm.
#   bash scripts/build-node-base-image.sh
#   docker build --network host --build-arg NODE_IMAGE=mms-node-base:local -f deploy/docker/Dockerfile .
set -euo pipefail

log() { echo "[build-node-base-image] $*" >&2; }
die() { log "ERROR: $*"; exit 1; }

here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
root="$(cd "$here/.." && pwd)"
IMAGE="${MMS_NODE_BASE_IMAGE:-mms-node-base:local}"
TOOLS=(sh env cp rm mkdir cat ls)

docker info >/dev/null 2>&1 || die "Docker engine does not answer: run scripts/setup-docker.sh first"

node_binary() {
  if [ -n "${MMS_NODE_BINARY:-}" ]; then echo "$MMS_NODE_BINARY"; return; fi
  if [ -x "$root/node_modules/node/bin/node" ]; then echo "$root/node_modules/node/bin/node"; return; fi
  command -v node || true
}
NODE_BIN="$(readlink -f "$(node_binary)" 2>/dev/null || true)"
[ -n "$NODE_BIN" ] && [ -x "$NODE_BIN" ] || die "no Node binary: run npm ci first (node_modules/node) or set MMS_NODE_BINARY"
NODE_VERSION="$("$NODE_BIN" --version)"
case "$NODE_VERSION" in v24.*) ;; *) die "$NODE_BIN is $NODE_VERSION, not Node 24 (set MMS_NODE_BINARY)" ;; esac

NPM_CLI="$(readlink -f "$(command -v npm)" 2>/dev/null || true)"
[ -n "$NPM_CLI" ] || die "npm is not on the PATH"
NPM_DIR="$(cd "$(dirname "$NPM_CLI")/.." && pwd)"
[ -f "$NPM_DIR/package.json" ] && [ -f "$NPM_DIR/bin/npm-cli.js" ] || die "cannot find npm's package next to $NPM_CLI"
NPM_VERSION="$("$NODE_BIN" "$NPM_DIR/bin/npm-cli.js" --version)"

CA_BUNDLE=/etc/ssl/certs/ca-certificates.crt
tool_paths=()
for tool in "${TOOLS[@]}"; do
  path="$(command -v "$tool")" || die "$tool is not on this machine"
  tool_paths+=("$(readlink -f "$path")")
done

# What the image is made of: a change to any of it (or to this script) rebuilds it.
INPUTS_SHA="$({
  sha256sum "$NODE_BIN" "${tool_paths[@]}" "${BASH_SOURCE[0]}"
  [ -f "$CA_BUNDLE" ] && sha256sum "$CA_BUNDLE"
  echo "npm $NPM_VERSION"
} | sha256sum | cut -d' ' -f1)"
CURRENT_SHA="$(docker image inspect --format '{{ index .Config.Labels "mms.node-base.sha256" }}' "$IMAGE" 2>/dev/null || true)"

if [ "$CURRENT_SHA" = "$INPUTS_SHA" ]; then
  log "$IMAGE is up to date (node $NODE_VERSION, npm $NPM_VERSION)"
else
  started=$SECONDS
  log "building $IMAGE (node $NODE_VERSION from $NODE_BIN, npm $NPM_VERSION from $NPM_DIR)"
  ROOTFS="$(mktemp -d)"
  trap 'rm -rf "$ROOTFS"' EXIT
  mkdir -p "$ROOTFS"/{tmp,root,etc/ssl/certs,bin,usr/bin,usr/local/bin,usr/local/lib/node_modules}
  chmod 1777 "$ROOTFS/tmp"
  chmod 700 "$ROOTFS/root"

  cp "$NODE_BIN" "$ROOTFS/usr/local/bin/node"
  cp -a "$NPM_DIR" "$ROOTFS/usr/local/lib/node_modules/npm"
  ln -s ../lib/node_modules/npm/bin/npm-cli.js "$ROOTFS/usr/local/bin/npm"
  ln -s ../lib/node_modules/npm/bin/npx-cli.js "$ROOTFS/usr/local/bin/npx"
  # The tools at the paths scripts expect: /bin/sh (shell-form RUN), /usr/bin/env (npm's #!).
  for i in "${!TOOLS[@]}"; do
    case "${TOOLS[$i]}" in sh) target=/bin/sh ;; env) target=/usr/bin/env ;; *) target="/bin/${TOOLS[$i]}" ;; esac
    cp "${tool_paths[$i]}" "$ROOTFS$target"
  done
  # Every shared library ldd names, at the same path, symlinks resolved.
  for binary in "$NODE_BIN" "${tool_paths[@]}"; do
    ldd "$binary" >/dev/null 2>&1 || continue
    for lib in $(ldd "$binary" | grep -oE '/[^ ]+' | sort -u); do
      mkdir -p "$ROOTFS$(dirname "$lib")"
      cp -L "$lib" "$ROOTFS$lib"
    done
  done
  [ -f "$CA_BUNDLE" ] && cp -L "$CA_BUNDLE" "$ROOTFS$CA_BUNDLE"
  echo "root:x:0:0:root:/root:/bin/sh" >"$ROOTFS/etc/passwd"
  echo "root:x:0:" >"$ROOTFS/etc/group"

  previous="$(docker image inspect --format '{{.Id}}' "$IMAGE" 2>/dev/null || true)"
  tar -C "$ROOTFS" -c . | docker import \
    --change 'ENV PATH=/usr/local/bin:/usr/bin:/bin' \
    --change "ENV NODE_VERSION=${NODE_VERSION#v}" \
    --change 'CMD ["node"]' \
    --change "LABEL mms.node-base.sha256=$INPUTS_SHA" \
    --message "Node $NODE_VERSION and npm $NPM_VERSION from this machine, imported for the mms image build" \
    - "$IMAGE" >/dev/null
  rm -rf "$ROOTFS"
  trap - EXIT
  # The replaced image, unless an image built on it still uses it.
  current="$(docker image inspect --format '{{.Id}}' "$IMAGE")"
  [ -z "$previous" ] || [ "$previous" = "$current" ] || docker rmi "$previous" >/dev/null 2>&1 || true
  log "built $IMAGE in $((SECONDS - started))s"
fi

# Smoke test: node 24 and npm run, and /bin/sh does (the Dockerfile's shell-form RUN).
got="$(docker run --rm --network none "$IMAGE" sh -c 'node --version && npm --version')" \
  || die "$IMAGE does not run node and npm"
[ "$(echo "$got" | head -n1)" = "$NODE_VERSION" ] || die "$IMAGE runs node $(echo "$got" | head -n1), expected $NODE_VERSION"
log "smoke test passed: $IMAGE runs node $NODE_VERSION and npm $(echo "$got" | tail -n1)"
