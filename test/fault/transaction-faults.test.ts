// Cut the connection at every step of the transaction, on both transports,
// against the real sshd and netconfd, through a TCP proxy. Whatever happens,
// afterwards: the device holds exactly its old or exactly its new artifact
// (read back around the proxy), the store has every generation it had plus at
// most one, the lock is released or the error says how to recover it, and the
// outcome and exit code match what the device holds.
import { access, readFile, rm } from "node:fs/promises";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { applyPlan, type ApplyResult } from "../../src/apply/apply.js";
import type { StepId } from "../../src/apply/steps.js";
import type { GenerationStore } from "../../src/backup/store.js";
import type { Device } from "../../src/model/types.js";
import { currentLockOwner } from "../../src/transport/file-device.js";
import { recoverFileDevice } from "../../src/transport/file/recover.js";
import { inspectLeftovers } from "../../src/transport/file/state.js";
import { canonicalXml } from "../../src/transport/netconf/artifacts.js";
import { createNetconfDriver } from "../../src/transport/netconf/driver.js";
import { SshHost } from "../../src/transport/ssh.js";
import { startNetconfd, type Netconfd } from "../harness/netconfd.js";
import { startSshd, type Sshd } from "../harness/sshd.js";
import { startTcpProxy, type TcpProxy } from "../harness/tcp-proxy.js";
import { netconfDeviceAt, newDeviceDir, onePlan, openerFor, readOrNull, seededStore, sshDevice, tempBase } from "./helpers.js";
import { REPO_ROOT } from "../helpers/inventory.js";

const CONFIRM_S = 4;
/** how long the transaction keeps reading back after a lost connection */
const REVERT_WAIT_MS = 7_000;
const OLD = "old: relay for tsu\n";
const NEW = "new: relay for tsu and kiho\n";

let sshd: Sshd;
let ncs: Netconfd[] = [];
let base: string;
let aclOld: string;
let aclNew: string;

beforeAll(async () => {
  // one netconfd: two side by side starve each other's timers on this 2-core machine (a cut at commit then ended unknown)
  const started = await Promise.all([startSshd(), startNetconfd({ module: "yang/scconf-acl.yang" })]);
  sshd = started[0];
  ncs = [started[1]];
  idle.push(...ncs);
  base = await tempBase("scconf-fault-tx-");
  aclOld = canonicalXml(await readFile(path.join(REPO_ROOT, "test/fixtures/netconf/acls-small.xml"), "utf8")) ?? "";
  aclNew = aclOld.replace("<rate-kbps>100000</rate-kbps>", "<rate-kbps>2000</rate-kbps>");
  expect(aclNew).not.toBe(aclOld);
}, 60_000);

afterAll(async () => {
  await Promise.all([sshd?.stop(), ...ncs.map((n) => n.stop())]);
  if (base) await rm(base, { recursive: true, force: true });
});

/** What the proxy does when the step starts, and whether it lets connections through again afterwards. */
interface Fault {
  name: string;
  step: StepId;
  inject: (proxy: TcpProxy) => void;
  /** "pass": the link comes back at once (the revert can be proven); "down": it stays cut until the end of the transaction */
  after: "pass" | "down";
  /** outcomes this fault may end in (the invariants are checked whatever it is) */
  expect: Array<ApplyResult["devices"][number]["outcome"]>;
}

const REFUSED_STEPS: StepId[] = ["connect", "lock", "fetch", "backup", "stage", "validate"];
const PAST_COMMIT: StepId[] = ["commit", "verify", "confirm"];

function faults(transport: "ssh" | "netconf"): Fault[] {
  const list: Fault[] = [];
  for (const step of [...REFUSED_STEPS, ...PAST_COMMIT]) {
    list.push({
      name: `cut when ${step} starts, link back at once`,
      step,
      // there is no connection yet when connect starts: cut the handshake on its 3rd chunk instead
      inject: step === "connect" ? (p) => p.cutOnChunk(3, "either", "pass") : (p) => p.cutNow("pass"),
      after: "pass",
      expect: REFUSED_STEPS.includes(step) ? ["refused"] : ["reverted"],
    });
  }
  // the request reaches the device, the reply does not
  for (const step of ["lock", "commit", "confirm"] as StepId[]) {
    // netconfd is one device, so its cases run one after another: one chunk count is enough there
    for (const k of transport === "ssh" ? [1, 2] : [1]) {
      list.push({
        name: `reply lost: cut on the ${k}. chunk from the device after ${step} starts`,
        step,
        inject: (p) => p.cutOnChunk(k, "down", "pass"),
        after: "pass",
        expect: step === "confirm" ? ["reverted", "unknown", "applied"] : step === "commit" ? ["reverted"] : ["refused"],
      });
    }
  }
  // a byte count: the first 200 bytes of the staging upload get through, then the link drops
  list.push({ name: "cut after 200 bytes to the device once stage starts", step: "stage", inject: (p) => p.cutAfterBytes(200, "up", "pass"), after: "pass", expect: ["refused"] });
  for (const step of PAST_COMMIT) {
    list.push({ name: `cut when ${step} starts, link stays down`, step, inject: (p) => p.cutNow("down"), after: "down", expect: ["unknown", "reverted"] });
  }
  // a slow link: applied, or reverted when the slowness eats the 4 s confirm timer, or (NETCONF:
  // a get-config reply comes in hundreds of chunks, so RPCs time out) unknown; never a mix
  list.push({ name: "every chunk delayed 20 ms from commit on", step: "commit", inject: (p) => p.delay(20), after: "pass", expect: ["applied", "reverted", "unknown"] });
  return list;
}

