// `recover` on the states an interrupted commit can leave, built with the real
// driver on a local device (a directory; the revert timer is a real detached
// process) and then cut short by hand where a crash would cut it.
import { mkdir, mkdtemp, readFile, readdir, rm, writeFile } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { deviceSchema } from "../../src/model/schema.js";
import type { Artifact } from "../../src/model/types.js";
import { createFileDriver, currentLockOwner } from "../../src/transport/file-device.js";
import { LocalHost } from "../../src/transport/local.js";
import { recoverFileDevice, type RecoverOptions } from "../../src/transport/file/recover.js";
import { inspectLeftovers } from "../../src/transport/file/state.js";

const OLD = "old content\n";
const NEW = "new content\n";
let base: string;

beforeAll(async () => {
  base = await mkdtemp(path.join(os.tmpdir(), "scconf-recover-"));
});
afterAll(async () => {
  if (base) await rm(base, { recursive: true, force: true });
});

const artifact = (content: string): Artifact => ({ id: "app", path: "/etc/app.conf", content, kinds: ["reverseProxy"], format: "text" });
const options = (over: Partial<RecoverOptions> = {}): RecoverOptions => ({ force: false, dryRun: false, owner: currentLockOwner("recover", "test"), isAlive: () => false, ...over });

/** A device with an unconfirmed commit of NEW over OLD and a dead scconf; the timer killed unless `armed`. */
async function crashedCommit(armed = false) {
  const root = await mkdtemp(path.join(base, "root-"));
  await mkdir(path.join(root, "etc"), { recursive: true });
  await writeFile(path.join(root, "etc/app.conf"), OLD);
  const device = deviceSchema.parse({ name: "web1", platform: "nginx", kinds: ["reverseProxy"], transport: "local", root });
  const driver = createFileDriver(device);
  await driver.connect();
  await driver.lock(currentLockOwner("CHG-crash", "crashed"));
  await driver.stage([artifact(NEW)]);
  await driver.commit({ confirmTimeout: 120 });
  await driver.close(); // the process is gone: no confirm, no discard, no unlock
  const host = new LocalHost("web1", { root, commandTimeoutMs: 20_000 });
  const state = path.join(root, "var/lib/scconf");
  if (!armed) {
    // the timer died with the machine, say: stop it the way the driver would
    const pidFile = (await readdir(state)).find((n) => n.startsWith("timer-"))!;
    const pid = Number(await readFile(path.join(state, pidFile), "utf8"));
    process.kill(-pid, "SIGTERM");
    await rm(path.join(state, pidFile));
  }
  const file = () => readFile(path.join(root, "etc/app.conf"), "utf8");
  return { root, host, state, file };
}

describe("scconf recover on a file device", () => {
  it("an interrupted commit (files swapped, timer dead): reverts from the saved copies, reads back the old file, cleans up", async () => {
    const d = await crashedCommit();
    expect(await d.file()).toBe(NEW);
    expect((await inspectLeftovers(d.host)).journal?.outcome).toBe("interrupted");
    const r = await recoverFileDevice(d.host, "/var/lib/scconf", options());
    expect(r, r.actions.join("\n")).toMatchObject({ exitCode: 0, state: "old" });
    expect(await d.file()).toBe(OLD);
    expect(await inspectLeftovers(d.host)).toEqual({ lock: null, journal: null, staging: null });
  });

  it("an armed commit: recover reverts now and stops the timer", async () => {
    const d = await crashedCommit(true);
    const r = await recoverFileDevice(d.host, "/var/lib/scconf", options());
    expect(r, r.actions.join("\n")).toMatchObject({ exitCode: 0, state: "old" });
    expect(await d.file()).toBe(OLD);
    expect((await readdir(d.state)).filter((n) => n.startsWith("timer-"))).toEqual([]);
  });

  it("a saved copy cut short: never reverts from it; exit 4, the file and the journal left as they are", async () => {
    const d = await crashedCommit();
    await writeFile(path.join(d.state, "prev/app"), "old con");
    const r = await recoverFileDevice(d.host, "/var/lib/scconf", options());
    expect(r.exitCode).toBe(4);
    expect(r.actions.join("\n")).toMatch(/saved copy of \/etc\/app.conf is missing or incomplete/);
    expect(await d.file()).toBe(NEW);
    expect((await inspectLeftovers(d.host)).journal).not.toBeNull();
    // and recover's own lock is not left behind
    expect((await inspectLeftovers(d.host)).lock).toBeNull();
  });

  it("a commit cut off before the swap (the file still old, a copy incomplete): no revert needed, cleans up", async () => {
    const d = await crashedCommit();
    await writeFile(path.join(d.root, "etc/app.conf"), OLD);
    await writeFile(path.join(d.state, "prev/app"), "");
    const r = await recoverFileDevice(d.host, "/var/lib/scconf", options());
    expect(r, r.actions.join("\n")).toMatchObject({ exitCode: 0, state: "old" });
    expect(await d.file()).toBe(OLD);
    expect(await inspectLeftovers(d.host)).toEqual({ lock: null, journal: null, staging: null });
  });

  it("a confirmed but not cleaned-up commit: keeps the new file, cleans up, says to record a backup", async () => {
    const d = await crashedCommit();
    const txid = JSON.parse(await readFile(path.join(d.state, "pending.json"), "utf8")).txid as string;
    await mkdir(path.join(d.state, `decided-${txid}`));
    await writeFile(path.join(d.state, `confirmed-${txid}`), "");
    const r = await recoverFileDevice(d.host, "/var/lib/scconf", options());
    expect(r, r.actions.join("\n")).toMatchObject({ exitCode: 0, state: "new" });
    expect(r.hint).toMatch(/scconf backup/);
    expect(await d.file()).toBe(NEW);
  });

  it("a live holder or a holder that cannot be known: nothing is touched without --force", async () => {
    const d = await crashedCommit();
    const alive = await recoverFileDevice(d.host, "/var/lib/scconf", options({ isAlive: () => true }));
    expect(alive).toMatchObject({ exitCode: 3, state: "untouched" });
    const elsewhere = await recoverFileDevice(d.host, "/var/lib/scconf", options({ hostname: "another-host" }));
    expect(elsewhere).toMatchObject({ exitCode: 3, state: "untouched" });
    expect(await d.file()).toBe(NEW);
    const forced = await recoverFileDevice(d.host, "/var/lib/scconf", options({ isAlive: () => true, force: true }));
    expect(forced).toMatchObject({ exitCode: 0, state: "old" });
  });

  it("only staging left by a dead run: removed; dry run only reports", async () => {
    const root = await mkdtemp(path.join(base, "root-"));
    await mkdir(path.join(root, "etc"), { recursive: true });
    const driver = createFileDriver(deviceSchema.parse({ name: "web1", platform: "nginx", kinds: ["reverseProxy"], transport: "local", root }));
    await driver.connect();
    await driver.lock(currentLockOwner("CHG-stage", "crashed"));
    await driver.stage([artifact(NEW)]);
    await driver.close();
    const host = new LocalHost("web1", { root, commandTimeoutMs: 20_000 });
    const dry = await recoverFileDevice(host, "/var/lib/scconf", options({ dryRun: true }));
    expect(dry.actions).toEqual(["would remove the stale lock", "would remove the staging directory"]);
    expect((await inspectLeftovers(host)).staging).not.toBeNull();
    const r = await recoverFileDevice(host, "/var/lib/scconf", options());
    expect(r.exitCode).toBe(0);
    expect(await inspectLeftovers(host)).toEqual({ lock: null, journal: null, staging: null });
  });
});
