// `scconf recover` for a file device: what a crashed or cut-off run left in
// the state directory (lock, unconfirmed commit, staging), and the cleanup
// that is safe to do about it. Written over the Host seam, like the driver.
//
// Safety rules, in this order:
//  1. A lock whose holder may still be running is never touched, and neither
//     is anything else in the state directory (its staging and journal belong
//     to that run). "May be running": alive on this host, on another host, or
//     unknown (no owner.json) — unless --force.
//  2. Before cleaning up, recover takes the lock itself (mkdir, atomic), so
//     that no new run starts on a half-cleaned device.
//  3. An unconfirmed or interrupted commit is reverted through the one revert
//     path (revert.sh now), but only when every saved previous copy reads back
//     with the hash the journal recorded: a revert from a copy cut off in the
//     middle would destroy the file it should restore.
//  4. The outcome is decided by reading the files back, never by exit codes alone.
import { createHash, randomBytes } from "node:crypto";
import os from "node:os";
import type { LockOwner } from "../driver.js";
import { shQuote, type Host } from "./host.js";
import { REVERT_EXIT } from "./revert-script.js";
import { killTimerScript, revertNowScript, type Quote } from "./scripts.js";
import { describeLeftovers, holderText, inspectLeftovers, statePaths, type Journal, type Leftovers, type LockRecord } from "./state.js";

export interface RecoverOptions {
  /** remove a lock whose holder is not provably dead; retry a failed revert */
  force: boolean;
  /** only report what would be done */
  dryRun: boolean;
  /** recorded in the lock recover takes while it cleans up */
  owner: LockOwner;
  /** is this process alive on this host? (injectable for tests) */
  isAlive?: (pid: number) => boolean;
  /** this host's name, to tell whether a lock holder's pid can be checked here */
  hostname?: string;
}

export interface RecoverReport {
  /** what was found, one line each (describeLeftovers) */
  found: string[];
  /** what was done (or, with dryRun, would be done) */
  actions: string[];
  /** 0: clean, in a known state; 3: refused to act (a live or unknown lock holder) or the reload after a revert failed; 4: unknown state */
  exitCode: 0 | 3 | 4;
  /** the device's artifacts as read back at the end */
  state: "clean" | "old" | "new" | "unknown" | "untouched";
  /** what the operator should do next, when anything */
  hint?: string;
}

const sha256 = (bytes: Buffer) => createHash("sha256").update(bytes).digest("hex");

function processAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    // EPERM: it exists but belongs to someone else
    return (err as NodeJS.ErrnoException).code === "EPERM";
  }
}

type HolderState = "dead" | "alive" | "unknown";

function holderState(holder: LockRecord | null, options: RecoverOptions): { state: HolderState; why: string } {
  if (!holder) return { state: "unknown", why: "the lock has no readable owner (a run may have been cut off while taking it)" };
  const here = options.hostname ?? os.hostname();
  if (holder.host !== here) return { state: "unknown", why: `the holder ran on ${holder.host}, not on this host (${here}): its process cannot be checked from here` };
  const alive = (options.isAlive ?? processAlive)(holder.pid);
  return alive ? { state: "alive", why: `process ${holder.pid} on ${here} is still running` } : { state: "dead", why: `process ${holder.pid} on ${here} no longer exists` };
}

