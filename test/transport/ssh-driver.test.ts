// The file-device transaction over a real OpenSSH server on 127.0.0.1. The
// "device" filesystem is this machine's, so every artifact and the state
// directory live in a temp dir.
import { spawn } from "node:child_process";
import { mkdir, mkdtemp, readFile, readdir, rm, symlink, writeFile } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import ts from "typescript";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { deviceSchema } from "../../src/model/schema.js";
import type { Artifact, Device } from "../../src/model/types.js";
import { DeviceError, HostKeyError, LockHeldError } from "../../src/transport/driver.js";
import { createFileDriver, currentLockOwner, type FileDeviceDriver } from "../../src/transport/file-device.js";
import { fetchHostKeyFingerprint } from "../../src/transport/host-key.js";
import { SshHost } from "../../src/transport/ssh.js";
import { startSshd, type Sshd } from "../harness/sshd.js";
import { waitFor } from "../helpers/wait.js";

let sshd: Sshd;
let base: string;
/** this test's device: artifacts under <dir>/etc, state under <dir>/state */
let dir: string;
const open: FileDeviceDriver[] = [];

beforeAll(async () => {
  sshd = await startSshd();
  base = await mkdtemp(path.join(os.tmpdir(), "scconf-ssh-"));
});
afterEach(async () => {
  for (const driver of open.splice(0)) {
    await driver.discard().catch(() => undefined);
    await driver.close();
  }
});
afterAll(async () => {
  await sshd?.stop();
  if (base) await rm(base, { recursive: true, force: true });
});

async function freshDevice(): Promise<void> {
  dir = await mkdtemp(path.join(base, "dev-"));
  await mkdir(path.join(dir, "etc/app"), { recursive: true });
  await writeFile(path.join(dir, "etc/app/app.conf"), "good old\n");
}

function device(extra: Record<string, unknown> = {}): Device {
  return deviceSchema.parse({
    name: "relay1",
    platform: "postfix",
    kinds: ["mailRelay"],
    transport: "ssh",
    address: "127.0.0.1",
    port: sshd.port,
    user: sshd.user,
    auth: { method: "key", keyFile: sshd.clientKeyPath },
    hostKey: sshd.hostKeyFingerprint,
    ...extra,
  });
}

function driverFor(spec: Device): FileDeviceDriver {
  const driver = createFileDriver(spec, { stateDir: `${dir}/state`, connectTimeoutMs: 15_000, commandTimeoutMs: 30_000 });
  open.push(driver);
  return driver;
}

const appConf = (content: string): Artifact => ({ id: "app", path: `${dir}/etc/app/app.conf`, content, kinds: ["mailRelay"], format: "text" });
const newConf = (content: string): Artifact => ({ id: "extra", path: `${dir}/etc/app/conf.d/extra.conf`, content, kinds: ["mailRelay"], format: "text" });
const onDisk = (file: string) => readFile(path.join(dir, file), "utf8").catch(() => null);


describe("the stand-in sshd", () => {
  it("runs commands from a home of its own, not the account's (whose shell start files are not the device's)", async () => {
    await freshDevice();
    const host = new SshHost(device(), { baseDir: dir, connectTimeoutMs: 10_000, commandTimeoutMs: 20_000, env: process.env });
    await host.connect();
    try {
      const r = await host.exec("echo \"$HOME\"");
      expect(r.stdout.trim()).toBe(path.join(sshd.dir, "home"));
      expect(r.stdout.trim()).not.toBe(os.homedir());
    } finally {
      await host.close();
    }
  });
});

