// End to end through the CLI: plan shows the diff, apply changes real devices
// (ssh, netconf, local) and records generations, rollback restores them
// byte for byte; a wrong host key and a broken backups store are refused
// before anything changes.
import { chmod, readFile, writeFile } from "node:fs/promises";
import path from "node:path";
import { beforeAll, describe, expect, it } from "vitest";
import { GenerationStore } from "../../src/backup/store.js";
import { readPlan } from "../../src/plan/file.js";
import { canonicalXml } from "../../src/transport/netconf/artifacts.js";
import {
  ALL_DEVICES,
  OLD,
  SMALL_ACLS,
  gitFsck,
  initStore,
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

async function counts(p: Project): Promise<Record<string, number>> {
  const store = await GenerationStore.open(p.backups, { keep: 10, readOnly: true });
  const out: Record<string, number> = {};
  for (const d of ALL_DEVICES) out[d] = await store.generationCount(d);
  return out;
}

async function seeded(override?: Record<string, Record<string, unknown>>): Promise<Project> {
  const p = await makeProject(servers, { seed: true, ...(override ? { override } : {}) });
  projects.push(p);
  await setNetconfAcls(servers.nc, await SMALL_ACLS());
  return p;
}

describe("plan, apply, plan again; then rollback (one project, in order)", () => {
  let p: Project;
  let change: string;
  let smallCanonical: string;

  it("plan exits 2 and shows a unified diff per device and path; --out saves it", async () => {
    p = await seeded();
    await initStore(p); // see "a first plan on a project without backups" below
    smallCanonical = canonicalXml(await SMALL_ACLS()) ?? "";
    const r = await scconf(p, ["plan", "--out", path.join(p.dir, "plan.json"), "--parallel", "8"]);
    expect(r.code, show(r)).toBe(2);
    // the ssh device: header, unified diff lines naming device:path, a hunk
    expect(r.stdout).toContain(`# fw-nft ruleset (${p.sshFile.ruleset}): update`);
    expect(r.stdout).toContain(`--- fw-nft:${p.sshFile.ruleset}\tcurrent`);
    expect(r.stdout).toContain(`+++ fw-nft:${p.sshFile.ruleset}\tdesired`);
    expect(r.stdout).toContain(`-# nftables: written by hand before scconf`);
    expect(r.stdout).toMatch(/^@@ -\d+,\d+ \+\d+,\d+ @@/m);
    expect(r.stdout).toContain(`# dns-unbound unbound (${p.sshFile.unbound}): update`);
    expect(r.stdout).toContain("# acl-nc acls (netconf:/acls): update");
    expect(r.stdout).toContain("8 of 8 device(s) would change.");
    expect(r.stderr).toContain("saved to");
    const plan = readPlan(path.join(p.dir, "plan.json"));
    expect(plan.devices.map((d) => d.device).sort()).toEqual(ALL_DEVICES);
    change = `plan-${plan.id}`;
    // planning changed nothing
    expect(await readOrNull(p.sshFile.ruleset)).toBe(OLD.ruleset);
    expect(await netconfAcls(servers.nc)).toBe(smallCanonical);
  }, 120_000);

  it("apply of the saved plan changes the ssh, netconf and local devices and commits generations; plan again exits 0", async () => {
    const plan = readPlan(path.join(p.dir, "plan.json"));
    const desired = (device: string, id: string) => plan.devices.find((d) => d.device === device)?.artifacts.find((a) => a.id === id)?.desired;
    const before = await counts(p);
    expect(Object.values(before).every((n) => n === 0)).toBe(true);

    const r = await scconf(p, ["apply", path.join(p.dir, "plan.json"), "--yes", "--parallel", "8"]);
    expect(r.code, show(r)).toBe(0);
    for (const d of ALL_DEVICES) expect(r.stdout).toMatch(new RegExp(`^\\s+${d}\\s+applied\\s+generation 0 → [12]`, "m"));
    expect(r.stdout).toMatch(/backups commit [0-9a-f]{12}/);

    // the devices hold exactly the plan
    expect(await readOrNull(p.sshFile.ruleset)).toBe(desired("fw-nft", "ruleset"));
    expect(await readOrNull(p.sshFile.unbound)).toBe(desired("dns-unbound", "unbound"));
    expect(await netconfAcls(servers.nc)).toBe(desired("acl-nc", "acls"));
    expect(await readOrNull(p.localFile("fw-srx", "cli:security"))).toBe(desired("fw-srx", "security-policies"));
    // the device-side checks and reloads really ran over ssh
    const log = await readFile(p.commandLog, "utf8");
    for (const line of ["fw-nft check", "fw-nft reload", "dns-unbound check", "dns-unbound reload"]) expect(log).toContain(line);

    // seeded devices: a backup of the hand-written state, then the applied one; the others: the applied one
    const after = await counts(p);
    expect(after).toEqual({ "acl-nc": 2, "dns-unbound": 2, "fw-nft": 2, "fw-srx": 2, "mail-postfix": 1, "mail-sa": 1, "rp-nginx": 1, "utm-fg": 2 });
    const gens = await scconf(p, ["generations", "fw-nft", "--json"]);
    expect(gens.code, show(gens)).toBe(0);
    const list = JSON.parse(gens.stdout) as Array<{ number: number; kind: string; change: string }>;
    expect(list.map((g) => [g.number, g.kind, g.change])).toEqual([
      [2, "apply", change],
      [1, "backup", change],
    ]);

    const again = await scconf(p, ["plan", "--parallel", "8"]);
    expect(again.code, show(again)).toBe(0);
    expect(again.stdout).toContain("No changes: 8 device(s) match the inventory.");
    expect((await gitFsck(p.backups)).code).toBe(0);
  }, 120_000);

  it("rollback DEVICE --to N restores the generation byte for byte, through the transaction", async () => {
    const r = await scconf(p, ["rollback", "fw-nft", "--to", "1", "--yes"]);
    expect(r.code, show(r)).toBe(0);
    expect(await readOrNull(p.sshFile.ruleset)).toBe(OLD.ruleset);
    const store = await GenerationStore.open(p.backups, { keep: 10, readOnly: true });
    expect(await store.generationCount("fw-nft")).toBe(3);
    expect((await store.latest("fw-nft"))?.generation.kind).toBe("rollback");
    // a rollback over netconf too
    const nc = await scconf(p, ["rollback", "acl-nc", "--to", "1", "--yes"]);
    expect(nc.code, show(nc)).toBe(0);
    expect(await netconfAcls(servers.nc)).toBe(smallCanonical);
  }, 120_000);

  it("rollback --change ID restores every device the change touched to its state before the change", async () => {
    const r = await scconf(p, ["rollback", "--change", change, "--yes", "--parallel", "8"]);
    expect(r.code, show(r)).toBe(0);
    // devices the change created the first generation of have nothing to go back to: said, and skipped
    for (const d of ["mail-postfix", "mail-sa", "rp-nginx"]) expect(r.stderr).toContain(`${d}: change ${change} created its first generation`);
    const now = await snapshotDevices(p, servers.nc);
    expect(now).toEqual({
      ruleset: OLD.ruleset,
      unbound: OLD.unbound,
      security: OLD.security,
      firewall: OLD.firewall,
      ips: OLD.ips,
      webfilter: OLD.webfilter,
      acls: smallCanonical,
    });
    const plan = await scconf(p, ["plan"]);
    expect(plan.code, show(plan)).toBe(2);
    expect((await gitFsck(p.backups)).code).toBe(0);
  }, 120_000);
});

describe("a fresh project", () => {
  it("a first plan on a project without backups yet works (exit 2)", async () => {
    const p = await seeded();
    const r = await scconf(p, ["plan", "--device", "fw-srx"]);
    expect(r.code, show(r)).toBe(2);
    expect(r.stdout).toContain("# fw-srx security-policies (cli:security): update");
  }, 60_000);
});

describe("refusals before any change", () => {
  /** one device per transport is enough to show that none is touched (and keeps this file fast) */
  const SUBSET = ["fw-nft", "acl-nc", "fw-srx"];

  it("a wrong pinned host key: plan exits 3 and names both fingerprints (ssh and netconf)", async () => {
    // each pins another real key (valid-looking, just not this device's)
    const p = await seeded({
      "fw-nft": { hostKey: servers.nc.hostKeyFingerprint },
      "acl-nc": { hostKey: servers.sshd.hostKeyFingerprint },
    });
    await initStore(p);
    const r = await scconf(p, ["plan", "--device", "fw-nft", "acl-nc", "fw-srx"]);
    expect(r.code, show(r)).toBe(3);
    const line = (device: string) => r.stderr.split("\n").find((l) => l.startsWith(`${device}:`)) ?? "";
    expect(line("fw-nft")).toContain(servers.sshd.hostKeyFingerprint);
    expect(line("fw-nft")).toContain(servers.nc.hostKeyFingerprint);
    expect(line("fw-nft")).toMatch(/host key mismatch/);
    expect(line("acl-nc")).toContain(servers.nc.hostKeyFingerprint);
    expect(line("acl-nc")).toContain(servers.sshd.hostKeyFingerprint);
    // and apply refuses the same way, changing nothing
    const a = await scconf(p, ["apply", "--yes", "--device", "fw-nft", "fw-srx"]);
    expect(a.code, show(a)).toBe(3);
    expect(await readOrNull(p.sshFile.ruleset)).toBe(OLD.ruleset);
  }, 120_000);

  it("a corrupt backups store: apply exits 1 before touching any device", async () => {
    const p = await seeded();
    // a store that exists and works: then garbage in .git/HEAD
    await initStore(p);
    await writeFile(path.join(p.backups, ".git/HEAD"), "garbage\n");
    const before = await snapshotDevices(p, servers.nc);
    const r = await scconf(p, ["apply", "--yes", "--device", ...SUBSET]);
    expect(r.code, show(r)).toBe(1);
    expect(await snapshotDevices(p, servers.nc)).toEqual(before);
    expect(await readOrNull(p.commandLog)).toBeNull(); // no device-side check ran: nothing was staged
  }, 120_000);

  it("a read-only backups store: apply exits 1 before touching any device", async () => {
    const p = await seeded();
    await initStore(p);
    const objects = path.join(p.backups, ".git/objects");
    await chmod(objects, 0o555);
    try {
      const before = await snapshotDevices(p, servers.nc);
      const r = await scconf(p, ["apply", "--yes", "--device", ...SUBSET]);
      expect(r.code, show(r)).toBe(1);
      expect(r.stderr).toMatch(/not writable/);
      expect(await snapshotDevices(p, servers.nc)).toEqual(before);
      expect(await readOrNull(p.commandLog)).toBeNull();
    } finally {
      await chmod(objects, 0o755);
    }
  }, 120_000);
});
