// One device's transaction, executed step by step from describeTransaction().
// Invariant: when this returns, the device runs its old artifacts or its new
// ones, never a mix; "unknown" is returned (loudly) only when neither can be
// confirmed by reading back.
import type { DevicePlan } from "../plan/types.js";
import { sha256, stateHash } from "../plan/hash.js";
import { DeviceError, LockHeldError, type Driver, type FetchedArtifact, type LockOwner } from "../transport/driver.js";
import { describeTransaction, type StepDescription, type StepId, type TransactionOptions } from "./steps.js";

export type DeviceOutcome =
  /** the new artifacts are active and confirmed */
  | "applied"
  /** nothing to change on this device */
  | "unchanged"
  /** dry-run: staged and validated, then discarded */
  | "rehearsed"
  /** refused before any change (stale plan, lock held, check failed): the device is untouched */
  | "refused"
  /** a change was made and then reverted; read back confirms the old state */
  | "reverted"
  /** neither the old nor the new state could be confirmed */
  | "unknown";

export interface StepTiming {
  step: StepId;
  ms: number;
  ok: boolean;
}

export interface DeviceResult {
  device: string;
  outcome: DeviceOutcome;
  /** where it stopped, when it did not succeed */
  failedStep?: StepId;
  error?: string;
  /** what the device-side checker said */
  validation?: string;
  timings: StepTiming[];
  /** the artifacts read at the start (for the backup generation) */
  before?: FetchedArtifact[];
  /** the steps that were run, in order (compared with the described ones in tests) */
  executed: StepId[];
}

export interface TransactionContext {
  plan: DevicePlan;
  options: TransactionOptions;
  owner: LockOwner;
  /** opens a new driver to the device (used again for the post-check on a fresh connection) */
  openDriver: () => Driver;
  /** called between the fetch and stage steps, with the state read: records the backup generation */
  backup: (before: FetchedArtifact[]) => Promise<void>;
  /** progress for the live display */
  onStep?: (device: string, step: StepDescription, phase: "start" | "ok" | "fail", detail?: string) => void;
  /** how long to keep trying to confirm a revert by reading back after a lost connection (ms) */
  revertWaitMs?: number;
}

class StepFailure extends Error {
  constructor(readonly step: StepId, override readonly cause: unknown) {
    super(cause instanceof Error ? cause.message : String(cause));
  }
}

const hashesOf = (artifacts: readonly FetchedArtifact[]) =>
  artifacts.map((a) => ({ id: a.id, hash: a.content === null ? null : sha256(a.content) }));

