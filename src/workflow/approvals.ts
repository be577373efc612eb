// Approvals (R2, R4): an approval names one exact plan by its id (a hash of
// what the plan would push), is stored in the inventory repository as
// approvals/<plan-id>.json and counts only once committed. A plan that
// changes gets a new id and needs a new approval; an approval by one of the
// change's authors does not count (four eyes).
import { existsSync, mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { commitPaths, committedFile, type InventoryRepo } from "./git.js";

export const APPROVALS_DIR = "approvals";

export interface Approval {
  plan: string;
  by: string;
  /** ISO time */
  at: string;
  comment?: string;
  /** who wrote the change, as known when it was approved */
  authors: string[];
}

export interface ApprovalsFile {
  plan: string;
  approvals: Approval[];
}

export class ApprovalError extends Error {
  override name = "ApprovalError";
}

const PLAN_ID = /^[0-9a-f]{16}$/;

export function approvalPath(planId: string): string {
  if (!PLAN_ID.test(planId)) throw new ApprovalError(`"${planId}" is not a plan id`);
  return `${APPROVALS_DIR}/${planId}.json`;
}

/** Names compare without case, width or surrounding spaces: "Sato" = " sato " = "ＳＡＴＯ". */
export function samePerson(a: string, b: string): boolean {
  const norm = (s: string) => s.normalize("NFKC").trim().toLowerCase().replace(/\s+/g, " ");
  return norm(a) === norm(b);
}

function parse(text: string, planId: string): Approval[] {
  let data: unknown;
  try {
    data = JSON.parse(text);
  } catch {
    throw new ApprovalError(`${approvalPath(planId)} is not valid JSON`);
  }
  const file = data as Partial<ApprovalsFile>;
  if (file.plan !== planId || !Array.isArray(file.approvals)) throw new ApprovalError(`${approvalPath(planId)} does not hold approvals of plan ${planId}`);
  return file.approvals.filter(
    (a): a is Approval => typeof a === "object" && a !== null && a.plan === planId && typeof a.by === "string" && a.by.trim() !== "" && typeof a.at === "string" && Array.isArray(a.authors),
  );
}

/** The committed approvals of a plan (an approval that is only in the working tree does not count). */
export function readApprovals(repo: InventoryRepo, planId: string): Approval[] {
  const text = committedFile(repo.top, approvalPath(planId));
  return text === undefined ? [] : parse(text, planId);
}

/** Writes the approval beside the others of the plan and commits only that file. Returns the commit. */
export function recordApproval(repo: InventoryRepo, approval: Approval): string {
  const rel = approvalPath(approval.plan);
  const abs = join(repo.top, rel);
  const existing = existsSync(abs) ? parse(readFileSync(abs, "utf8"), approval.plan) : readApprovals(repo, approval.plan);
  if (existing.some((a) => samePerson(a.by, approval.by))) throw new ApprovalError(`plan ${approval.plan} is already approved by ${approval.by}`);
  const file: ApprovalsFile = { plan: approval.plan, approvals: [...existing, approval] };
  mkdirSync(join(repo.top, APPROVALS_DIR), { recursive: true });
  writeFileSync(abs, JSON.stringify(file, null, 2) + "\n");
  const message = `approve plan ${approval.plan} by ${approval.by}\n\n${approval.comment ?? ""}\n\nScconf-Plan: ${approval.plan}\nScconf-Approved-By: ${approval.by}\n`;
  return commitPaths(repo.top, [rel], message.replace(/\n{3,}/g, "\n\n"), { name: approval.by, email: "approvals@scconf.invalid" });
}

export interface ApprovalJudgement {
  /** approvals that count: of this plan, by someone who is not an author */
  valid: Approval[];
  rejected: Array<{ approval: Approval; reason: string }>;
}

/** Pure: which approvals count, given who wrote the change. */
export function judgeApprovals(planId: string, approvals: readonly Approval[], authors: readonly string[]): ApprovalJudgement {
  const out: ApprovalJudgement = { valid: [], rejected: [] };
  for (const a of approvals) {
    if (a.plan !== planId) out.rejected.push({ approval: a, reason: `it approves plan ${a.plan}, not ${planId}` });
    else if (authors.some((x) => samePerson(x, a.by))) out.rejected.push({ approval: a, reason: `${a.by} is an author of the change` });
    else out.valid.push(a);
  }
  return out;
}
