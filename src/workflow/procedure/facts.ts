// What the procedure needs beyond the plan and the inventory: per device the
// generations in the store and the one it returns to on rollback, the
// approvals recorded for the plan, and a rehearsal's measured step times.
import { existsSync, readFileSync } from "node:fs";
import { dirname, join } from "node:path";
import type { GenerationStore } from "../../backup/store.js";
import { sha256 } from "../../plan/hash.js";
import type { DevicePlan } from "../../plan/types.js";
import type { ApprovalFact, DeviceFacts, Rehearsal } from "./document.js";

/**
 * The generation a device returns to: the newest one when it holds what the
 * device runs now; otherwise apply's backup step records the current state
 * first, as the next generation. A device that has none of the artifacts has
 * nothing to return to.
 */
export async function deviceFacts(store: GenerationStore, plan: DevicePlan): Promise<DeviceFacts> {
  const generations = await store.generationCount(plan.device);
  if (plan.artifacts.every((a) => a.currentHash === null)) return { generations, returnTo: null };
  const latest = await store.latest(plan.device);
  const same =
    latest !== undefined &&
    plan.artifacts.every((a) => {
      const stored = latest.artifacts.find((x) => x.id === a.id);
      return a.currentHash === null ? !stored : stored !== undefined && sha256(stored.content) === a.currentHash;
    });
  return { generations, returnTo: same ? { generation: generations, newBackup: false } : { generation: generations + 1, newBackup: true } };
}

/**
 * The approvals of a plan from approvals/<plan-id>.json beside the inventory
 * (either the approvals file of `scconf approve`, {plan, approvals: [...]},
 * or a single {plan, by, at, comment}). Whether an approval counts is the
 * apply gate's decision; the procedure shows them and whether git has them.
 */
export function readApprovalFacts(inventoryDir: string, planId: string, isCommitted: (file: string) => boolean): ApprovalFact[] {
  if (!/^[0-9a-f]{16}$/.test(planId)) return [];
  for (const base of [inventoryDir, dirname(inventoryDir)]) {
    const file = join(base, "approvals", `${planId}.json`);
    if (!existsSync(file)) continue;
    let data: unknown;
    try {
      data = JSON.parse(readFileSync(file, "utf8"));
    } catch {
      return [];
    }
    const list = Array.isArray((data as { approvals?: unknown }).approvals) ? (data as { approvals: unknown[] }).approvals : [data];
    const committed = isCommitted(file);
    return list
      .filter((a): a is { plan: string; by: string; at: string; comment?: unknown } => {
        const x = a as Record<string, unknown>;
        return typeof x === "object" && x !== null && x["plan"] === planId && typeof x["by"] === "string" && typeof x["at"] === "string";
      })
      .map((a) => ({ by: a.by, at: a.at, ...(typeof a.comment === "string" ? { comment: a.comment } : {}), committed }));
  }
  return [];
}

/** A record of `apply --record FILE` (dry-run or a lab run). */
export function readRehearsal(file: string): Rehearsal {
  const data = JSON.parse(readFileSync(file, "utf8")) as Partial<Rehearsal> & { devices?: unknown };
  if (typeof data.plan !== "string" || !Array.isArray(data.devices)) throw new Error(`${file} is not a record of 'scconf apply --record'`);
  return { file, plan: data.plan, dryRun: data.dryRun === true, recordedAt: typeof data.recordedAt === "string" ? data.recordedAt : "", devices: data.devices as Rehearsal["devices"] };
}
