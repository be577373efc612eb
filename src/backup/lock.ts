// A lock file around write+commit, so that two scconf processes recording at
// once take turns instead of interleaving files and index updates. It is a
// plain file created with "wx" (exclusive), holding who took it, so that a
// lock left by a crashed process can be recognised by its dead pid.
import { hostname } from "node:os";
import { readFile, stat, unlink, writeFile } from "node:fs/promises";
import { setTimeout as sleep } from "node:timers/promises";
import { StoreError } from "./errors.js";

export interface LockHolder {
  pid: number;
  host: string;
  since: string;
  purpose: string;
}

export interface HeldLock {
  /** true when a lock of a dead process was removed: its half-written files are ours to clean */
  brokeStale: boolean;
  release(): Promise<void>;
}

/** A lock file that cannot be parsed is one being written right now, unless it is older than this. */
const UNREADABLE_GRACE_MS = 5_000;

export async function acquireLock(path: string, purpose: string, timeoutMs: number): Promise<HeldLock> {
  const mine = JSON.stringify({ pid: process.pid, host: hostname(), since: new Date().toISOString(), purpose } satisfies LockHolder);
  const deadline = Date.now() + timeoutMs;
  let brokeStale = false;
  for (;;) {
    if (await tryCreate(path, mine)) {
      return { brokeStale, release: () => releaseIfOurs(path, mine) };
    }
    const seen = await readHolder(path);
    if (seen && (await isStale(path, seen.holder))) {
      if (await breakStale(path, seen.raw)) brokeStale = true;
      continue;
    }
    if (Date.now() >= deadline) {
      const who = seen?.holder
        ? `pid ${seen.holder.pid} on ${seen.holder.host} since ${seen.holder.since} (${seen.holder.purpose})`
        : "another process";
      throw new StoreError(
        `the backup store is locked by ${who}; gave up after ${Math.round(timeoutMs / 1000)} s`,
        `wait for that run to finish; if no scconf process is running there, remove ${path}`,
      );
    }
    await sleep(40 + Math.floor(Math.random() * 80));
  }
}

/** Who holds the lock now, if anyone (for assertWritable and error messages). */
export async function lockHolder(path: string): Promise<LockHolder | "unreadable" | undefined> {
  const seen = await readHolder(path);
  if (!seen) return undefined;
  return seen.holder ?? "unreadable";
}

async function tryCreate(path: string, content: string): Promise<boolean> {
  try {
    await writeFile(path, content, { flag: "wx", mode: 0o644 });
    return true;
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === "EEXIST") return false;
    throw new StoreError(`cannot create the store lock ${path}: ${(error as Error).message}`);
  }
}

async function readHolder(path: string): Promise<{ raw: string; holder: LockHolder | undefined } | undefined> {
  let raw: string;
  try {
    raw = await readFile(path, "utf8");
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === "ENOENT") return undefined;
    throw error;
  }
  try {
    const parsed = JSON.parse(raw) as Partial<LockHolder>;
    if (typeof parsed.pid === "number" && typeof parsed.host === "string") {
      return { raw, holder: { pid: parsed.pid, host: parsed.host, since: String(parsed.since), purpose: String(parsed.purpose) } };
    }
  } catch {
    // fall through: empty or partial content
  }
  return { raw, holder: undefined };
}

async function isStale(path: string, holder: LockHolder | undefined): Promise<boolean> {
  if (!holder) {
    try {
      return Date.now() - (await stat(path)).mtimeMs > UNREADABLE_GRACE_MS;
    } catch {
      return false;
    }
  }
  // a pid on another host (a store on shared storage) cannot be checked from here
  return holder.host === hostname() && !pidAlive(holder.pid);
}

function pidAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === "EPERM";
  }
}

/**
 * Removes a stale lock. Two processes may see the same stale lock; without the
 * short ".break" lock the second could delete the fresh lock the first has just
 * taken. Under it, the content is compared again before unlinking.
 */
async function breakStale(path: string, staleRaw: string): Promise<boolean> {
  const breaker = `${path}.break`;
  const me = JSON.stringify({ pid: process.pid, host: hostname(), since: new Date().toISOString(), purpose: "break" });
  if (!(await tryCreate(breaker, me))) {
    const other = await readHolder(breaker);
    if (other && (await isStale(breaker, other.holder))) await unlink(breaker).catch(() => undefined);
    await sleep(20);
    return false;
  }
  try {
    const again = await readHolder(path);
    if (again?.raw !== staleRaw) return false;
    await unlink(path);
    return true;
  } finally {
    await unlink(breaker).catch(() => undefined);
  }
}

async function releaseIfOurs(path: string, mine: string): Promise<void> {
  const seen = await readHolder(path);
  if (seen?.raw === mine) await unlink(path);
}
