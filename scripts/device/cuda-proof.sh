#!/usr/bin/env bash
# The CUDA path proven on a GPU machine that has PyTorch (+ transformers, peft) but no .NET and no network, in one
# command of under 9 minutes: build LibTorchSharp 0.107.0 against that PyTorch, `pgx env` on CUDA, logits and greedy
# tokens of pgx against transformers on a random bf16 Qwen3 with the real Qwen3 tokenizer, and `pgx bench train`
# (LoRA, bf16) against transformers + PEFT doing the same steps on the same GPU. Results land under $OUT, summary.md
# first; a failed step is recorded there and the others still run.
#
#   here (with .NET):  scripts/make-cuda-bundle.sh /path/to/TorchSharp-0.107.0     -> artifacts/cuda-bundle (< 64 MiB)
#   on the device:     OUT=/results bash scripts/device/cuda-proof.sh              (artifacts/cuda-bundle carried along)
#
# Knobs: SHAPES="qwen3-0.6b qwen3-4b" (pgx bench shapes), SEQ=1024, STEPS=8, RANK=8, PYTHON=python3, BUDGET=510 (s).
set -uo pipefail
ROOT=$(cd "$(dirname "$0")/../.." && pwd)
cd "$ROOT"
OUT=${OUT:?set OUT to the folder for the results}
BUNDLE=${BUNDLE:-$ROOT/artifacts/cuda-bundle}
WORK=${WORK:-$(mktemp -d /tmp/pgx-cuda-proof.XXXX)}
SHAPES=${SHAPES:-qwen3-0.6b qwen3-4b}
SEQ=${SEQ:-1024}
STEPS=${STEPS:-8}
RANK=${RANK:-8}
PYTHON=${PYTHON:-python3}
BUDGET=${BUDGET:-510}
PROMPT='PGX Studio fine-tunes Qwen3 on a GB10: 你好，世界！ def square(x): return x ** 2  # 🚀 ¿Qué tal? Ünïcödé.'
START=$(date +%s)
mkdir -p "$OUT" "$WORK"
: > "$OUT/steps.txt"
exec > >(tee -a "$OUT/proof.log") 2>&1

elapsed() { echo $(( $(date +%s) - START )); }
# A step's time limit: its own, or what is left of the budget, whichever is less (at least 1 s).
limit() { local left=$(( BUDGET - $(elapsed) )); [ "$left" -lt "$1" ] && echo $(( left > 1 ? left : 1 )) || echo "$1"; }
record() { echo "$1=$2" >> "$OUT/steps.txt"; echo "== $(elapsed) s: $1 $2"; }
# Runs a command under a time limit with GPU memory sampled every 200 ms; stdout to $OUT/NAME.json.
measured() {
  local name=$1 seconds=$2; shift 2
  if [ "$(( BUDGET - $(elapsed) ))" -lt 20 ]; then record "$name" "skipped (out of time)"; return 1; fi
  nvidia-smi --query-gpu=memory.used --format=csv,noheader,nounits -lms 200 > "$OUT/$name.mem" 2>/dev/null &
  local sampler=$!
  timeout "$(limit "$seconds")" "$@" > "$OUT/$name.json" 2> "$OUT/$name.err"
  local rc=$?
  kill "$sampler" 2>/dev/null; wait "$sampler" 2>/dev/null
  if [ "$rc" = 0 ]; then record "$name" ok; else record "$name" "failed (exit $rc; see $name.err)"; tail -n 5 "$OUT/$name.err"; fi
  return "$rc"
}

echo "== the device"
nvidia-smi --query-gpu=name,memory.total,memory.used,driver_version --format=csv,noheader | tee "$OUT/gpu.csv"
nvidia-smi --query-gpu=memory.used --format=csv,noheader,nounits | head -1 > "$OUT/baseline.mem"
"$PYTHON" - > "$OUT/device.json" <<'PY'
import json, os, platform, shutil, torch
facts = {"python": platform.python_version(), "torch": torch.__version__, "torch_cuda": torch.version.cuda,
         "cxx11_abi": bool(torch._C._GLIBCXX_USE_CXX11_ABI), "cuda_available": torch.cuda.is_available(),
         "gpu": torch.cuda.get_device_name() if torch.cuda.is_available() else None, "cores": os.cpu_count(),
         "tools": {t: shutil.which(t) for t in ("g++", "gcc", "cmake", "nvcc", "nvidia-smi", "xz")}}
