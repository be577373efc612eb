#!/usr/bin/env node
// Turns the JSON of `npm run bench -- --json FILE` into the Markdown tables of BENCHMARKS.md.
//   node bench/report.mjs FILE
import { readFileSync } from "node:fs";

const data = JSON.parse(readFileSync(process.argv[2], "utf8"));
const f = (x) => (x >= 100 ? x.toFixed(0) : x >= 10 ? x.toFixed(1) : x.toFixed(2));
const m = data.machine;
const out = [];
out.push(`Run of ${new Date(data.started).toISOString().slice(0, 16).replace("T", " ")} UTC: ${m.nproc} CPU(s) ${m.cpu}, ${m.memGb} GB, node ${m.node}, ${m.os}; load average ${m.load.join(" ")} at the start, ${data.loadAfter.join(" ")} at the end; ${data.runs} run(s) per case${data.quick ? " (quick)" : ""}.`, "");
out.push("| fig | case | wall, median (range) | CPU user+sys | peak RSS |", "|---|---|---|---|---|");
for (const r of data.results) {
  if (r.wall === undefined) continue;
  const range = r.runs > 1 ? ` (${f(r.wallMin)}–${f(r.wallMax)})` : " (1 run)";
  out.push(`| ${r.figure} | ${r.name} | ${f(r.wall)} s${range} | ${f(r.cpu)} s | ${f(r.rssMb)} MB |`);
}
const probes = data.results.filter((r) => r.shadowMs !== undefined);
if (probes.length) {
  out.push("", "| rules | shadow analysis alone (in process, best of 3) | pair tests | per rule |", "|---|---|---|---|");
  for (const r of probes) out.push(`| ${r.name.split(" ")[0]} | ${f(r.shadowMs)} ms | ${r.comparisons} | ${r.perRule.toFixed(3)} |`);
}
if (data.ratios.length) {
  out.push("", "| ratio | wall | CPU | peak RSS |", "|---|---|---|---|");
  for (const r of data.ratios) out.push(`| ${r.label} | ×${r.wall.toFixed(2)} | ×${r.cpu.toFixed(2)} | ${typeof r.rss === "number" && !Number.isNaN(r.rss) ? `×${r.rss.toFixed(2)}` : ""} |`);
}
for (const n of data.notes) out.push("", `Note: ${n}`);
process.stdout.write(out.join("\n") + "\n");
