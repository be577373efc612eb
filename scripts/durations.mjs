// Writes test/durations.json (seconds per test file) from the last run's
// test-results/vitest.json, for test/sequencer.ts (slowest files first).
import { readFileSync, writeFileSync } from "node:fs";
import path from "node:path";

const root = path.resolve(path.dirname(new URL(import.meta.url).pathname), "..");
const report = JSON.parse(readFileSync(path.join(root, "test-results/vitest.json"), "utf8"));
const out = {};
for (const f of report.testResults.sort((a, b) => (b.endTime - b.startTime) - (a.endTime - a.startTime))) {
  out[path.relative(root, f.name)] = Math.round((f.endTime - f.startTime) / 100) / 10;
}
writeFileSync(path.join(root, "test/durations.json"), JSON.stringify(out, null, 2) + "\n");
console.log(`test/durations.json: ${Object.keys(out).length} files`);
