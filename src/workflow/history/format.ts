// The history as terminal text: one block per event, newest first.
import { CHANGE_KIND_TITLES } from "../../model/kinds.js";
import type { IntentChange } from "../../plan/intent.js";
import { FAILED_OUTCOMES } from "./audit.js";
import { localMinute } from "./time.js";
import type { ApprovalStanding, HistoryEvent, History } from "./timeline.js";

/** The mark of a run that went out without the approval its changes needed: nothing unapproved is invisible. */
export function standingText(s: ApprovalStanding): string | undefined {
  if (s.state === "approvedAfter") return `WITHOUT PRIOR APPROVAL, approved after the fact by ${s.by.join(", ")}`;
  if (s.state === "awaiting") return `WITHOUT APPROVAL${s.unapproved ? ` (${s.unapproved} change(s) that need approval)` : ""}: awaiting approval after the fact`;
  return undefined;
}

const MARK = { add: "+", change: "~", remove: "-" } as const;
const INDENT = " ".repeat(18);

export function intentLine(c: IntentChange): string {
  const what = c.op === "change" && c.before ? `${c.before} ⇒ ${c.summary}` : c.summary;
  return `${CHANGE_KIND_TITLES[c.kind].en} ${MARK[c.op]} ${c.key}: ${what}`;
}

function runLine(e: Extract<HistoryEvent, { type: "run" }>): string[] {
  const { entry } = e;
  const outcomes = entry.outcomes.filter((o) => o.outcome !== "unchanged");
  const devices = outcomes.length
    ? outcomes.map((o) => `${o.device} ${o.outcome}${o.failedStep ? ` (at ${o.failedStep})` : ""}`).join(", ")
    : entry.changed.length
      ? `${entry.changed.join(", ")} recorded`
      : "no device changed";
  const lines = [`${entry.kind.padEnd(10)} ${entry.operator.padEnd(14)} ${entry.change}: ${devices}`];
  const extra: string[] = [];
  if (e.approvedBy.length) extra.push(`approved by ${e.approvedBy.join(", ")}`);
  if (entry.emergency) extra.push(`EMERGENCY: ${entry.emergency.reason}`);
  const standing = standingText(e.standing);
  if (standing) extra.push(standing);
  if (entry.inventoryRevision) extra.push(`inventory ${entry.inventoryRevision}`);
  if (outcomes.some((o) => FAILED_OUTCOMES.includes(o.outcome))) extra.push("FAILED on some device(s)");
  if (extra.length) lines.push(INDENT + extra.join("; "));
  return lines;
}

export function formatHistory(history: History, options: { timeZone: string; orgName: (id: string) => string }): string {
  const out: string[] = [];
  const when = (iso: string) => localMinute(iso, options.timeZone).padEnd(17);
  for (const e of history.events) {
    if (e.type === "edit") {
      const where = [...e.orgs.map(options.orgName), ...e.other].join(", ") || "inventory";
      out.push(`${when(e.at)} ${"edit".padEnd(10)} ${e.who.padEnd(14)} ${where}: ${e.subject}  (${e.commit.slice(0, 12)})`);
      for (const [org, intent] of Object.entries(e.intent)) {
        if (!Array.isArray(intent)) out.push(`${INDENT}${org}: ${intent.reason}`);
        else for (const c of intent) out.push(`${INDENT}${org} · ${intentLine(c)}`);
      }
      const d = e.delivered;
      out.push(
        d
          ? `${INDENT}applied ${localMinute(d.at, options.timeZone)} by ${d.operator} (${d.change})${d.approvedBy.length ? `, approved by ${d.approvedBy.join(", ")}` : ""}` +
              (d.emergency ? `; EMERGENCY: ${d.emergency}` : "") +
              (standingText(d.standing) ? `; ${standingText(d.standing)}` : "")
          : `${INDENT}not applied yet`,
      );
    } else if (e.type === "approval") {
      out.push(`${when(e.at)} ${"approval".padEnd(10)} ${e.who.padEnd(14)} plan ${e.plan}${e.comment ? `: ${e.comment}` : ""}`);
      if (e.problem) out.push(`${INDENT}DOES NOT COUNT: ${e.problem}`);
    } else {
      const [first, ...rest] = runLine(e);
      out.push(`${when(e.at)} ${first}`, ...rest);
    }
  }
  if (!history.events.length) out.push("no history matches");
  for (const n of history.notes) out.push(`note: ${n}`);
  return out.join("\n") + "\n";
}