describe("ssh file device", () => {
  it("stages, validates, commits and confirms over one connection; the device holds what was staged", async () => {
    await freshDevice();
    const driver = driverFor(device({ checkCommand: "grep -q 'good new' {stage}/app && test -z {root}", reloadCommand: `echo reloaded >> ${dir}/reload.log` }));
    await driver.connect();
    await driver.lock(currentLockOwner("CHG-1", "alice"));
    expect(await driver.fetch([appConf(""), newConf("")])).toEqual([
      { id: "app", path: `${dir}/etc/app/app.conf`, content: "good old\n" },
      { id: "extra", path: `${dir}/etc/app/conf.d/extra.conf`, content: null },
    ]);
    await driver.stage([appConf("good new\n"), newConf("extra\n")]);
    expect(await driver.validate()).toMatchObject({ ok: true });
    await driver.commit({ confirmTimeout: 30 });
    await driver.confirm();
    await driver.unlock();
    expect(await onDisk("etc/app/app.conf")).toBe("good new\n");
    expect(await onDisk("etc/app/conf.d/extra.conf")).toBe("extra\n");
    expect(await onDisk("reload.log")).toBe("reloaded\n");
    expect(await driver.inspectLeftovers()).toEqual({ lock: null, journal: null, staging: null });
  });

  it("a failing check (exit 3) leaves the device untouched", async () => {
    await freshDevice();
    const driver = driverFor(device({ checkCommand: "sh -c 'echo checked; exit 3'" }));
    await driver.connect();
    await driver.stage([appConf("broken\n")]);
    const check = await driver.validate();
    expect(check).toMatchObject({ ok: false, command: "sh -c 'echo checked; exit 3'" });
    expect(check.output).toBe("checked\n(exit 3)");
    await driver.discard();
    expect(await onDisk("etc/app/app.conf")).toBe("good old\n");
  });

  it("reverts by itself when the connection is gone right after an unconfirmed commit, removing new files", async () => {
    await freshDevice();
    const driver = driverFor(device());
    await driver.connect();
    await driver.stage([appConf("never confirmed\n"), newConf("new file\n")]);
    await driver.commit({ confirmTimeout: 2 });
    await driver.close();
    expect(await onDisk("etc/app/app.conf")).toBe("never confirmed\n");
    expect(await onDisk("etc/app/conf.d/extra.conf")).toBe("new file\n");
    await waitFor(async () => (await readdir(path.join(dir, "state"))).some((n) => n.startsWith("reverted-")), 10_000);
    expect(await onDisk("etc/app/app.conf")).toBe("good old\n");
    expect(await onDisk("etc/app/conf.d/extra.conf")).toBeNull();
    // a closed driver fails fast instead of hanging
    await expect(driver.fetch([appConf("")])).rejects.toBeInstanceOf(DeviceError);
  });

  it("discard after an unconfirmed commit restores the previous content", async () => {
    await freshDevice();
    const driver = driverFor(device());
    await driver.connect();
    await driver.stage([appConf("to be discarded\n"), newConf("also\n")]);
    await driver.commit({ confirmTimeout: 60 });
    expect(await onDisk("etc/app/app.conf")).toBe("to be discarded\n");
    await driver.discard();
    expect(await onDisk("etc/app/app.conf")).toBe("good old\n");
    expect(await onDisk("etc/app/conf.d/extra.conf")).toBeNull();
  });

  it("reverts at once when the reload fails", async () => {
    await freshDevice();
    const driver = driverFor(device({ reloadCommand: `grep -q good ${dir}/etc/app/app.conf` }));
    await driver.connect();
    await driver.stage([appConf("bad\n")]);
    await expect(driver.commit({ confirmTimeout: 60 })).rejects.toThrow(/failed \(exit 1\); the previous configuration was restored/);
    expect(await onDisk("etc/app/app.conf")).toBe("good old\n");
  });

  it("refuses a host key other than the pinned one, naming both", async () => {
    await freshDevice();
    const pinned = "SHA256:nThbg6kXUpJWGl7E1IGOCspRomTxdCARLviKw6E5SY8";
    const error = await driverFor(device({ hostKey: pinned })).connect().catch((err: unknown) => err);
    expect(error).toBeInstanceOf(HostKeyError);
    expect((error as HostKeyError).message).toContain(sshd.hostKeyFingerprint);
    expect((error as HostKeyError).message).toContain(pinned);
  });

  it("refuses a device without a pinned key and shows the key to pin", async () => {
    await freshDevice();
    const error = await driverFor(device({ hostKey: undefined })).connect().catch((err: unknown) => err);
    expect(error).toBeInstanceOf(HostKeyError);
    expect(error).toMatchObject({ seen: sshd.hostKeyFingerprint, expected: undefined });
    expect((error as HostKeyError).message).toMatch(/no key is pinned.*scconf trust relay1/);
    expect(await fetchHostKeyFingerprint("127.0.0.1", sshd.port)).toBe(sshd.hostKeyFingerprint);
  });

  it("refuses a second driver's lock and names the holder", async () => {
    await freshDevice();
    const first = driverFor(device());
    const second = driverFor(device());
    await first.connect();
    await second.connect();
    await first.lock({ operator: "alice", change: "CHG-7", host: "noc1", pid: 4242 });
    const refused = await second.lock(currentLockOwner("CHG-8", "bob")).catch((err: unknown) => err);
    expect(refused).toBeInstanceOf(LockHeldError);
    expect((refused as LockHeldError).message).toMatch(/locked by alice \(change CHG-7, host noc1, pid 4242/);
    await first.unlock();
    await second.lock(currentLockOwner("CHG-8", "bob"));
    await second.unlock();
  });

  it("still reverts after the scconf process that committed is killed with SIGKILL", async () => {
    await freshDevice();
    const script = await buildChildScript();
    const args = JSON.stringify({ device: device(), stateDir: `${dir}/state`, artifacts: [appConf("from a killed run\n")] });
    const child = spawn(process.execPath, [script, args], { stdio: ["ignore", "pipe", "inherit"] });
    const exited = new Promise<void>((resolve) => child.once("exit", () => resolve()));
    try {
      await new Promise<void>((resolve, reject) => {
        child.stdout.on("data", (chunk: Buffer) => chunk.toString().includes("committed") && resolve());
        child.once("exit", (code) => reject(new Error(`the child exited (${code}) before committing`)));
      });
      expect(await onDisk("etc/app/app.conf")).toBe("from a killed run\n");
    } finally {
      child.kill("SIGKILL");
      await exited;
    }
    await waitFor(async () => (await onDisk("etc/app/app.conf")) === "good old\n", 10_000);
    const next = driverFor(device());
    await next.connect();
    // the dead run's lock and journal are still there for `scconf recover`
    expect(next.leftovers).toMatchObject({ lock: { holder: { operator: "killed", change: "CHG-KILL" } }, journal: { outcome: "reverted" } });
  });
});

/**
 * The driver as plain JavaScript for a child node process (Node 20 cannot
 * run TypeScript): each transport file transpiled on its own, next to a
 * node_modules link so that ssh2 resolves.
 */
async function buildChildScript(): Promise<string> {
  const out = path.join(base, "child");
  const src = path.resolve("src/transport");
  const files = ["driver.ts", "file-device.ts", "local.ts", "ssh.ts", "host-key.ts", ...(await readdir(path.join(src, "file"))).map((f) => `file/${f}`)];
  await mkdir(path.join(out, "transport/file"), { recursive: true });
  for (const file of files.filter((f) => f.endsWith(".ts"))) {
    const source = await readFile(path.join(src, file), "utf8");
    const { outputText } = ts.transpileModule(source, { compilerOptions: { module: ts.ModuleKind.ESNext, target: ts.ScriptTarget.ES2022 } });
    await writeFile(path.join(out, "transport", file.replace(/\.ts$/, ".js")), outputText);
  }
  await writeFile(path.join(out, "package.json"), '{"type":"module"}\n');
  await symlink(path.resolve("node_modules"), path.join(out, "node_modules")).catch(() => undefined);
  const script = path.join(out, "commit-and-hang.js");
  await writeFile(
    script,
    `import { createFileDriver } from "./transport/file-device.js";
const { device, stateDir, artifacts } = JSON.parse(process.argv[2]);
const driver = createFileDriver(device, { stateDir });
await driver.connect();
await driver.lock({ operator: "killed", change: "CHG-KILL", host: "test", pid: process.pid });
await driver.stage(artifacts);
await driver.commit({ confirmTimeout: 2 });
process.stdout.write("committed\\n");
setInterval(() => {}, 60_000);
`,
  );
  return script;
}
