// End to end below the CLI, against real devices: an unconfirmed commit
// reverts by itself (ssh and netconf), two concurrent applies to one device,
// and the steps apply executes are the steps the procedure describes.
import { rm } from "node:fs/promises";
import path from "node:path";
import { beforeAll, describe, expect, it } from "vitest";
import { applyPlan, type ApplyOptions, type ApplyResult } from "../../src/apply/apply.js";
import { describeTransaction } from "../../src/apply/steps.js";
import { GenerationStore } from "../../src/backup/store.js";
import { lockOwner } from "../../src/cli/runtime.js";
import type { DeviceConfig } from "../../src/model/types.js";
import { makePlan } from "../../src/plan/make.js";
import type { Plan } from "../../src/plan/types.js";
import { renderAll } from "../../src/render/render.js";
import { createDriver } from "../../src/transport/index.js";
import { canonicalXml } from "../../src/transport/netconf/artifacts.js";
import { createNetconfDriver } from "../../src/transport/netconf/driver.js";
import {
  OLD,
  SMALL_ACLS,
  TEST_TODAY,
  deviceOf,
  gitFsck,
  initStore,
  loadProject,
  makeProject,
  netconfAcls,
  netconfDevice,
  openerFor,
  readOrNull,
  setNetconfAcls,
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

async function seeded(): Promise<Project> {
  const p = await makeProject(servers, { seed: true });
  projects.push(p);
  await initStore(p);
  await setNetconfAcls(servers.nc, await SMALL_ACLS());
  return p;
}

/** Polls sparingly (netconfd checks its confirm timer only when idle) until `done`, at most `ms`. */
async function waitUntil(done: () => Promise<boolean>, ms: number, everyMs = 2_000): Promise<number> {
  const t0 = Date.now();
  for (;;) {
    if (await done()) return Date.now() - t0;
    if (Date.now() - t0 > ms) throw new Error(`not reverted within ${ms} ms`);
    await new Promise((r) => setTimeout(r, everyMs));
  }
}

function render(p: Project, devices: string[]): DeviceConfig[] {
  const inventory = loadProject(p);
  const r = renderAll(inventory, { today: TEST_TODAY }, (d) => devices.includes(d.name));
  expect(r.errors).toEqual([]);
  return r.configs;
}

async function planFor(p: Project, configs: DeviceConfig[]): Promise<Plan> {
  const inventory = loadProject(p);
  const { plan, unreachable } = await makePlan(inventory, configs, { offline: false, parallel: 8, operator: "e2e", today: TEST_TODAY, openDriver: await openerFor(inventory) });
  expect(unreachable).toEqual([]);
  return plan;
}

async function options(p: Project, change: string, over: Partial<ApplyOptions> = {}): Promise<ApplyOptions> {
  const inventory = loadProject(p);
  return {
    dryRun: false,
    confirmTimeout: () => 30,
    parallel: 8,
    operator: "e2e",
    change,
    kind: "apply",
    store: await GenerationStore.open(p.backups, { keep: 10 }),
    owner: lockOwner("e2e", change),
    openDriver: await openerFor(inventory),
    ...over,
  };
}

describe("an unconfirmed commit reverts by itself", () => {
  it("ssh and netconf: commit with a 3 s timer, never confirm, close; the device returns to its previous state", async () => {
    const p = await seeded();
    const [nftConfig] = render(p, ["fw-nft"]);
    const [aclConfig] = render(p, ["acl-nc"]);
    const owner = lockOwner("e2e", "never-confirmed");

    const ssh = (async () => {
      const spec = deviceOf(loadProject(p), "fw-nft");
      const driver = createDriver(spec, { baseDir: p.dir });
      await driver.connect();
      await driver.lock(owner);
      await driver.stage(nftConfig!.artifacts);
      expect((await driver.validate()).ok).toBe(true);
      await driver.commit({ confirmTimeout: 3 });
      expect(await readOrNull(p.sshFile.ruleset)).toBe(nftConfig!.artifacts[0]!.content);
      // the operator's process is gone: no confirm, no discard, no unlock
      await driver.close();
      const took = await waitUntil(async () => (await readOrNull(p.sshFile.ruleset)) === OLD.ruleset, 30_000, 1_000);
      // the lock of the vanished run stays (for 'scconf recover'); remove it for the next tests
      await rm(path.join(p.stateDir["fw-nft"], "lock"), { recursive: true, force: true });
      return took;
    })();

    const netconf = (async () => {
      const small = canonicalXml(await SMALL_ACLS());
      const driver = createNetconfDriver(netconfDevice(servers.nc));
      await driver.connect();
      await driver.lock(owner);
      await driver.stage(aclConfig!.artifacts);
      expect((await driver.validate()).ok).toBe(true);
      await driver.commit({ confirmTimeout: 3 });
      const [committed] = await driver.fetch([{ id: "acls", path: "netconf:/acls" }]);
      expect(committed?.content).toBe(canonicalXml(aclConfig!.artifacts[0]!.content));
      await driver.close();
      return waitUntil(async () => (await netconfAcls(servers.nc)) === small, 30_000, 2_000);
    })();

    // both came back by the device's own timer (nothing else was left to do it)
    await Promise.all([ssh, netconf]);
  }, 120_000);
});

describe("two concurrent applies to one device", () => {
  // one device per run, so that the losing run has no device applied at all
  it.each(["dns-unbound", "acl-nc"])("%s: exactly one applies; the other is refused cleanly; the device holds one of the two; the store stays sound", async (device) => {
    const p = await seeded();
    const a = render(p, [device]);
    // B: the same device, other content
    const small = await SMALL_ACLS();
    const b = a.map((c) => ({
      ...c,
      artifacts: c.artifacts.map((x) =>
        x.id === "acls" ? { ...x, content: small.replace("<rate-kbps>100000</rate-kbps>", "<rate-kbps>2000</rate-kbps>") } : { ...x, content: `${x.content}# variant B\n` },
      ),
    }));
    const [planA, planB] = await Promise.all([planFor(p, a), planFor(p, b)]);
    expect(planA.devices[0]?.currentHash).toBe(planB.devices[0]?.currentHash);
    expect(planA.devices[0]?.artifacts[0]?.desired).not.toBe(planB.devices[0]?.artifacts[0]?.desired);
    // two operators, two store handles on one backups repository
    const settled = await Promise.allSettled([applyPlan(planA, await options(p, "change-A")), applyPlan(planB, await options(p, "change-B"))]);
    const [ra, rb] = settled.map((s, i) => {
      if (s.status === "rejected") throw new Error(`apply ${i === 0 ? "A" : "B"} failed instead of reporting a refused device: ${String(s.reason)}`);
      return s.value;
    }) as [ApplyResult, ApplyResult];

    const x = ra.devices.find((d) => d.device === device)!;
    const y = rb.devices.find((d) => d.device === device)!;
    expect([x.outcome, y.outcome].sort(), `${x.error ?? ""} / ${y.error ?? ""}`).toEqual(["applied", "refused"]);
    const [winner, winnerPlan, loser, loserRun] = x.outcome === "applied" ? [x, planA, y, rb] : [y, planB, x, ra];
    // refused at the lock (the other run holds it) or, if it came after the winner finished, as a stale plan
    expect(["lock", "fetch"]).toContain(loser.failedStep);
    expect(loser.error).toMatch(loser.failedStep === "lock" ? /locked by|NETCONF session/ : /stale plan/);
    expect(loserRun.exitCode).toBe(3);
    const want = winnerPlan.devices[0]!.artifacts[0]!.desired;
    const now = device === "acl-nc" ? await netconfAcls(servers.nc) : await readOrNull(p.sshFile.unbound);
    expect(now).toBe(want);
    // one backup of the hand-written state and exactly one applied generation, the winner's
    const store = await GenerationStore.open(p.backups, { keep: 10, readOnly: true });
    const gens = await store.generations(device, { all: true });
    expect(gens.map((g) => g.kind)).toEqual(["apply", "backup"]);
    expect(gens[0]?.change).toBe(winner === x ? "change-A" : "change-B");
    expect(await gitFsck(p.backups)).toMatchObject({ code: 0 });
    // and nothing is left locked: a rehearsal of the loser's content runs at once
    const r = await applyPlan(await planFor(p, winner === x ? b : a), await options(p, "change-C", { dryRun: true }));
    expect(r.devices.map((d) => d.outcome)).toEqual(["rehearsed"]);
  }, 120_000);
});

describe("a run refused at the lock leaves the holder's work alone", () => {
  // runTransaction no longer discards without the lock; the driver itself must not either (recover, other callers)
  it("ssh driver: discard() by a driver that did not get the lock leaves the holder's staged files alone", async () => {
    const p = await seeded();
    const [config] = render(p, ["dns-unbound"]);
    const spec = deviceOf(loadProject(p), "dns-unbound");
    const holder = createDriver(spec, { baseDir: p.dir });
    const other = createDriver(spec, { baseDir: p.dir });
    try {
      await holder.connect();
      await holder.lock(lockOwner("e2e", "holder"));
      await holder.stage(config!.artifacts);
      const staged = path.join(p.stateDir["dns-unbound"], "stage", "unbound");
      expect(await readOrNull(staged)).toBe(config!.artifacts[0]!.content);
      await other.connect();
      await expect(other.lock(lockOwner("e2e", "other"))).rejects.toThrow(/locked by e2e \(change holder/);
      // what runTransaction did after any failure before commit, the lock step included
      await other.discard().catch(() => undefined);
      expect(await readOrNull(staged), "the other run removed the lock holder's staging directory").toBe(config!.artifacts[0]!.content);
      const v = await holder.validate();
      expect(v.ok, v.output).toBe(true);
    } finally {
      await other.close();
      await holder.discard().catch(() => undefined);
      await holder.unlock().catch(() => undefined);
      await holder.close();
    }
  }, 60_000);
});

describe("the executed steps are the described steps", () => {
  let p: Project;
  let plan: Plan;
  const check = (result: ApplyResult, dryRun: boolean) => {
    const changed = plan.devices.filter((d) => d.changed);
    expect(changed.length).toBeGreaterThanOrEqual(4);
    for (const d of changed) {
      const r = result.devices.find((x) => x.device === d.device)!;
      const described = describeTransaction(d, { dryRun, confirmTimeout: 30 }).map((s) => s.id);
      expect({ device: d.device, executed: r.executed }).toEqual({ device: d.device, executed: described });
    }
  };

  it("dry-run", async () => {
    p = await seeded();
    plan = await planFor(p, render(p, ["fw-nft", "dns-unbound", "acl-nc", "fw-srx", "utm-fg"]));
    const result = await applyPlan(plan, await options(p, "steps-dry", { dryRun: true }));
    expect(result.exitCode).toBe(0);
    check(result, true);
  }, 120_000);

  it("real apply", async () => {
    const result = await applyPlan(plan, await options(p, "steps-real"));
    expect(result.exitCode, JSON.stringify(result.devices.map((d) => [d.device, d.outcome, d.error]))).toBe(0);
    check(result, false);
  }, 120_000);
});
