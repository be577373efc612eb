// The rehearsal lab on a temp copy of the sample inventory, through the built
// CLI (dist/, as a NOC engineer runs it): lab up starts real stand-ins on
// 127.0.0.1, a plan and an apply with --target lab change files under the lab
// directory only, a dry-run records step timings, and lab down leaves no
// process and no lab directory.
import { spawn } from "node:child_process";
import { cp, mkdir, mkdtemp, readFile, rm, stat, writeFile } from "node:fs/promises";
import { existsSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Plan } from "../../src/plan/types.js";
import { runLabCheck } from "../../src/workflow/lab/check.js";
import { readLabState, type LabState } from "../../src/workflow/lab/lab.js";
import { isAlive } from "../../src/workflow/lab/process.js";
import { REPO_ROOT, SAMPLE_INVENTORY, TEST_TODAY } from "../helpers/inventory.js";

const BIN = path.join(REPO_ROOT, "bin/scconf");
// one device per kind of stand-in check: a standalone vendor checker, a checker harness, and a local CLI device
const DEVICES = ["fw-nft-1", "rp-nginx-1", "fw-srx-1"];
const REAL_PATHS = ["/etc/nftables.d/scconf.nft", "/etc/nginx/conf.d/scconf.conf"];

interface CliResult {
  code: number;
  stdout: string;
  stderr: string;
}

// the lab's own store must be the one used, whatever the caller's environment says
const ENV = Object.fromEntries(Object.entries(process.env).filter(([k]) => k !== "SCCONF_BACKUPS"));

let project: string;
let inventory: string;
let labDir: string;
let state: LabState | undefined;
const realBefore = new Map<string, number | null>();

function scconf(args: string[], timeoutMs = 60_000): Promise<CliResult> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [BIN, "-i", inventory, "--today", TEST_TODAY, ...args], {
      cwd: project,
      env: { ...ENV, SCCONF_OPERATOR: "lab-test", NO_COLOR: "1", FORCE_COLOR: "0" },
      stdio: ["ignore", "pipe", "pipe"],
    });
    const out: Buffer[] = [];
    const err: Buffer[] = [];
    child.stdout.on("data", (c: Buffer) => out.push(c));
    child.stderr.on("data", (c: Buffer) => err.push(c));
    const timer = setTimeout(() => child.kill("SIGKILL"), timeoutMs);
    child.once("error", reject);
    child.once("close", (code) => {
      clearTimeout(timer);
      resolve({ code: code ?? -1, stdout: Buffer.concat(out).toString("utf8"), stderr: Buffer.concat(err).toString("utf8") });
    });
  });
}
const show = (r: CliResult) => `exit ${r.code}\n--- stdout\n${r.stdout.slice(-3000)}\n--- stderr\n${r.stderr.slice(-3000)}`;
const mtime = async (file: string) => (await stat(file).catch(() => null))?.mtimeMs ?? null;

beforeAll(async () => {
  project = await mkdtemp(path.join(os.tmpdir(), "scconf-lab-"));
  inventory = path.join(project, "inventory");
  labDir = path.join(project, ".scconf", "lab");
  await cp(SAMPLE_INVENTORY, inventory, { recursive: true });
  for (const f of REAL_PATHS) realBefore.set(f, await mtime(f));
});

afterAll(async () => {
  // never leave servers behind, whatever failed
  if (existsSync(labDir)) await scconf(["lab", "down"]);
  if (project) await rm(project, { recursive: true, force: true });
});