interface Target {
  device: Device;
  artifact: { id: string; path: string; format: "text" | "xml" };
  old: string;
  desired: string;
  /** the device's artifact, read around the proxy */
  readBack: () => Promise<string | null>;
  /** lock released, or reported in the error; leaves the device clean */
  checkLockAndRecover: (error: string) => Promise<void>;
}

async function runFault(fault: Fault, target: Target, proxy: TcpProxy, store: GenerationStore, attempt = 1): Promise<{ outcome: string; now: string | null }> {
  const gensBefore = (await store.generations(target.device.name, { all: true })).length;
  const plan = onePlan(target.device, target.artifact, target.old, target.desired);
  let fired = false;
  const result = await applyPlan(plan, {
    dryRun: false,
    confirmTimeout: () => CONFIRM_S,
    parallel: 1,
    operator: "fault",
    change: `fault-${fault.step}`,
    kind: "apply",
    store,
    owner: currentLockOwner(`fault-${fault.step}`, "fault"),
    openDriver: openerFor(target.device),
    revertWaitMs: REVERT_WAIT_MS,
    onStep: (_device, step, phase) => {
      if (phase === "start" && step.id === fault.step && !fired) {
        fired = true;
        fault.inject(proxy);
      }
    },
  });
  const d = result.devices[0]!;
  const info = `${fault.name}: ${d.outcome} at ${d.failedStep ?? "-"}: ${d.error ?? ""}`;
  console.log(`fault ${target.device.transport}: ${fault.name} -> ${d.outcome}${d.failedStep ? ` at ${d.failedStep}` : ""}, exit ${result.exitCode}`);
  if (!fired && attempt === 1 && PAST_COMMIT.includes(fault.step) && d.outcome === "reverted") {
    // On a starved machine the device's own 4 s confirm timer can fire before the transaction
    // reaches the fault's step: the run then ends reverted without the fault. That is safe (and
    // checked here), but the case did not test its fault, so it runs once more.
    proxy.pass();
    expect(await target.readBack(), info).toBe(target.old);
    expect((await store.generations(target.device.name, { all: true })).length, info).toBe(gensBefore);
    await target.checkLockAndRecover(d.error ?? "");
    return runFault(fault, target, proxy, store, 2);
  }
  expect(fired, info).toBe(true);
  expect(fault.expect, info).toContain(d.outcome);
  expect(result.exitCode, info).toBe(d.outcome === "unknown" ? 4 : d.outcome === "applied" ? 0 : 3);
  if (d.outcome === "unknown") expect(d.error ?? "", info).not.toBe("");

  proxy.pass();
  // "reverted" was proven by reading back; after "unknown" the transaction read back for
  // REVERT_WAIT_MS > the confirm timer: the device's own timer has fired, give it a moment to finish
  if (d.outcome === "unknown") await new Promise((r) => setTimeout(r, 1500));
  const now = await target.readBack();
  const want = d.outcome === "applied" ? target.desired : d.outcome === "unknown" ? [target.old, target.desired] : target.old;
  if (Array.isArray(want)) expect(want, info).toContain(now);
  else expect(now, info).toBe(want);
  // exactly the old generations plus at most one; one exactly when applied
  const gensAfter = (await store.generations(target.device.name, { all: true })).length;
  expect(gensAfter - gensBefore, info).toBe(d.outcome === "applied" ? 1 : 0);
  await target.checkLockAndRecover(d.error ?? "");
  return { outcome: d.outcome, now };
}

