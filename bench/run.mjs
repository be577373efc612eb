#!/usr/bin/env node
// scconf benchmarks: prints figures, asserts nothing (see BENCHMARKS.md).
//
//   npm run bench                      the full set (≈ 15-30 min on a loaded 2-core machine)
//   npm run bench -- --quick           small sizes, 1 run each: a smoke run of every figure
//   npm run bench -- --runs 5 --only 2,4 --json results.json --keep
//
// Every figure is a whole `node bin/scconf ...` process, measured by
// /usr/bin/time (wall, user+sys CPU, peak RSS; Debian package `time`), or,
// when that is missing, by bench/lib/inproc.mjs (CPU and peak RSS from
// process.resourceUsage(), wall around the process). Each is the median of
// --runs runs (default 3), with the range; a case whose first run takes more
// than --long-case seconds (default 45) is run once.
//
//   1  validate, render of the sample inventory (inventory/)
//   2  the org-to-org policy (33 orgs, 103 prefixes, 13 services) with 10,000 and 50,000
//      rules: validate (with the shadowed-rule analysis), render per firewall platform,
//      render to all four firewall platforms
//   3  2,000 organizations × 100 rules (200,000 rules) with DNS, reverse proxy, mail:
//      validate, render, offline plan
//   4  growth: the policy at 5k, 10k, 20k, 40k rules: validate and render (all firewall
//      platforms); the time ratio of each doubling; the shadow analysis' pair tests per rule
//   5  apply over ssh to 50 devices (one loopback sshd each) with --parallel 16, against one
import { execFileSync, spawn } from "node:child_process";
import { existsSync, mkdtempSync, readFileSync, readdirSync, rmSync, statSync, writeFileSync } from "node:fs";
import os from "node:os";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { generate } from "./gen-inventory.mjs";
import { startSshdFarm } from "./lib/sshd-farm.mjs";

const ROOT = join(dirname(fileURLToPath(import.meta.url)), "..");
const CLI = join(ROOT, "bin", "scconf");
const TIME = "/usr/bin/time";
const FW_DEVICES = [
  ["nftables", "fw-nft-1"],
  ["junos", "fw-srx-1"],
  ["fortios", "utm-fg-1"],
  ["ietf-acl", "acl-nc-1"],
];

// ───────────────────────── options ─────────────────────────

function parseArgs(argv) {
  const o = { runs: 3, quick: false, only: null, json: null, keep: false, build: true, dir: null, longCase: 45 };
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    if (a === "--runs") o.runs = Number(argv[++i]);
    else if (a === "--quick") o.quick = true;
    else if (a === "--only") o.only = new Set(argv[++i].split(",").map(Number));
    else if (a === "--json") o.json = argv[++i];
    else if (a === "--keep") o.keep = true;
    else if (a === "--no-build") o.build = false;
    else if (a === "--dir") o.dir = argv[++i];
    else if (a === "--long-case") o.longCase = Number(argv[++i]);
    else if (a === "-h" || a === "--help") {
      process.stdout.write(readFileSync(fileURLToPath(import.meta.url), "utf8").split("\n").slice(1, 25).map((l) => l.replace(/^\/\/ ?/, "")).join("\n") + "\n");
      process.exit(0);
    } else throw new Error(`unknown argument ${a}`);
  }
  if (!Number.isInteger(o.runs) || o.runs < 1) throw new Error("--runs must be a whole number >= 1");
  if (o.quick && !argv.includes("--runs")) o.runs = 1;
  return o;
}

const opts = parseArgs(process.argv.slice(2));
const SIZES = opts.quick
  ? { policy: [1000, 5000], mixed: { orgs: 100, rules: 20 }, growth: [1000, 2000, 4000], ssh: { devices: 6, parallel: 3 } }
  : { policy: [10000, 50000], mixed: { orgs: 2000, rules: 100 }, growth: [5000, 10000, 20000, 40000], ssh: { devices: 50, parallel: 16 } };
const want = (n) => !opts.only || opts.only.has(n);

// ───────────────────────── build ─────────────────────────

