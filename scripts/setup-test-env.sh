#!/usr/bin/env bash
# Everything the test suite needs on the machine, beyond `npm ci`: a running Docker engine, the
# local NATS image the integration tests start through testcontainers, and the local Node base
# image the image test builds the MMS image on.
# Idempotent and quick when already done (about a second). Used by .ci/run and by developers:
#   bash scripts/setup-test-env.sh
#   export TESTCONTAINERS_HOST_OVERRIDE=localhost TESTCONTAINERS_RYUK_DISABLED=true
#   npm test
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"

bash "$here/setup-docker.sh"
bash "$here/build-nats-image.sh"
bash "$here/setup-promtool.sh"
# The Node 24 binary comes from node_modules/node: before the first `npm ci` (as in .ci/run)
# there is none yet, and the image test (apps/mms/test/integration/image.test.ts) builds the
# base itself through scripts/build-mms-image.sh.
if [ -x "$here/../node_modules/node/bin/node" ] || [ -n "${MMS_NODE_BINARY:-}" ]; then
  bash "$here/build-node-base-image.sh"
else
  echo "[setup-test-env] node_modules/node not installed yet: the image test builds mms-node-base:local after npm ci" >&2
fi
