// The history (R5): one timeline from the inventory repository (who changed
// which organization's file, what it meant, the approvals) and the backups
// audit log (applies, rollbacks, emergency actions: when, by whom, approved by
// whom, with which result per device). An edit is linked to the first apply
// whose inventory revision contains it, so "what changed" meets "when it
// reached the devices".
import type { IntentChange } from "../../plan/intent.js";
import type { Approval } from "../approvals.js";
import type { InventoryRepo } from "../git.js";
import { changedSomething, cleanRevision, type AuditEntry } from "./audit.js";
import { ancestry, commitIntent, commitOfRevision, inventoryCommits, type InventoryCommit } from "./inventory-log.js";
import { localDay } from "./time.js";

export interface Delivery {
  at: string;
  operator: string;
  change: string;
  plan?: string;
  approvedBy: string[];
  standing: ApprovalStanding;
  emergency?: string;
}

export interface EditEvent {
  type: "edit";
  at: string;
  who: string;
  commit: string;
  subject: string;
  orgs: string[];
  /** other inventory files of the commit (cloud.yaml, devices.yaml ...) */
  other: string[];
  /** per organization: the intent changes of the commit, or why they are not known */
  intent: Record<string, IntentChange[] | { reason: string }>;
  /** the first apply that brought the commit to the devices; absent = not applied yet */
  delivered?: Delivery;
}

export interface ApprovalEvent {
  type: "approval";
  at: string;
  who: string;
  plan: string;
  comment?: string;
  authors: string[];
  /** why the approval does not count (unsigned, unlisted key, edited after signing ...) */
  problem?: string;
}

export interface RunEvent {
  type: "run";
  at: string;
  who: string;
  entry: AuditEntry;
  approvedBy: string[];
  standing: ApprovalStanding;
}

export type HistoryEvent = EditEvent | ApprovalEvent | RunEvent;

export interface HistoryFilter {
  org?: string;
  device?: string;
  /** YYYY-MM-DD, local day in the cloud's zone, inclusive */
  since?: string;
}

export interface HistorySources {
  /** undefined when the inventory is not in git */
  repo?: InventoryRepo;
  audit: AuditEntry[];
  approvals: Approval[];
  timeZone: string;
}

export interface History {
  /** newest first */
  events: HistoryEvent[];
  notes: string[];
}

/** Who approved a run's plan: before it went out (recorded by the gate, or committed by then), and after the fact. Only approvals that verify count. */
export function approversOf(entry: AuditEntry, approvals: readonly Approval[]): { before: string[]; after: string[] } {
  const key = (n: string) => n.normalize("NFKC").trim().toLowerCase();
  const valid = approvals.filter((a) => !a.problem && entry.plan !== undefined && a.plan === entry.plan);
  const ran = new Date(entry.time).getTime();
  const before = new Map<string, string>();
  for (const n of [...entry.approvals.map((a) => a.by), ...valid.filter((a) => new Date(a.at).getTime() <= ran).map((a) => a.by)]) before.set(key(n), n);
  const after = new Map<string, string>();
  for (const a of valid) if (new Date(a.at).getTime() > ran && !before.has(key(a.by))) after.set(key(a.by), a.by);
  return { before: [...before.values()], after: [...after.values()] };
}

/** What a run says about its approval: nothing to say, approved after the fact, or still awaiting it. */
export type ApprovalStanding = { state: "approved" } | { state: "approvedAfter"; by: string[] } | { state: "awaiting"; unapproved: number };

export function standingOf(entry: AuditEntry, approved: { before: string[]; after: string[] }): ApprovalStanding {
  if (!entry.awaitingApproval && !entry.unapproved.length) return { state: "approved" };
  if (approved.after.length) return { state: "approvedAfter", by: approved.after };
  return { state: "awaiting", unapproved: entry.unapproved.length };
}

/** Applies (and emergency applies) that changed a device and name a commit, oldest first. */
function deliveringRuns(repo: InventoryRepo, audit: readonly AuditEntry[]): Array<{ entry: AuditEntry; commit: string }> {
  const out: Array<{ entry: AuditEntry; commit: string }> = [];
  for (const entry of audit) {
    if (entry.kind !== "apply" && entry.kind !== "emergency") continue;
    if (!changedSomething(entry)) continue;
    const rev = cleanRevision(entry.inventoryRevision);
    const commit = rev ? commitOfRevision(repo, rev) : undefined;
    if (commit) out.push({ entry, commit });
  }
  return out.sort((a, b) => a.entry.time.localeCompare(b.entry.time));
}

