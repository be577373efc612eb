// Approvals (R2, R4): an approval names one exact plan by its id (a hash of
// what the plan would push) and is a signed git commit: `scconf approve`
// writes approvals/<plan-id>.json and commits only that file, signed with the
// approver's SSH key, its message carrying "Scconf-Plan: <plan id>". What
// counts is the signature, not the file: an approval is the signed commit that
// wrote it, by a key that cloud.yaml's approvers list (as the policy in force
// has it) names, and the approver is that key's owner. A plan that changes
// gets a new id and needs a new approval; an approval by one of the change's
// authors does not count (four eyes).
import { execFileSync } from "node:child_process";
import { existsSync, mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { committedFile, shortCommit, type InventoryRepo } from "./git.js";
import { commitSigned, describeSignature, verifySignatures, type Approver, type SigningKey } from "./signing.js";

export const APPROVALS_DIR = "approvals";
export const PLAN_TRAILER = "Scconf-Plan";

export interface Approval {
  plan: string;
  /** the approver's name as the approvers list has it (for a verified approval: the key's owner) */
  by: string;
  /** ISO time */
  at: string;
  comment?: string;
  /** who wrote the change, as known when it was approved */
  authors: string[];
  role?: string;
  /** SHA256 fingerprint of the key that signed the approval commit */
  key?: string;
  /** the signed commit that recorded the approval */
  commit?: string;
  /** set by readApprovals when the approval cannot count, in one line */
  problem?: string;
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

/**
 * A name folded so that look-alikes meet: compatibility forms (full width),
 * invisible characters (zero-width space, joiners), decorations in brackets
 * ("Sato (NOC)"), case, Cyrillic and Greek letters that look Latin, and
 * everything that is not a letter or digit. Folding too much only makes the
 * author check stricter.
 */
const LOOKALIKE: Record<string, string> = {
  а: "a", в: "b", е: "e", ё: "e", к: "k", м: "m", н: "h", о: "o", р: "p", с: "c", т: "t", у: "y", х: "x", і: "i", ј: "j", ѕ: "s", һ: "h", ԁ: "d", ԛ: "q", ԝ: "w",
  α: "a", β: "b", ε: "e", η: "n", ι: "i", κ: "k", ν: "v", ο: "o", ρ: "p", τ: "t", υ: "u", χ: "x", ζ: "z", μ: "m",
};
export function foldName(name: string): string {
  return name
    .normalize("NFKC")
    .replace(/\p{Cf}/gu, "")
    .replace(/[([{（［【][^)\]}）］】]*[)\]}）］】]/g, " ")
    .toLowerCase()
    .replace(/./gu, (ch) => LOOKALIKE[ch] ?? ch)
    .normalize("NFKD")
    .replace(/\p{M}/gu, "")
    .replace(/[^\p{L}\p{N}]+/gu, "");
}

/** Names compare folded: "Sato" = " sato " = "ＳＡＴＯ" = "Sato (NOC)" = "Sа\u200Bto" (Cyrillic a). */
export function samePerson(a: string, b: string): boolean {
  const fa = foldName(a);
  return fa !== "" && fa === foldName(b);
}

/** Who wrote a change: git authors and committers by name, and the keys that signed any of its commits. */
export interface ChangeAuthors {
  names: string[];
  keys: string[];
}

function git(top: string, args: string[]): string {
  return execFileSync("git", ["-C", top, ...args], { encoding: "utf8", stdio: ["ignore", "pipe", "pipe"], maxBuffer: 64 * 1024 * 1024 });
}

/** The authors of base..head (touching the inventory): names of authors and committers, and the signing keys (any signature, listed or not). */
export function changeAuthors(repo: InventoryRepo, base: string | undefined, head = "HEAD", path = repo.path): ChangeAuthors {
  // without a base (a first deployment) the change is the whole history; the approvals themselves are never part of it
  const range = base ? `${base}..${head}` : head;
  const text = git(repo.top, ["-c", "gpg.format=ssh", "-c", "gpg.ssh.program=ssh-keygen", "-c", "gpg.ssh.allowedSignersFile=/dev/null", "log", "--format=%an%x00%cn%x00%GK", range, "--", path, `:(top,exclude)${APPROVALS_DIR}`]);
  const names = new Set<string>();
  const keys = new Set<string>();
  for (const line of text.split("\n")) {
    const [an, cn, gk] = line.split("\u0000");
    if (an?.trim()) names.add(an.trim());
    if (cn?.trim()) names.add(cn.trim());
    if (gk?.startsWith("SHA256:")) keys.add(gk);
  }
  return { names: [...names].sort(), keys: [...keys].sort() };
}

