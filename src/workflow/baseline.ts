// The baseline the change gate judges against: the inventory revision the
// devices were last brought to. Each generation records the revision (and the
// render date) it came from (devices/<device>/meta.json "source"): an apply
// the plan's committed revision, a rollback the restored generation's, a
// block keeps the revision the device had (the block itself is then a change
// since that revision, judged at the next apply). The audit line of every run
// lists, per device it brought somewhere ("applied" or "unchanged"), that
// source, and the newest one counts. When the devices of a plan do not share
// one committed revision, there is no baseline and the gate fails closed.
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { AUDIT_FILE, type GenerationSource } from "../backup/layout.js";
import type { Inventory } from "../model/types.js";
import type { GatedChange } from "./policy.js";
import { resolveCommit, shortCommit, type InventoryRepo } from "./git.js";

export type Baseline = { commit: string; today: string; label: string } | { reason: string };

/** One line: why there is no baseline, and what follows from it. */
export function noBaselineLine(reason: string): string {
  return `no baseline (${reason}): every difference needs approval and a maintenance window`;
}

interface AuditLine {
  kind?: string;
  details?: { sources?: Record<string, { revision?: unknown; today?: unknown }> };
}

/** Where each device was last brought, from the newest audit line that names it in `sources`. */
export function deviceSources(storeDir: string): Map<string, GenerationSource> {
  const found = new Map<string, GenerationSource>();
  let text = "";
  try {
    text = readFileSync(join(storeDir, AUDIT_FILE), "utf8");
  } catch {
    return found;
  }
  for (const raw of text.split("\n").filter(Boolean).reverse()) {
    let line: AuditLine;
    try {
      line = JSON.parse(raw) as AuditLine;
    } catch {
      continue;
    }
    for (const [device, s] of Object.entries(line.details?.sources ?? {})) {
      if (found.has(device)) continue;
      found.set(device, { revision: typeof s.revision === "string" ? s.revision : "unknown", today: typeof s.today === "string" ? s.today : "" });
    }
  }
  return found;
}

/** The single committed revision the given devices were last brought to, or why there is none. */
export function baselineOf(storeDir: string, devices: readonly string[], repo: InventoryRepo | undefined): Baseline {
  if (!repo) return { reason: "the inventory is not in a git repository" };
  if (!devices.length) return { reason: "no device is in the plan" };
  const sources = deviceSources(storeDir);
  const seen = new Map<string, { revision: string; today: string; devices: string[] }>();
  for (const device of devices) {
    const source = sources.get(device);
    if (!source) return { reason: `no apply of ${device} is recorded with its inventory revision (first apply)` };
    if (source.revision.endsWith("+dirty")) return { reason: `${device} was last applied from uncommitted edits (${source.revision})` };
    if (source.revision.endsWith("+block")) return { reason: `${device} was last changed by an emergency block with no approved revision before it (${source.revision})` };
    if (source.revision === "unversioned") return { reason: `${device} was last applied from an inventory outside git` };
    if (source.revision === "unknown") return { reason: `the state of ${device} after its last change is unknown` };
    const entry = seen.get(source.revision) ?? { revision: source.revision, today: source.today, devices: [] };
    entry.devices.push(device);
    seen.set(source.revision, entry);
  }
  if (seen.size > 1) {
    const parts = [...seen.values()].map((e) => `${e.devices.slice(0, 3).join(", ")}${e.devices.length > 3 ? " …" : ""} at ${e.revision}`);
    return { reason: `the devices were last brought to different revisions (${parts.join("; ")})` };
  }
  const only = [...seen.values()][0]!;
  const commit = resolveCommit(repo.top, only.revision);
  if (!commit) return { reason: `the revision ${only.revision} the devices run is not a commit of the inventory repository` };
  return { commit, today: only.today, label: `${shortCommit(commit)} (the devices' revision)` };
}

/** Rules that gate: a change of any of them needs approval under the policy in force before it. */
const GATING_FIELDS = ["changePolicy", "approvers"] as const;

export function gatingChanges(before: Inventory, after: Inventory): GatedChange[] {
  const out: GatedChange[] = [];
  for (const field of GATING_FIELDS) {
    const a = JSON.stringify((before.cloud as unknown as Record<string, unknown>)[field] ?? null);
    const b = JSON.stringify((after.cloud as unknown as Record<string, unknown>)[field] ?? null);
    if (a === b) continue;
    out.push({ op: "change", org: "cloud", kind: "policy", key: field, summary: `cloud.yaml ${field}`, class: "needsApproval", needsWindow: false, why: `a change of ${field} is judged by the policy in force before it` });
  }
  return out;
}

