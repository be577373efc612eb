// What a file device keeps in its state directory, and how to read it back
// after a crash. Everything the revert timer and a later `scconf recover`
// need is on the device itself, not in the memory of the scconf process.
//
//   lock/owner.json         who holds the device (mkdir of lock/ is the atomic step)
//   stage/<id>              staged artifacts, stage/.manifest.json (dot names cannot be artifact ids)
//   pending.json            the journal of an unconfirmed commit, written before anything is touched
//   prev/<id>               the previous content of each artifact that existed
//   prev/.restore.list      the same, for the revert script (see revert-script.ts)
//   prev/.reload.sh         the reload command the revert runs
//   revert.sh               the revert script
//   timer-<txid>.pid        the armed revert timer
//   decided-<txid>/         exactly one of confirm and revert wins it
//   confirmed-<txid>, reverted-<txid>, revert-failed-<txid>   the outcome
import type { LockOwner } from "../driver.js";
import { shQuote, type Host } from "./host.js";

export const DEFAULT_STATE_DIR = "/var/lib/scconf";

/** Device paths inside the state directory. */
export function statePaths(stateDir: string) {
  const dir = stateDir.replace(/\/+$/, "") || "/";
  return {
    dir,
    lock: `${dir}/lock`,
    lockOwner: `${dir}/lock/owner.json`,
    stage: `${dir}/stage`,
    manifest: `${dir}/stage/.manifest.json`,
    journal: `${dir}/pending.json`,
    prev: `${dir}/prev`,
    restoreList: `${dir}/prev/.restore.list`,
    reloadScript: `${dir}/prev/.reload.sh`,
    revertScript: `${dir}/revert.sh`,
    timerLog: `${dir}/timer.log`,
    timerPid: (txid: string) => `${dir}/timer-${txid}.pid`,
    decided: (txid: string) => `${dir}/decided-${txid}`,
    confirmed: (txid: string) => `${dir}/confirmed-${txid}`,
    reverted: (txid: string) => `${dir}/reverted-${txid}`,
  };
}
export type StatePaths = ReturnType<typeof statePaths>;

export interface LockRecord extends LockOwner {
  /** ISO time the lock was taken */
  time: string;
  /** random id of the taking driver, so that unlock never removes someone else's lock */
  token: string;
}

export interface StagedArtifact {
  id: string;
  path: string;
  sha256: string;
}

export interface StageManifest {
  createdAt: string;
  artifacts: StagedArtifact[];
}

export interface JournalEntry {
  id: string;
  path: string;
  /** whether the file existed before the commit, and its hash then */
  existed: boolean;
  previousSha256: string | null;
  stagedSha256: string;
}

export interface Journal {
  txid: string;
  device: string;
  createdAt: string;
  confirmTimeout: number;
  owner: LockRecord | null;
  entries: JournalEntry[];
}

export type JournalOutcome =
  /** the timer is running: the device reverts by itself at the deadline */
  | "armed"
  /** no timer and no outcome: the commit stopped before the timer was armed, or the timer died */
  | "interrupted"
  | "confirmed"
  | "reverted"
  | "revert-failed";

export interface Leftovers {
  /** the lock and who holds it; holder null when the owner file is missing or unreadable */
  lock: { holder: LockRecord | null } | null;
  journal: { journal: Journal | null; outcome: JournalOutcome; timerPid: number | null; timerAlive: boolean } | null;
  staging: { manifest: StageManifest | null } | null;
}

export function holderText(holder: LockRecord | null): string {
  if (!holder) return "an unknown holder (no readable lock/owner.json: a run may have crashed while taking the lock)";
  return `${holder.operator} (change ${holder.change}, host ${holder.host}, pid ${holder.pid}, since ${holder.time})`;
}

function parseJson<T>(bytes: Buffer | null): T | null {
  if (!bytes) return null;
  try {
    // the files are written by this module; a parse failure is reported as "unreadable", never trusted
    return JSON.parse(bytes.toString("utf8")) as T;
  } catch {
    return null;
  }
}

/**
 * What a previous run left on the device: a lock, an unconfirmed commit, a
 * staging area. `scconf recover` starts from this; the driver refuses to
 * lock a device with a pending journal.
 */
export async function inspectLeftovers(host: Host, stateDir: string = DEFAULT_STATE_DIR): Promise<Leftovers> {
  const paths = statePaths(stateDir);
  const listing = await host.exec(
    `cd ${shQuote(host.resolve(paths.dir))} 2>/dev/null || exit 0
ls -1A
for f in timer-*.pid; do
  [ -f "$f" ] && kill -0 "$(cat "$f")" 2>/dev/null && echo "alive:$f"
done
exit 0`,
  );
  const names = new Set(listing.stdout.split("\n").filter((line) => line !== ""));
  const found: Leftovers = { lock: null, journal: null, staging: null };
  if (names.has("lock")) found.lock = { holder: parseJson<LockRecord>(await host.readFile(paths.lockOwner)) };
  if (names.has("stage")) found.staging = { manifest: parseJson<StageManifest>(await host.readFile(paths.manifest)) };
  if (names.has("pending.json")) {
    const journal = parseJson<Journal>(await host.readFile(paths.journal));
    const txid = journal?.txid ?? "";
    const pidName = `timer-${txid}.pid`;
    const timerPid = names.has(pidName) ? Number((await host.readFile(paths.timerPid(txid)))?.toString("utf8").trim()) || null : null;
    const outcome: JournalOutcome = names.has(`confirmed-${txid}`)
      ? "confirmed"
      : names.has(`revert-failed-${txid}`)
        ? "revert-failed"
        : names.has(`reverted-${txid}`)
          ? "reverted"
          : timerPid !== null
            ? "armed"
            : "interrupted";
    found.journal = { journal, outcome, timerPid, timerAlive: names.has(`alive:${pidName}`) };
  }
  return found;
}

/** One line per finding, for `scconf status` / `recover` and for error messages. */
export function describeLeftovers(found: Leftovers): string[] {
  const lines: string[] = [];
  if (found.lock) lines.push(`locked by ${holderText(found.lock.holder)}`);
  if (found.journal) {
    const { journal, outcome, timerAlive } = found.journal;
    const what = journal ? `commit ${journal.txid} of ${journal.createdAt} (${journal.entries.map((e) => e.path).join(", ")})` : "an unreadable commit journal";
    const state: Record<JournalOutcome, string> = {
      armed: timerAlive ? "not confirmed; its revert timer is still running" : "not confirmed; its revert timer is no longer running",
      interrupted: "interrupted before its revert timer was armed",
      confirmed: "confirmed, but not cleaned up",
      reverted: "reverted by its timer, but not cleaned up",
      "revert-failed": "its revert FAILED: the files may be in an unknown state",
    };
    lines.push(`${what}: ${state[outcome]}`);
  }
  if (found.staging) {
    const ids = found.staging.manifest?.artifacts.map((a) => a.id).join(", ") ?? "unreadable manifest";
    lines.push(`staged but not committed: ${ids}`);
  }
  return lines;
}