for name in ("transformers", "peft", "safetensors"):
    try:
        facts[name] = __import__(name).__version__
    except ImportError:
        facts[name] = None
print(json.dumps(facts))
PY
cat "$OUT/device.json"; echo

for archive in pgx-linux-x64 qwen3-tokenizer; do  # pgx/ and qwen3-tokenizer/ under $WORK
  "$PYTHON" -c 'import sys, tarfile; tarfile.open(sys.argv[1]).extractall(sys.argv[2])' "$BUNDLE/$archive.tar.xz" "$WORK" ||
    record unpack "failed ($BUNDLE/$archive.tar.xz; make it with scripts/make-cuda-bundle.sh)"
done

echo "== building LibTorchSharp against this PyTorch"
if timeout "$(limit 330)" env JOBS="$(nproc)" PYTHON="$PYTHON" bash scripts/build-libtorchsharp.sh \
     --source "$BUNDLE/torchsharp-native" "$WORK/native" > "$OUT/build.log" 2>&1; then
  record build ok; cp "$WORK/native/build-info" "$OUT/build-info.txt"
else
  record build "failed (exit $?; see build.log)"; tail -n 25 "$OUT/build.log"
fi

PGX="$WORK/pgx/pgx"
if [ -f "$WORK/native/libLibTorchSharp.so" ]; then
  export PGX_Torch__NativeDirectory="$WORK/native" PGX_Torch__Device=cuda DOTNET_SYSTEM_GLOBALIZATION_INVARIANT=1
  if timeout "$(limit 60)" "$PGX" env --json > "$OUT/env.json" 2> "$OUT/env.err" && grep -q '"Device": "cuda' "$OUT/env.json"; then
    record env ok
  else
    record env "failed (see env.json, env.err)"; cat "$OUT/env.err"
  fi
  cat "$OUT/env.json"
fi

echo "== parity: pgx against transformers, random bf16 Qwen3-0.6B shape, real Qwen3 tokenizer"
if timeout "$(limit 150)" "$PYTHON" scripts/device/hf_parity.py make-model "$WORK/parity-model" \
     --tokenizer "$WORK/qwen3-tokenizer" > "$OUT/parity-model.json" 2> "$OUT/parity-model.err"; then
  record parity-model ok
  if grep -q '^env=ok' "$OUT/steps.txt" &&
     measured pgx-logits 120 "$PGX" logits --model "$WORK/parity-model" --text "$PROMPT" --out "$WORK/pgx-logits.safetensors" --generate 32; then
    measured parity 150 "$PYTHON" scripts/device/hf_parity.py compare "$WORK/parity-model" "$OUT/pgx-logits.json" --text "$PROMPT"
  fi
else
  record parity-model "failed (see parity-model.err)"; tail -n 5 "$OUT/parity-model.err"
fi
rm -rf "$WORK/parity-model" "$WORK/pgx-logits.safetensors"

echo "== training: pgx bench train against transformers + PEFT (LoRA r=$RANK, bf16, seq $SEQ, $STEPS steps)"
for shape in $SHAPES; do
  if grep -q '^env=ok' "$OUT/steps.txt"; then
    measured "pgx-train-$shape" 180 "$PGX" bench train --shape "$shape" --seq "$SEQ" --batch 1 --steps "$STEPS" \
      --methods lora --rank "$RANK" --dtype bfloat16 --peer none --json
  fi
  measured "hf-train-$shape" 180 "$PYTHON" scripts/device/hf_train_peer.py --shape "$shape" --seq "$SEQ" --steps "$STEPS" --rank "$RANK"
done

"$PYTHON" scripts/device/summarize.py "$OUT" "$SHAPES"
echo "== done in $(elapsed) s; results in $OUT"
rm -rf "$WORK"
