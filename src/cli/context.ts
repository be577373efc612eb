// Options every command shares, and the one way to load a validated inventory.
import { execFileSync } from "node:child_process";
import { resolve } from "node:path";
import { countBySeverity } from "../inventory/diagnostics.js";
import { validateInventory, type ValidateResult } from "../inventory/validate.js";
import type { Inventory } from "../model/types.js";
import { applyTarget } from "../workflow/lab/overlay.js";
import { EXIT, UserError } from "./exit-codes.js";
import { printDiagnostics } from "./output.js";

export interface GlobalOptions {
  inventory: string;
  today?: string;
  /** `--target lab`: the devices as the rehearsal lab's overlay points them (see 'scconf lab up') */
  target?: string | undefined;
}

/** The short git revision of the inventory, with "+dirty" when it has uncommitted edits. */
export function inventoryRevision(dir: string): string {
  try {
    const rev = execFileSync("git", ["-C", dir, "rev-parse", "--short=12", "HEAD"], { encoding: "utf8", stdio: ["ignore", "pipe", "ignore"] }).trim();
    const dirty = execFileSync("git", ["-C", dir, "status", "--porcelain", "--", "."], { encoding: "utf8", stdio: ["ignore", "pipe", "ignore"] }).trim();
    return dirty ? `${rev}+dirty` : rev;
  } catch {
    return "unversioned";
  }
}

/** Warnings that a plan shows although it leaves the others to 'scconf validate': they change what the devices will do. */
const PLAN_WARNINGS: ReadonlySet<string> = new Set(["ips-direction"]);

/** Loads and validates; prints findings; throws a UserError when there are errors. */
export function loadValidInventory(
  opts: GlobalOptions,
  { quietWarnings = false, planWarnings = false } = {},
): { inventory: Inventory; result: ValidateResult } {
  const dir = resolve(opts.inventory);
  const result = validateInventory(dir, { revision: inventoryRevision(dir), ...(opts.today ? { today: opts.today } : {}) });
  const { errors } = countBySeverity(result.diagnostics);
  const shown = quietWarnings ? result.diagnostics.filter((d) => d.severity === "error" || (planWarnings && PLAN_WARNINGS.has(d.code))) : result.diagnostics;
  printDiagnostics(shown);
  if (errors > 0 || !result.inventory) {
    throw new UserError(`the inventory has ${errors} error(s); nothing was rendered or pushed`, EXIT.inputError, "run 'scconf validate' for the full list");
  }
  if (!opts.target) return { inventory: result.inventory, result };
  const inventory = applyTarget(result.inventory, dir, opts.target);
  return { inventory, result: { ...result, inventory } };
}
