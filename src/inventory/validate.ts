// load + semantic checks: what `scconf validate` and every other command run first.
import type { Inventory } from "../model/types.js";
import { countBySeverity, sortDiagnostics, type Diagnostic } from "./diagnostics.js";
import { runChecks } from "./checks/index.js";
import { loadInventory, type InventorySources, type LoadOptions } from "./load.js";

export interface ValidateOptions extends LoadOptions {
  /** YYYY-MM-DD; defaults to today in the cloud's time zone */
  today?: string;
}

export interface ValidateResult {
  inventory?: Inventory;
  sources?: InventorySources;
  diagnostics: Diagnostic[];
  errors: number;
  warnings: number;
}

/** Today's date in a time zone, as YYYY-MM-DD. */
export function todayIn(timeZone: string, now: Date = new Date()): string {
  return new Intl.DateTimeFormat("en-CA", { timeZone, year: "numeric", month: "2-digit", day: "2-digit" }).format(now);
}

export function validateInventory(dir: string, options: ValidateOptions = {}): ValidateResult {
  const loaded = loadInventory(dir, options);
  let diagnostics = loaded.diagnostics;
  if (loaded.inventory && loaded.sources) {
    const today = options.today ?? todayIn(loaded.inventory.cloud.timezone);
    diagnostics = [...diagnostics, ...runChecks(loaded.inventory, loaded.sources, { today })];
  }
  diagnostics = sortDiagnostics(diagnostics);
  const { errors, warnings } = countBySeverity(diagnostics);
  return {
    ...(errors === 0 && loaded.inventory ? { inventory: loaded.inventory, sources: loaded.sources } : {}),
    diagnostics,
    errors,
    warnings,
  };
}
