// Saving and reading plan files. A plan file that was edited by hand no
// longer matches its id and is refused.
import { readFileSync, renameSync, writeFileSync } from "node:fs";
import { planId } from "./build.js";
import { sha256 } from "./hash.js";
import { PLAN_FORMAT, type Plan } from "./types.js";

export function savePlan(path: string, plan: Plan): void {
  const tmp = `${path}.tmp-${process.pid}`;
  writeFileSync(tmp, JSON.stringify(plan, null, 2) + "\n", { mode: 0o644 });
  renameSync(tmp, path);
}

export class PlanFileError extends Error {}

export function readPlan(path: string): Plan {
  let plan: Plan;
  try {
    plan = JSON.parse(readFileSync(path, "utf8")) as Plan;
  } catch (err) {
    const e = err as NodeJS.ErrnoException;
    if (e.code === "ENOENT") throw new PlanFileError(`there is no plan file ${path}`);
    if (e instanceof SyntaxError) throw new PlanFileError(`${path} is not a scconf plan: it is not JSON`);
    throw new PlanFileError(`cannot read the plan file ${path}: ${e.message}`);
  }
  if (plan.format !== PLAN_FORMAT) throw new PlanFileError(`${path} is not a scconf plan (format ${String(plan.format)})`);
  for (const d of plan.devices) {
    for (const a of d.artifacts) {
      if (sha256(a.desired) !== a.desiredHash) {
        throw new PlanFileError(`${path}: the content of ${d.device}/${a.id} does not match its hash; the plan was modified after it was made`);
      }
    }
  }
  if (planId(plan.devices, plan.intentChanges) !== plan.id) throw new PlanFileError(`${path}: the plan id does not match its content; the plan was modified after it was made`);
  return plan;
}
