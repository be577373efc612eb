// The semantic checks, in the order they run. Each is a pure function of the model.
import type { Inventory } from "../../model/types.js";
import type { Diagnostic } from "../diagnostics.js";
import type { InventorySources } from "../load.js";
import { Reporter, type Check, type CheckOptions } from "./context.js";
import { checkUniqueness } from "./uniqueness.js";

export const CHECKS: ReadonlyArray<{ name: string; run: Check }> = [
  { name: "uniqueness", run: checkUniqueness },
];

export function runChecks(inventory: Inventory, sources: InventorySources, options: CheckOptions): Diagnostic[] {
  const report = new Reporter(sources);
  for (const check of CHECKS) check.run({ inventory, options, report });
  return report.diagnostics;
}