/** Inspects the device's state directory and cleans up what is safe to clean. The host must be connected. */
export async function recoverFileDevice(host: Host, stateDir: string, options: RecoverOptions): Promise<RecoverReport> {
  const p = statePaths(stateDir);
  const q: Quote = (devicePath) => shQuote(host.resolve(devicePath));
  const found = await inspectLeftovers(host, p.dir);
  const report: RecoverReport = { found: describeLeftovers(found), actions: [], exitCode: 0, state: "clean" };
  if (!found.lock && !found.journal && !found.staging) {
    report.actions.push("nothing to do: no lock, no unfinished commit, no staging");
    return report;
  }

  // 1. whose lock is it?
  if (found.lock) {
    const h = holderState(found.lock.holder, options);
    report.found.push(`lock holder: ${h.why}`);
    if (h.state !== "dead" && !options.force) {
      report.exitCode = 3;
      report.state = "untouched";
      report.actions.push("left everything in place: the lock's holder may still be working on the device");
      report.hint =
        h.state === "alive"
          ? `wait for ${holderText(found.lock.holder)} to finish, or stop it; then run 'scconf recover' again`
          : "make sure no scconf run is working on this device, then run 'scconf recover DEVICE --force'";
      return report;
    }
  }

  if (options.dryRun) {
    report.state = "untouched";
    report.actions.push(...plannedActions(found));
    return report;
  }

  // 2. take the device: replace a dead holder's lock by ours
  const token = randomBytes(12).toString("hex");
  if (found.lock) {
    await mustRun(host, `rm -rf ${q(p.lock)}`, "remove the stale lock");
    report.actions.push(`removed the lock of ${holderText(found.lock.holder)}`);
  }
  const taken = await host.exec(`mkdir -p ${q(p.dir)} && mkdir ${q(p.lock)} 2>/dev/null && echo acquired; exit 0`);
  if (taken.stdout.trim() !== "acquired") {
    report.exitCode = 3;
    report.state = "untouched";
    report.actions.push("another run took the lock in the meantime; left everything in place");
    return report;
  }
  const record: LockRecord = { ...options.owner, time: new Date().toISOString(), token };
  await host.writeFile(p.lockOwner, `${JSON.stringify(record, null, 2)}\n`);

  try {
    // 3. the unfinished commit
    if (found.journal) {
      const journal = found.journal.journal;
      if (!journal) {
        report.exitCode = 4;
        report.state = "unknown";
        report.actions.push(`the commit journal ${p.journal} is unreadable: left it in place`);
        report.hint = `compare the device's files with the last generation by hand ('scconf plan'), then remove ${p.journal}`;
        return report;
      }
      const settled = await settleCommit(host, p, q, journal, found, options, report);
      if (!settled) return report;
    } else if (found.staging) {
      await mustRun(host, `rm -rf ${q(p.stage)}`, "remove the staging directory");
      report.actions.push(`removed the staging directory ${p.stage} (nothing was committed from it)`);
    }
    return report;
  } finally {
    // 4. our own lock goes in every case; the cleanup above either finished or said why not
    const owner = await host.readFile(p.lockOwner).catch(() => null);
    if (owner && owner.toString("utf8").includes(token)) {
      await host.exec(`rm -rf ${q(p.lock)}`).catch(() => undefined);
      report.actions.push("released the lock");
    }
  }
}

function plannedActions(found: Leftovers): string[] {
  const out: string[] = [];
  if (found.lock) out.push("would remove the stale lock");
  if (found.journal) {
    const o = found.journal.outcome;
    out.push(
      o === "confirmed"
        ? "would check that the new files are in place and clean up the journal"
        : o === "reverted"
          ? "would check that the previous files are back and clean up the journal"
          : o === "revert-failed"
            ? "would report the failed revert (retry with --force)"
            : "would revert the unconfirmed commit now (revert.sh now), read the files back and clean up",
    );
  } else if (found.staging) out.push("would remove the staging directory");
  return out;
}

type Paths = ReturnType<typeof statePaths>;

