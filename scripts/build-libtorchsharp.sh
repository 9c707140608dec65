#!/usr/bin/env bash
# Builds TorchSharp 0.107.0's native half (libLibTorchSharp.so) against the CUDA libtorch of this machine's
# PyTorch, for machines no TorchSharp package serves: the GB10 (aarch64 + Blackwell, CUDA 13).
#
#   scripts/build-libtorchsharp.sh [OUTPUT_DIR]        (default: ~/.local/share/pgx-studio/libtorch-cuda)
#
# Needs: git, cmake >= 3.18, g++, the CUDA toolkit (nvcc on PATH or /usr/local/cuda), and a Python whose torch
# is a CUDA build (the NVIDIA PyTorch container, or the cu130 aarch64 wheel in a venv: pip install torch
# --index-url https://download.pytorch.org/whl/cu130). Set PYTHON=/path/to/python to pick one.
# Then point the studio at the result: "Torch": { "NativeDirectory": "<OUTPUT_DIR>" } in appsettings.json.
set -euo pipefail

TORCHSHARP_TAG=v0.107.0
OUT=${1:-$HOME/.local/share/pgx-studio/libtorch-cuda}
PYTHON=${PYTHON:-python3}
WORK=$(mktemp -d)
trap 'rm -rf "$WORK"' EXIT

read -r TORCH_DIR TORCH_VERSION CUDA_VERSION CXX11_ABI < <("$PYTHON" - <<'PY'
import os, torch
print(os.path.dirname(torch.__file__), torch.__version__, torch.version.cuda or "none", int(torch._C._GLIBCXX_USE_CXX11_ABI))
PY
)
echo "PyTorch $TORCH_VERSION (CUDA $CUDA_VERSION, C++11 ABI $CXX11_ABI) at $TORCH_DIR"
if [ "$CUDA_VERSION" = "none" ]; then
  echo "This PyTorch has no CUDA; install a CUDA build first (see the header of this script)." >&2
  exit 2
fi
# TorchSharp 0.107 was written against libtorch 2.10; other versions may need source changes.
case "$TORCH_VERSION" in 2.10.*|2.11.*) ;; *) echo "warning: TorchSharp $TORCHSHARP_TAG targets libtorch 2.10; you have $TORCH_VERSION." >&2 ;; esac

git clone --quiet --depth 1 --branch "$TORCHSHARP_TAG" https://github.com/dotnet/TorchSharp.git "$WORK/TorchSharp"
NATIVE="$WORK/TorchSharp/src/Native"
# Match the C++ ABI of the libtorch we link (pip wheels since 2.7 use the C++11 ABI; TorchSharp's tree pins 0),
# and do not fail the build on warnings from a newer compiler.
sed -i "s/-D_GLIBCXX_USE_CXX11_ABI=0/-D_GLIBCXX_USE_CXX11_ABI=$CXX11_ABI/; s/add_definitions(-Werror)//" "$NATIVE/CMakeLists.txt"
# The tree expects a generated version header two levels above the build folder.
mkdir -p "$WORK/obj/build/native"
echo '#define VER_FILEVERSION_STR "0.107.0"' > "$WORK/obj/_version.h"

cmake -S "$NATIVE" -B "$WORK/obj/build/native" -DCMAKE_BUILD_TYPE=Release \
  -DCMAKE_PREFIX_PATH="$TORCH_DIR/share/cmake" -DLIBTORCH_PATH="$TORCH_DIR/share/cmake/Torch" >/dev/null
cmake --build "$WORK/obj/build/native" --target LibTorchSharp -j "$(nproc)"

mkdir -p "$OUT"
cp "$(find "$WORK/obj/build/native" -name 'libLibTorchSharp.so' | head -1)" "$OUT/"
# The libtorch it was built against travels with it, so the studio loads exactly that pair.
cp -P "$TORCH_DIR"/lib/*.so* "$OUT/"
echo "$TORCH_VERSION" > "$OUT/build-version"
echo "Built $OUT/libLibTorchSharp.so against PyTorch $TORCH_VERSION."
echo "Set in appsettings.json:  \"Torch\": { \"NativeDirectory\": \"$OUT\", \"Device\": \"cuda\" }"
echo "Check with:               dotnet src/PgxStudio/bin/Release/net10.0/pgx.dll env"
