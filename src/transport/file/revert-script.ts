// The one restore path of a file device. It is uploaded to <state>/revert.sh
// and run both by the revert timer (detached, so that it outlives the SSH
// session and a killed scconf) and by discard(): a restore that is only ever
// exercised by the timer would be the untested one.
//
// Deciding between "confirmed" and "reverted" is a race between confirm() and
// the timer; `mkdir decided-<txid>` is atomic, so exactly one of them wins and
// the other learns the outcome from the confirmed-/reverted- markers.
//
// Files it reads, written by file-device.ts before anything is touched:
//   prev/.restore.list  first line "txid <txid>", then "present <id> <path>" or "absent <id> <path>"
//                      (paths as the host spells them); present files have a copy at prev/<id>
//   prev/.reload.sh     the device's reload command, or empty
//
// Exit codes are part of the contract with file-device.ts.
export const REVERT_EXIT = {
  reverted: 0,
  restoreFailed: 1,
  reloadFailed: 2,
  alreadyConfirmed: 10,
  nothingPending: 11,
  outcomeUnknown: 12,
} as const;

export const REVERT_SCRIPT = `#!/bin/sh
# scconf revert script: restores the files of one unconfirmed commit.
# usage: revert.sh timer STATE TXID SECONDS   (sleeps, then reverts unless confirmed)
#        revert.sh now STATE TXID
set -u
mode=$1 state=$2 txid=$3
list="$state/prev/.restore.list"

if [ "$mode" = timer ]; then
  echo $$ > "$state/timer-$txid.pid"
  sleep "$4"
fi

# a timer that outlived its transaction (confirmed and cleaned up, or a newer
# commit since) must not touch anything
if [ ! -f "$list" ] || [ "$(sed -n '1s/^txid //p' "$list")" != "$txid" ]; then
  echo "scconf revert: no pending transaction $txid"
  exit ${REVERT_EXIT.nothingPending}
fi

if ! mkdir "$state/decided-$txid" 2>/dev/null; then
  # the other side decided first: report its outcome once it is written
  i=0
  while [ "$i" -lt 600 ]; do
    if [ -e "$state/confirmed-$txid" ]; then echo "scconf revert: $txid was confirmed"; exit ${REVERT_EXIT.alreadyConfirmed}; fi
    if [ -e "$state/reverted-$txid" ]; then echo "scconf revert: $txid was already reverted"; exit ${REVERT_EXIT.reverted}; fi
    if [ -e "$state/revert-failed-$txid" ]; then cat "$state/revert-failed-$txid"; exit ${REVERT_EXIT.restoreFailed}; fi
    sleep 1
    i=$((i + 1))
  done
  echo "scconf revert: $txid was decided by another process but no outcome was recorded"
  exit ${REVERT_EXIT.outcomeUnknown}
fi

failed=""
while read -r kind id path; do
  case $kind in
    present)
      # the file in place lends its owner and mode (the commit kept the old ones);
      # mv within one directory is an atomic rename
      if [ -e "$path" ]; then
        { cp -p "$path" "$path.scconf-new" && cat "$state/prev/$id" > "$path.scconf-new"; } || { failed="$failed $path"; continue; }
      else
        cp "$state/prev/$id" "$path.scconf-new" || { failed="$failed $path"; continue; }
      fi
      mv -f "$path.scconf-new" "$path" || failed="$failed $path"
      ;;
    absent)
      if ! rm -f "$path" "$path.scconf-new"; then failed="$failed $path"; fi
      ;;
  esac
done < "$list"

if [ -n "$failed" ]; then
  echo "scconf revert: could not restore:$failed" > "$state/revert-failed-$txid"
  cat "$state/revert-failed-$txid"
  [ "$mode" = timer ] && rm -f "$state/timer-$txid.pid"
  exit ${REVERT_EXIT.restoreFailed}
fi

rc=${REVERT_EXIT.reverted}
if [ -s "$state/prev/.reload.sh" ]; then
  if ! sh "$state/prev/.reload.sh"; then
    echo "scconf revert: files restored, but the reload command failed"
    rc=${REVERT_EXIT.reloadFailed}
  fi
fi
echo "$mode $(date -u +%Y-%m-%dT%H:%M:%SZ) exit $rc" > "$state/reverted-$txid"
# a sleeping timer is stopped by the caller of "now" through this pid file
[ "$mode" = timer ] && rm -f "$state/timer-$txid.pid"
echo "scconf revert: $txid reverted"
exit $rc
`;