function newest(dir, ext) {
  let t = 0;
  for (const e of readdirSync(dir, { withFileTypes: true })) {
    const p = join(dir, e.name);
    if (e.isDirectory()) t = Math.max(t, newest(p, ext));
    else if (e.name.endsWith(ext)) t = Math.max(t, statSync(p).mtimeMs);
  }
  return t;
}

function buildIfStale() {
  const main = join(ROOT, "dist", "cli", "main.js");
  const stale = !existsSync(main) || newest(join(ROOT, "src"), ".ts") > newest(join(ROOT, "dist"), ".js");
  if (!stale) return "dist is up to date";
  if (!opts.build) return "dist is older than src (--no-build: used as it is)";
  process.stderr.write("building (npx tsc -p .) ...\n");
  execFileSync("npx", ["tsc", "-p", "."], { cwd: ROOT, stdio: "inherit" });
  return "rebuilt with tsc";
}

// ───────────────────────── measuring ─────────────────────────

const haveTime = existsSync(TIME);

/** One whole process: wall seconds, CPU seconds (user+sys), peak RSS in MB. */
function measureOnce(args, { cwd = ROOT, accept = [0], env = {} } = {}) {
  return new Promise((resolve, reject) => {
    const tmp = join(os.tmpdir(), `scconf-bench-rusage-${process.pid}-${Math.random().toString(36).slice(2)}`);
    const [cmd, argv] = haveTime
      ? [TIME, ["-f", "%e %U %S %M", "-o", tmp, process.execPath, CLI, ...args]]
      : [process.execPath, [join(ROOT, "bench", "lib", "inproc.mjs"), ...args]];
    const t0 = process.hrtime.bigint();
    const child = spawn(cmd, argv, { cwd, env: { ...process.env, NO_COLOR: "1", SCCONF_BENCH_RUSAGE: tmp, ...env }, stdio: ["ignore", "ignore", "pipe"] });
    const stderr = [];
    child.stderr.on("data", (c) => stderr.push(c));
    child.on("error", reject);
    child.on("close", (code) => {
      const wallOuter = Number(process.hrtime.bigint() - t0) / 1e9;
      let r;
      try {
        const text = readFileSync(tmp, "utf8").trim();
        rmSync(tmp, { force: true });
        if (haveTime) {
          const last = text.split("\n").pop().split(" ").map(Number);
          r = { wall: last[0], cpu: last[1] + last[2], rssMb: last[3] / 1024 };
        } else {
          const u = JSON.parse(text);
          r = { wall: wallOuter, cpu: u.user + u.sys, rssMb: u.maxRssKb / 1024 };
        }
      } catch {
        reject(new Error(`no measurement for scconf ${args.join(" ")} (exit ${code}): ${Buffer.concat(stderr).toString().slice(-2000)}`));
        return;
      }
      if (!accept.includes(code)) {
        reject(new Error(`scconf ${args.join(" ")} exited ${code}: ${Buffer.concat(stderr).toString().slice(-3000)}`));
        return;
      }
      resolve({ ...r, wall: Math.max(r.wall, 0.01) });
    });
  });
}

const median = (xs) => {
  const s = [...xs].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 ? s[m] : (s[m - 1] + s[m]) / 2;
};

const results = [];

/** Runs a case --runs times (calling `before` untimed before each run); records and prints the medians. */
async function bench(figure, name, args, { runs = opts.runs, before, ...o } = {}) {
  const samples = [];
  for (let i = 0; i < runs; i++) {
    if (before) await before(i);
    samples.push(await measureOnce(args, o));
    // a case that takes minutes is measured once: its noise is small next to its size
    if (samples[0].wall > opts.longCase) break;
  }
  const row = {
    figure,
    name,
    runs: samples.length,
    wall: median(samples.map((s) => s.wall)),
    wallMin: Math.min(...samples.map((s) => s.wall)),
    wallMax: Math.max(...samples.map((s) => s.wall)),
    cpu: median(samples.map((s) => s.cpu)),
    rssMb: median(samples.map((s) => s.rssMb)),
    rssMaxMb: Math.max(...samples.map((s) => s.rssMb)),
  };
  results.push(row);
  process.stdout.write(formatRow(row) + "\n");
  return row;
}

