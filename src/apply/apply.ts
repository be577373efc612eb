// The fleet: runs each device's transaction (canary first, then bounded
// parallel), keeps backups before and records generations after, one commit
// for the run. Exit codes follow the README.
import { detectSecrets } from "../backup/detect.js";
import { SecretLeakError } from "../backup/errors.js";
import type { GenerationStore } from "../backup/store.js";
import type { RecordKind } from "../backup/layout.js";
import { mapLimit } from "../plan/concurrency.js";
import { sha256 } from "../plan/hash.js";
import type { DevicePlan, Plan } from "../plan/types.js";
import type { Driver, FetchedArtifact, LockOwner } from "../transport/driver.js";
import type { StepDescription } from "./steps.js";
import { runTransaction, type DeviceResult } from "./transaction.js";

export interface ApplyOptions {
  dryRun: boolean;
  /** seconds before an unconfirmed commit reverts, per device */
  confirmTimeout: (device: string) => number;
  parallel: number;
  canary?: string;
  operator: string;
  /** the change id recorded with the generations (a ticket, or the plan id) */
  change: string;
  kind: RecordKind;
  store: GenerationStore;
  owner: LockOwner;
  openDriver: (plan: DevicePlan) => Driver;
  onStep?: (device: string, step: StepDescription, phase: "start" | "ok" | "fail", detail?: string) => void;
  /** extra fields for the audit line (approvals, emergency reason ...) */
  audit?: Record<string, unknown>;
  /** the inventory revision and render date each applied generation records (default: the plan's revision and today) */
  sourceOf?: (device: string) => { revision: string; today: string };
  revertWaitMs?: number;
}

export interface DeviceSummary extends DeviceResult {
  generationBefore: number;
  generationAfter: number;
}

export interface ApplyResult {
  planId: string;
  devices: DeviceSummary[];
  /** the backups commit of this run, when one was made */
  commit?: string;
  exitCode: 0 | 3 | 4;
  /** devices that run the change but whose generation could not be recorded (exit 4) */
  unrecorded?: { devices: string[]; reason: string };
}

/** The text with every line the backup's detector flags replaced by a note of what was withheld. */
export function withholdSecretLines(text: string): string {
  const flagged = new Map(detectSecrets(text).map((f) => [f.line, f.pattern]));
  return text.split("\n").map((line, i) => (flagged.has(i + 1) ? `<scconf: line withheld from this backup: it looks like a ${flagged.get(i + 1)!}>` : line)).join("\n");
}

function sameAsLatest(latest: { artifacts: Array<{ id: string; content: string }> } | undefined, before: FetchedArtifact[]): boolean {
  if (!latest) return false;
  return before.every((b) => {
    const l = latest.artifacts.find((a) => a.id === b.id);
    return b.content === null ? !l : l !== undefined && sha256(l.content) === sha256(b.content);
  });
}

