// The file-device transaction on a `local` device: a temp dir stands for the
// device's filesystem root, and the revert timer is a real detached process.
import { readFileSync } from "node:fs";
import { access, mkdir, mkdtemp, readFile, readdir, rm, writeFile } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import type { Artifact, Device } from "../../src/model/types.js";
import { deviceSchema } from "../../src/model/schema.js";
import { DeviceError, LockHeldError } from "../../src/transport/driver.js";
import { createFileDriver, currentLockOwner, describeLeftovers, type FileDeviceDriver } from "../../src/transport/file-device.js";
import { waitFor } from "../helpers/wait.js";

let base: string;
let root: string;
const open: FileDeviceDriver[] = [];

beforeAll(async () => {
  base = await mkdtemp(path.join(os.tmpdir(), "scconf-local-"));
});
afterEach(async () => {
  // confirm or discard anything a failed test left armed, so that no timer outlives the test
  for (const driver of open.splice(0)) await driver.discard().catch(() => undefined);
});
afterAll(async () => {
  await rm(base, { recursive: true, force: true });
});

async function freshRoot(): Promise<string> {
  root = await mkdtemp(path.join(base, "root-"));
  await mkdir(path.join(root, "etc/app"), { recursive: true });
  await writeFile(path.join(root, "etc/app/app.conf"), "good old\n");
  return root;
}

function device(extra: Partial<Record<string, unknown>> = {}): Device {
  return deviceSchema.parse({ name: "web1", platform: "nginx", kinds: ["reverseProxy"], transport: "local", root, ...extra });
}

function driverFor(spec: Device): FileDeviceDriver {
  const driver = createFileDriver(spec);
  open.push(driver);
  return driver;
}

const appConf = (content: string): Artifact => ({ id: "app", path: "/etc/app/app.conf", content, kinds: ["reverseProxy"], format: "text" });
const newConf = (content: string): Artifact => ({ id: "extra", path: "/etc/app/conf.d/extra.conf", content, kinds: ["reverseProxy"], format: "text" });
const onDevice = (devicePath: string) => readFile(path.join(root, devicePath), "utf8").catch(() => null);
const stateDir = () => path.join(root, "var/lib/scconf");

/** A zombie counts as gone: whether init reaps it promptly is not the driver's business. */
function isAlive(pid: number): boolean {
  try {
    return readFileSync(`/proc/${pid}/stat`, "utf8").split(") ")[1]?.[0] !== "Z";
  } catch {
    return false;
  }
}