const f2 = (x) => (x >= 100 ? x.toFixed(0) : x >= 10 ? x.toFixed(1) : x.toFixed(2));
function formatRow(r) {
  const range = r.runs > 1 ? `(${f2(r.wallMin)}–${f2(r.wallMax)})` : "";
  return `  ${String(r.figure).padEnd(3)} ${r.name.padEnd(52)} ${f2(r.wall).padStart(7)} s ${range.padEnd(15)} cpu ${f2(r.cpu).padStart(6)} s  ${f2(r.rssMb).padStart(6)} MB`;
}

const notes = [];
const ratios = [];
function ratio(label, a, b) {
  const r = { label, wall: b.wall / a.wall, cpu: b.cpu / a.cpu, rss: b.rssMb / a.rssMb };
  ratios.push(r);
  process.stdout.write(`      ratio ${label.padEnd(44)} wall ×${r.wall.toFixed(2)}  cpu ×${r.cpu.toFixed(2)}  rss ×${r.rss.toFixed(2)}\n`);
  return r;
}

function heading(text) {
  process.stdout.write(`\n${text}\n`);
}

// ───────────────────────── figures ─────────────────────────

async function figure1() {
  heading("1. the sample inventory (33 organizations, 13 devices)");
  const out = join(WORK, "out-sample");
  await bench(1, "validate", ["-i", join(ROOT, "inventory"), "validate"]);
  await bench(1, "render --out (13 devices)", ["-i", join(ROOT, "inventory"), "render", "--out", out], { before: () => rmSync(out, { recursive: true, force: true }) });
}

function genPolicy(rules, extra = {}) {
  const dir = join(WORK, `policy-${rules}`);
  if (!existsSync(join(dir, "inventory"))) generate({ mode: "policy", rules, orgs: 33, seed: 1, out: dir, aerleon: true, ...extra });
  return dir;
}

async function figure2() {
  for (const n of SIZES.policy) {
    heading(`2. org-to-org policy, ${n.toLocaleString("en")} rules (33 orgs, 103 prefixes, 13 services), shadow analysis on`);
    const dir = genPolicy(n);
    const inv = join(dir, "inventory");
    const out = join(dir, "out");
    const clean = () => rmSync(out, { recursive: true, force: true });
    await bench(2, `${n} rules: validate (incl. shadow analysis)`, ["-i", inv, "validate"]);
    for (const [platform, device] of FW_DEVICES) {
      await bench(2, `${n} rules: validate + render ${platform}`, ["-i", inv, "render", "-d", device, "--out", out], { before: clean });
    }
    await bench(2, `${n} rules: validate + render all 4 firewall platforms`, ["-i", inv, "render", "--out", out], { before: clean });
  }
  const [a, b] = SIZES.policy;
  const pick = (n, what) => results.find((r) => r.figure === 2 && r.name === `${n} rules: ${what}`);
  ratio(`${b}/${a} rules validate`, pick(a, "validate (incl. shadow analysis)"), pick(b, "validate (incl. shadow analysis)"));
  ratio(`${b}/${a} rules render all platforms`, pick(a, "validate + render all 4 firewall platforms"), pick(b, "validate + render all 4 firewall platforms"));
}

async function figure3() {
  const { orgs, rules } = SIZES.mixed;
  heading(`3. ${orgs.toLocaleString("en")} organizations × ${rules} rules (${(orgs * rules).toLocaleString("en")} rules), DNS, reverse proxy, mail; 7 devices`);
  const dir = join(WORK, `mixed-${orgs}x${rules}`);
  const inv = join(dir, "inventory");
  const out = join(dir, "out");
  // the last generation for the offline plan: the same inventory without the change, applied
  // to the local devices (untimed); the change: one more rule and DNS record in every 20th org
  process.stderr.write(`   (setup: generating and applying a first generation to the local devices ...)\n`);
  generate({ mode: "mixed", orgs, rules, seed: 1, out: dir });
  const t0 = Date.now();
  // not dns-bind-1: with one zone file per organization its commit script is one `sh -c` argument
  // over Linux's 128 KiB limit (spawn E2BIG, see BENCHMARKS.md); the plan shows its zones as new
  const setupDevices = ["fw-nft-1", "fw-srx-1", "utm-fg-1", "acl-nc-1", "rp-nginx-1", "mail-postfix-1"];
  await measureOnce(["-i", inv, "apply", "--yes", "--operator", "bench", "--change", "bench-setup", "-d", ...setupDevices], { cwd: dir });
  notes.push(`figure 3 setup: apply of the first generation to 6 local devices (all but dns-bind-1) took ${((Date.now() - t0) / 1000).toFixed(1)} s (not a figure)`);
  generate({ mode: "mixed", orgs, rules, seed: 1, out: dir, touch: 20 });
  await bench(3, `${orgs}×${rules}: validate`, ["-i", inv, "validate"], { cwd: dir });
  await bench(3, `${orgs}×${rules}: validate + render (7 devices)`, ["-i", inv, "render", "--out", out], { cwd: dir, before: () => rmSync(out, { recursive: true, force: true }) });
  await bench(3, `${orgs}×${rules}: validate + render + plan --offline (5% of orgs changed)`, ["-i", inv, "plan", "--offline", "--operator", "bench"], { cwd: dir, accept: [0, 2] });
}

