#!/usr/bin/env bash
# Builds TorchSharp 0.107.0's native half (libLibTorchSharp.so) against the libtorch of this machine's PyTorch, for
# machines no TorchSharp package serves: the GB10 (aarch64 + Blackwell, CUDA 13), or any other CUDA machine.
#
#   scripts/build-libtorchsharp.sh [--source DIR] [--allow-cpu] [OUTPUT_DIR]
#
#   OUTPUT_DIR    where libLibTorchSharp.so goes (default: ~/.local/share/pgx-studio/libtorch-cuda)
#   --source DIR  TorchSharp 0.107.0's native sources already on disk: a TorchSharp checkout (commit c20b6a1c), its
#                 src/Native folder, or the copy in a bundle from scripts/make-cuda-bundle.sh. Nothing is downloaded
#                 then. Without it the sources are cloned from GitHub (needs git and the network).
#   --allow-cpu   also build against a PyTorch without CUDA (to check the build itself on a CPU-only machine)
#
# Needs: g++ with C++17, and a Python whose torch is the build to run on (the NVIDIA PyTorch container, or the cu130
# wheel in a venv: pip install torch --index-url https://download.pytorch.org/whl/cu130). PYTHON=/path/to/python picks
# one. No CMake and no CUDA toolkit: LibTorchSharp reaches CUDA only through libtorch, so it compiles against torch's
# headers and links torch's libraries the way TorchSharp's own CMake build does. JOBS=N limits parallel compiles.
#
# The library records where that libtorch lives (RUNPATH), so it loads exactly the libtorch it was built against,
# from its own folder (a pip wheel's libraries find their CUDA libraries relative to where they are installed).
# Then point the studio at the result: "Torch": { "NativeDirectory": "<OUTPUT_DIR>" } in appsettings.json.
set -euo pipefail

TORCHSHARP_VERSION=0.107.0
TORCHSHARP_COMMIT=c20b6a1cc574d690707638a488d2583f3b8b983f
SOURCE=""
ALLOW_CPU=0
OUT=""
while [ $# -gt 0 ]; do
  case "$1" in
    --source) SOURCE=${2:?--source needs a folder}; shift 2 ;;
    --allow-cpu) ALLOW_CPU=1; shift ;;
    -h|--help) sed -n '2,21p' "$0"; exit 0 ;;
    -*) echo "Unknown option $1 (see --help)." >&2; exit 2 ;;
    *) OUT=$1; shift ;;
  esac
done
OUT=${OUT:-$HOME/.local/share/pgx-studio/libtorch-cuda}
PYTHON=${PYTHON:-python3}
JOBS=${JOBS:-$(nproc)}
CXX=${CXX:-g++}
CC=${CC:-gcc}
command -v "$CXX" >/dev/null || { echo "No C++ compiler ($CXX): install g++ (build-essential) first." >&2; exit 2; }
command -v "$CC" >/dev/null || { echo "No C compiler ($CC): install gcc (build-essential) first." >&2; exit 2; }
command -v "$PYTHON" >/dev/null || { echo "No $PYTHON: set PYTHON=/path/to/python (the one whose torch to build against)." >&2; exit 2; }

read -r TORCH_DIR TORCH_VERSION CUDA_VERSION CXX11_ABI < <("$PYTHON" - <<'PY'
import os, torch
print(os.path.dirname(torch.__file__), torch.__version__, torch.version.cuda or "none", int(torch._C._GLIBCXX_USE_CXX11_ABI))
PY
)
echo "PyTorch $TORCH_VERSION (CUDA $CUDA_VERSION, C++11 ABI $CXX11_ABI) at $TORCH_DIR"
if [ "$CUDA_VERSION" = "none" ] && [ "$ALLOW_CPU" != 1 ]; then
  echo "This PyTorch has no CUDA; install a CUDA build first (see the header of this script), or pass --allow-cpu." >&2
  exit 2
fi
# TorchSharp 0.107 was written against libtorch 2.10; other versions may need source changes.
case "$TORCH_VERSION" in 2.10.*|2.11.*) ;; *) echo "warning: TorchSharp $TORCHSHARP_VERSION targets libtorch 2.10; you have $TORCH_VERSION." >&2 ;; esac
for dir in "$TORCH_DIR/include/torch/csrc/api/include" "$TORCH_DIR/lib"; do
  [ -d "$dir" ] || { echo "$dir is missing: this torch install has no C++ headers/libraries (Debian: apt-get install libtorch-dev)." >&2; exit 2; }
done

WORK=$(mktemp -d)
trap 'rm -rf "$WORK"' EXIT
if [ -z "$SOURCE" ]; then
  # The 0.107.0 release by commit (its release-notes commit; its exported functions match the NuGet package's).
  git init --quiet "$WORK/TorchSharp"
  git -C "$WORK/TorchSharp" fetch --quiet --depth 1 https://github.com/dotnet/TorchSharp.git "$TORCHSHARP_COMMIT"
  git -C "$WORK/TorchSharp" checkout --quiet FETCH_HEAD
  SOURCE="$WORK/TorchSharp"
fi
if [ -d "$SOURCE/src/Native/LibTorchSharp" ]; then NATIVE="$SOURCE/src/Native"
elif [ -d "$SOURCE/LibTorchSharp" ]; then NATIVE="$SOURCE"
else echo "$SOURCE holds no LibTorchSharp sources (expected src/Native/LibTorchSharp or LibTorchSharp/ inside it)." >&2; exit 2
fi
NATIVE=$(cd "$NATIVE" && pwd)
# The version of these sources: a bundle's copy carries it in torchsharp-version, a checkout in build/BranchInfo.props.
if [ -f "$NATIVE/torchsharp-version" ]; then FOUND=$(cat "$NATIVE/torchsharp-version")
elif [ -f "$NATIVE/../../build/BranchInfo.props" ]; then
  FOUND=$(sed -n 's:.*<\(Major\|Minor\|Patch\)Version>\([0-9]*\)<.*:\2:p' "$NATIVE/../../build/BranchInfo.props" | paste -sd.)