export async function applyPlan(plan: Plan, options: ApplyOptions): Promise<ApplyResult> {
  if (!options.dryRun) {
    await options.store.assertWritable();
    // what the run would record must be recordable before any device commits it (the record comes after confirm)
    await options.store.assertRecordable(
      plan.devices.filter((d) => d.changed).map((d) => ({ device: d.device, platform: d.platform, artifacts: d.artifacts.map((a) => ({ id: a.id, path: a.path, content: a.desired })) })),
    );
  }
  const counts = new Map<string, number>();
  for (const d of plan.devices) counts.set(d.device, await options.store.generationCount(d.device));

  const backup = (device: DevicePlan) => async (before: FetchedArtifact[]) => {
    if (options.dryRun) return;
    const present = before.filter((b): b is FetchedArtifact & { content: string } => b.content !== null);
    if (!present.length || sameAsLatest(await options.store.latest(device.device), before)) return;
    // the device runs something no generation holds (first run, or a hand edit): keep it first
    const meta = { change: options.change, planHash: plan.id, operator: options.operator, kind: "backup" as const, message: `state of ${device.device} before ${options.change}` };
    const entry = (content: (text: string) => string) => [{ device: device.device, platform: device.platform, artifacts: present.map((a) => ({ id: a.id, path: a.path, content: content(a.content) })) }];
    try {
      await options.store.record(entry((t) => t), meta);
    } catch (error) {
      if (!(error instanceof SecretLeakError)) throw error;
      // the device already holds text the store refuses (a hand edit, an older scconf): keep the state with
      // those lines withheld, and say so, so that the change that removes the text can still be made
      await options.store.record(entry(withholdSecretLines), { ...meta, message: `${meta.message} (lines withheld: the device holds text that looks like a secret)` });
    }
  };

  const runOne = async (device: DevicePlan): Promise<DeviceResult> => {
    if (!device.changed) return { device: device.device, outcome: "unchanged", timings: [], executed: [] };
    return runTransaction({
      plan: device,
      options: { dryRun: options.dryRun, confirmTimeout: options.confirmTimeout(device.device) },
      owner: options.owner,
      openDriver: () => options.openDriver(device),
      backup: backup(device),
      ...(options.onStep ? { onStep: options.onStep } : {}),
      ...(options.revertWaitMs !== undefined ? { revertWaitMs: options.revertWaitMs } : {}),
    });
  };

  const results: DeviceResult[] = [];
  let rest = plan.devices;
  if (options.canary) {
    const canary = plan.devices.find((d) => d.device === options.canary);
    if (!canary) throw new Error(`the canary device ${options.canary} is not in the plan`);
    const r = await runOne(canary);
    results.push(r);
    rest = plan.devices.filter((d) => d !== canary);
    if (!["applied", "unchanged", "rehearsed"].includes(r.outcome)) {
      for (const d of rest) results.push({ device: d.device, outcome: "refused", error: `not attempted: the canary ${canary.device} did not succeed`, timings: [], executed: [] });
      rest = [];
    }
  }
  results.push(...(await mapLimit(rest, options.parallel, runOne)));

  const sourceOf = (device: string) => options.sourceOf?.(device) ?? { revision: plan.inventoryRevision, today: plan.today };
  let commit: string | undefined;
  let unrecorded: ApplyResult["unrecorded"];
  const applied = results.filter((r) => r.outcome === "applied");
  // every run that tried a device leaves its audit line; applied devices get their generation in the same commit
  const attempted = results.some((r) => r.outcome !== "unchanged");
  if (!options.dryRun && attempted) {
    const entries = applied.map((r) => {
      const d = plan.devices.find((x) => x.device === r.device)!;
      const source = sourceOf(d.device);
      return { device: d.device, platform: d.platform, artifacts: d.artifacts.map((a) => ({ id: a.id, path: a.path, content: a.desired })), source };
    });
    // where each device now is: the change gate's baseline (src/workflow/baseline.ts)
    const sources: Record<string, { revision: string; today: string }> = {};
    for (const r of results) {
      if (r.outcome === "applied" || r.outcome === "unchanged") sources[r.device] = sourceOf(r.device);
      else if (r.outcome === "unknown") sources[r.device] = { revision: "unknown", today: plan.today };
    }
    const auditLine = {
      action: options.kind,
      plan: plan.id,
      change: options.change,
      operator: options.operator,
      inventoryRevision: plan.inventoryRevision,
      devices: results.map((r) => ({ device: r.device, outcome: r.outcome, ...(r.failedStep ? { failedStep: r.failedStep } : {}) })),
      sources,
      ...(options.audit ?? {}),
    };
    const t0 = performance.now();
    const meta = { change: options.change, planHash: plan.id, operator: options.operator, kind: options.kind };
    if (entries.length) {
      try {
        commit = await options.store.record(entries, meta, auditLine);
      } catch (error) {
        // the devices run the change and confirmed it: say which ones no generation holds, and exit 4
        unrecorded = { devices: entries.map((e) => e.device), reason: (error as Error).message };
      }
    } else {
      // nothing changed on any device: the audit line must not cost the operator the summary
      commit = await options.store.record([], meta, auditLine).catch(() => undefined);
    }
    // one commit for the run records every applied device: the step of each
    const ms = Math.round(performance.now() - t0);
    for (const r of applied) {
      r.executed.push("record");
      r.timings.push({ step: "record", ms, ok: unrecorded === undefined });
    }
  }

  const devices: DeviceSummary[] = [];
  for (const r of results) {
    devices.push({ ...r, generationBefore: counts.get(r.device) ?? 0, generationAfter: await options.store.generationCount(r.device) });
  }
  const exitCode = unrecorded || results.some((r) => r.outcome === "unknown") ? 4 : results.some((r) => r.outcome === "refused" || r.outcome === "reverted") ? 3 : 0;
  return { planId: plan.id, devices, ...(commit ? { commit } : {}), ...(unrecorded ? { unrecorded } : {}), exitCode };
}
