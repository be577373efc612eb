// The ssh-cli driver against the FortiOS CLI simulator (an ssh2 server, not FortiOS).
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import type { Artifact, Device } from "../../src/model/types.js";
import { renderDevice } from "../../src/render/render.js";
import { DeviceError, HostKeyError, type Driver } from "../../src/transport/driver.js";
import { canonicalFortiosCli, createSshCliDriver } from "../../src/transport/ssh-cli/index.js";
import { startFortiosSimulator, type FortiosSimulator } from "../harness/cli-simulator/fortios.js";
import { loadFixture, TEST_TODAY } from "../helpers/inventory.js";

const SECOND_MS = 150;
/** the operator's own objects, which scconf must neither show nor touch */
const INITIAL = ['config firewall address', '    edit "lan"', "        set subnet 10.9.0.0 255.255.0.0", "    next", "end", "config firewall policy", "    edit 1", '        set name "operator-allow"', '        set srcaddr "lan"', "    next", "end", ""].join("\n");

let sim: FortiosSimulator;
let device: Device;
let artifacts: Artifact[];
const drivers: Driver[] = [];
const owner = { operator: "test", change: "t", host: "h", pid: 1 };

async function driver(overrides: Partial<Device> = {}): Promise<Driver> {
  const d = createSshCliDriver({ ...device, ...overrides }, { baseDir: "/", env: {}, commandTimeoutMs: 5_000, connectTimeoutMs: 5_000 });
  drivers.push(d);
  await d.connect();
  return d;
}

const byId = (id: string): Artifact => artifacts.find((a) => a.id === id)!;
/** the ips artifact with another comment: a small valid change */
const changedIps = (): Artifact => ({ ...byId("ips"), content: byId("ips").content.replace("IPS exceptions", "IPS exceptions (changed)") });

async function fetchAll(d: Driver): Promise<Record<string, string | null>> {
  const fetched = await d.fetch(artifacts.map((a) => ({ id: a.id, path: a.path })));
  return Object.fromEntries(fetched.map((f) => [f.id, f.content]));
}

const desired = (list: readonly Artifact[]): Record<string, string> => Object.fromEntries(list.map((a) => [a.id, canonicalFortiosCli(a.content)]));

beforeAll(async () => {
  sim = await startFortiosSimulator({ secondMs: SECOND_MS, initial: INITIAL });
  const inv = loadFixture();
  const fixture = inv.devices.find((d) => d.name === "utm-fg")!;
  artifacts = renderDevice(inv, fixture, { today: TEST_TODAY }).artifacts;
  device = {
    ...fixture,
    transport: "ssh-cli",
    address: "127.0.0.1",
    port: sim.port,
    user: "admin",
    auth: { method: "key", keyFile: sim.clientKeyPath },
    hostKey: sim.hostKeyFingerprint,
  };
});

afterEach(async () => {
  await Promise.all(drivers.splice(0).map((d) => d.close().catch(() => undefined)));
});

afterAll(async () => {
  await sim?.stop();
});

