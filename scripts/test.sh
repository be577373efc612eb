#!/usr/bin/env bash
# The whole test suite from a fresh clone: setup (Debian checkers and servers,
# npm ci, build), then vitest against the real programs. Ends with one line
# "N passed, N failed" for CI.
set -uo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh || { echo "0 passed, 1 failed"; exit 1; }
mkdir -p test-results
rm -f test-results/vitest.json
npx vitest run --reporter=default --reporter=json --outputFile.json=test-results/vitest.json "$@"
code=$?
if [ -f test-results/vitest.json ]; then
  node -e '
    const r = JSON.parse(require("fs").readFileSync("test-results/vitest.json", "utf8"));
    const skipped = (r.numPendingTests || 0) + (r.numTodoTests || 0);
    const failedSuites = (r.testResults || []).filter((f) => f.status === "failed" && (f.assertionResults || []).length === 0).length;
    console.log(`${r.numPassedTests} passed, ${r.numFailedTests + failedSuites} failed` + (skipped ? `, ${skipped} skipped` : ""));
  '
else
  echo "0 passed, 1 failed"
  [ "$code" -eq 0 ] && code=1
fi
exit "$code"
