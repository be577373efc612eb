// Checks postfix artifacts with the real postfix in a throwaway config
// directory: `postconf -n` (unknown parameters), `postfix check` (the config as a
// whole) and `postmap` on each table. Every command gets `-c DIR` and DIR holds
// all that postfix reads (main.cf, master.cf, dynamicmaps.cf, postfix-files,
// the queue): nothing of the host's /etc/postfix is read, so a machine with no
// main.cf (Debian's "No configuration") checks the same as any other.
// postconf and postmap exit 0 on the problems we care about and only warn on
// stderr, so a warning fails the check.
import { mkdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import type { Artifact, DeviceConfig } from "../../model/types.js";
import { runTool, type ToolResult } from "./run.js";
import type { CheckOutcome, LocalChecker } from "./types.js";

const TABLES = ["relay-domains", "transport"] as const;

/** The services `postfix check` looks at; the device's own master.cf is not ours. */
const MASTER_CF = [
  "smtp      inet  n       -       y       -       -       smtpd",
  "pickup    unix  n       -       y       60      1       pickup",
  "cleanup   unix  n       -       y       -       0       cleanup",
  "qmgr      unix  n       -       n       300     1       qmgr",
  "rewrite   unix  -       -       y       -       -       trivial-rewrite",
  "bounce    unix  -       -       y       -       0       bounce",
  "defer     unix  -       -       y       -       0       bounce",
  "trace     unix  -       -       y       -       0       bounce",
  "verify    unix  -       -       y       -       1       verify",
  "flush     unix  n       -       y       1000?   0       flush",
  "proxymap  unix  -       -       n       -       -       proxymap",
  "smtp      unix  -       -       y       -       -       smtp",
  "relay     unix  -       -       y       -       -       smtp",
  "showq     unix  n       -       y       -       -       showq",
  "error     unix  -       -       y       -       -       error",
  "retry     unix  -       -       y       -       -       error",
  "discard   unix  -       -       y       -       -       discard",
  "local     unix  -       n       n       -       -       local",
  "lmtp      unix  -       -       y       -       -       lmtp",
  "anvil     unix  -       -       y       -       1       anvil",
  "scache    unix  -       -       y       -       1       scache",
  "postlog   unix-dgram n  -       n       -       1       postlogd",
  "",
].join("\n");

/** The table types the artifacts use, with Debian's shared objects (shlib_directory). */
const DYNAMICMAPS_CF = "lmdb\tpostfix-lmdb.so\tdict_lmdb_open\tmkmap_lmdb_open\n";

/** post-install checks only what this lists: the harness's own queue. */
const POSTFIX_FILES = "# scconf check harness\n$queue_directory:d:root:-:755:u\n";
const QUEUE_DIRS = ["active", "bounce", "corrupt", "defer", "deferred", "flush", "hold", "incoming", "maildrop", "pid", "private", "public", "saved", "trace"];

function outcome(config: DeviceConfig, artifact: string | undefined, tool: string, r: ToolResult, ok: boolean): CheckOutcome {
  return { device: config.device, ...(artifact ? { artifact } : {}), checked: true, ok, tool, output: (r.stdout + r.stderr).trim() };
}

/** The device's main.cf parameters with the table paths moved into the harness. */
function harnessMainCf(dir: string, artifacts: readonly Artifact[]): string {
  let owned = artifacts.find((a) => a.id === "main-cf")?.content ?? "";
  for (const a of artifacts) owned = owned.split(a.path).join(join(dir, a.id));
  return [
    `queue_directory = ${dir}/queue`,
    `data_directory = ${dir}/data`,
    `meta_directory = ${dir}`,
    // postfix check logs to syslog, which does not exist here; a file makes it talk.
    `maillog_file_prefixes = ${dir}`,
    `maillog_file = ${dir}/maillog`,
    "compatibility_level = 3.6",
    owned,
  ].join("\n");
}

/** Builds the config directory: everything postfix reads with `-c DIR`. */
export function postfixHarness(dir: string, artifacts: readonly Artifact[]): void {
  for (const q of QUEUE_DIRS) mkdirSync(join(dir, "queue", q), { recursive: true });
  mkdirSync(join(dir, "data"), { recursive: true });
  writeFileSync(join(dir, "master.cf"), MASTER_CF);
  writeFileSync(join(dir, "dynamicmaps.cf"), DYNAMICMAPS_CF);
  writeFileSync(join(dir, "postfix-files"), POSTFIX_FILES);
  for (const a of artifacts) writeFileSync(join(dir, a.id), a.content);
  writeFileSync(join(dir, "main.cf"), harnessMainCf(dir, artifacts));
}

export const postfixChecker: LocalChecker = {
  programs: ["postfix", "postconf", "postmap"],
  async check(config, workdir) {
    const dir = join(workdir, "postfix");
    postfixHarness(dir, config.artifacts);
    const outcomes: CheckOutcome[] = [];

    for (const id of TABLES) {
      if (!config.artifacts.some((a) => a.id === id)) continue;
      const r = await runTool("postmap", ["-c", dir, `lmdb:${join(dir, id)}`]);
      outcomes.push(outcome(config, id, `postmap -c ${dir} lmdb:${join(dir, id)}`, r, r.code === 0 && r.stderr.trim() === ""));
    }
    const pc = await runTool("postconf", ["-c", dir, "-n"]);
    outcomes.push(outcome(config, "main-cf", `postconf -c ${dir} -n`, pc, pc.code === 0 && !/warning:/.test(pc.stderr)));
    const ck = await runTool("postfix", ["-c", dir, "check"]);
    // Ownership warnings are about the harness queue, not the artifacts: the exit code decides.
    outcomes.push(outcome(config, undefined, `postfix -c ${dir} check`, ck, ck.code === 0));
    return outcomes;
  },
};
