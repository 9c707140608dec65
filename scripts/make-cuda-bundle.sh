#!/usr/bin/env bash
# Prepares, on a machine with .NET, everything a CUDA machine without .NET or network needs to run
# scripts/device/cuda-proof.sh, in one git-ignored folder under 64 MiB:
#
#   scripts/make-cuda-bundle.sh TORCHSHARP_CHECKOUT [OUT_DIR]      (OUT_DIR default: artifacts/cuda-bundle)
#
#   TORCHSHARP_CHECKOUT  a checkout of https://github.com/dotnet/TorchSharp at the 0.107.0 release (its
#                        build/BranchInfo.props says 0.107.0; the release is commit c20b6a1c, "Update release notes
#                        (#1565)"). Only the LibTorchSharp sources are copied; they are build inputs, never committed.
#
# The bundle holds:
#   pgx-linux-x64.tar.xz   pgx published self-contained for linux-x64 without TorchSharp-cpu's natives: it loads the
#                          libtorch that Torch:NativeDirectory points at (no .NET needed on the device)
#   torchsharp-native/     LibTorchSharp 0.107.0's sources (+ TorchSharp's licence), for
#                          scripts/build-libtorchsharp.sh --source
#   qwen3-tokenizer.tar.xz the real Qwen3 tokenizer files (from the npm test fixtures), for the parity model
#   MANIFEST.json          what each file is, its size and sha256, and the commits it came from
set -euo pipefail
ROOT=$(cd "$(dirname "$0")/.." && pwd)
CHECKOUT=${1:?usage: scripts/make-cuda-bundle.sh TORCHSHARP_CHECKOUT [OUT_DIR]}
OUT=${2:-$ROOT/artifacts/cuda-bundle}
LIMIT=$((64 * 1024 * 1024))
TORCHSHARP_VERSION=0.107.0

NATIVE="$CHECKOUT/src/Native"
[ -d "$NATIVE/LibTorchSharp" ] || { echo "$CHECKOUT is not a TorchSharp checkout (no src/Native/LibTorchSharp)." >&2; exit 2; }
FOUND=$(sed -n 's:.*<\(Major\|Minor\|Patch\)Version>\([0-9]*\)<.*:\2:p' "$CHECKOUT/build/BranchInfo.props" 2>/dev/null | paste -sd.)
[ "$FOUND" = "$TORCHSHARP_VERSION" ] ||
  { echo "$CHECKOUT is TorchSharp '${FOUND:-unknown}', not $TORCHSHARP_VERSION (check out the 0.107.0 release)." >&2; exit 2; }
COMMIT=$(git -C "$CHECKOUT" rev-parse HEAD 2>/dev/null || echo unknown)
TOKENIZER="$ROOT/tests/fixtures/tokenizers/qwen3"
[ -f "$TOKENIZER/tokenizer.json" ] || { echo "No Qwen3 tokenizer in $TOKENIZER; run scripts/setup-test-fixtures.sh first." >&2; exit 2; }

rm -rf "$OUT"
mkdir -p "$OUT/torchsharp-native"
cp -r "$NATIVE/LibTorchSharp" "$NATIVE/Stdafx.h" "$NATIVE/UnixSal.h" "$OUT/torchsharp-native/"
cp "$CHECKOUT/LICENSE.txt" "$OUT/torchsharp-native/LICENSE.txt"
echo "$TORCHSHARP_VERSION" > "$OUT/torchsharp-native/torchsharp-version"
tar -C "$TOKENIZER/.." --transform 's:^qwen3/:qwen3-tokenizer/:' -cf - qwen3/tokenizer.json qwen3/tokenizer_config.json |
  xz -9 > "$OUT/qwen3-tokenizer.tar.xz"

PUBLISH=$(mktemp -d)
trap 'rm -rf "$PUBLISH"' EXIT
echo "Publishing pgx (Release, linux-x64, self-contained, without TorchSharp-cpu's natives) ..."
dotnet publish "$ROOT/src/PgxStudio" -c Release -r linux-x64 --self-contained -p:TorchNatives=false \
  -o "$PUBLISH/pgx" -v q -nologo -clp:ErrorsOnly
if find "$PUBLISH/pgx" -name 'libtorch*.so*' -o -name 'libLibTorchSharp.so' | grep -q .; then
  echo "The publish still holds TorchSharp natives; -p:TorchNatives=false did not apply." >&2; exit 1
fi
tar -C "$PUBLISH" -cf - pgx | xz -T0 -9 > "$OUT/pgx-linux-x64.tar.xz"

# The repository's own files travel with the bundle and count against the same 64 MiB.
TREE=$(git -C "$ROOT" ls-files -co --exclude-standard -z | (cd "$ROOT" && du --files0-from=- -cb) | tail -1 | cut -f1)
python3 - "$OUT" "$COMMIT" "$(git -C "$ROOT" rev-parse HEAD)" "$((LIMIT - TREE))" <<'PY'
import hashlib, json, os, sys, time
out, torchsharp_commit, pgx_commit, limit = sys.argv[1], sys.argv[2], sys.argv[3], int(sys.argv[4])
files = {}
for folder, _, names in os.walk(out):
    for name in sorted(names):
        path = os.path.join(folder, name)
        data = open(path, "rb").read()
        files[os.path.relpath(path, out)] = {"bytes": len(data), "sha256": hashlib.sha256(data).hexdigest()}
total = sum(f["bytes"] for f in files.values())
manifest = {
    "created": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime()),
    "pgx_commit": pgx_commit,
    "torchsharp_version": "0.107.0", "torchsharp_commit": torchsharp_commit,
    "pgx": "pgx-linux-x64.tar.xz: dotnet publish -c Release -r linux-x64 --self-contained -p:TorchNatives=false",
    "total_bytes": total, "limit_bytes": limit, "files": files,
}
json.dump(manifest, open(os.path.join(out, "MANIFEST.json"), "w"), indent=1)
print(f"{out}: {len(files)} files, {total / 2**20:.1f} MiB of the {limit / 2**20:.1f} MiB the repository leaves")
if total > limit:
    sys.exit(f"The bundle is {total / 2**20:.1f} MiB, over the {limit / 2**20:.1f} MiB a device run can carry beside the repository.")
PY
echo "Carry it to the device with the repository: scripts/device/cuda-proof.sh (carry: artifacts/cuda-bundle)."
