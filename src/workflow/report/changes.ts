// The monthly operations report: what was changed in a month (Asia/Tokyo
// month boundaries), per organization and change kind, with the approvals,
// rollbacks, emergency actions and failures. Built from the backups audit
// log; the intent changes of an apply are those between the inventory
// revision of the previous apply that changed a device and its own (each
// organization's file parsed at both revisions). When a revision names no
// commit (uncommitted edits, no git), that apply is counted per device only,
// and the report says so.
import { CHANGE_KIND_TITLES } from "../../model/kinds.js";
import { summarizeIntent, type IntentChange } from "../../plan/intent.js";
import type { Approval } from "../approvals.js";
import type { InventoryRepo } from "../git.js";
import { changedSomething, cleanRevision, FAILED_OUTCOMES, isEmergency, type AuditEntry } from "../history/audit.js";
import { commitOfRevision, orgIntentBetween, orgsChangedBetween } from "../history/inventory-log.js";
import { localMinute, localMonth } from "../history/time.js";
import { approversOf, standingOf } from "../history/timeline.js";
import { bi, type ReportDocument, type Row, type Table } from "./document.js";

export interface ChangesReportInput {
  /** YYYY-MM */
  month: string;
  timeZone: string;
  audit: AuditEntry[];
  approvals: Approval[];
  repo?: InventoryRepo;
  orgName: (id: string) => string;
  generatedAt: string;
  inventoryRevision: string;
}

export interface DatedChange extends IntentChange {
  at: string;
  change: string;
}

const OP = { add: "追加 (add)", change: "変更 (change)", remove: "削除 (remove)" } as const;
const RUN_KIND: Record<string, string> = { apply: "適用 (apply)", rollback: "切り戻し (rollback)", emergency: "緊急 (emergency)" };

const deliversChanges = (e: AuditEntry) => (e.kind === "apply" || e.kind === "emergency") && changedSomething(e);

/** The intent changes each apply of the month delivered, and notes for those that cannot be known. */
export function monthIntentChanges(input: Pick<ChangesReportInput, "month" | "timeZone" | "audit" | "repo">): { changes: DatedChange[]; notes: string[] } {
  const changes: DatedChange[] = [];
  const notes: string[] = [];
  const ordered = [...input.audit].sort((a, b) => a.time.localeCompare(b.time));
  let previous: AuditEntry | undefined;
  let rolledBackSince = false;
  for (const entry of ordered) {
    if (entry.kind === "rollback" && changedSomething(entry)) rolledBackSince = true;
    if (!deliversChanges(entry)) continue;
    const inMonth = localMonth(entry.time, input.timeZone) === input.month;
    if (inMonth) {
      const when = localMinute(entry.time, input.timeZone);
      const cur = cleanRevision(entry.inventoryRevision);
      const prevRev = previous ? cleanRevision(previous.inventoryRevision) : undefined;
      const curCommit = input.repo && cur ? commitOfRevision(input.repo, cur) : undefined;
      const prevCommit = input.repo && prevRev ? commitOfRevision(input.repo, prevRev) : undefined;
      if (!input.repo) notes.push(`${when} ${entry.change}: the inventory is not in git; counted per device only`);
      else if (!curCommit) notes.push(`${when} ${entry.change}: made from inventory ${entry.inventoryRevision ?? "(not recorded)"}, which names no commit; counted per device only`);
      else if (previous && !prevCommit) notes.push(`${when} ${entry.change}: the previous apply's inventory ${previous.inventoryRevision ?? "(not recorded)"} names no commit; counted per device only`);
      else {
        if (rolledBackSince) notes.push(`${when} ${entry.change}: a rollback came before it; its changes are counted from the previous apply's revision`);
        for (const org of orgsChangedBetween(input.repo, prevCommit, curCommit)) {
          const diff = orgIntentBetween(input.repo, prevCommit, curCommit, org);
          if (diff.changes) for (const c of diff.changes) changes.push({ ...c, at: entry.time, change: entry.change });
          else notes.push(`${when} ${entry.change}: ${diff.reason}`);
        }
      }
    }
    previous = entry;
    rolledBackSince = false;
  }
  return { changes, notes };
}

