// The ssh-cli driver against the Junos CLI simulator (an ssh2 server, not Junos).
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import type { Artifact, Device } from "../../src/model/types.js";
import { renderDevice } from "../../src/render/render.js";
import { DeviceError, HostKeyError, LockHeldError, type Driver } from "../../src/transport/driver.js";
import { canonicalJunosSet, createSshCliDriver, junosConfirmMinutes } from "../../src/transport/ssh-cli/index.js";
import { startJunosSimulator, type JunosSimulator } from "../harness/cli-simulator/junos.js";
import { loadFixture, TEST_TODAY } from "../helpers/inventory.js";

const MINUTE_MS = 1500;
let sim: JunosSimulator;
let device: Device;
let artifact: Artifact;
const drivers: Driver[] = [];

async function driver(overrides: Partial<Device> = {}): Promise<Driver> {
  const d = createSshCliDriver({ ...device, ...overrides }, { baseDir: "/", env: {}, commandTimeoutMs: 5_000, connectTimeoutMs: 5_000 });
  drivers.push(d);
  await d.connect();
  return d;
}

/** the fixture's artifact with its last policy left out: another valid generation */
function smaller(): Artifact {
  const lines = artifact.content.split("\n");
  const last = lines.filter((l) => l.includes(" policies global policy ")).pop()!.split(" ")[7]!;
  return { ...artifact, content: lines.filter((l) => !l.includes(` policy ${last} `)).join("\n") };
}

async function push(d: Driver, a: Artifact, confirm: boolean): Promise<void> {
  await d.lock({ operator: "test", change: "t", host: "h", pid: 1 });
  await d.stage([a]);
  expect(await d.validate()).toMatchObject({ ok: true, command: "commit check" });
  await d.commit({ confirmTimeout: 60 });
  if (confirm) {
    await d.confirm();
    await d.unlock();
  }
}

beforeAll(async () => {
  sim = await startJunosSimulator({ minuteMs: MINUTE_MS });
  const inv = loadFixture();
  const fixture = inv.devices.find((d) => d.name === "fw-srx")!;
  artifact = renderDevice(inv, fixture, { today: TEST_TODAY }).artifacts[0]!;
  device = {
    ...fixture,
    transport: "ssh-cli",
    address: "127.0.0.1",
    port: sim.port,
    user: "scconf",
    auth: { method: "key", keyFile: sim.clientKeyPath },
    hostKey: sim.hostKeyFingerprint,
  };
});

// a failed test must not leave a session holding configure exclusive
afterEach(async () => {
  await Promise.all(drivers.splice(0).map((d) => d.close().catch(() => undefined)));
});

afterAll(async () => {
  await sim?.stop();
});