async function figure4() {
  heading(`4. growth: the policy at ${SIZES.growth.map((n) => n.toLocaleString("en")).join(", ")} rules`);
  const rows = [];
  for (const n of SIZES.growth) {
    const dir = genPolicy(n);
    const inv = join(dir, "inventory");
    const out = join(dir, "out");
    // a size that figure 2 measured already is not run again
    const seen = (what) => results.find((x) => x.figure === 2 && x.name === `${n} rules: ${what}`);
    const v = seen("validate (incl. shadow analysis)") ?? (await bench(4, `${n} rules: validate`, ["-i", inv, "validate"]));
    const r =
      seen("validate + render all 4 firewall platforms") ??
      (await bench(4, `${n} rules: validate + render all 4 platforms`, ["-i", inv, "render", "--out", out], { before: () => rmSync(out, { recursive: true, force: true }) }));
    if (seen("validate (incl. shadow analysis)")) process.stdout.write(`      ${n} rules: figure 2's measurements\n`);
    const probe = JSON.parse(execFileSync(process.execPath, [join(ROOT, "bench", "shadow-probe.mjs"), inv], { encoding: "utf8", maxBuffer: 1 << 26 }));
    process.stdout.write(`      shadow analysis alone: ${probe.ms.toFixed(0)} ms, ${probe.comparisons} pair tests (${probe.perRule.toFixed(3)} per rule; a quadratic scan would make ~${Math.round(probe.maxRulesPerOrg / 2)} per rule)\n`);
    rows.push({ n, v, r, probe });
    results.push({ figure: 4, name: `${n} rules: shadow analysis alone (in process)`, runs: 1, shadowMs: probe.ms, comparisons: probe.comparisons, perRule: probe.perRule });
  }
  for (let i = 1; i < rows.length; i++) {
    const [a, b] = [rows[i - 1], rows[i]];
    ratio(`${b.n}/${a.n} validate`, a.v, b.v);
    ratio(`${b.n}/${a.n} validate + render all`, a.r, b.r);
    const sr = b.probe.ms / a.probe.ms;
    ratios.push({ label: `${b.n}/${a.n} shadow analysis alone`, wall: sr, cpu: sr, rss: NaN });
    process.stdout.write(`      ratio ${`${b.n}/${a.n} shadow analysis alone`.padEnd(44)} time ×${sr.toFixed(2)}\n`);
  }
}

