// How the store runs git: through simple-git, with an environment and a local
// configuration that make it behave the same on every machine, whatever the
// operator's global git configuration says.
import { realpath } from "node:fs/promises";
import { simpleGit, type SimpleGit } from "simple-git";
import { StoreError } from "./errors.js";

/** Variables passed through to git; everything else (GIT_DIR, GIT_INDEX_FILE, PAGER...) is dropped. */
const PASSED_ENV = ["PATH", "HOME", "TMPDIR", "USER", "LOGNAME", "SYSTEMROOT"];

export function gitAt(dir: string): SimpleGit {
  // GIT_OPTIONAL_LOCKS=0: a read (status) must not take index.lock to refresh
  // the index, or a concurrent run's commit under the store lock fails with
  // "index.lock: File exists" (seen in test/fault/concurrent.test.ts)
  const env: Record<string, string> = { LC_ALL: "C", GIT_TERMINAL_PROMPT: "0", GIT_OPTIONAL_LOCKS: "0" };
  for (const name of PASSED_ENV) {
    const value = process.env[name];
    if (value !== undefined) env[name] = value;
  }
  return simpleGit({
    baseDir: dir,
    binary: "git",
    maxConcurrentProcesses: 4,
    trimmed: false,
    // the store sets core.hooksPath itself, to switch hooks off (see LOCAL_CONFIG)
    unsafe: { allowUnsafeHooksPath: true },
  }).env(env);
}

/**
 * Local configuration written at init. Bytes must round-trip exactly (no
 * end-of-line conversion), commits must work without a global identity and
 * without a signing key, and no hook of the operator's may run inside a
 * backup commit (a global core.hooksPath would otherwise apply).
 */
export const LOCAL_CONFIG = [
  "[user]",
  "\tname = scconf",
  "\temail = scconf@localhost",
  "[commit]",
  "\tgpgSign = false",
  "[tag]",
  "\tgpgSign = false",
  "[core]",
  "\tautocrlf = false",
  "\tsafecrlf = false",
  "\tquotePath = false",
  "\thooksPath = /dev/null",
  "\tfsync = committed",
  "",
].join("\n");

export const GITATTRIBUTES = "# generations are stored byte for byte: no end-of-line conversion, no filters\n* -text -filter\n";

/** The cheap integrity check: a repository of its own (not a parent's), a HEAD commit on a branch, a readable index. */
export async function checkRepository(dir: string): Promise<void> {
  const git = gitAt(dir);
  const refuse = (what: string, hint: string, error?: unknown): never => {
    const detail = error instanceof Error ? `: ${firstLine(error.message)}` : "";
    throw new StoreError(`the backup store ${dir} ${what}${detail}`, hint);
  };
  let top: string;
  try {
    top = (await git.raw(["rev-parse", "--show-toplevel"])).trim();
  } catch (error) {
    return refuse("is not a git repository", "point the store at an empty or new directory, or restore the repository", error);
  }
  if ((await realpath(top)) !== (await realpath(dir))) {
    refuse(`is not a git repository (it lies inside ${top})`, "point the store at an empty or new directory");
  }
  try {
    await git.raw(["rev-parse", "--quiet", "HEAD^{commit}", "HEAD^{tree}"]);
  } catch (error) {
    refuse("is corrupt (HEAD does not resolve to a commit)", `inspect it with 'git -C ${dir} fsck' and restore it from a copy`, error);
  }
  try {
    await git.raw(["symbolic-ref", "-q", "HEAD"]);
  } catch (error) {
    refuse("has a detached HEAD", `check out its branch: git -C ${dir} checkout main`, error);
  }
  try {
    await git.raw(["status", "--porcelain", "-z"]);
  } catch (error) {
    refuse("is corrupt (git status fails)", `inspect it with 'git -C ${dir} fsck' and restore it from a copy`, error);
  }
}

function firstLine(text: string): string {
  return text.trim().split("\n")[0] ?? "";
}