function parseFile(text: string, where: string): ApprovalsFile | string {
  let data: unknown;
  try {
    data = JSON.parse(text);
  } catch {
    return `${where} is not valid JSON`;
  }
  const file = data as Partial<ApprovalsFile>;
  if (typeof file.plan !== "string" || !Array.isArray(file.approvals)) return `${where} does not hold approvals`;
  return { plan: file.plan, approvals: file.approvals.filter((a): a is Approval => typeof a === "object" && a !== null && typeof a.by === "string" && typeof a.at === "string") };
}

function trailerPlans(message: string): string[] {
  return [...message.matchAll(new RegExp(`^${PLAN_TRAILER}:[ \\t]*(\\S+)[ \\t]*$`, "gm"))].map((m) => m[1]!);
}

/**
 * The approvals of a plan as the repository proves them (at HEAD): one per
 * commit that touched approvals/<plan-id>.json. A commit is an approval when
 * it is signed by a key of the approvers list, changes that file only, its
 * message carries "Scconf-Plan: <plan id>" and the file it wrote holds an
 * approval of that plan by that key; the approver is the key's owner, whatever
 * name the file or the commit gives. Anything else that touched the file is
 * returned with `problem` set (so a refusal can say why it does not count),
 * and when the last commit of the file is not an approval (a later hand edit)
 * none of the file's approvals count: the file is no longer what was signed.
 * `approvers` is the list of the policy in force (the inventory at the base).
 */
export function readApprovals(repo: InventoryRepo, planId: string, approvers: readonly Approver[]): Approval[] {
  const path = approvalPath(planId);
  if (committedFile(repo.top, path) === undefined) return [];
  const commits = git(repo.top, ["log", "--format=%H", "HEAD", "--", path]).split("\n").filter(Boolean).reverse();
  if (!commits.length) return [];
  const sigs = verifySignatures(repo.top, commits, approvers);
  const out: Approval[] = [];
  let lastProblem: string | undefined;
  for (const commit of commits) {
    const short = shortCommit(commit);
    const [author = "", message = ""] = git(repo.top, ["show", "-s", "--format=%an%x00%B", commit]).split("\u0000");
    const files = git(repo.top, ["diff-tree", "--no-commit-id", "--name-only", "-r", "--root", "-m", commit]).split("\n").filter(Boolean);
    const parents = git(repo.top, ["show", "-s", "--format=%P", commit]).trim().split(" ").filter(Boolean);
    const text = files.includes(path) ? committedAt(repo.top, commit, path) : undefined;
    const file = text === undefined ? undefined : parseFile(text, `${path} at ${short}`);
    const sig = sigs.get(commit)!;
    const claimed = file && typeof file !== "string" ? file.approvals.find((a) => a.plan === planId && (sig.status !== "good" || a.key === sig.fingerprint)) : undefined;
    const base: Approval = { plan: planId, by: claimed?.by ?? author, at: claimed?.at ?? "", authors: claimed?.authors ?? [], commit, ...(claimed?.comment ? { comment: claimed.comment } : {}) };
    let problem: string | undefined;
    if (text === undefined) problem = `commit ${short} (${author}) removed ${path}`;
    else if (sig.status !== "good") problem = `commit ${short} (${author}) that wrote ${path} is ${describeSignature(sig)}`;
    else if (parents.length > 1) problem = `commit ${short} that wrote ${path} is a merge, not a signed approval`;
    else if (files.length !== 1) problem = `commit ${short} that wrote ${path} changes other files too (${files.filter((f) => f !== path).slice(0, 3).join(", ")})`;
    else if (!trailerPlans(message).includes(planId)) problem = `commit ${short} that wrote ${path} does not carry "${PLAN_TRAILER}: ${planId}" in its message`;
    else if (typeof file === "string") problem = file;
    else if (!file || file.plan !== planId) problem = `${path} at ${short} does not hold approvals of plan ${planId}`;
    else if (!claimed) problem = `${path} at ${short} holds no approval of plan ${planId} by the key that signed it (${sig.fingerprint})`;
    if (problem || sig.status !== "good") {
      out.push({ ...base, problem: problem ?? "not signed" });
      lastProblem = problem;
      continue;
    }
    lastProblem = undefined;
    out.push({ ...base, by: sig.approver.name, role: sig.approver.role, key: sig.fingerprint });
  }
  if (lastProblem) {
    const later = `${path} was changed after it was signed: ${lastProblem}; approve again`;
    return out.map((a) => (a.problem ? a : { ...a, problem: later }));
  }
  return out;
}