async function figure5() {
  const { devices: count, parallel } = SIZES.ssh;
  heading(`5. apply over ssh: ${count} devices (one loopback sshd each), --parallel ${parallel}, against one device`);
  const dir = join(WORK, "ssh");
  const farm = await startSshdFarm(join(WORK, "sshd"), count);
  try {
    const names = farm.servers.map((_, i) => `ssh-fw-${String(i + 1).padStart(2, "0")}`);
    const fileOf = (name) => join(dir, "devices", name, "etc", "nftables.d", "scconf.nft");
    const sshDevices = farm.servers.map((s, i) => ({
      name: names[i],
      platform: "nftables",
      kinds: ["firewall"],
      transport: "ssh",
      address: "127.0.0.1",
      port: s.port,
      user: farm.user,
      auth: { method: "key", keyFile: farm.clientKey },
      hostKey: farm.hostKeyFingerprint,
      paths: { ruleset: fileOf(names[i]) },
      // the transaction's own cost, not nft's: the check only proves the staged file is there
      checkCommand: "test -s {stage}/ruleset",
      reloadCommand: "true",
      confirmTimeout: 60,
    }));
    // the sample's shape: 33 organizations × 10 rules (a ruleset of ~2,000 lines per device)
    generate({ mode: "mixed", orgs: 33, rules: 10, seed: 1, out: dir, sshDevices });
    for (const n of names) execFileSync("mkdir", ["-p", dirname(fileOf(n))]);
    const inv = join(dir, "inventory");
    // every run starts from devices without the artifact, so that each apply changes every device
    const reset = () => {
      for (const n of names) rmSync(fileOf(n), { force: true });
    };
    const one = await bench(5, `apply --yes to 1 ssh device`, ["-i", inv, "apply", "--yes", "--operator", "bench", "-d", names[0]], { cwd: dir, before: reset });
    const all = await bench(5, `apply --yes --parallel ${parallel} to ${count} ssh devices`, ["-i", inv, "apply", "--yes", "--operator", "bench", "--parallel", String(parallel), "-d", ...names], { cwd: dir, before: reset });
    const written = names.filter((n) => existsSync(fileOf(n))).length;
    if (written !== count) throw new Error(`after the apply only ${written} of ${count} devices hold the ruleset`);
    ratio(`${count} devices / 1 device`, one, all);
    const waves = Math.ceil(count / parallel);
    process.stdout.write(`      (${count} devices in ${waves} waves of ${parallel}: a perfectly parallel apply would take ×${waves}; a sequential one ×${count})\n`);
  } finally {
    await farm.stop();
  }
}

// ───────────────────────── main ─────────────────────────

function machine() {
  const cpu = readFileSync("/proc/cpuinfo", "utf8").match(/model name\s*:\s*(.*)/)?.[1] ?? os.cpus()[0]?.model ?? "?";
  return {
    nproc: os.availableParallelism?.() ?? os.cpus().length,
    cpu,
    memGb: +(os.totalmem() / 2 ** 30).toFixed(1),
    load: os.loadavg().map((x) => +x.toFixed(2)),
    node: process.version,
    os: `${os.type()} ${os.release()}`,
  };
}

const WORK = opts.dir ?? mkdtempSync(join(os.tmpdir(), "scconf-bench-"));
const started = new Date();
const build = buildIfStale();
const m = machine();
process.stdout.write(`scconf benchmarks ${opts.quick ? "(quick) " : ""}— ${started.toISOString()}\n`);
process.stdout.write(`machine: ${m.nproc} CPU(s) ${m.cpu}, ${m.memGb} GB, load ${m.load.join(" ")}, node ${m.node}, ${m.os}\n`);
process.stdout.write(`runs per figure: ${opts.runs} (median, range in brackets); measured with ${haveTime ? "/usr/bin/time" : "bench/lib/inproc.mjs"}; ${build}; work dir ${WORK}\n`);
process.stdout.write(`  fig case${" ".repeat(49)}wall (median, range)      cpu          peak RSS\n`);

let failed = false;
try {
  for (const [n, f] of [[1, figure1], [2, figure2], [3, figure3], [4, figure4], [5, figure5]]) {
    if (!want(n)) continue;
    try {
      await f();
    } catch (err) {
      failed = true;
      process.stdout.write(`  figure ${n} FAILED: ${err.message}\n`);
    }
  }
} finally {
  const loadAfter = os.loadavg().map((x) => +x.toFixed(2));
  for (const n of notes) process.stdout.write(`note: ${n}\n`);
  process.stdout.write(`load at the end: ${loadAfter.join(" ")}; ${((Date.now() - started.getTime()) / 1000).toFixed(0)} s in all\n`);
  if (opts.json) writeFileSync(opts.json, JSON.stringify({ started, machine: m, loadAfter, runs: opts.runs, quick: opts.quick, results, ratios, notes }, null, 2) + "\n");
  if (!opts.keep && !opts.dir) rmSync(WORK, { recursive: true, force: true });
  else process.stdout.write(`kept ${WORK}\n`);
}
process.exitCode = failed ? 1 : 0;
