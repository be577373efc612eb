// The inventory's git repository, read without touching its working tree:
// where it is, what a revision names, who wrote the commits since a base, and
// the inventory as it was at a revision (extracted into a temporary directory).
import { execFileSync } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, relative, resolve, sep } from "node:path";

export class GitError extends Error {
  override name = "GitError";
}

function git(cwd: string, args: string[], input?: Buffer): string {
  try {
    return execFileSync("git", ["-C", cwd, ...args], {
      encoding: "utf8",
      maxBuffer: 256 * 1024 * 1024,
      stdio: [input ? "pipe" : "ignore", "pipe", "pipe"],
      ...(input ? { input } : {}),
    });
  } catch (err) {
    const e = err as Error & { stderr?: string };
    throw new GitError(`git ${args.join(" ")}: ${(e.stderr ?? e.message).toString().trim().split("\n")[0]}`);
  }
}

/** Where the inventory lives in its repository. */
export interface InventoryRepo {
  /** the repository's top directory */
  top: string;
  /** the inventory directory relative to the top, with "/" ("inventory", "ops/inventory", or "." when it is the top) */
  path: string;
}

export function inventoryRepo(inventoryDir: string): InventoryRepo {
  const dir = resolve(inventoryDir);
  let top: string;
  try {
    top = git(dir, ["rev-parse", "--show-toplevel"]).trim();
  } catch {
    throw new GitError(`${dir} is not in a git repository; review plans, scope and approvals need the inventory's history`);
  }
  const rel = relative(top, dir).split(sep).join("/");
  return { top, path: rel === "" ? "." : rel };
}

/** The full commit a revision names, or undefined when it names none. */
export function resolveCommit(top: string, ref: string): string | undefined {
  if (ref.startsWith("-")) return undefined;
  try {
    return git(top, ["rev-parse", "--verify", "--quiet", `${ref}^{commit}`]).trim() || undefined;
  } catch {
    return undefined;
  }
}

export function shortCommit(commit: string): string {
  return commit.slice(0, 12);
}

/**
 * Extracts the inventory at a commit into a new temporary directory (git
 * archive | tar -x), so the working tree is never touched. Returns the
 * directory that holds the extracted inventory, and how to remove it.
 */
export function extractInventory(repo: InventoryRepo, commit: string): { dir: string; cleanup: () => void } {
  const scratch = mkdtempSync(join(tmpdir(), "scconf-rev-"));
  const cleanup = () => rmSync(scratch, { recursive: true, force: true });
  try {
    const archive = execFileSync("git", ["-C", repo.top, "archive", "--format=tar", commit, "--", repo.path], {
      maxBuffer: 512 * 1024 * 1024,
      stdio: ["ignore", "pipe", "pipe"],
    });
    execFileSync("tar", ["-x", "-C", scratch], { input: archive, stdio: ["pipe", "ignore", "pipe"] });
  } catch (err) {
    cleanup();
    const e = err as Error & { stderr?: Buffer };
    throw new GitError(`cannot read the inventory (${repo.path}) at ${shortCommit(commit)}: ${(e.stderr?.toString() ?? e.message).trim().split("\n")[0]}`);
  }
  return { dir: repo.path === "." ? scratch : join(scratch, ...repo.path.split("/")), cleanup };
}

/** Authors (names) of the commits in base..head that touch the path; head undefined = HEAD. */
export function authorsSince(repo: InventoryRepo, base: string, head = "HEAD", path = repo.path): string[] {
  const out = git(repo.top, ["log", "--format=%an", `${base}..${head}`, "--", path]);
  return [...new Set(out.split("\n").map((l) => l.trim()).filter(Boolean))].sort();
}

/**
 * Files (relative to the repository top) that differ between base and head;
 * without head, between base and the working tree, untracked files included.
 */
export function changedFiles(repo: InventoryRepo, base: string, head?: string): string[] {
  const names = head
    ? git(repo.top, ["diff", "--name-only", "--no-renames", base, head])
    : git(repo.top, ["diff", "--name-only", "--no-renames", base]) + "\n" + git(repo.top, ["ls-files", "--others", "--exclude-standard"]);
  return [...new Set(names.split("\n").map((l) => l.trim()).filter(Boolean))].sort();
}

/** The content of a file at HEAD (committed), or undefined when it is not committed there. */
export function committedFile(top: string, path: string): string | undefined {
  try {
    return git(top, ["show", `HEAD:${path}`]);
  } catch {
    return undefined;
  }
}

/** Commits exactly the given paths (nothing else that happens to be staged), with the given author. */
export function commitPaths(top: string, paths: string[], message: string, author?: { name: string; email: string }): string {
  git(top, ["add", "--", ...paths]);
  const env = author ? { GIT_AUTHOR_NAME: author.name, GIT_AUTHOR_EMAIL: author.email } : {};
  try {
    execFileSync("git", ["-C", top, "commit", "--quiet", "-m", message, "--", ...paths], {
      env: { ...process.env, ...env },
      stdio: ["ignore", "pipe", "pipe"],
    });
  } catch (err) {
    const e = err as Error & { stderr?: Buffer };
    throw new GitError(`git commit: ${(e.stderr?.toString() ?? e.message).trim().split("\n")[0]}`);
  }
  return git(top, ["rev-parse", "HEAD"]).trim();
}

/** File names (without directory) committed at HEAD under a directory. */
export function committedNames(top: string, dir: string): string[] {
  try {
    return git(top, ["ls-tree", "--name-only", "HEAD", `${dir}/`])
      .split("\n")
      .map((l) => l.trim().slice(dir.length + 1))
      .filter(Boolean);
  } catch {
    return [];
  }
}

/** The short revision of a directory's repository, "+dirty" when it has uncommitted edits, or "unversioned". */
export function workingRevision(dir: string): string {
  try {
    const rev = git(dir, ["rev-parse", "--short=12", "HEAD"]).trim();
    const dirty = git(dir, ["status", "--porcelain", "--", "."]).trim();
    return dirty ? `${rev}+dirty` : rev;
  } catch {
    return "unversioned";
  }
}