describe("scconf lab", () => {
  it("lab up starts the stand-ins on 127.0.0.1 and writes the --target lab overlay", async () => {
    const r = await scconf(["lab", "up"]);
    expect(r.code, show(r)).toBe(0);
    state = readLabState(labDir);
    expect(state).toBeDefined();
    // one sshd for every file device, and sshd + netconfd for the NETCONF device acl-nc-1
    expect(state!.processes.map((p) => p.role).sort()).toEqual(["netconfd", "sshd", "sshd"]);
    for (const p of state!.processes) expect(isAlive(p.pid), `${p.role} ${p.pid}`).toBe(true);
    const overlay = await readFile(path.join(labDir, "overlay.yaml"), "utf8");
    expect(overlay).toContain(`stateDir: ${labDir}/devices/fw-nft-1/var/lib/scconf`);
    expect(overlay).toContain(`ruleset: ${labDir}/devices/fw-nft-1/etc/nftables.d/scconf.nft`);
    expect(overlay).not.toMatch(/^\s+\w[\w.-]*: \/etc\//m);
    const status = await scconf(["lab", "status"]);
    expect(status.code, show(status)).toBe(0);
    expect(status.stdout).toMatch(/netconfd\s+pid \d+\s+127\.0\.0\.1:\d+\s+running/);
  }, 60_000);

  it("a rehearsal (apply --dry-run --record) through the lab measures every step and changes nothing", async () => {
    const planned = await scconf(["--target", "lab", "plan", "-d", ...DEVICES, "--out", "plan.json"]);
    expect(planned.code, show(planned)).toBe(2);
    const r = await scconf(["--target", "lab", "apply", "--dry-run", "--yes", "--record", "t.json", "plan.json"]);
    expect(r.code, show(r)).toBe(0);
    const record = JSON.parse(await readFile(path.join(project, "t.json"), "utf8")) as { dryRun: boolean; devices: Array<{ device: string; outcome: string; steps: Array<{ step: string; ms: number; ok: boolean }> }> };
    expect(record.dryRun).toBe(true);
    expect(record.devices.map((d) => d.device).sort()).toEqual([...DEVICES].sort());
    for (const d of record.devices) {
      expect(d.outcome).toBe("rehearsed");
      expect(d.steps.map((s) => s.step)).toEqual(["connect", "lock", "fetch", "backup", "stage", "validate", "discard"]);
      for (const s of d.steps) expect(s.ok && Number.isInteger(s.ms) && s.ms >= 0).toBe(true);
    }
    expect(existsSync(path.join(labDir, "devices/fw-nft-1/etc/nftables.d/scconf.nft"))).toBe(false);
  }, 90_000);

  it("apply --target lab changes the stand-ins' files under the lab directory, never /etc", async () => {
    const r = await scconf(["--target", "lab", "apply", "--yes", "plan.json"]);
    expect(r.code, show(r)).toBe(0);
    const plan = JSON.parse(await readFile(path.join(project, "plan.json"), "utf8")) as Plan;
    for (const d of plan.devices.filter((x) => x.changed)) {
      for (const a of d.artifacts) {
        expect(a.path.startsWith(`${labDir}/`) || a.path.startsWith("cli:"), a.path).toBe(true);
      }
    }
    const nft = plan.devices.find((d) => d.device === "fw-nft-1")!.artifacts[0]!;
    expect(await readFile(path.join(labDir, "devices/fw-nft-1/etc/nftables.d/scconf.nft"), "utf8")).toBe(nft.desired);
    const srx = plan.devices.find((d) => d.device === "fw-srx-1")!.artifacts[0]!;
    expect(await readFile(path.join(labDir, "devices/fw-srx-1/config/cli/security"), "utf8")).toBe(srx.desired);
    // the generations of lab runs stay in the lab
    expect(existsSync(path.join(labDir, "backups/.git"))).toBe(true);
    expect(existsSync(path.join(project, "backups"))).toBe(false);
    for (const f of REAL_PATHS) expect(await mtime(f), f).toBe(realBefore.get(f));
  }, 90_000);

  it("the lab's check of a checker-harness platform refuses a broken staged file", async () => {
    const stage = path.join(project, "broken-stage");
    await mkdir(stage);
    await writeFile(path.join(stage, "sites"), "server { listen 80; this_is_not_nginx; }\n");
    const verdict = await runLabCheck(path.join(labDir, "check/rp-nginx-1.json"), stage);
    expect(verdict.ok).toBe(false);
    expect(verdict.outcomes.some((o) => o.checked && !o.ok)).toBe(true);
  }, 30_000);

  it("lab down stops exactly the recorded processes and removes the lab directory", async () => {
    const r = await scconf(["lab", "down"]);
    expect(r.code, show(r)).toBe(0);
    for (const p of state!.processes) expect(isAlive(p.pid), `${p.role} ${p.pid}`).toBe(false);
    expect(existsSync(labDir)).toBe(false);
    const status = await scconf(["lab", "status"]);
    expect(status.stdout).toContain("no lab");
    // without a lab, --target lab refuses instead of reaching the real devices
    const refused = await scconf(["--target", "lab", "plan", "-d", "fw-nft-1"]);
    expect(refused.code).toBe(1);
    expect(refused.stderr).toContain("no lab is running");
  }, 30_000);
});