else FOUND=unknown
fi
[ "$FOUND" = "$TORCHSHARP_VERSION" ] ||
  echo "warning: these are TorchSharp $FOUND sources; pgx uses TorchSharp $TORCHSHARP_VERSION, whose calls must match them." >&2
echo "LibTorchSharp sources (TorchSharp $FOUND): $NATIVE/LibTorchSharp"

# TorchSharp's CMake flags on Linux, less -Werror (a newer compiler's warnings in torch's headers are not our failure),
# with the C++ ABI of the libtorch we link.
COMMON=(-O2 -DNDEBUG -fPIC -fvisibility=hidden -fstack-protector-strong -D__LINUX__ -D_NO_ASYNCRTIMP -D_NO_PPLXIMP
  "-D_GLIBCXX_USE_CXX11_ABI=$CXX11_ABI" -I "$NATIVE" -I "$TORCH_DIR/include" -I "$TORCH_DIR/include/torch/csrc/api/include")
mkdir -p "$WORK/obj"
compile() {  # one source file -> one object; its own log, so parallel errors do not interleave
  local src=$1 obj="$WORK/obj/$(basename "$1").o"
  if [[ $src == *.c ]]; then "$CC" "${COMMON[@]}" -c "$src" -o "$obj" 2>"$obj.log"
  else "$CXX" -std=c++17 -Wno-unused-local-typedefs "${COMMON[@]}" -c "$src" -o "$obj" 2>"$obj.log"
  fi || { echo "failed: $(basename "$src")"; return 255; }  # 255: xargs starts no further compiles
  echo "compiled: $(basename "$src")"
}
export -f compile
export CC CXX WORK
export COMMON_FLAGS="${COMMON[*]@Q}"
# The files TorchSharp's CMakeLists.txt compiles (the folder also holds sources it no longer builds).
SOURCES=$(sed -n '/set(SOURCES/,/)/p' "$NATIVE/LibTorchSharp/CMakeLists.txt" | grep -oE '[A-Za-z0-9_]+\.(cpp|c)\b' | sed "s:^:$NATIVE/LibTorchSharp/:")
[ -n "$SOURCES" ] || { echo "$NATIVE/LibTorchSharp/CMakeLists.txt lists no sources." >&2; exit 2; }
echo "Compiling $(echo "$SOURCES" | wc -l) files with $JOBS jobs ..."
STARTED=$(date +%s)
if ! echo "$SOURCES" | xargs -P "$JOBS" -I{} bash -c 'eval "COMMON=($COMMON_FLAGS)"; compile "$1"' _ {}; then
  for log in "$WORK"/obj/*.log; do
    [ -f "${log%.log}" ] && continue
    echo "--- $(basename "${log%.o.log}"): first errors" >&2
    grep -m 8 -E 'error|Error' "$log" >&2 || tail -n 8 "$log" >&2
  done
  echo "Compiling LibTorchSharp against PyTorch $TORCH_VERSION failed (errors above)." >&2
  exit 1
fi

LIBS=(-ltorch -ltorch_cpu -lc10)
for cuda_lib in torch_cuda c10_cuda; do [ -e "$TORCH_DIR/lib/lib$cuda_lib.so" ] && LIBS+=("-l$cuda_lib"); done
mkdir -p "$OUT"
# --no-as-needed keeps libtorch_cuda a dependency although no symbol of it is used: loading it registers CUDA with libtorch.
"$CXX" -shared -o "$WORK/libLibTorchSharp.so" "$WORK"/obj/*.o -Wl,-soname,libLibTorchSharp.so \
  -Wl,-Bsymbolic -Wl,-Bsymbolic-functions -Wl,--build-id=sha1 \
  -L "$TORCH_DIR/lib" -Wl,-rpath,"$TORCH_DIR/lib" -Wl,--no-as-needed "${LIBS[@]}" -Wl,--as-needed
cp "$WORK/libLibTorchSharp.so" "$OUT/libLibTorchSharp.so"
echo "$TORCH_VERSION" > "$OUT/build-version"
cat > "$OUT/build-info" <<EOF
torchsharp_sources=$FOUND
torch_version=$TORCH_VERSION
torch_cuda=$CUDA_VERSION
torch_lib=$TORCH_DIR/lib
compiler=$("$CXX" --version | head -1)
build_seconds=$(( $(date +%s) - STARTED ))
EOF

# Load it the way the studio will (every symbol resolved now) and ask it what libtorch sees.
"$PYTHON" - "$OUT/libLibTorchSharp.so" <<'PY'
import ctypes, sys
lib = ctypes.CDLL(sys.argv[1], mode=ctypes.RTLD_GLOBAL | 2)  # RTLD_NOW: an unresolved symbol fails here, not later
lib.THSTorchCuda_is_available.restype = ctypes.c_bool
lib.THSTorchCuda_device_count.restype = ctypes.c_int
print(f"Loaded {sys.argv[1]}: CUDA available {lib.THSTorchCuda_is_available()}, devices {lib.THSTorchCuda_device_count()}")
PY
echo "Built $OUT/libLibTorchSharp.so against PyTorch $TORCH_VERSION in $(( $(date +%s) - STARTED )) s."
echo "Set in appsettings.json:  \"Torch\": { \"NativeDirectory\": \"$OUT\", \"Device\": \"cuda\" }"
echo "Check with:               dotnet src/PgxStudio/bin/Release/net10.0/pgx.dll env"
