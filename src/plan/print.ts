// The plan as text for a terminal: per device a unified diff, then a summary
// per device and per organization and change kind.
import { CHANGE_KIND_TITLES } from "../model/kinds.js";
import { summarizeIntent, type IntentChange } from "./intent.js";
import type { Plan } from "./types.js";

export interface Painter {
  (text: string, color: "red" | "green" | "yellow" | "cyan" | "dim" | "bold"): string;
}

const plain: Painter = (t) => t;

function colorDiff(diff: string, paint: Painter): string {
  return diff
    .split("\n")
    .filter((l) => !l.startsWith("====="))
    .map((l) =>
      l.startsWith("+++") || l.startsWith("---") ? paint(l, "bold")
      : l.startsWith("+") ? paint(l, "green")
      : l.startsWith("-") ? paint(l, "red")
      : l.startsWith("@@") ? paint(l, "cyan")
      : l,
    )
    .join("\n");
}

const OP_MARK: Record<IntentChange["op"], string> = { add: "+", change: "~", remove: "-" };

export function formatIntentChanges(changes: readonly IntentChange[], orgName: (id: string) => string): string[] {
  return changes.map((c) => `${OP_MARK[c.op]} ${orgName(c.org)} · ${c.kind} · ${c.key}: ${c.summary}${c.before ? ` (was: ${c.before})` : ""}`);
}

export function formatPlan(plan: Plan, options: { paint?: Painter; diffs?: boolean; orgName?: (id: string) => string } = {}): string {
  const paint = options.paint ?? plain;
  const orgName = options.orgName ?? ((id: string) => id);
  const out: string[] = [];
  out.push(paint(`Plan ${plan.id}`, "bold") + ` · inventory ${plan.inventoryRevision} · ${plan.offline ? "offline (against the last generations)" : "against the devices"} · as of ${plan.today}`);
  if (options.diffs !== false) {
    for (const d of plan.devices) {
      for (const a of d.artifacts) {
        if (a.action === "unchanged") continue;
        out.push("");
        out.push(paint(`# ${d.device} ${a.id} (${a.path}): ${a.action}`, "yellow"));
        out.push(colorDiff(a.diff.trimEnd(), paint));
      }
    }
  }
  out.push("");
  out.push(paint("Devices", "bold"));
  const width = Math.max(6, ...plan.devices.map((d) => d.device.length));
  for (const d of plan.devices) {
    const changed = d.artifacts.filter((a) => a.action !== "unchanged");
    const status = d.changed ? paint(`${changed.length} artifact(s) to change`, "yellow") : paint("no changes", "dim");
    const lines = changed.reduce((s, a) => ({ added: s.added + a.added, removed: s.removed + a.removed }), { added: 0, removed: 0 });
    out.push(`  ${d.device.padEnd(width)}  ${d.platform.padEnd(12)} ${status}${d.changed ? `  (+${lines.added} -${lines.removed} lines)` : ""}${d.source === "none" ? "  [no previous generation]" : ""}`);
  }
  if (plan.intentChanges.length) {
    out.push("");
    out.push(paint("Changes by organization and kind (since the last apply)", "bold"));
    for (const row of summarizeIntent(plan.intentChanges)) {
      out.push(`  ${orgName(row.org).padEnd(24)} ${CHANGE_KIND_TITLES[row.kind].en.padEnd(44)} +${row.add} ~${row.change} -${row.remove}`);
    }
    out.push("");
    for (const line of formatIntentChanges(plan.intentChanges, orgName)) out.push(`  ${line}`);
  }
  const changedDevices = plan.devices.filter((d) => d.changed).length;
  out.push("");
  out.push(changedDevices ? paint(`${changedDevices} of ${plan.devices.length} device(s) would change.`, "yellow") : paint(`No changes: ${plan.devices.length} device(s) match the inventory.`, "green"));
  return out.join("\n") + "\n";
}
