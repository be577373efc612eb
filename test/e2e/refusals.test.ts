// End to end through the CLI: what apply refuses, and that a refused device
// is left byte-identical while the others proceed; a dry run validates on the
// devices and changes nothing.
import { readFile, writeFile } from "node:fs/promises";
import path from "node:path";
import { beforeAll, describe, expect, it } from "vitest";
import { GenerationStore } from "../../src/backup/store.js";
import { readPlan } from "../../src/plan/file.js";
import { canonicalXml } from "../../src/transport/netconf/artifacts.js";
import {
  ALL_DEVICES,
  OLD,
  SMALL_ACLS,
  initStore,
  leftovers,
  makeProject,
  netconfAcls,
  readOrNull,
  scconf,
  setNetconfAcls,
  show,
  snapshotDevices,
  serversForThisFile,
  type Project,
  type Servers,
} from "./helpers.js";

const fixture = serversForThisFile();
const projects = fixture.projects;
let servers: Servers;
beforeAll(() => {
  servers = fixture.get();
});

async function seeded(override?: Record<string, Record<string, unknown>>): Promise<Project> {
  const p = await makeProject(servers, { seed: true, ...(override ? { override } : {}) });
  projects.push(p);
  await initStore(p);
  await setNetconfAcls(servers.nc, await SMALL_ACLS());
  return p;
}

interface Recorded {
  dryRun: boolean;
  devices: Array<{ device: string; outcome: string; steps: Array<{ step: string; ok: boolean }> }>;
}
const readRecord = async (file: string) => JSON.parse(await readFile(file, "utf8")) as Recorded;