describe("ssh-cli driver, FortiOS", () => {
  it("declares no candidate and no lock; lock() is a no-op", async () => {
    const d = await driver();
    expect(d.capabilities).toEqual({ candidate: false, confirmedCommit: true, lock: false, nativeRollback: true });
    await d.lock(owner);
    await d.unlock();
  });

  it("pushes the fixture's webfilter, ips and firewall (in that order) under revert mode, saves on confirm, and fetch reads back the canonical form", async () => {
    const d = await driver();
    expect(await fetchAll(d)).toEqual({ firewall: null, ips: null, webfilter: null });
    await d.lock(owner);
    await d.stage(artifacts); // firewall, ips, webfilter: the driver reorders
    const v = await d.validate();
    expect(v).toMatchObject({ ok: true });
    expect(v.output).toMatch(/no device-side check/);
    await d.commit({ confirmTimeout: 60 });
    expect(sim.cfgSave()).toBe("revert");
    await d.confirm();
    expect(sim.cfgSave()).toBe("automatic");
    expect(await fetchAll(d)).toEqual(desired(artifacts));
    for (const a of artifacts) expect(canonicalFortiosCli(canonicalFortiosCli(a.content))).toBe(canonicalFortiosCli(a.content));
    // the operator's own objects are untouched and not part of what scconf fetches
    expect(sim.show(["firewall policy"])).toMatch(/^config firewall policy\n {4}edit 1\n/);
    expect(sim.show(["firewall address"])).toContain('edit "lan"');
  });

  it("an unconfirmed commit is reverted by the device after cfg-revert-timeout (the session drops, as in a reboot)", async () => {
    const before = desired(artifacts);
    const d = await driver();
    await d.stage([changedIps()]);
    expect((await d.validate()).ok).toBe(true);
    await d.commit({ confirmTimeout: 10 });
    expect((await d.fetch([byId("ips")]))[0]!.content).toBe(canonicalFortiosCli(changedIps().content));
    await new Promise((r) => setTimeout(r, 10 * SECOND_MS + 600));
    await expect(d.confirm()).rejects.toBeInstanceOf(DeviceError);
    expect(await fetchAll(await driver())).toEqual(before);
  });

  it("discard after commit reloads the saved configuration and leaves revert mode", async () => {
    const before = desired(artifacts);
    const d = await driver();
    await d.stage([changedIps()]);
    await d.validate();
    await d.commit({ confirmTimeout: 60 });
    await d.discard();
    expect(await fetchAll(d)).toEqual(before);
    expect(sim.cfgSave()).toBe("automatic");
  });

  it("a line the structural checker rejects fails validate, and nothing reaches the device", async () => {
    const before = sim.show(["ips sensor"]);
    const d = await driver();
    await d.stage([{ ...byId("ips"), content: byId("ips").content.replace("set status default", "set status sometimes") }]);
    const v = await d.validate();
    expect(v.ok).toBe(false);
    expect(v.output).toMatch(/ips:\d+: set status: sometimes is not one of/);
    await expect(d.commit({ confirmTimeout: 60 })).rejects.toThrow(/not possible in phase refused/);
    expect(sim.show(["ips sensor"])).toBe(before);
  });

  it("a line the device refuses fails commit with the device's message; discard restores the saved configuration", async () => {
    const before = desired(artifacts);
    const d = await driver();
    await d.stage([changedIps()]);
    await d.validate();
    sim.failCommand(/^set severity /);
    await expect(d.commit({ confirmTimeout: 60 })).rejects.toThrow(/the device refused "set severity medium high critical": Command fail\. Return code -61/);
    await d.discard();
    expect(await fetchAll(d)).toEqual(before);
  });

  it("the device's own answer to a bad line is a failure (command parse error)", async () => {
    const d = await driver();
    // past the local check on purpose: commit without validate
    await d.stage([{ ...byId("ips"), content: byId("ips").content.replace("set log-packet", "set log-packets").replace("set status default", "set statuz default") }]);
    await expect(d.commit({ confirmTimeout: 60 })).rejects.toThrow(/command parse error before 'statuz'.*Return code -61/);
    await d.discard();
    expect(await fetchAll(d)).toEqual(desired(artifacts));
  });

  it("refuses a device whose host key is not the pinned one", async () => {
    await expect(driver({ hostKey: "SHA256:AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA" })).rejects.toBeInstanceOf(HostKeyError);
  });

  it("a stray line in an answer is a failure, never success", async () => {
    const d = await driver();
    sim.injectStrayLine(/^show firewall policy$/, "System is busy, please retry later");
    await expect(d.fetch([byId("firewall")])).rejects.toThrow(/unexpected output of "show firewall policy"/);
    const e = await driver();
    await e.stage([changedIps()]);
    await e.validate();
    sim.injectStrayLine(/^set comment /, "warning: a line the driver has never seen");
    await expect(e.commit({ confirmTimeout: 60 })).rejects.toThrow(/never seen/);
    await e.discard();
    expect(await fetchAll(e)).toEqual(desired(artifacts));
  });
});