/** Brings an unfinished commit to a known end: reverted (old files) or confirmed (new files), proven by read-back. */
async function settleCommit(host: Host, p: Paths, q: Quote, journal: Journal, found: Leftovers, options: RecoverOptions, report: RecoverReport): Promise<boolean> {
  const outcome = found.journal?.outcome ?? "interrupted";
  const readState = async (): Promise<"old" | "new" | "mixed"> => {
    let old = true;
    let fresh = true;
    for (const e of journal.entries) {
      const bytes = await host.readFile(e.path);
      const hash = bytes === null ? null : sha256(bytes);
      if (e.existed ? hash !== e.previousSha256 : hash !== null) old = false;
      if (hash !== e.stagedSha256) fresh = false;
    }
    return old ? "old" : fresh ? "new" : "mixed";
  };
  const cleanUp = async () => {
    await mustRun(host, `${killTimerScript(q, p, journal.txid)}\nrm -rf ${q(p.prev)} ${q(p.journal)} ${q(p.stage)}`, "clean up the journal");
    report.actions.push(`removed the journal of ${journal.txid}, the saved previous files and the staging`);
  };

  if (outcome === "confirmed") {
    const now = await readState();
    if (now !== "new") return unknown(report, `the commit ${journal.txid} was confirmed, but the files read back as ${now}`);
    await cleanUp();
    report.state = "new";
    report.actions.push("the commit had been confirmed: the device runs the new files (read back)");
    report.hint = "the backups store may lack this generation: run 'scconf backup DEVICE' to record what the device runs";
    return true;
  }

  if (outcome === "revert-failed" && !options.force) {
    return unknown(report, `the revert of ${journal.txid} failed on the device (see ${p.dir}/revert-failed-${journal.txid})`, "fix the cause on the device, then retry with 'scconf recover DEVICE --force'");
  }
  if (outcome === "revert-failed") {
    // --force: forget the failed decision so that revert.sh may try again
    await mustRun(host, `rm -rf ${q(p.decided(journal.txid))} ${q(`${p.dir}/revert-failed-${journal.txid}`)}`, "reset the failed revert");
    report.actions.push("--force: retrying the failed revert");
  }

  const before = await readState();
  if (before === "old" && outcome !== "armed") {
    // nothing to restore (never swapped, or the timer already restored): stop the timer from acting, then clean up
    await host.exec(`mkdir ${q(p.decided(journal.txid))} 2>/dev/null; exit 0`);
    await cleanUp();
    report.state = "old";
    report.actions.push(outcome === "reverted" ? "the revert timer had restored the previous files (read back)" : "the commit never replaced a file: the previous files are in place (read back)");
    return true;
  }

  // a revert is needed (or the timer is still armed): only from verified copies
  const bad: string[] = [];
  const list = await host.readFile(p.restoreList);
  if (list === null || !list.toString("utf8").startsWith(`txid ${journal.txid}\n`)) bad.push(`${p.restoreList} is missing or belongs to another commit`);
  if ((await host.readFile(p.revertScript)) === null) bad.push(`${p.revertScript} is missing`);
  for (const e of journal.entries) {
    if (!e.existed) continue;
    const copy = await host.readFile(`${p.prev}/${e.id}`);
    if (copy === null || sha256(copy) !== e.previousSha256) bad.push(`the saved copy of ${e.path} is missing or incomplete`);
  }
  if (bad.length > 0) {
    if (before === "old") {
      // armed, files still old, but the copies are not usable: win the decision so that the timer never restores from them
      const won = await host.exec(`mkdir ${q(p.decided(journal.txid))} 2>/dev/null && echo won; exit 0`);
      if (won.stdout.trim() === "won") {
        await cleanUp();
        report.state = "old";
        report.actions.push("the previous files are in place (read back); stopped the revert timer, whose saved copies were incomplete");
        return true;
      }
    }
    return unknown(report, `cannot revert safely: ${bad.join("; ")}`);
  }

  const result = await host.exec(revertNowScript(q, p, journal.txid, [REVERT_EXIT.reverted, REVERT_EXIT.reloadFailed]));
  report.actions.push(`ran the revert (revert.sh now ${journal.txid}): exit ${result.code}`);
  const after = await readState();
  if (result.code === REVERT_EXIT.alreadyConfirmed) {
    if (after !== "new") return unknown(report, `the commit ${journal.txid} was confirmed meanwhile, but the files read back as ${after}`);
    await cleanUp();
    report.state = "new";
    report.actions.push("the commit had been confirmed: the device runs the new files (read back)");
    return true;
  }
  if (after !== "old") return unknown(report, `after the revert the files read back as ${after}: ${`${result.stdout}${result.stderr}`.trim()}`);
  await cleanUp();
  report.state = "old";
  report.actions.push("the previous files are back (read back)");
  if (result.code === REVERT_EXIT.reloadFailed) {
    report.exitCode = 3;
    report.hint = "the previous files are back, but reloading them failed: check the service on the device";
  }
  return true;
}

function unknown(report: RecoverReport, why: string, hint?: string): false {
  report.exitCode = 4;
  report.state = "unknown";
  report.actions.push(why);
  report.hint = hint ?? "check the device's files by hand against the last generation ('scconf generations DEVICE'); the journal was left in place";
  return false;
}

async function mustRun(host: Host, command: string, what: string): Promise<void> {
  const r = await host.exec(command);
  if (r.code !== 0) throw new Error(`${host.device}: cannot ${what} (exit ${r.code}): ${r.stderr.trim()}`);
}
