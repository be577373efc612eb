// kill -9 of scconf in the middle of an apply, after the commit: the device
// reverts by its own timer; the next run finds the leftover lock and journal
// and says what they are; `scconf recover` cleans up safely; then apply works.
import { access, readdir, rm } from "node:fs/promises";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startSshd, type Sshd } from "../harness/sshd.js";
import { startTcpProxy, type TcpProxy } from "../harness/tcp-proxy.js";
import { readOrNull } from "./helpers.js";
import { DEVICE, makeFaultProject, scconf, show, startScconf, type FaultProject } from "./project.js";

const OLD = "# unbound: written by hand before scconf\nserver:\n";
let sshd: Sshd;
let proxy: TcpProxy;
let p: FaultProject;

beforeAll(async () => {
  sshd = await startSshd();
  proxy = await startTcpProxy({ port: sshd.port });
  p = await makeFaultProject({
    seed: OLD,
    device: {
      transport: "ssh", address: "127.0.0.1", port: proxy.port, user: sshd.user,
      auth: { method: "key", keyFile: sshd.clientKeyPath }, hostKey: sshd.hostKeyFingerprint,
      checkCommand: "test -s {stage}/unbound",
      // keeps the process inside the commit step for a moment
      reloadCommand: "sleep 1",
    },
  });
}, 60_000);

afterAll(async () => {
  await proxy?.close();
  await sshd?.stop();
  if (p) await rm(p.dir, { recursive: true, force: true });
});

async function waitFor(check: () => Promise<boolean>, ms: number): Promise<number> {
  const t0 = Date.now();
  while (!(await check())) {
    if (Date.now() - t0 > ms) throw new Error(`not within ${ms} ms`);
    await new Promise((r) => setTimeout(r, 250));
  }
  return Date.now() - t0;
}

describe("kill -9 of scconf after the commit", () => {
  it("the device reverts by its timer; the next run explains the leftovers; recover cleans them; apply then succeeds", async () => {
    const run = startScconf(p, ["apply", "--yes", "-d", DEVICE, "--confirm-timeout", "4"]);
    // the commit step is logged once the files are swapped and the reload returned
    await waitFor(async () => /ok\s+Commit with a 4 s confirm timer/.test(run.stderr()), 90_000);
    // no verify or confirm may get through before the kill: stall the link, then kill
    proxy.stall();
    const pid = run.child.pid!;
    process.kill(pid, "SIGKILL");
    const killed = await run.done;
    proxy.pass();
    expect(killed.code, show(killed)).toBe(137);
    expect(await readOrNull(p.file)).not.toBe(OLD);

    // the device's own timer restores the old file
    await waitFor(async () => (await readOrNull(p.file)) === OLD, 20_000);
    const state = await readdir(p.stateDir);
    expect(state).toContain("lock");
    expect(state).toContain("pending.json");

    // the next run: refused, and told what is left and what to do
    const next = await scconf(p, ["apply", "--yes", "-d", DEVICE]);
    expect(next.code, show(next)).toBe(3);
    expect(next.stdout + next.stderr).toMatch(new RegExp(`locked by fault .*pid ${pid}`));
    expect(next.stdout + next.stderr).toMatch(new RegExp(`that process no longer exists .*scconf recover ${DEVICE}`));
    expect(await readOrNull(p.file)).toBe(OLD);

    // recover: explains (dead holder, commit reverted by its timer), cleans up, proves the old file by reading back
    const rec = await scconf(p, ["recover", DEVICE, "--yes"]);
    expect(rec.code, show(rec)).toBe(0);
    expect(rec.stdout).toMatch(new RegExp(`process ${pid} on .* no longer exists`));
    expect(rec.stdout).toMatch(/reverted by its timer, but not cleaned up/);
    expect(rec.stdout).toMatch(/runs its previous artifacts \(read back\)/);
    expect(await access(path.join(p.stateDir, "lock")).then(() => true, () => false)).toBe(false);
    expect(await access(path.join(p.stateDir, "pending.json")).then(() => true, () => false)).toBe(false);
    expect(await readOrNull(p.file)).toBe(OLD);

    // a second recover finds nothing
    const again = await scconf(p, ["recover", DEVICE]);
    expect(again.code, show(again)).toBe(0);
    expect(again.stdout).toMatch(/nothing to do/);

    const ok = await scconf(p, ["apply", "--yes", "-d", DEVICE, "--confirm-timeout", "30"]);
    expect(ok.code, show(ok)).toBe(0);
    expect(await readOrNull(p.file)).not.toBe(OLD);
    expect(await readdir(p.stateDir)).not.toContain("lock");
  }, 180_000);

  it("recover refuses to touch a lock whose holder is alive", async () => {
    // a live holder: this test's own process
    const { createFileDriver, currentLockOwner } = await import("../../src/transport/file-device.js");
    const { deviceSchema } = await import("../../src/model/schema.js");
    const device = deviceSchema.parse({
      name: DEVICE, platform: "unbound", kinds: ["dns"], transport: "ssh", address: "127.0.0.1", port: sshd.port, user: sshd.user,
      auth: { method: "key", keyFile: sshd.clientKeyPath }, hostKey: sshd.hostKeyFingerprint, stateDir: p.stateDir, paths: { unbound: p.file },
    });
    const driver = createFileDriver(device, { stateDir: p.stateDir });
    await driver.connect();
    try {
      await driver.lock(currentLockOwner("held-by-test", "alive"));
      const rec = await scconf(p, ["recover", DEVICE, "--yes"]);
      expect(rec.code, show(rec)).toBe(3);
      expect(rec.stdout).toMatch(new RegExp(`process ${process.pid} .* is still running`));
      expect(rec.stdout).toMatch(/left everything in place/);
      expect(await readdir(p.stateDir)).toContain("lock");
      await driver.unlock();
    } finally {
      await driver.close();
    }
  }, 60_000);
});
