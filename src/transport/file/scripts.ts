// The shell text of the transaction steps that run on the device. Pure: they
// only build strings; file-device.ts runs them. Every path arrives already
// resolved for the host and is quoted here, so no path or id becomes syntax.
import type { Journal, StatePaths } from "./state.js";

/** Quotes a device path as a word for the host's shell (resolving it under a local root). */
export type Quote = (devicePath: string) => string;

/** Exit code of the commit script when the timer did not start: nothing was touched. */
export const TIMER_NOT_STARTED = 70;

/**
 * Arms the detached revert timer, waits until it has recorded its pid, and
 * only then installs the staged files: from the first rename on, a crash of
 * scconf leaves a device that reverts by itself. One exec, because each one
 * costs a session on the device.
 */
export function commitScript(q: Quote, paths: StatePaths, journal: Journal): string {
  const pidFile = q(paths.timerPid(journal.txid));
  // setsid: its own session, so that neither the end of the ssh session nor a
  // signal to scconf's process group reaches it; stdio away from our pipes, or
  // the channel would stay open until the timer ends
  return `if command -v setsid >/dev/null 2>&1; then detach=setsid; else detach=nohup; fi
$detach sh ${q(paths.revertScript)} timer ${q(paths.dir)} ${journal.txid} ${journal.confirmTimeout} </dev/null >>${q(paths.timerLog)} 2>&1 &
i=0
while [ ! -s ${pidFile} ] && [ "$i" -lt 100 ]; do sleep 0.1 2>/dev/null || sleep 1; i=$((i + 1)); done
[ -s ${pidFile} ] || { echo "the revert timer did not start" >&2; exit ${TIMER_NOT_STARTED}; }
${swapScript(q, paths, journal)}`;
}

/** Installs the staged files: per file a copy next to the target and a rename over it (atomic per file). */
function swapScript(q: Quote, paths: StatePaths, journal: Journal): string {
  const lines = [`[ ! -e ${q(paths.decided(journal.txid))} ] || { echo "the revert timer fired before the files were installed" >&2; exit 9; }`];
  for (const entry of journal.entries) {
    const target = q(entry.path);
    const next = q(`${entry.path}.scconf-new`);
    const staged = q(`${paths.stage}/${entry.id}`);
    const dir = q(entry.path.replace(/\/[^/]*$/, "") || "/");
    // an existing file lends its owner and mode to the new one (cp -p, then overwrite the content);
    // explicit "|| exit" because set -e ignores failures inside && lists
    lines.push(
      `mkdir -p ${dir} || exit 1`,
      `if [ -e ${target} ]; then { cp -p ${target} ${next} && cat ${staged} > ${next}; } || exit 1; else cp ${staged} ${next} || exit 1; fi`,
      `mv -f ${next} ${target} || exit 1`,
    );
  }
  return lines.join("\n");
}

/** Clears what an earlier, finished transaction left, refusing while a journal is pending. */
export function prepareStageScript(q: Quote, paths: StatePaths): string {
  return `mkdir -p ${q(paths.dir)} && cd ${q(paths.dir)} || exit 1
[ ! -e pending.json ] || { echo "an unfinished commit is pending (pending.json)" >&2; exit ${PENDING_JOURNAL}; }
rm -rf stage prev decided-* confirmed-* reverted-* revert-failed-* timer-*.pid && mkdir stage prev`;
}
export const PENDING_JOURNAL = 3;

/** Runs the one restore path now and, when it restored, stops the sleeping timer. */
export function revertNowScript(q: Quote, paths: StatePaths, txid: string, restored: readonly number[]): string {
  return `sh ${q(paths.revertScript)} now ${q(paths.dir)} ${txid}
rc=$?
case " ${restored.join(" ")} " in *" $rc "*)
${killTimerScript(q, paths, txid)}
;; esac
exit $rc`;
}

/** Wins the decision for "confirmed" (exit 20 when the timer won it first), then tidies up. */
export function confirmScript(q: Quote, paths: StatePaths, txid: string): string {
  return `if mkdir ${q(paths.decided(txid))} 2>/dev/null; then : > ${q(paths.confirmed(txid))} || exit 1; else exit 20; fi
${killTimerScript(q, paths, txid)}
rm -rf ${q(paths.prev)} ${q(paths.journal)} ${q(paths.stage)}`;
}
export const CONFIRM_LOST = 20;

/** Stops the timer's process group; the decided- marker already keeps it from acting, this only tidies up. */
export function killTimerScript(q: Quote, paths: StatePaths, txid: string): string {
  const pidFile = q(paths.timerPid(txid));
  // on Linux, make sure a recycled pid is not someone else's process
  return `pid=$(cat ${pidFile} 2>/dev/null)
if [ -n "$pid" ]; then
  if [ ! -r "/proc/$pid/cmdline" ] || tr '\\0' ' ' < "/proc/$pid/cmdline" | grep -q revert.sh; then
    kill -TERM -- "-$pid" 2>/dev/null || kill -TERM "$pid" 2>/dev/null
  fi
fi
rm -f ${pidFile}`;
}
