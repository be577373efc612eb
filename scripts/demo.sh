#!/usr/bin/env bash
# The main job on the sample inventory, with the embedded `local` transport
# (every device is a directory under state/devices/; no server needed):
# setup, validate, render and check with the vendors' checkers, plan, the
# change gate refusing an unapproved apply, an emergency apply with its reason,
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
  # The change gate: the first deployment has no baseline, so every change
  # needs a signed approval by someone other than its authors and a
  # maintenance window. The demo holds no approver's key, so apply refuses...
  step "scconf apply out/plan.json --yes  (the gate: no approval yet)"
  set +e; scconf apply out/plan.json --yes > out/refused.txt 2>&1; code=$?; set -e
  grep -E '^scconf: refused|need approval|need a maintenance window' out/refused.txt | cut -c1-160
  echo "(exit code $code: 1 = refused, nothing was changed)"
  [ "$code" -eq 1 ] || { cat out/refused.txt; exit 1; }
  # ...and the rollout goes as an emergency, with its reason in the audit
  # log; history marks it as awaiting approval after the fact.
  step "scconf apply out/plan.json --yes --emergency --reason ..."
  if ! scconf apply out/plan.json --yes --parallel 8 --emergency --reason "demo: first rollout of the sample inventory" > out/apply.txt 2> out/apply-progress.log; then
    cat out/apply.txt; tail -n 20 out/apply-progress.log; exit 1
  fi
  sed -n '/^Summary$/,$p' out/apply.txt
fi
step "scconf generations fw-nft-1"
scconf generations fw-nft-1
step "scconf plan  (again: nothing left to change)"
scconf plan > /dev/null && echo "no changes: every device runs what the inventory says"