function touchesDevice(entry: AuditEntry, device: string): boolean {
  return entry.outcomes.some((o) => o.device === device && o.outcome !== "unchanged") || entry.changed.includes(device);
}

export function buildHistory(sources: HistorySources, filter: HistoryFilter = {}): History {
  const notes: string[] = [];
  const { repo, audit, approvals, timeZone } = sources;
  const runs: RunEvent[] = audit.map((entry) => {
    const approved = approversOf(entry, approvals);
    return { type: "run", at: entry.time, who: entry.operator, entry, approvedBy: approved.before, standing: standingOf(entry, approved) };
  });

  let edits: EditEvent[] = [];
  if (!repo) notes.push("the inventory is not in a git repository: edits and approvals are not shown");
  else {
    const commits: InventoryCommit[] = inventoryCommits(repo, filter.org ? { org: filter.org } : {});
    const delivering = deliveringRuns(repo, audit);
    const contains = ancestry(repo);
    const unversioned = audit.filter((e) => e.kind === "apply" && changedSomething(e) && !cleanRevision(e.inventoryRevision)).length;
    if (unversioned) notes.push(`${unversioned} apply(s) were made from uncommitted or unversioned inventories: edits cannot be linked to them`);
    edits = commits.map((c) => {
      const intent: EditEvent["intent"] = {};
      for (const org of c.orgs) {
        if (filter.org && org !== filter.org) continue;
        const diff = commitIntent(repo, c.commit, org);
        intent[org] = diff.changes ?? { reason: diff.reason };
      }
      const run = delivering.find((r) => contains(r.commit).has(c.commit));
      const edit: EditEvent = { type: "edit", at: c.date, who: c.author, commit: c.commit, subject: c.subject, orgs: c.orgs, other: c.other, intent };
      if (run) {
        const approved = approversOf(run.entry, approvals);
        edit.delivered = {
          at: run.entry.time,
          operator: run.entry.operator,
          change: run.entry.change,
          ...(run.entry.plan ? { plan: run.entry.plan } : {}),
          approvedBy: approved.before,
          standing: standingOf(run.entry, approved),
          ...(run.entry.emergency ? { emergency: run.entry.emergency.reason } : {}),
        };
      }
      return edit;
    });
  }
  const approvalEvents: ApprovalEvent[] = approvals.map((a) => ({
    type: "approval",
    at: a.at,
    who: a.by,
    plan: a.plan,
    authors: a.authors,
    ...(a.comment ? { comment: a.comment } : {}),
    ...(a.problem ? { problem: a.problem } : {}),
  }));

  let events: HistoryEvent[];
  if (filter.org || filter.device) {
    // keep what concerns the organization / device, and the approvals and rollbacks of those runs
    let keptRuns = runs.filter((r) => r.entry.kind !== "backup");
    if (filter.device) keptRuns = keptRuns.filter((r) => touchesDevice(r.entry, filter.device!));
    if (filter.org) {
      const changes = new Set(edits.filter((e) => e.orgs.includes(filter.org!) && e.delivered).map((e) => e.delivered!.change));
      const rolledBack = (r: RunEvent) => r.entry.kind === "rollback" && [...changes].some((c) => r.entry.change === `rollback-of-${c}`);
      keptRuns = keptRuns.filter((r) => changes.has(r.entry.change) || rolledBack(r));
    }
    const keptChanges = new Set(keptRuns.map((r) => r.entry.change));
    const keptPlans = new Set(keptRuns.map((r) => r.entry.plan).filter((p): p is string => p !== undefined));
    const keptEdits = edits.filter((e) => (!filter.org || e.orgs.includes(filter.org)) && (!filter.device || (e.delivered !== undefined && keptChanges.has(e.delivered.change))));
    events = [...keptEdits, ...approvalEvents.filter((a) => keptPlans.has(a.plan)), ...keptRuns];
  } else {
    events = [...edits, ...approvalEvents, ...runs];
  }
  if (filter.since) events = events.filter((e) => (localDay(e.at, timeZone) ?? "") >= filter.since!);
  events.sort((a, b) => new Date(b.at).getTime() - new Date(a.at).getTime());
  return { events, notes };
}
