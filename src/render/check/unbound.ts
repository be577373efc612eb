// Checks the unbound artifact with the real unbound-checkconf on a minimal
// unbound.conf (no chroot, no user switch, everything in the scratch
// directory) that includes the artifact the way Debian's unbound.conf does.
import { mkdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { notInstalled, toolOutcome } from "./nginx.js";
import { runTool } from "./run.js";
import type { LocalChecker } from "./types.js";

/** The harness configuration; exported so a test can start a real unbound on it. */
export function unboundHarness(dir: string, includes: readonly string[], extra: readonly string[] = []): string {
  return [
    "server:",
    '    chroot: ""',
    '    username: ""',
    `    directory: "${dir}"`,
    `    pidfile: "${dir}/unbound.pid"`,
    "    use-syslog: no",
    ...extra.map((l) => `    ${l}`),
    ...includes.map((f) => `include-toplevel: "${f}"`),
    "",
  ].join("\n");
}

export const unboundChecker: LocalChecker = {
  programs: ["unbound-checkconf"],
  async check(config, workdir) {
    const missing = notInstalled(config, this.programs);
    if (missing) return missing;
    const dir = join(workdir, "unbound");
    mkdirSync(dir, { recursive: true });
    const files = config.artifacts.map((a) => {
      const file = join(dir, a.id);
      writeFileSync(file, a.content);
      return file;
    });
    const harness = join(dir, "unbound.conf");
    writeFileSync(harness, unboundHarness(dir, files));
    const r = await runTool("unbound-checkconf", [harness], { timeoutMs: 30_000 });
    return [toolOutcome(config, undefined, `unbound-checkconf ${harness}`, r, r.code === 0)];
  },
};