function committedAt(top: string, commit: string, path: string): string | undefined {
  try {
    return git(top, ["show", `${commit}:${path}`]);
  } catch {
    return undefined;
  }
}

/** What `scconf approve` records: the approvals file with one more approval, committed and signed with the key. */
export interface ApprovalRequest {
  plan: string;
  approver: Approver;
  key: SigningKey;
  at: string;
  comment?: string;
  authors: string[];
}

/** Writes the approval beside the others of the plan and commits only that file, signed. Returns the commit. */
export function recordApproval(repo: InventoryRepo, request: ApprovalRequest): string {
  const rel = approvalPath(request.plan);
  const abs = join(repo.top, rel);
  let existing: Approval[] = [];
  if (existsSync(abs)) {
    const parsed = parseFile(readFileSync(abs, "utf8"), rel);
    if (typeof parsed === "string") throw new ApprovalError(parsed);
    existing = parsed.approvals;
  }
  if (existing.some((a) => a.key === request.key.fingerprint)) throw new ApprovalError(`plan ${request.plan} is already approved with this key (${request.approver.name})`);
  const approval: Approval = {
    plan: request.plan,
    by: request.approver.name,
    role: request.approver.role,
    key: request.key.fingerprint,
    at: request.at,
    ...(request.comment ? { comment: request.comment } : {}),
    authors: request.authors,
  };
  const file: ApprovalsFile = { plan: request.plan, approvals: [...existing, approval] };
  mkdirSync(join(repo.top, APPROVALS_DIR), { recursive: true });
  writeFileSync(abs, JSON.stringify(file, null, 2) + "\n");
  const message = `approve plan ${request.plan} by ${request.approver.name}\n\n${request.comment ?? ""}\n\n${PLAN_TRAILER}: ${request.plan}\nScconf-Approved-By: ${request.approver.name}\nScconf-Key: ${request.key.fingerprint}\n`;
  return commitSigned(repo.top, [rel], message.replace(/\n{3,}/g, "\n\n"), request.key, { name: request.approver.name, email: "approvals@scconf.invalid" });
}

export interface ApprovalJudgement {
  /** approvals that count: signed, of this plan, by someone who is not an author */
  valid: Approval[];
  rejected: Array<{ approval: Approval; reason: string }>;
}

/**
 * Pure: which approvals count, given who wrote the change. `authors` are
 * names (git authors, committers, the operator who applies); `authorKeys`
 * the fingerprints that signed commits of the change. An approver is an
 * author when their key signed a commit of the change or their listed name
 * folds to an author's name.
 */
export function judgeApprovals(planId: string, approvals: readonly Approval[], authors: readonly string[], authorKeys: readonly string[] = []): ApprovalJudgement {
  const out: ApprovalJudgement = { valid: [], rejected: [] };
  const seen = new Set<string>();
  for (const a of approvals) {
    const asAuthor = authors.find((x) => samePerson(x, a.by));
    if (a.problem) out.rejected.push({ approval: a, reason: a.problem });
    else if (!a.key || !a.commit) out.rejected.push({ approval: a, reason: "not signed" });
    else if (a.plan !== planId) out.rejected.push({ approval: a, reason: `it approves plan ${a.plan}, not ${planId}` });
    else if (authorKeys.includes(a.key)) out.rejected.push({ approval: a, reason: `${a.by} is an author of the change (their key ${a.key} signed a commit of it)` });
    else if (asAuthor !== undefined) out.rejected.push({ approval: a, reason: `${a.by} is an author of the change${asAuthor === a.by ? "" : ` (as "${asAuthor}")`}` });
    else if (!seen.has(a.key)) {
      seen.add(a.key);
      out.valid.push(a);
    }
  }
  return out;
}

/**
 * What the audit line of an apply records of its approvals: each names the
 * plan it signed, so an approval is only ever shown against the changes of
 * that plan (never against later changes an older plan did not push).
 */
export function auditApprovals(planId: string, judged: ApprovalJudgement): Array<{ plan: string; by: string; at: string; key?: string; commit?: string }> {
  return judged.valid
    .filter((a) => a.plan === planId)
    .map((a) => ({ plan: a.plan, by: a.by, at: a.at, ...(a.key ? { key: a.key } : {}), ...(a.commit ? { commit: a.commit } : {}) }));
}

/** Pure: is this approval one that counts for exactly this plan (signed, no problem, same id)? */
export function approvalCountsFor(planId: string, approval: Approval): boolean {
  return approval.plan === planId && !approval.problem && approval.key !== undefined && approval.commit !== undefined;
}

