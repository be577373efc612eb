// scconf history [--org ID] [--device D] [--since DATE] [--json]: what changed, when, by whom, approved by whom.
import type { Command } from "commander";
import type { Inventory } from "../model/types.js";
import type { InventoryRepo } from "../workflow/git.js";
import { inventoryRepo, resolveCommit } from "../workflow/git.js";
import { inventoryAt } from "../workflow/revision.js";
import type { Approver } from "../workflow/signing.js";
import { todayIn } from "../inventory/validate.js";
import { readAudit } from "../workflow/history/audit.js";
import { formatHistory } from "../workflow/history/format.js";
import { committedApprovals } from "../workflow/history/inventory-log.js";
import { DAY } from "../workflow/history/time.js";
import { buildHistory, type HistoryFilter, type HistorySources } from "../workflow/history/timeline.js";
import { loadValidInventory, type GlobalOptions } from "./context.js";
import { UserError } from "./exit-codes.js";
import { orgNamer } from "./plan.js";
import { storePath } from "./runtime.js";

interface HistoryFlags {
  org?: string;
  device?: string;
  since?: string;
  json?: boolean;
}

export function tryInventoryRepo(dir: string): InventoryRepo | undefined {
  try {
    return inventoryRepo(dir);
  } catch {
    return undefined;
  }
}

/** The audit log, the inventory repository and its approvals: what history and the reports read. */
export function historySources(inventory: Inventory): HistorySources & { unreadable: number[] } {
  const { entries, unreadable } = readAudit(storePath(inventory));
  const repo = tryInventoryRepo(inventory.root);
  return { audit: entries, unreadable, approvals: repo ? committedApprovals(repo, committedApprovers(repo, inventory)) : [], timeZone: inventory.cloud.timezone, ...(repo ? { repo } : {}) };
}

/** The approvers list as committed (HEAD): an approver added by an uncommitted edit does not make an approval count. */
function committedApprovers(repo: InventoryRepo, inventory: Inventory): Approver[] {
  const head = resolveCommit(repo.top, "HEAD");
  if (!head) return [];
  try {
    return inventoryAt(repo, head, todayIn(inventory.cloud.timezone)).cloud.approvers;
  } catch {
    // a HEAD that does not validate lists nobody: no approval is shown as counting
    return [];
  }
}

export function registerHistory(program: Command, globals: () => GlobalOptions): void {
  program
    .command("history")
    .description("what changed, when, by whom and approved by whom: the inventory's git history, the approvals and the backups audit log")
    .option("-o, --org <id>", "only this organization's edits and the runs that applied them")
    .option("-d, --device <name>", "only the runs that changed this device, and the edits they applied")
    .option("--since <date>", "only from this day on (YYYY-MM-DD, in the cloud's time zone)")
    .option("--json", "print the events as JSON")
    .action((flags: HistoryFlags) => {
      if (flags.since !== undefined && !DAY.test(flags.since)) throw new UserError(`--since must be a date YYYY-MM-DD (got ${flags.since})`);
      const { inventory } = loadValidInventory(globals(), { quietWarnings: true });
      if (flags.device && !inventory.devices.some((d) => d.name === flags.device)) {
        process.stderr.write(`note: no device "${flags.device}" in the current inventory; showing its recorded history\n`);
      }
      if (flags.org && !inventory.orgs.some((o) => o.id === flags.org)) {
        process.stderr.write(`note: no organization "${flags.org}" in the current inventory; showing its recorded history\n`);
      }
      const sources = historySources(inventory);
      const filter: HistoryFilter = {
        ...(flags.org ? { org: flags.org } : {}),
        ...(flags.device ? { device: flags.device } : {}),
        ...(flags.since ? { since: flags.since } : {}),
      };
      const history = buildHistory(sources, filter);
      if (sources.unreadable.length) history.notes.push(`audit.jsonl lines ${sources.unreadable.join(", ")} could not be read and are left out`);
      if (flags.json) process.stdout.write(JSON.stringify(history, null, 2) + "\n");
      else process.stdout.write(formatHistory(history, { timeZone: inventory.cloud.timezone, orgName: orgNamer(inventory) }));
    });
}
