// The device's reload fails after the swap: the driver reverts at once, the
// old file is read back, the run reports it and exits 3. Through the CLI,
// against a real sshd.
import { readdir, rm } from "node:fs/promises";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { GenerationStore } from "../../src/backup/store.js";
import { startSshd, type Sshd } from "../harness/sshd.js";
import { readOrNull } from "./helpers.js";
import { DEVICE, makeFaultProject, scconf, show, type FaultProject } from "./project.js";

const OLD = "# unbound: written by hand before scconf\nserver:\n";
let sshd: Sshd;
const projects: FaultProject[] = [];

beforeAll(async () => {
  sshd = await startSshd();
}, 60_000);

afterAll(async () => {
  await sshd?.stop();
  for (const p of projects) await rm(p.dir, { recursive: true, force: true });
});

async function project(reloadCommand: (where: { file: string; commandLog: string }) => string): Promise<FaultProject> {
  const p = await makeFaultProject({
    seed: OLD,
    device: (where) => ({
      transport: "ssh", address: "127.0.0.1", port: sshd.port, user: sshd.user,
      auth: { method: "key", keyFile: sshd.clientKeyPath }, hostKey: sshd.hostKeyFingerprint,
      checkCommand: "test -s {stage}/unbound",
      reloadCommand: reloadCommand(where),
    }),
  });
  projects.push(p);
  return p;
}

async function apply(p: FaultProject) {
  const gens = async () => (await (await GenerationStore.open(p.backups, { keep: 10, readOnly: true })).generations(DEVICE, { all: true })).length;
  const before = await gens();
  const r = await scconf(p, ["apply", "--yes", "-d", DEVICE, "--confirm-timeout", "20"]);
  return { r, grew: (await gens()) - before };
}

describe("the reload fails after the swap", () => {
  it("the service refuses the new file: reverted at once, old file read back, exit 3", async () => {
    // succeeds on the old file, fails on any other: a service that will not load the new configuration
    const p = await project(({ file, commandLog }) => `echo reload >> ${commandLog}; grep -q 'written by hand' ${file}`);
    const { r, grew } = await apply(p);
    expect(r.code, show(r)).toBe(3);
    expect(r.stdout).toMatch(new RegExp(`${DEVICE}\\s+reverted`));
    expect(r.stdout).toMatch(/failed \(exit 1\); the previous configuration was restored/);
    expect(await readOrNull(p.file)).toBe(OLD);
    // reloaded twice: the new file (failed) and the old one again (the revert)
    expect(await readOrNull(p.commandLog)).toBe("reload\nreload\n");
    expect(await readdir(p.stateDir)).not.toContain("lock");
    expect(await readdir(p.stateDir)).not.toContain("pending.json");
    // the hand-written state was backed up; no applied generation
    expect(grew).toBe(1);
  }, 90_000);

  it("the reload fails even on the old file: files restored and read back, the failed reload reported, exit 3", async () => {
    const p = await project(({ commandLog }) => `echo reload >> ${commandLog}; exit 7`);
    const { r } = await apply(p);
    expect(r.code, show(r)).toBe(3);
    expect(r.stdout).toMatch(new RegExp(`${DEVICE}\\s+reverted`));
    expect(await readOrNull(p.file)).toBe(OLD);
    // the message must not claim that the revert failed when the files are back
    expect(r.stdout).toMatch(/previous files were restored \(read back\), but reloading them failed too/);
    expect(r.stdout).not.toMatch(/reverting at once failed too/);
    expect(await readdir(p.stateDir)).not.toContain("lock");
  }, 90_000);
});
