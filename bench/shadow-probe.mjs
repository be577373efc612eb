#!/usr/bin/env node
// Counts the work of the shadowed-rule analysis on an inventory, in process,
// independent of the machine's load: how many full coverage tests between two
// rules it made per rule (a quadratic analysis makes ~rules/2 per rule, an
// indexed one a handful), and the time of the analysis alone.
//   node bench/shadow-probe.mjs INVENTORY_DIR   → one line of JSON
import { dirname, join } from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";

const root = join(dirname(fileURLToPath(import.meta.url)), "..");
const dist = (p) => import(pathToFileURL(join(root, "dist", p)).href);
const { validateInventory, todayIn } = await dist("inventory/validate.js");
const { checkOrgFirewall } = await dist("inventory/checks/firewall.js");
const { Reporter } = await dist("inventory/checks/context.js");

const dir = process.argv[2];
if (!dir) {
  process.stderr.write("usage: node bench/shadow-probe.mjs INVENTORY_DIR\n");
  process.exit(1);
}
const r = validateInventory(dir);
if (!r.inventory || !r.sources) {
  process.stderr.write(`shadow-probe: the inventory has ${r.errors} error(s)\n`);
  process.exit(1);
}
const today = todayIn(r.inventory.cloud.timezone);
// a first pass warms the reference cache and the JIT, as in validate where the isolation check runs first
const warm = new Reporter(r.sources);
for (const org of r.inventory.orgs) checkOrgFirewall(r.inventory, org, today, warm);
// the fastest of 3 passes: the least disturbed by other processes on the machine
let ms = Infinity;
let stats;
let report;
for (let pass = 0; pass < 3; pass++) {
  stats = { rules: 0, comparisons: 0 };
  report = new Reporter(r.sources);
  const t0 = process.hrtime.bigint();
  for (const org of r.inventory.orgs) checkOrgFirewall(r.inventory, org, today, report, stats);
  ms = Math.min(ms, Number(process.hrtime.bigint() - t0) / 1e6);
}
const maxPerOrg = Math.max(...r.inventory.orgs.map((o) => o.firewall.length));
process.stdout.write(
  JSON.stringify({ rules: stats.rules, maxRulesPerOrg: maxPerOrg, comparisons: stats.comparisons, perRule: stats.comparisons / Math.max(1, stats.rules), ms, findings: report.diagnostics.length }) + "\n",
);
