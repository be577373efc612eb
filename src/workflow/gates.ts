// The gates apply passes before it touches a device: approval of needs-approval
// changes by someone who did not write them (R2, R4), the safety thresholds,
// and the maintenance windows (R7). Pure: every fact is passed in, the answer
// is a list of refusals (empty = go) and what to record in the audit line.
import { auditApprovals, judgeApprovals, type Approval } from "./approvals.js";
import type { ChangePolicy, GatedChange } from "./policy.js";
import { describeFinding, type ThresholdFinding } from "./thresholds.js";
import { inWindow, localTime, nextWindow } from "./windows.js";

export interface GateInput {
  planId: string;
  changes: readonly GatedChange[];
  thresholds: readonly ThresholdFinding[];
  /** the committed approvals of this plan */
  approvals: readonly Approval[];
  /** plans that have approvals (to explain that an approval of an older plan does not count) */
  approvedPlans: readonly string[];
  /** who wrote the change: git authors since the base, and the operator */
  authors: readonly string[];
  /** fingerprints of the keys that signed commits of the change (an approver whose key is among them is an author) */
  authorKeys?: readonly string[];
  now: Date;
  policy: ChangePolicy;
  timeZone: string;
  force: boolean;
  emergency?: { reason: string };
}

export interface GateResult {
  refusals: string[];
  /** lines worth showing even when nothing is refused */
  notes: string[];
  audit: Record<string, unknown>;
}

const MARK = { add: "+", change: "~", remove: "-" } as const;

export function changeLine(c: GatedChange): string {
  return `${c.org} · ${c.kind} · ${MARK[c.op]} ${c.key}`;
}

function listOf(changes: readonly GatedChange[], max = 5): string {
  const shown = changes.slice(0, max).map(changeLine).join("; ");
  return changes.length > max ? `${shown}; and ${changes.length - max} more` : shown;
}

function clock(now: Date, timeZone: string): string {
  const t = localTime(now, timeZone);
  const wd = t.weekday.charAt(0).toUpperCase() + t.weekday.slice(1);
  return `${wd} ${t.date} ${String(Math.floor(t.minutes / 60)).padStart(2, "0")}:${String(t.minutes % 60).padStart(2, "0")}${timeZone === "Asia/Tokyo" ? " JST" : ` (${timeZone})`}`;
}

export function evaluateGates(input: GateInput): GateResult {
  const refusals: string[] = [];
  const notes: string[] = [];
  const needing = input.changes.filter((c) => c.class === "needsApproval");
  const exceeded = input.thresholds.filter((t) => t.exceeded);
  const judged = judgeApprovals(input.planId, input.approvals, input.authors, input.authorKeys ?? []);

  if (exceeded.length && !input.force) {
    refusals.push(
      `the plan exceeds the safety thresholds (${exceeded.map(describeFinding).join("; ")}); ` +
        `to go ahead anyway pass --force, and the plan must be approved by someone other than ${input.authors.join(", ") || "its author"}`,
    );
  }
  const unapproved = (needing.length || exceeded.length) && !judged.valid.length;
  if (unapproved && input.emergency) {
    notes.push(`emergency: ${needing.length} change(s) that need approval go out without it, awaiting after-the-fact approval; reason: ${input.emergency.reason}`);
  } else if (unapproved) {
    const what = needing.length ? `${needing.length} change(s) need approval (${listOf(needing)})` : `the plan exceeds the safety thresholds`;
    const why: string[] = judged.rejected.map((r) => `the approval by ${r.approval.by} does not count: ${r.reason}`);
    const older = input.approvedPlans.filter((p) => p !== input.planId);
    if (older.length) why.push(`approvals exist for other plans (${older.slice(0, 3).join(", ")}); a plan that changed needs a new approval`);
    if (!input.approvals.length) why.push(`no approval of plan ${input.planId} is committed`);
    refusals.push(
      `${what}, and plan ${input.planId} has no approval by someone other than the change's author(s) ${input.authors.join(", ") || "(unknown)"}: ${why.join("; ")}. ` +
        `Ask an approver listed in cloud.yaml to run 'scconf approve <plan file> --key ~/.ssh/id_ed25519' (a signed commit of approvals/${input.planId}.json).`,
    );
  }

  const windowed = input.changes.filter((c) => c.needsWindow);
  const active = windowed.length ? inWindow(input.now, input.policy, input.timeZone) : undefined;
  if (windowed.length && !active) {
    const next = nextWindow(input.now, input.policy, input.timeZone);
    const nextText = next ? `next window: ${next.label}` : "the change policy declares no window";
    if (input.emergency) {
      notes.push(`emergency: ${windowed.length} change(s) that need a maintenance window are applied outside one (${nextText}); reason: ${input.emergency.reason}`);
    } else {
      refusals.push(
        `${windowed.length} change(s) need a maintenance window (${listOf(windowed)}); it is ${clock(input.now, input.timeZone)}, outside every window; ${nextText}. ` +
          `Outside a window only with --emergency --reason TEXT (recorded in the audit log).`,
      );
    }
  }

  const audit: Record<string, unknown> = {
    changeClasses: {
      minor: input.changes.filter((c) => c.class === "minor").length,
      needsApproval: needing.length,
      needsWindow: windowed.length,
    },
    ...(judged.valid.length ? { approvals: auditApprovals(input.planId, judged) } : {}),
    ...(needing.length || exceeded.length ? { authors: [...input.authors] } : {}),
    ...(windowed.length ? { window: active ?? "outside" } : {}),
    ...(input.emergency ? { emergency: { reason: input.emergency.reason, outsideWindow: windowed.length > 0 && !active, awaitingApproval: Boolean(unapproved) } } : {}),
    // the gate's verdict on exactly these changes: which went out without the approval their class needed
    ...(unapproved && needing.length ? { unapproved: needing.map((c) => ({ change: changeLine(c), why: c.why })) } : {}),
    ...(exceeded.length ? { thresholdsExceeded: exceeded.map(describeFinding), forced: input.force } : {}),
  };
  return { refusals, notes, audit };
}