describe("ssh-cli driver, Junos", () => {
  it("rounds the confirm timeout up to whole minutes, at least one", () => {
    expect([junosConfirmMinutes(10), junosConfirmMinutes(60), junosConfirmMinutes(61), junosConfirmMinutes(120)]).toEqual([1, 1, 2, 2]);
  });

  it("pushes the fixture's groups scconf with commit confirmed + commit, and fetch reads back the canonical form of the rendered artifact", async () => {
    const d = await driver();
    expect(d.capabilities).toEqual({ candidate: true, confirmedCommit: true, lock: true, nativeRollback: true });
    expect(await d.fetch([{ id: artifact.id, path: artifact.path }])).toEqual([{ id: artifact.id, path: artifact.path, content: null }]);
    await push(d, artifact, true);
    const [fetched] = await d.fetch([{ id: artifact.id, path: artifact.path }]);
    expect(fetched!.content).toBe(canonicalJunosSet(artifact.content));
    expect(canonicalJunosSet(fetched!.content!)).toBe(fetched!.content);
    expect(sim.active().applied).toBe(true);
    // the policies keep their order (Junos evaluates them in order)
    const policies = (text: string) => [...new Set([...text.matchAll(/^set groups scconf security policies global policy (\S+)/gm)].map((m) => m[1]))];
    expect(policies(fetched!.content!)).toEqual(policies(artifact.content));
    await d.close();
  });

  it("an unconfirmed commit rolls back by itself after the timeout", async () => {
    const before = canonicalJunosSet(artifact.content);
    const d = await driver();
    await push(d, smaller(), false);
    expect((await d.fetch([artifact]))[0]!.content).toBe(canonicalJunosSet(smaller().content));
    await d.close();
    await new Promise((r) => setTimeout(r, MINUTE_MS + 500));
    const reader = await driver();
    expect((await reader.fetch([artifact]))[0]!.content).toBe(before);
    await reader.close();
  });

  it("discard after an unconfirmed commit returns to the configuration before (rollback 1 + commit)", async () => {
    const d = await driver();
    await push(d, smaller(), false);
    await d.discard();
    expect((await d.fetch([artifact]))[0]!.content).toBe(canonicalJunosSet(artifact.content));
    await d.close();
  });

  it("a line the device rejects fails stage with the device's message; the active configuration is unchanged", async () => {
    const before = sim.active();
    const d = await driver();
    const bad = { ...artifact, content: `${artifact.content}set groups scconf security policies global policy scconf-x then allow\n` };
    await d.lock({ operator: "test", change: "t", host: "h", pid: 1 });
    const err = await d.stage([bad]).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(DeviceError);
    expect(String((err as Error).message)).toMatch(/syntax error: allow.*load complete \(1 errors\)/);
    await d.discard();
    expect(sim.active()).toEqual(before);
    await d.close();
  });

  it("a reference the device can not resolve fails validate (commit check) and nothing is committed", async () => {
    const before = sim.active();
    const d = await driver();
    const bad = { ...artifact, content: `${artifact.content}set groups scconf security policies global policy scconf-x match source-address scconf-nowhere\n` };
    await d.stage([bad]);
    const v = await d.validate();
    expect(v.ok).toBe(false);
    expect(v.output).toMatch(/names undefined address scconf-nowhere/);
    await expect(d.commit({ confirmTimeout: 60 })).rejects.toThrow(/not possible in phase refused/);
    await d.discard();
    expect(sim.active()).toEqual(before);
    await d.close();
  });

  it("a configure exclusive held by another session is a LockHeldError naming the holder", async () => {
    const a = await driver();
    const b = await driver();
    await a.lock({ operator: "a", change: "t", host: "h", pid: 1 });
    const err = await b.lock({ operator: "b", change: "t", host: "h", pid: 2 }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(LockHeldError);
    expect((err as LockHeldError).holder).toMatch(/^scconf terminal p\d+ .*exclusive \[edit\]$/);
    await a.unlock();
    await b.lock({ operator: "b", change: "t", host: "h", pid: 2 });
    await b.unlock();
    await Promise.all([a.close(), b.close()]);
  });

  it("refuses a device whose host key is not the pinned one", async () => {
    const wrong = "SHA256:AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA";
    await expect(driver({ hostKey: wrong })).rejects.toBeInstanceOf(HostKeyError);
  });

  it("a stray line in an answer is a failure, never success", async () => {
    const d = await driver();
    await d.stage([artifact]);
    sim.injectStrayLine(/^commit check$/, "warning: something the driver has never seen");
    const v = await d.validate();
    expect(v.ok).toBe(false);
    expect(v.output).toMatch(/something the driver has never seen/);
    sim.injectStrayLine(/^run show configuration groups/, "Broadcast Message from root@srx");
    await expect(d.fetch([artifact])).rejects.toThrow(/unexpected output/);
    await d.discard();
    await d.close();
  });

  it("a dropped session fails the command in flight and every later one", async () => {
    const d = await driver();
    sim.dropSessions();
    await expect(d.fetch([artifact])).rejects.toBeInstanceOf(DeviceError);
    await expect(d.lock({ operator: "t", change: "t", host: "h", pid: 1 })).rejects.toBeInstanceOf(DeviceError);
    await d.close();
  });
});