describe("local file device", () => {
  it("stages, validates, commits and confirms: the device holds exactly what was staged", async () => {
    await freshRoot();
    const driver = driverFor(device({ checkCommand: "grep -q 'good new' {stage}/app && test \"$SCCONF_ROOT\" = {root}" }));
    await driver.connect();
    await driver.lock(currentLockOwner("CHG-1", "alice"));
    expect(await driver.fetch([appConf("")])).toEqual([{ id: "app", path: "/etc/app/app.conf", content: "good old\n" }]);
    await driver.stage([appConf("good new\n"), newConf("extra\n")]);
    expect(await onDevice("/etc/app/app.conf")).toBe("good old\n");
    const check = await driver.validate();
    expect(check).toMatchObject({ ok: true });
    expect(check.command).toContain(stateDir());
    await driver.commit({ confirmTimeout: 30 });
    expect(await onDevice("/etc/app/app.conf")).toBe("good new\n");
    await driver.confirm();
    await driver.unlock();
    expect(await onDevice("/etc/app/app.conf")).toBe("good new\n");
    expect(await onDevice("/etc/app/conf.d/extra.conf")).toBe("extra\n");
    const left = await readdir(stateDir());
    expect(left.filter((name) => /^(pending\.json|prev|stage|lock|timer-.*)$/.test(name))).toEqual([]);
    expect(await driver.inspectLeftovers()).toEqual({ lock: null, journal: null, staging: null });
  });

  it("commits and reverts a device of 300 artifacts with long paths (a commit script far beyond the 128 KiB argument limit)", async () => {
    await freshRoot();
    // each artifact's path is about 230 characters and appears six times in the commit script:
    // 300 of them make a script of about 400 KiB, three times the 128 KiB of one argument
    const deep = `/etc/bind/scconf/${"zones-of-the-municipal-security-cloud-".repeat(3)}`;
    const many = Array.from({ length: 300 }, (_, i): Artifact => ({
      id: `zone-${i}.city${i}.example.jp`,
      path: `${deep}/db.city${i}.${"long-label-".repeat(6)}example.jp`,
      content: `; zone ${i}\n`,
      kinds: ["dns"],
      format: "text",
    }));
    expect(many.reduce((n, a) => n + a.path.length * 6, 0)).toBeGreaterThan(3 * 128 * 1024);
    const driver = driverFor(device());
    await driver.connect();
    await driver.lock(currentLockOwner("CHG-BIG", "alice"));
    await driver.stage(many);
    await driver.commit({ confirmTimeout: 60 });
    expect(await onDevice(many[299]!.path)).toBe("; zone 299\n");
    await driver.discard();
    expect(await onDevice(many[299]!.path)).toBeNull();
    expect(await onDevice(many[0]!.path)).toBeNull();
    await driver.unlock();
  }, 120_000);

  it("judges the check by its exit code only, and a failed check leaves the device untouched", async () => {
    await freshRoot();
    const driver = driverFor(device({ checkCommand: "echo 'syntax is ok'; exit 3" }));
    await driver.connect();
    await driver.stage([appConf("broken\n")]);
    const check = await driver.validate();
    expect(check.ok).toBe(false);
    expect(check.output).toContain("syntax is ok");
    expect(check.output).toContain("exit 3");
    await driver.discard();
    expect(await onDevice("/etc/app/app.conf")).toBe("good old\n");
    await expect(access(path.join(stateDir(), "stage"))).rejects.toThrow();
  });

  it("reports that no check is configured instead of inventing one", async () => {
    await freshRoot();
    const driver = driverFor(device());
    await driver.connect();
    await driver.stage([appConf("x\n")]);
    expect(await driver.validate()).toEqual({ ok: true, output: "no device-side check configured", command: "" });
  });

  it("reverts an unconfirmed commit by itself after the timeout, removing files that did not exist before", async () => {
    await freshRoot();
    const driver = driverFor(device({ reloadCommand: "echo reloaded >> reload.log" }));
    await driver.connect();
    await driver.stage([appConf("never confirmed\n"), newConf("new file\n")]);
    await driver.commit({ confirmTimeout: 2 });
    expect(await onDevice("/etc/app/app.conf")).toBe("never confirmed\n");
    expect(await onDevice("/etc/app/conf.d/extra.conf")).toBe("new file\n");

    // the timer runs in its own session: a kill of scconf's process group or session does not reach it
    const [pidFile] = (await readdir(stateDir())).filter((name) => name.startsWith("timer-"));
    const timerPid = Number(await readFile(path.join(stateDir(), pidFile ?? "missing"), "utf8"));
    const sessionOf = (pid: number | string) => readFileSync(`/proc/${pid}/stat`, "utf8").split(") ")[1]?.split(" ")[3];
    expect(sessionOf(timerPid)).toBe(String(timerPid));
    expect(sessionOf("self")).not.toBe(String(timerPid));
    expect((await driver.inspectLeftovers()).journal).toMatchObject({ outcome: "armed", timerAlive: true });

    await waitFor(async () => (await onDevice("/etc/app/app.conf")) === "good old\n", 8_000);
    await waitFor(async () => (await readdir(stateDir())).some((name) => name.startsWith("reverted-")), 5_000);
    expect(await onDevice("/etc/app/conf.d/extra.conf")).toBeNull();
    // reloaded once for the commit, once for the revert
    expect(await onDevice("/reload.log")).toBe("reloaded\nreloaded\n");
    const left = await driver.inspectLeftovers();
    expect(left.journal).toMatchObject({ outcome: "reverted" });
    expect(describeLeftovers(left).join("\n")).toContain("reverted by its timer");

    // a confirm after the deadline is refused and says what happened
    await expect(driver.confirm()).rejects.toThrow(/after the revert timer/);
    expect(await onDevice("/etc/app/app.conf")).toBe("good old\n");
  });

  it("discard after an unconfirmed commit restores the previous content at once", async () => {
    await freshRoot();
    const driver = driverFor(device());
    await driver.connect();
    await driver.stage([appConf("to be discarded\n"), newConf("also\n")]);
    await driver.commit({ confirmTimeout: 60 });
    expect(await onDevice("/etc/app/app.conf")).toBe("to be discarded\n");
    const timer = (await driver.inspectLeftovers()).journal?.timerPid;
    expect(timer).toBeGreaterThan(1);
    await driver.discard();
    // the timer that is no longer needed is stopped, not left sleeping
    await waitFor(async () => !isAlive(timer ?? 0), 5_000);
    expect(await onDevice("/etc/app/app.conf")).toBe("good old\n");
    expect(await onDevice("/etc/app/conf.d/extra.conf")).toBeNull();
    expect(await driver.inspectLeftovers()).toEqual({ lock: null, journal: null, staging: null });
  });

  it("reverts at once when the reload command refuses the new files", async () => {
    await freshRoot();
    const driver = driverFor(device({ reloadCommand: "grep -q good {root}/etc/app/app.conf" }));
    await driver.connect();
    await driver.stage([appConf("bad\n"), newConf("new\n")]);
    const failure = await driver.commit({ confirmTimeout: 60 }).catch((err: unknown) => err);
    expect(failure).toBeInstanceOf(DeviceError);
    expect((failure as DeviceError).message).toMatch(/reload.*failed \(exit 1\).*previous configuration was restored/);
    expect(await onDevice("/etc/app/app.conf")).toBe("good old\n");
    expect(await onDevice("/etc/app/conf.d/extra.conf")).toBeNull();
  });

  it("refuses a second lock and names the holder; only the holder unlocks", async () => {
    await freshRoot();
    const first = driverFor(device());
    const second = driverFor(device());
    await first.connect();
    await second.connect();
    await first.lock({ operator: "alice", change: "CHG-7", host: "noc1", pid: 4242 });
    const refused = await second.lock(currentLockOwner("CHG-8", "bob")).catch((err: unknown) => err);
    expect(refused).toBeInstanceOf(LockHeldError);
    expect((refused as LockHeldError).holder).toMatch(/alice \(change CHG-7, host noc1, pid 4242, since /);
    await second.unlock(); // not ours: a no-op
    await expect(second.lock(currentLockOwner("CHG-8", "bob"))).rejects.toBeInstanceOf(LockHeldError);
    await first.unlock();
    await second.lock(currentLockOwner("CHG-8", "bob"));
    await second.unlock();
  });

  it("finds a crashed run's unconfirmed commit and refuses to lock over it", async () => {
    await freshRoot();
    const crashed = createFileDriver(device()); // abandoned on purpose, like a killed scconf
    await crashed.connect();
    await crashed.stage([appConf("half done\n")]);
    await crashed.commit({ confirmTimeout: 2 });

    const next = driverFor(device());
    await next.connect();
    expect(next.leftovers?.journal).toMatchObject({ outcome: "armed", journal: { entries: [{ id: "app", existed: true }] } });
    await expect(next.lock(currentLockOwner("CHG-9", "carol"))).rejects.toThrow(/unfinished commit: .*not confirmed.*run 'scconf recover web1'/);
    // the refusal does not leave a lock behind
    expect((await next.inspectLeftovers()).lock).toBeNull();
    await waitFor(async () => (await onDevice("/etc/app/app.conf")) === "good old\n", 8_000);
  });

  it("refuses artifact ids that could escape the staging directory", async () => {
    await freshRoot();
    const driver = driverFor(device());
    await driver.connect();
    await expect(driver.stage([{ ...appConf("x\n"), id: "../x" }])).rejects.toThrow(/unusable artifact id/);
    await expect(driver.stage([{ ...appConf("x\n"), path: "/etc/../x" }])).rejects.toThrow(/'\.\.'/);
  });
});
