// The inventory at a git revision, and the revision the devices were last
// applied from (the backups store's audit.jsonl).
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { AUDIT_FILE } from "../backup/layout.js";
import { formatDiagnostic } from "../inventory/diagnostics.js";
import { validateInventory } from "../inventory/validate.js";
import type { Inventory } from "../model/types.js";
import { extractInventory, GitError, resolveCommit, shortCommit, type InventoryRepo } from "./git.js";

/** Loads and validates the inventory as it was at a commit, without touching the working tree. */
export function inventoryAt(repo: InventoryRepo, commit: string, today: string): Inventory {
  const { dir, cleanup } = extractInventory(repo, commit);
  try {
    const r = validateInventory(dir, { revision: shortCommit(commit), today, cwd: dir });
    if (!r.inventory) {
      const first = r.diagnostics.filter((d) => d.severity === "error").slice(0, 3).map(formatDiagnostic);
      throw new GitError(`the inventory at ${shortCommit(commit)} does not validate (${r.errors} error(s)):\n${first.join("\n")}`);
    }
    return r.inventory;
  } finally {
    cleanup();
  }
}

export type LastApplied = { revision: string; at: string } | { revision?: undefined; reason: string };

interface AuditLine {
  time?: string;
  kind?: string;
  details?: { inventoryRevision?: unknown; devices?: Array<{ outcome?: string }> };
}

/**
 * The inventory revision of the newest apply that changed a device, from the
 * store's audit.jsonl (a rollback after it means the devices match no
 * revision). A reason instead when it cannot be known.
 */
export function lastAppliedRevision(storeDir: string): LastApplied {
  let text: string;
  try {
    text = readFileSync(join(storeDir, AUDIT_FILE), "utf8");
  } catch {
    return { reason: "no apply is recorded yet (no backups audit log)" };
  }
  const lines = text.split("\n").filter(Boolean).reverse();
  for (const raw of lines) {
    let line: AuditLine;
    try {
      line = JSON.parse(raw) as AuditLine;
    } catch {
      continue;
    }
    if (line.kind === "rollback") return { reason: `the last change was a rollback (${line.time ?? "?"}); the devices match no single inventory revision` };
    if (line.kind !== "apply") continue;
    if (!line.details?.devices?.some((d) => d.outcome === "applied")) continue;
    const rev = line.details.inventoryRevision;
    if (typeof rev !== "string") return { reason: "the last apply did not record its inventory revision" };
    return { revision: rev, at: line.time ?? "" };
  }
  return { reason: "no apply is recorded yet" };
}

/** The commit of the last apply when it is a real commit of the inventory repository; else why not. */
export function lastAppliedCommit(repo: InventoryRepo | undefined, storeDir: string): { commit: string; label: string } | { reason: string } {
  const last = lastAppliedRevision(storeDir);
  if (last.revision === undefined) return { reason: last.reason };
  if (last.revision === "unversioned") return { reason: "the last apply was made from an inventory outside git" };
  if (last.revision.endsWith("+dirty")) return { reason: `the last apply was made from uncommitted edits (${last.revision})` };
  if (!repo) return { reason: "the inventory is not in a git repository" };
  const commit = resolveCommit(repo.top, last.revision);
  if (!commit) return { reason: `the last applied revision ${last.revision} is not a commit of the inventory repository` };
  return { commit, label: `${shortCommit(commit)} (last apply)` };
}
