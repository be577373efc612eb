// The inventory repository's side of the history: who changed which
// organization's file when (git log, merges left out so that the real
// author shows), what each commit meant as intent changes (the org file
// parsed at the commit and at its parent: no full checkout, no validation of
// the other 32 organizations), which commits an inventory revision contains,
// and the committed approvals.
import { execFileSync } from "node:child_process";
import { parse as parseYaml } from "yaml";
import { orgSchema } from "../../model/schema.js";
import type { Inventory, Org } from "../../model/types.js";
import { diffIntent, intentOf, type Intent, type IntentChange } from "../../plan/intent.js";
import { APPROVALS_DIR, readApprovals, type Approval } from "../approvals.js";
import type { Approver } from "../signing.js";
import { committedFile, committedNames, type InventoryRepo } from "../git.js";

function git(top: string, args: string[]): string {
  return execFileSync("git", ["-C", top, ...args], { encoding: "utf8", maxBuffer: 256 * 1024 * 1024, stdio: ["ignore", "pipe", "pipe"] });
}

export interface InventoryCommit {
  commit: string;
  author: string;
  /** author date, ISO */
  date: string;
  subject: string;
  /** organizations whose file the commit touched */
  orgs: string[];
  /** other inventory files it touched (cloud.yaml, devices.yaml, emergency.yaml), relative to the inventory */
  other: string[];
}

const inv = (repo: InventoryRepo, rel: string): string => (repo.path === "." ? rel : `${repo.path}/${rel}`);

/** The org id of an inventory-relative path "orgs/<id>.yaml". */
function orgOfPath(repo: InventoryRepo, file: string): string | undefined {
  const prefix = repo.path === "." ? "" : `${repo.path}/`;
  if (!file.startsWith(prefix)) return undefined;
  return /^orgs\/([^/]+)\.ya?ml$/.exec(file.slice(prefix.length))?.[1];
}

/** Commits that changed the inventory, newest first (merges left out: their changes show in the commits they bring). */
export function inventoryCommits(repo: InventoryRepo, options: { org?: string; rev?: string } = {}): InventoryCommit[] {
  const path = options.org ? inv(repo, `orgs/${options.org}.yaml`) : repo.path;
  let out: string;
  try {
    out = git(repo.top, ["log", "--no-merges", "--format=%x1e%H%x1f%an%x1f%aI%x1f%s", "--name-only", options.rev ?? "HEAD", "--", path]);
  } catch {
    return []; // no commit yet
  }
  const prefix = repo.path === "." ? "" : `${repo.path}/`;
  return out
    .split("\x1e")
    .filter((r) => r.trim())
    .map((record) => {
      const [head = "", ...files] = record.split("\n");
      const [commit = "", author = "", date = "", subject = ""] = head.split("\x1f");
      const names = files.map((f) => f.trim()).filter((f) => f.startsWith(prefix));
      const orgs = [...new Set(names.map((f) => orgOfPath(repo, f)).filter((o): o is string => o !== undefined))].sort();
      const other = names.filter((f) => orgOfPath(repo, f) === undefined).map((f) => f.slice(prefix.length));
      return { commit, author, date, subject, orgs, other };
    });
}

/** An organization's file at a revision, parsed with the org schema alone; undefined when absent or not valid there. */
export function orgAt(repo: InventoryRepo, rev: string, org: string): Org | undefined {
  let text: string;
  try {
    text = git(repo.top, ["show", `${rev}:${inv(repo, `orgs/${org}.yaml`)}`]);
  } catch {
    return undefined;
  }
  try {
    const parsed = orgSchema.safeParse(parseYaml(text));
    return parsed.success ? parsed.data : undefined;
  } catch {
    return undefined;
  }
}

/** intentOf reads only the organizations, so one organization is enough. */
function orgIntent(org: Org | undefined): Intent {
  return org ? intentOf({ orgs: [org] } as Pick<Inventory, "orgs"> as Inventory) : {};
}

export type OrgIntentDiff = { changes: IntentChange[] } | { changes?: undefined; reason: string };

/** What a change between two revisions meant for one organization; `before` undefined = from nothing. */
export function orgIntentBetween(repo: InventoryRepo, before: string | undefined, after: string, org: string): OrgIntentDiff {
  const b = before ? orgAt(repo, before, org) : undefined;
  const a = orgAt(repo, after, org);
  const exists = (rev: string) => {
    try {
      git(repo.top, ["cat-file", "-e", `${rev}:${inv(repo, `orgs/${org}.yaml`)}`]);
      return true;
    } catch {
      return false;
    }
  };
  if (!a && exists(after)) return { reason: `orgs/${org}.yaml does not validate at ${after.slice(0, 12)}` };
  if (before && !b && exists(before)) return { reason: `orgs/${org}.yaml does not validate at ${before.slice(0, 12)}` };
  return { changes: diffIntent(orgIntent(b), orgIntent(a)) };
}

/** What one commit meant for one organization (against its first parent). */
export function commitIntent(repo: InventoryRepo, commit: string, org: string): OrgIntentDiff {
  let parent: string | undefined;
  try {
    parent = git(repo.top, ["rev-parse", "--verify", "--quiet", `${commit}^`]).trim() || undefined;
  } catch {
    parent = undefined; // the first commit
  }
  return orgIntentBetween(repo, parent, commit, org);
}

/** Organizations whose file differs between two revisions (`from` undefined: every org file at `to`). */
export function orgsChangedBetween(repo: InventoryRepo, from: string | undefined, to: string): string[] {
  const out = from
    ? git(repo.top, ["diff", "--name-only", "--no-renames", from, to, "--", inv(repo, "orgs")])
    : git(repo.top, ["ls-tree", "-r", "--name-only", to, "--", inv(repo, "orgs")]);
  return [...new Set(out.split("\n").map((f) => orgOfPath(repo, f.trim())).filter((o): o is string => o !== undefined))].sort();
}

/** The full commit a revision names, or undefined. */
export function commitOfRevision(repo: InventoryRepo, rev: string): string | undefined {
  try {
    return git(repo.top, ["rev-parse", "--verify", "--quiet", `${rev}^{commit}`]).trim() || undefined;
  } catch {
    return undefined;
  }
}

/** Memoised "which commits does this revision contain" (git rev-list), for linking edits to the apply that delivered them. */
export function ancestry(repo: InventoryRepo): (rev: string) => Set<string> {
  const cache = new Map<string, Set<string>>();
  return (rev) => {
    let set = cache.get(rev);
    if (!set) {
      try {
        set = new Set(git(repo.top, ["rev-list", rev]).split("\n").filter(Boolean));
      } catch {
        set = new Set();
      }
      cache.set(rev, set);
    }
    return set;
  };
}

/**
 * Every committed approval, each verified as the gate verifies it (a commit
 * signed by a key of the approvers list, touching only its approvals file):
 * one that cannot count keeps its `problem`, so that the history shows it
 * as not counting instead of as an approval.
 */
export function committedApprovals(repo: InventoryRepo, approvers: readonly Approver[]): Approval[] {
  const out: Approval[] = [];
  for (const name of committedNames(repo.top, APPROVALS_DIR)) {
    const plan = /^([0-9a-f]{16})\.json$/.exec(name)?.[1];
    if (plan) out.push(...readApprovals(repo, plan, approvers));
  }
  return out.sort((a, b) => a.at.localeCompare(b.at));
}
