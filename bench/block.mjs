#!/usr/bin/env node
// Benchmark of the emergency block (R6): from the start of `scconf block` to
// the last device confirmed (the whole process, as the operator waits for
// it), on 20 firewall devices on transport local (12 nftables with the real
// `nft -c` check, 4 junos, 3 ietf-acl, 1 fortios), in a temp project made
// from the small fixture inventory (its other 8 devices stay and are not
// touched). Three blocks of new addresses; prints each and
// the median. Needs `npx tsc -p .` first.
//
//   node bench/block.mjs [--devices 20] [--runs 3] [--keep]
import { execFileSync, spawnSync } from "node:child_process";
import { cpSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";

const REPO = fileURLToPath(new URL("../", import.meta.url));
const args = process.argv.slice(2);
const opt = (name, fallback) => {
  const i = args.indexOf(name);
  return i >= 0 ? Number(args[i + 1]) : fallback;
};
const DEVICES = opt("--devices", 20);
const RUNS = opt("--runs", 3);
const TODAY = "2026-11-27";

const dir = mkdtempSync(join(tmpdir(), "scconf-bench-block-"));
const inventory = join(dir, "inventory");
cpSync(join(REPO, "test/fixtures/inventory-small"), inventory, { recursive: true });
// the firewalls; one FortiGate also carries the URL filter (no squid, which
// would drop the address too); the other kinds' devices stay, unaffected
const platforms = ["nftables", "nftables", "junos", "nftables", "ietf-acl"];
const firewalls = Array.from({ length: DEVICES }, (_, i) => {
  const name = `fw-${String(i + 1).padStart(2, "0")}`;
  if (i === DEVICES - 1) return { name, platform: "fortios", kinds: ["firewall", "urlFilter"], root: `state/devices/${name}` };
  return { name, platform: platforms[i % platforms.length], kinds: ["firewall"], root: `state/devices/${name}` };
});
const others = ["suricata:ipsExceptions", "nginx:reverseProxy", "haproxy:reverseProxy", "bind:dns", "unbound:dns", "postfix:mailRelay", "spamassassin:spamExclusions", "rspamd:spamExclusions"]
  .map((pk) => pk.split(":"))
  .map(([platform, kind]) => ({ name: `other-${platform}`, platform, kinds: [kind], root: `state/devices/other-${platform}` }));
const devices = [...firewalls, ...others];
writeFileSync(join(inventory, "devices.yaml"), `${JSON.stringify({ devices }, null, 2)}\n`);
execFileSync("git", ["init", "-q", inventory]);
execFileSync("git", ["-C", inventory, "add", "-A"]);
execFileSync("git", ["-C", inventory, "-c", "user.name=bench", "-c", "user.email=bench@example.jp", "commit", "-qm", "bench inventory"]);

const env = { ...process.env, SCCONF_OPERATOR: "bench", NO_COLOR: "1", SCCONF_TIMING: "1" };
function scconf(cliArgs) {
  const t0 = process.hrtime.bigint();
  const r = spawnSync(process.execPath, [join(REPO, "bin/scconf"), "-i", inventory, "--today", TODAY, ...cliArgs], { cwd: dir, env, encoding: "utf8" });
  const ms = Number(process.hrtime.bigint() - t0) / 1e6;
  if (r.status !== 0) {
    process.stderr.write(`scconf ${cliArgs.join(" ")} failed (exit ${r.status}):\n${r.stdout}\n${r.stderr}\n`);
    process.exit(1);
  }
  return { ms, stdout: r.stdout, phases: r.stderr.split("\n").filter((l) => l.startsWith("timing: ")).map((l) => l.slice(8)) };
}

try {
  const first = scconf(["apply", "--yes", "--parallel", "28"]);
  console.log(`setup: first apply of ${DEVICES} devices in ${(first.ms / 1000).toFixed(2)} s`);
  const times = [];
  for (let i = 0; i < RUNS; i++) {
    const r = scconf(["block", `192.0.2.${100 + i}`, "--reason", "bench C2", "--ticket", `BENCH-${i + 1}`, "--expires", "72h", "--yes"]);
    const m = /on (\d+) of (\d+) device\(s\)/.exec(r.stdout);
    if (!m || m[1] !== String(DEVICES)) {
      process.stderr.write(`run ${i + 1}: expected ${DEVICES} devices confirmed, got: ${m?.[0] ?? "(no summary)"}\n`);
      process.exit(1);
    }
    times.push(r.ms);
    console.log(`run ${i + 1}: block on ${m[1]} of ${m[2]} devices confirmed in ${(r.ms / 1000).toFixed(2)} s (${r.phases.join("; ")})`);
  }
  const sorted = [...times].sort((a, b) => a - b);
  const median = sorted[Math.floor(sorted.length / 2)];
  console.log(`emergency block, ${DEVICES} local firewall devices, command start to last device confirmed: median ${(median / 1000).toFixed(2)} s of ${RUNS} (goal < 10 s)`);
} finally {
  if (!args.includes("--keep")) rmSync(dir, { recursive: true, force: true });
  else console.log(`kept ${dir}`);
}