async function sshCase(fault: Fault): Promise<void> {
      const dir = await newDeviceDir(base, OLD);
      const proxy = await startTcpProxy({ port: sshd.port });
      try {
        // a device-side check, so that validate talks to the device too
        const device = sshDevice(sshd, dir, proxy.port, { checkCommand: "test -s {stage}/app" });
        const artifact = { id: "app", path: `${dir}/etc/app.conf`, format: "text" as const };
        const store = await seededStore(dir, device, artifact, OLD);
        const direct = { ...device, port: sshd.port };
        await runFault(fault, {
          device,
          artifact,
          old: OLD,
          desired: NEW,
          readBack: () => readOrNull(artifact.path),
          checkLockAndRecover: async (error) => {
            const lockLeft = await access(`${dir}/state/lock`).then(() => true, () => false);
            if (lockLeft) expect(error, `${fault.name}: a lock is left, so the error must say how to recover`).toMatch(/scconf recover relay1/);
            // the leftovers are cleaned up by recover (the holder, this test's run, is over)
            const host = new SshHost(direct, { baseDir: dir, connectTimeoutMs: 10_000, commandTimeoutMs: 20_000, env: process.env });
            await host.connect();
            try {
              const r = await recoverFileDevice(host, `${dir}/state`, { force: false, dryRun: false, owner: currentLockOwner("recover"), isAlive: () => false });
              expect(r.exitCode, `${fault.name}: ${r.actions.join("; ")}`).toBe(0);
              expect(await inspectLeftovers(host, `${dir}/state`)).toEqual({ lock: null, journal: null, staging: null });
            } finally {
              await host.close();
            }
          },
        }, proxy, store);
      } finally {
        await proxy.close();
      }
}

// a netconfd is one device: it runs one case at a time, the next case waits for it
const idle: Netconfd[] = [];
const waitingForDevice: Array<(nc: Netconfd) => void> = [];
async function onFreeNetconfd<T>(fn: (nc: Netconfd) => Promise<T>): Promise<T> {
  const nc = idle.shift() ?? (await new Promise<Netconfd>((r) => waitingForDevice.push(r)));
  try {
    return await fn(nc);
  } finally {
    const next = waitingForDevice.shift();
    if (next) next(nc);
    else idle.push(nc);
  }
}

async function withRetry(fn: () => Promise<void>, ms: number): Promise<void> {
  const deadline = Date.now() + ms;
  for (;;) {
    try {
      return await fn();
    } catch (err) {
      if (Date.now() > deadline) throw err;
      await new Promise((r) => setTimeout(r, 500));
    }
  }
}

function setAcls(nc: Netconfd, content: string): Promise<void> {
  return withRetry(() => setAclsOnce(nc, content), 10_000);
}

async function setAclsOnce(nc: Netconfd, content: string): Promise<void> {
  const driver = createNetconfDriver(netconfDeviceAt(nc, nc.port));
  await driver.connect();
  try {
    await driver.lock(currentLockOwner("reset"));
    await driver.stage([{ id: "acls", path: "netconf:/acls", content, kinds: ["firewall"], format: "xml" }]);
    await driver.commit({ confirmTimeout: 60 });
    await driver.confirm();
    await driver.unlock();
  } finally {
    await driver.close();
  }
}

async function readAcls(nc: Netconfd): Promise<string | null> {
  const driver = createNetconfDriver(netconfDeviceAt(nc, nc.port));
  await driver.connect();
  try {
    return (await driver.fetch([{ id: "acls", path: "netconf:/acls" }]))[0]?.content ?? null;
  } finally {
    await driver.close();
  }
}

function netconfCase(fault: Fault): Promise<void> {
  return onFreeNetconfd(async (nc) => {
        await setAcls(nc, aclOld);
        const dir = await tempBase("scconf-fault-nc-");
        const proxy = await startTcpProxy({ port: nc.port });
        try {
          const device = netconfDeviceAt(nc, proxy.port);
          const artifact = { id: "acls", path: "netconf:/acls", format: "xml" as const };
          const store = await seededStore(dir, device, artifact, aclOld);
          await runFault(fault, {
            device,
            artifact,
            old: aclOld,
            desired: aclNew,
            readBack: () => readAcls(nc),
            checkLockAndRecover: async () => {
              // NETCONF locks die with their session: a fresh session can take the candidate
              // (once the server has noticed that the cut session is gone: a few seconds at most)
              await withRetry(async () => {
                const driver = createNetconfDriver(netconfDeviceAt(nc, nc.port));
                await driver.connect();
                try {
                  await driver.lock(currentLockOwner("probe"));
                  await driver.unlock();
                } finally {
                  await driver.close();
                }
              }, 10_000);
            },
          }, proxy, store);
        } finally {
          await proxy.close();
          await rm(dir, { recursive: true, force: true });
        }
  });
}

// at most a few ssh cases at once on the loaded 2-core machine
let sshSlots = 3;
const waiting: Array<() => void> = [];
async function limited<T>(fn: () => Promise<T>): Promise<T> {
  while (sshSlots === 0) await new Promise<void>((r) => waiting.push(r));
  sshSlots--;
  try {
    return await fn();
  } finally {
    sshSlots++;
    waiting.shift()?.();
  }
}

// interleaved, so that ssh and netconf cases run side by side
describe.concurrent("a cut at every step of the transaction", () => {
  const ssh = faults("ssh");
  const netconf = faults("netconf");
  for (let i = 0; i < Math.max(ssh.length, netconf.length); i++) {
    const a = ssh[i];
    const b = netconf[i];
    if (a) it(`ssh: ${a.name}`, () => limited(() => sshCase(a)), 120_000);
    if (b) it(`netconf: ${b.name}`, () => netconfCase(b), 180_000);
  }
});
