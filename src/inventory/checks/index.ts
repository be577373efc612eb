// The semantic checks, in the order they run. Each is a pure function of the model.
// (Literal secrets are found while loading, in load.ts: they must be reported
// even when the schema refuses the file.)
import type { Inventory } from "../../model/types.js";
import type { Diagnostic } from "../diagnostics.js";
import type { InventorySources } from "../load.js";
import { checkCloud } from "./cloud.js";
import { Reporter, type Check, type CheckOptions } from "./context.js";
import { checkDns } from "./dns.js";
import { checkExpiry } from "./expiry.js";
import { checkFirewall } from "./firewall.js";
import { checkIpsExceptions } from "./ips.js";
import { checkTenantIsolation } from "./isolation.js";
import { checkSpamExclusions } from "./mail.js";
import { checkOverlaps } from "./overlaps.js";
import { checkReferences } from "./references.js";
import { checkRenderRefusals } from "./refusals.js";
import { checkUniqueness } from "./uniqueness.js";

export const CHECKS: ReadonlyArray<{ name: string; run: Check }> = [
  { name: "uniqueness", run: checkUniqueness },
  { name: "overlaps", run: checkOverlaps },
  { name: "tenant-isolation", run: checkTenantIsolation },
  { name: "spam-exclusions", run: checkSpamExclusions },
  { name: "firewall", run: checkFirewall },
  { name: "ips-exceptions", run: checkIpsExceptions },
  { name: "expiry", run: checkExpiry },
  { name: "dns", run: checkDns },
  { name: "references", run: checkReferences },
  { name: "render-refusals", run: checkRenderRefusals },
  { name: "cloud", run: checkCloud },
];

export function runChecks(inventory: Inventory, sources: InventorySources, options: CheckOptions): Diagnostic[] {
  const report = new Reporter(sources);
  for (const check of CHECKS) check.run({ inventory, options, report });
  return report.diagnostics;
}