export async function runTransaction(ctx: TransactionContext): Promise<DeviceResult> {
  const { plan } = ctx;
  const steps = describeTransaction(plan, ctx.options);
  const result: DeviceResult = { device: plan.device, outcome: "refused", timings: [], executed: [] };
  const driver = ctx.openDriver();
  let locked = false;
  let committed = false;
  let before: FetchedArtifact[] | undefined;
  const changed = plan.artifacts.filter((a) => a.action !== "unchanged");

  const run = async <T>(id: StepId, body: () => Promise<T>): Promise<T> => {
    const step = steps.find((s) => s.id === id);
    if (!step) throw new Error(`step ${id} is not in the described transaction`);
    ctx.onStep?.(plan.device, step, "start");
    const t0 = performance.now();
    result.executed.push(id);
    try {
      const value = await body();
      result.timings.push({ step: id, ms: Math.round(performance.now() - t0), ok: true });
      ctx.onStep?.(plan.device, step, "ok");
      return value;
    } catch (err) {
      result.timings.push({ step: id, ms: Math.round(performance.now() - t0), ok: false });
      ctx.onStep?.(plan.device, step, "fail", err instanceof Error ? err.message : String(err));
      throw new StepFailure(id, err);
    }
  };

  try {
    await run("connect", () => driver.connect());
    await run("lock", async () => {
      await driver.lock(ctx.owner);
      locked = true;
    });
    before = await run("fetch", async () => {
      const current = await driver.fetch(plan.artifacts.map((a) => ({ id: a.id, path: a.path })));
      const seen = stateHash(hashesOf(current));
      if (seen !== plan.currentHash) {
        throw new DeviceError(plan.device, "fetch", "stale plan: the device no longer runs what the plan saw; make a new plan");
      }
      return current;
    });
    result.before = before;
    const current = before;
    await run("backup", () => ctx.backup(current));
    if (!plan.changed) {
      result.outcome = "unchanged";
    } else {
      const artifacts = changed.map((a) => ({ id: a.id, path: a.path, content: a.desired, kinds: a.kinds, format: a.format }));
      await run("stage", () => driver.stage(artifacts));
      await run("validate", async () => {
        const v = await driver.validate();
        result.validation = v.output;
        if (!v.ok) throw new DeviceError(plan.device, "validate", `the device refused the staged configuration (${v.command})`, v.output);
      });
      if (ctx.options.dryRun) {
        await run("discard", () => driver.discard());
        result.outcome = "rehearsed";
      } else {
        await run("commit", async () => {
          committed = true;
          await driver.commit({ confirmTimeout: ctx.options.confirmTimeout });
        });
        await run("verify", () => verifyOnFreshConnection(ctx, "desired"));
        await run("confirm", () => driver.confirm());
        committed = false;
        result.outcome = "applied";
        // "record" happens once for the whole run, after every device (see apply.ts)
      }
    }
  } catch (err) {
    const failure = err instanceof StepFailure ? err : new StepFailure("connect", err);
    result.failedStep = failure.step;
    const cause = failure.cause;
    result.error = cause instanceof DeviceError && cause.detail ? `${cause.message}\n${cause.detail}` : failure.message;
    if (cause instanceof LockHeldError) result.error = cause.message;
    else if (failure.step === "lock" && !locked && !result.error.includes("scconf recover")) {
      // no clear answer from the device (a lost connection, a timeout, a killed command):
      // the request may have reached it and only the answer was lost
      result.error += `\nthe lock may have been taken before this failure; check with 'scconf recover ${plan.device}'`;
    }
    if (committed) {
      result.outcome = await revertAndVerify(ctx, driver, before);
    } else {
      // nothing was committed: drop what may be staged; the device is untouched.
      // Only with the lock held: without it the staging area is another run's.
      if (locked) await driver.discard().catch(() => undefined);
      result.outcome = "refused";
    }
  } finally {
    if (locked) {
      try {
        await driver.unlock();
        result.executed.push("unlock");
      } catch (err) {
        result.error = `${result.error ? `${result.error}\n` : ""}unlock failed: ${(err as Error).message}; run 'scconf recover ${plan.device}'`;
      }
    }
    await driver.close().catch(() => undefined);
  }
  return result;
}

/** Reads the device back on a new connection and compares with the desired (or the previous) state. */
async function verifyOnFreshConnection(ctx: TransactionContext, expect: "desired" | FetchedArtifact[]): Promise<void> {
  const probe = ctx.openDriver();
  try {
    await probe.connect();
    const seen = await probe.fetch(ctx.plan.artifacts.map((a) => ({ id: a.id, path: a.path })));
    const want =
      expect === "desired"
        ? ctx.plan.artifacts.map((a) => ({ id: a.id, hash: a.desiredHash }))
        : hashesOf(expect);
    if (stateHash(hashesOf(seen)) !== stateHash(want)) {
      const diffIds = seen.filter((s) => {
        const w = want.find((x) => x.id === s.id);
        return (s.content === null ? null : sha256(s.content)) !== (w?.hash ?? null);
      }).map((s) => s.id);
      throw new DeviceError(ctx.plan.device, "verify", `read back differs from the ${expect === "desired" ? "plan" : "previous state"} in ${diffIds.join(", ")}`);
    }
  } finally {
    await probe.close().catch(() => undefined);
  }
}

/**
 * After a failure past commit: revert now, then prove by reading back that the
 * device runs its previous artifacts. If the connection is gone, the device's
 * own timer reverts it: keep reading back until the timer must have fired.
 */
async function revertAndVerify(ctx: TransactionContext, driver: Driver, before: FetchedArtifact[] | undefined): Promise<DeviceOutcome> {
  await driver.discard().catch(() => undefined);
  if (!before) return "unknown";
  const deadline = Date.now() + (ctx.revertWaitMs ?? (ctx.options.confirmTimeout + 15) * 1000);
  for (;;) {
    try {
      await verifyOnFreshConnection(ctx, before);
      return "reverted";
    } catch {
      if (Date.now() > deadline) return "unknown";
      await new Promise((r) => setTimeout(r, 1000));
    }
  }
}