const devicesText = (e: AuditEntry): string => {
  const touched = e.outcomes.filter((o) => o.outcome !== "unchanged");
  return touched.length ? touched.map((o) => `${o.device} ${o.outcome}`).join(", ") : e.changed.join(", ");
};

/** The approvers column: who approved before the run, and the mark of a run that went out without its approval. */
function approvalCell(e: AuditEntry, approvals: readonly Approval[]): string {
  const approved = approversOf(e, approvals);
  const standing = standingOf(e, approved);
  const before = approved.before.join(", ");
  if (standing.state === "approvedAfter") return [before, `事後承認 / approved after the fact: ${standing.by.join(", ")}`].filter(Boolean).join("; ");
  if (standing.state === "awaiting") return [before, "承認なし・事後承認待ち / WITHOUT APPROVAL, awaiting after-the-fact approval"].filter(Boolean).join("; ");
  return before;
}

const awaiting = (e: AuditEntry, approvals: readonly Approval[]) => standingOf(e, approversOf(e, approvals)).state === "awaiting";

const empty = bi("該当なし", "none");

export function changesReport(input: ChangesReportInput): ReportDocument {
  const tz = input.timeZone;
  const when = (iso: string) => localMinute(iso, tz);
  const runs = input.audit.filter((e) => e.kind !== "backup" && localMonth(e.time, tz) === input.month).sort((a, b) => a.time.localeCompare(b.time));
  const { changes, notes } = monthIntentChanges(input);
  const approvals = input.approvals.filter((a) => !a.problem && localMonth(a.at, tz) === input.month);
  const rollbacks = runs.filter((e) => e.kind === "rollback");
  const emergencies = runs.filter(isEmergency);
  const failures = runs.flatMap((e) => e.outcomes.filter((o) => FAILED_OUTCOMES.includes(o.outcome)).map((o) => ({ e, o })));

  const perOrgKind: Table = {
    id: "per-org-kind",
    title: bi("団体・設定種別ごとの変更件数", "Changes per organization and kind"),
    columns: [{ title: bi("団体", "Organization") }, { title: bi("設定種別", "Kind") }, { title: bi("追加", "Added") }, { title: bi("変更", "Changed") }, { title: bi("削除", "Removed") }],
    rows: summarizeIntent(changes).map((r) => ({ cells: [input.orgName(r.org), `${CHANGE_KIND_TITLES[r.kind].ja} / ${CHANGE_KIND_TITLES[r.kind].en}`, String(r.add), String(r.change), String(r.remove)] })),
    empty,
  };
  const detail: Table = {
    id: "changes",
    title: bi("変更内容", "Changes"),
    columns: [{ title: bi("適用日時", "Applied") }, { title: bi("団体", "Organization") }, { title: bi("設定種別", "Kind") }, { title: bi("操作", "Operation") }, { title: bi("項目", "Item") }, { title: bi("内容", "Setting") }],
    rows: changes.map((c) => ({ cells: [when(c.at), input.orgName(c.org), CHANGE_KIND_TITLES[c.kind].ja, OP[c.op], c.key, c.op === "change" && c.before ? `${c.before} ⇒ ${c.summary}` : c.summary] })),
    empty,
  };
  const perDevice = new Map<string, Record<string, number>>();
  for (const e of runs) for (const o of e.outcomes) {
    if (o.outcome === "unchanged") continue;
    const row = perDevice.get(o.device) ?? {};
    row[o.outcome] = (row[o.outcome] ?? 0) + 1;
    perDevice.set(o.device, row);
  }
  const outcomeCols = ["applied", "refused", "reverted", "unknown"];
  const devices: Table = {
    id: "devices",
    title: bi("機器ごとの作業結果", "Results per device"),
    columns: [{ title: bi("機器", "Device") }, { title: bi("適用", "Applied") }, { title: bi("中止", "Refused") }, { title: bi("自動切り戻し", "Reverted") }, { title: bi("状態不明", "Unknown") }],
    rows: [...perDevice.entries()].sort(([a], [b]) => a.localeCompare(b)).map(([d, r]) => ({ cells: [d, ...outcomeCols.map((k) => String(r[k] ?? 0))] })),
    empty,
  };
  const runTable: Table = {
    id: "runs",
    title: bi("作業一覧", "Operations"),
    columns: [{ title: bi("日時", "When") }, { title: bi("種別", "Kind") }, { title: bi("作業者", "Operator") }, { title: bi("変更ID", "Change") }, { title: bi("承認者", "Approved by") }, { title: bi("機器と結果", "Devices and results") }],
    rows: runs.map((e) => ({ cells: [when(e.time), RUN_KIND[e.kind] ?? e.kind, e.operator, e.change, approvalCell(e, input.approvals), devicesText(e)] })),
    empty,
  };
  const approvalTable: Table = {
    id: "approvals",
    title: bi("承認", "Approvals"),
    columns: [{ title: bi("日時", "When") }, { title: bi("計画", "Plan") }, { title: bi("承認者", "Approved by") }, { title: bi("変更者", "Authors") }, { title: bi("コメント", "Comment") }],
    rows: approvals.map((a) => ({ cells: [when(a.at), a.plan, a.by, a.authors.join(", "), a.comment ?? ""] })),
    empty,
  };
  const rollbackTable: Table = {
    id: "rollbacks",
    title: bi("切り戻し", "Rollbacks"),
    columns: [{ title: bi("日時", "When") }, { title: bi("作業者", "Operator") }, { title: bi("変更ID", "Change") }, { title: bi("機器と結果", "Devices and results") }],
    rows: rollbacks.map((e) => ({ cells: [when(e.time), e.operator, e.change, devicesText(e)] })),
    empty,
  };
  const emergencyTable: Table = {
    id: "emergencies",
    title: bi("緊急対応", "Emergency actions"),
    columns: [
      { title: bi("日時", "When") },
      { title: bi("作業者", "Operator") },
      { title: bi("変更ID", "Change") },
      { title: bi("理由", "Reason") },
      { title: bi("承認", "Approval") },
      { title: bi("機器と結果", "Devices and results") },
    ],
    rows: emergencies.map((e) => ({ cells: [when(e.time), e.operator, e.change, e.emergency?.reason ?? "", approvalCell(e, input.approvals) || "承認済み / approved", devicesText(e)] })),
    empty,
  };
  const failureRows: Row[] = failures.map(({ e, o }) => ({ cells: [when(e.time), RUN_KIND[e.kind] ?? e.kind, e.change, o.device, o.outcome, o.failedStep ?? ""] }));
  const failureTable: Table = {
    id: "failures",
    title: bi("失敗", "Failures"),
    columns: [{ title: bi("日時", "When") }, { title: bi("種別", "Kind") }, { title: bi("変更ID", "Change") }, { title: bi("機器", "Device") }, { title: bi("結果", "Outcome") }, { title: bi("止まった手順", "Failed step") }],
    rows: failureRows,
    empty,
  };
  const count = (n: number) => String(n);
  return {
    title: bi(`月次作業報告 ${input.month}`, `Monthly operations report ${input.month}`),
    meta: [
      { label: bi("対象月", "Month"), value: `${input.month} (${tz})` },
      { label: bi("作成日時", "Generated"), value: input.generatedAt },
      { label: bi("インベントリ版", "Inventory revision"), value: input.inventoryRevision },
    ],
    sections: [
      {
        id: "summary",
        heading: "概要 / Summary",
        facts: [
          { label: bi("適用", "Applies"), value: count(runs.filter((e) => e.kind === "apply").length) },
          { label: bi("設定変更件数", "Setting changes"), value: count(changes.length) },
          { label: bi("承認", "Approvals"), value: count(approvals.length) },
          { label: bi("切り戻し", "Rollbacks"), value: count(rollbacks.length) },
          { label: bi("緊急対応", "Emergency actions"), value: count(emergencies.length) },
          { label: bi("承認なしの適用（事後承認待ち）", "Applied without approval (awaiting after-the-fact approval)"), value: count(runs.filter((e) => changedSomething(e) && awaiting(e, input.approvals)).length) },
          { label: bi("失敗（機器単位）", "Failures (per device)"), value: count(failures.length) },
        ],
        tables: [perOrgKind, devices],
      },
      { id: "details", heading: "詳細 / Details", facts: [], tables: [detail, runTable, approvalTable, rollbackTable, emergencyTable, failureTable] },
    ],
    notes,
  };
}
