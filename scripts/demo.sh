#!/usr/bin/env bash
# The main job on the sample inventory, with the embedded `local` transport
# (every device is a directory under state/devices/; no server needed):
# setup, validate, render and check with the vendors' checkers, plan, apply,
# list generations, plan again (nothing left to do).
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh
scconf() { node bin/scconf "$@"; }
step() { printf '\n\033[1m== %s\033[0m\n' "$*"; }

step "scconf validate"
scconf validate
step "scconf render --check  (every artifact through the platform's real checker)"
scconf render --check
mkdir -p out
step "scconf plan --out out/plan.json"
set +e; scconf plan --out out/plan.json > out/plan.txt; code=$?; set -e
# the summary; the per-artifact diffs are in out/plan.txt
sed -n '/^Devices$/,$p' out/plan.txt
echo "(full plan with diffs: out/plan.txt; exit code $code: 0 = nothing to change, 2 = changes)"
[ "$code" -eq 0 ] || [ "$code" -eq 2 ] || exit "$code"
if [ "$code" -eq 2 ]; then
  step "scconf apply out/plan.json --yes"
  if ! scconf apply out/plan.json --yes --parallel 8 > out/apply.txt 2> out/apply-progress.log; then
    cat out/apply.txt; tail -n 20 out/apply-progress.log; exit 1
  fi
  sed -n '/^Summary$/,$p' out/apply.txt
fi
step "scconf generations fw-nft-1"
scconf generations fw-nft-1
step "scconf plan  (again: nothing left to change)"
scconf plan > /dev/null && echo "no changes: every device runs what the inventory says"
