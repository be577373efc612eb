// Checks postfix artifacts with the real postfix in a throwaway config
// directory: `postconf -n` (unknown parameters), `postfix check` (the config as a
// whole) and `postmap` on each table. postconf and postmap exit 0 on the
// problems we care about and only warn on stderr, so a warning fails the check.
import { copyFileSync, mkdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import type { Artifact, DeviceConfig } from "../../model/types.js";
import { runTool, type ToolResult } from "./run.js";
import type { CheckOutcome, LocalChecker } from "./types.js";

const TABLES = ["relay-domains", "transport"] as const;

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
    // postfix check logs to syslog, which does not exist here; a file makes it talk.
    `maillog_file_prefixes = ${dir}`,
    `maillog_file = ${dir}/maillog`,
    "compatibility_level = 3.6",
    owned,
  ].join("\n");
}

export const postfixChecker: LocalChecker = {
  programs: ["postfix", "postconf", "postmap"],
  async check(config, workdir) {
    const dir = join(workdir, "postfix");
    mkdirSync(join(dir, "queue"), { recursive: true });
    mkdirSync(join(dir, "data"), { recursive: true });
    copyFileSync("/etc/postfix/master.cf", join(dir, "master.cf"));
    for (const a of config.artifacts) writeFileSync(join(dir, a.id), a.content);
    writeFileSync(join(dir, "main.cf"), harnessMainCf(dir, config.artifacts));
    const outcomes: CheckOutcome[] = [];

    for (const id of TABLES) {
      if (!config.artifacts.some((a) => a.id === id)) continue;
      const r = await runTool("postmap", [`lmdb:${join(dir, id)}`]);
      outcomes.push(outcome(config, id, `postmap lmdb:${join(dir, id)}`, r, r.code === 0 && r.stderr.trim() === ""));
    }
    const pc = await runTool("postconf", ["-c", dir, "-n"]);
    outcomes.push(outcome(config, "main-cf", `postconf -c ${dir} -n`, pc, pc.code === 0 && !/warning:/.test(pc.stderr)));
    const ck = await runTool("postfix", ["-c", dir, "check"]);
    // Ownership warnings are about the harness queue, not the artifacts: the exit code decides.
    outcomes.push(outcome(config, undefined, `postfix -c ${dir} check`, ck, ck.code === 0));
    return outcomes;
  },
};
