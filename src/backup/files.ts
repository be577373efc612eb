// File writing for the store: atomic replacement of single files, and the
// first-use creation of the repository.
import { randomUUID } from "node:crypto";
import { appendFile, lstat, mkdir, open as openFile, readdir, rename, rm, writeFile } from "node:fs/promises";
import { basename, dirname, join } from "node:path";
import { StoreError } from "./errors.js";
import { GITATTRIBUTES, LOCAL_CONFIG, gitAt } from "./git.js";
import { AUDIT_FILE } from "./layout.js";

/** Inside .git, so that temp files never show in the work tree, and on the same file system for rename. */
export const TMP_DIR = "scconf-tmp";

const README = "# scconf backups\n\nConfiguration generations per device, written by scconf. Do not edit by hand: history is the audit trail.\n";

/** temp file + fsync + rename, so that a crash leaves a file either old or new, never half written */
export async function atomicWrite(storePath: string, file: string, content: string): Promise<void> {
  const target = join(storePath, file);
  const temp = join(storePath, ".git", TMP_DIR, `${basename(file)}.${process.pid}.${randomUUID()}`);
  await mkdir(dirname(temp), { recursive: true });
  await mkdir(dirname(target), { recursive: true });
  const handle = await openFile(temp, "w", 0o644);
  try {
    await handle.writeFile(content, "utf8");
    await handle.sync();
  } finally {
    await handle.close();
  }
  try {
    await rename(temp, target);
  } catch (error) {
    await rm(temp, { force: true });
    throw new StoreError(`cannot write ${file} in the backup store: ${(error as Error).message}`);
  }
}

export async function listFiles(dir: string): Promise<string[]> {
  const entries = await readdir(dir, { withFileTypes: true }).catch((error: NodeJS.ErrnoException) => {
    if (error.code === "ENOENT") return [];
    throw error;
  });
  const files: string[] = [];
  for (const entry of entries) {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) files.push(...(await listFiles(path)));
    else files.push(path);
  }
  return files;
}

/**
 * Creates the repository when the path is missing or an empty directory. It
 * is built in a sibling directory and renamed into place, so that two
 * processes initialising at once end with one repository, not a mix of two.
 */
export async function initIfAbsent(root: string): Promise<void> {
  const st = await lstat(root).catch(() => undefined);
  if (st) {
    if (!st.isDirectory()) throw new StoreError(`the backup store ${root} exists but is not a directory`);
    const names = await readdir(root);
    if (names.length > 0) return; // checkRepository judges it
  }
  const parent = dirname(root);
  await mkdir(parent, { recursive: true });
  const temp = join(parent, `.${basename(root)}.init-${process.pid}-${randomUUID()}`);
  await mkdir(temp);
  try {
    const git = gitAt(temp);
    await git.raw(["init", "--quiet", "--initial-branch=main"]);
    // one append instead of a git-config process per setting: spawning is the slow part here
    await appendFile(join(temp, ".git", "config"), LOCAL_CONFIG);
    await writeFile(join(temp, "README.md"), README);
    await writeFile(join(temp, ".gitattributes"), GITATTRIBUTES);
    await writeFile(join(temp, AUDIT_FILE), "");
    await git.raw(["add", "README.md", ".gitattributes", AUDIT_FILE]);
    await git.raw(["commit", "--quiet", "--no-verify", "--no-gpg-sign", "-m", "scconf backup store initialised"]);
    await rename(temp, root).catch(async (error: NodeJS.ErrnoException) => {
      // another process won the race and the directory is no longer empty: use its repository
      if (error.code !== "ENOTEMPTY" && error.code !== "EEXIST") throw error;
    });
  } catch (error) {
    if (error instanceof StoreError) throw error;
    throw new StoreError(`cannot create the backup store ${root}: ${(error as Error).message}`);
  } finally {
    await rm(temp, { recursive: true, force: true });
  }
}
