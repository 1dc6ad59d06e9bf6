#!/usr/bin/env bash
# Everything the test suite needs on the machine, beyond `npm ci`: a running Docker engine and
# the local NATS image the integration tests start through testcontainers.
# Idempotent and quick when already done (about a second). Used by .ci/run and by developers:
#   bash scripts/setup-test-env.sh
#   export TESTCONTAINERS_HOST_OVERRIDE=localhost TESTCONTAINERS_RYUK_DISABLED=true
#   npm test
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"

bash "$here/setup-docker.sh"
bash "$here/build-nats-image.sh"
bash "$here/setup-promtool.sh"
