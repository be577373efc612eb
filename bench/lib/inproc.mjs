// Fallback measurement when /usr/bin/time is missing: runs the scconf CLI in
// this process and, at exit, writes its CPU time and peak RSS to the file
// named by SCCONF_BENCH_RUSAGE (the parent measures the wall time around the
// whole process). Usage: node bench/lib/inproc.mjs <scconf arguments...>
import { writeFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";

const out = process.env.SCCONF_BENCH_RUSAGE;
process.on("exit", () => {
  if (!out) return;
  const u = process.resourceUsage();
  // maxRSS is in kilobytes, as /usr/bin/time's %M
  writeFileSync(out, JSON.stringify({ user: u.userCPUTime / 1e6, sys: u.systemCPUTime / 1e6, maxRssKb: u.maxRSS }));
});
const root = join(dirname(fileURLToPath(import.meta.url)), "..", "..");
const { main } = await import(pathToFileURL(join(root, "dist", "cli", "main.js")).href);
await main([process.argv[0], "scconf", ...process.argv.slice(2)]);