describe("apply refusals", () => {
  it("a device whose device-side check fails is left byte-identical; the others proceed; exit 3, refused at validate", async () => {
    const p = await seeded({
      // the real checker, then a site policy the rendered file does not meet
      "dns-unbound": { checkCommand: "unbound-checkconf {stage}/unbound && grep -q 'site-policy-marker' {stage}/unbound" },
    });
    const record = path.join(p.dir, "record.json");
    const r = await scconf(p, ["apply", "--yes", "--parallel", "8", "--record", record]);
    expect(r.code, show(r)).toBe(3);
    expect(r.stdout).toMatch(/^\s+dns-unbound\s+refused\s+.*\(stopped at validate\)/m);
    expect(r.stdout).toContain("the device refused the staged configuration");
    // untouched, byte for byte, and nothing left staged or locked on it
    expect(await readOrNull(p.sshFile.unbound)).toBe(OLD.unbound);
    expect(await leftovers(p.stateDir["dns-unbound"])).toEqual([]);
    // the others were applied
    const rec = await readRecord(record);
    const outcome = Object.fromEntries(rec.devices.map((d) => [d.device, d.outcome]));
    expect(outcome).toEqual({ ...Object.fromEntries(ALL_DEVICES.map((d) => [d, "applied"])), "dns-unbound": "refused" });
    const unboundSteps = rec.devices.find((d) => d.device === "dns-unbound")?.steps ?? [];
    expect(unboundSteps.map((s) => s.step)).toEqual(["connect", "lock", "fetch", "backup", "stage", "validate"]);
    expect(unboundSteps.at(-1)?.ok).toBe(false);
    expect(await readOrNull(p.sshFile.ruleset)).not.toBe(OLD.ruleset);
    expect(await netconfAcls(servers.nc)).not.toBe(canonicalXml(await SMALL_ACLS()));
    // no applied generation for the refused device (only the backup of what it runs)
    const store = await GenerationStore.open(p.backups, { keep: 10, readOnly: true });
    expect((await store.generations("dns-unbound", { all: true })).map((g) => g.kind)).toEqual(["backup"]);
    expect((await store.generations("fw-nft", { all: true })).map((g) => g.kind)).toEqual(["apply", "backup"]);
  }, 120_000);

  it("a stale plan is refused at fetch for the device that changed since; that device keeps the hand edit; exit 3", async () => {
    const p = await seeded();
    const planFile = path.join(p.dir, "plan.json");
    const planned = await scconf(p, ["plan", "--out", planFile, "--parallel", "8"]);
    expect(planned.code, show(planned)).toBe(2);
    const handEdit = `${OLD.ruleset}# an emergency rule added by hand after the plan\n`;
    await writeFile(p.sshFile.ruleset, handEdit);

    const r = await scconf(p, ["apply", planFile, "--yes", "--parallel", "8"]);
    expect(r.code, show(r)).toBe(3);
    expect(r.stdout).toMatch(/^\s+fw-nft\s+refused\s+.*\(stopped at fetch\)/m);
    expect(r.stdout).toContain("stale plan");
    expect(await readOrNull(p.sshFile.ruleset)).toBe(handEdit);
    expect(await leftovers(p.stateDir["fw-nft"])).toEqual([]);
    // the devices that did not change since the plan got it
    const plan = readPlan(planFile);
    const desired = plan.devices.find((d) => d.device === "dns-unbound")?.artifacts[0]?.desired;
    expect(await readOrNull(p.sshFile.unbound)).toBe(desired);
    expect(r.stdout).toMatch(/^\s+dns-unbound\s+applied/m);
  }, 120_000);

  it("a run in which every device is refused exits 3 (not an error of the backups store) and records no generation", async () => {
    const p = await seeded();
    const planFile = path.join(p.dir, "plan.json");
    const planned = await scconf(p, ["plan", "--device", "fw-nft", "--out", planFile]);
    expect(planned.code, show(planned)).toBe(2);
    const handEdit = `${OLD.ruleset}# edited by hand after the plan\n`;
    await writeFile(p.sshFile.ruleset, handEdit);
    const r = await scconf(p, ["apply", planFile, "--yes"]);
    expect(r.code, show(r)).toBe(3);
    expect(r.stdout).toMatch(/^\s+fw-nft\s+refused\s+.*\(stopped at fetch\)/m);
    expect(await readOrNull(p.sshFile.ruleset)).toBe(handEdit);
    const store = await GenerationStore.open(p.backups, { keep: 10, readOnly: true });
    expect(await store.generationCount("fw-nft")).toBe(0);
  }, 120_000);

  it("apply --dry-run validates on the devices but changes nothing and writes no generation", async () => {
    const p = await seeded();
    const before = await snapshotDevices(p, servers.nc);
    const record = path.join(p.dir, "record.json");
    const r = await scconf(p, ["apply", "--dry-run", "--yes", "--parallel", "8", "--record", record]);
    expect(r.code, show(r)).toBe(0);
    for (const d of ALL_DEVICES) expect(r.stdout).toMatch(new RegExp(`^\\s+${d}\\s+rehearsed\\s+generation 0$`, "m"));
    expect(await snapshotDevices(p, servers.nc)).toEqual(before);
    // the device-side checks ran (over ssh, on the staged files); no reload did
    const log = await readFile(p.commandLog, "utf8");
    expect(log).toContain("fw-nft check");
    expect(log).toContain("dns-unbound check");
    expect(log).not.toContain("reload");
    const rec = await readRecord(record);
    expect(rec.dryRun).toBe(true);
    for (const d of rec.devices) expect(d.steps.map((s) => s.step)).toEqual(["connect", "lock", "fetch", "backup", "stage", "validate", "discard"]);
    // the netconf device validated (<validate> of the staged data) too
    expect(rec.devices.find((d) => d.device === "acl-nc")?.steps.find((s) => s.step === "validate")?.ok).toBe(true);
    // no generation, nothing staged or locked
    const store = await GenerationStore.open(p.backups, { keep: 10, readOnly: true });
    for (const d of ALL_DEVICES) expect(await store.generationCount(d)).toBe(0);
    expect(await leftovers(p.stateDir["fw-nft"])).toEqual([]);
    expect(await leftovers(p.stateDir["dns-unbound"])).toEqual([]);
  }, 120_000);
});
