// Loads the fixture and sample inventories for tests, failing loudly on findings.
import { fileURLToPath } from "node:url";
import { formatDiagnostic } from "../../src/inventory/diagnostics.js";
import { validateInventory } from "../../src/inventory/validate.js";
import type { Inventory } from "../../src/model/types.js";

export const REPO_ROOT = fileURLToPath(new URL("../../", import.meta.url));
export const SMALL_INVENTORY = `${REPO_ROOT}test/fixtures/inventory-small`;
export const SAMPLE_INVENTORY = `${REPO_ROOT}inventory`;
/** every test renders as of this day, so that expiry is deterministic */
export const TEST_TODAY = "2026-11-27";

export function loadFixture(dir: string = SMALL_INVENTORY, today = TEST_TODAY): Inventory {
  const r = validateInventory(dir, { today, revision: "test-revision" });
  if (!r.inventory) {
    throw new Error(`fixture ${dir} does not validate:\n${r.diagnostics.map(formatDiagnostic).join("\n")}`);
  }
  return r.inventory;
}
