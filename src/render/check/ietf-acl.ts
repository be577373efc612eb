// Checks the /acls content against the project's YANG module with libyang's
// yanglint (-t config: a configuration datastore, so state data or a missing
// mandatory leaf fail). Exit code decides, with one exception found by trying:
// yanglint exits 0 when it cannot even read the input (unknown format,
// missing file) and only prints "YANGLINT[E]:", so any such line also fails.
import { mkdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { packagePath } from "../../package-root.js";
import { notInstalled, toolOutcome } from "./nginx.js";
import { runTool } from "./run.js";
import type { CheckOutcome, LocalChecker } from "./types.js";

/** yang/ at the package root; the same from src/ and dist/ */
export const SCCONF_ACL_MODULE = packagePath("yang", "scconf-acl.yang");

export const ietfAclChecker: LocalChecker = {
  programs: ["yanglint"],
  async check(config, workdir) {
    const missing = notInstalled(config, this.programs);
    if (missing) return missing;
    const dir = join(workdir, "ietf-acl");
    mkdirSync(dir, { recursive: true });
    const outcomes: CheckOutcome[] = [];
    for (const a of config.artifacts) {
      // yanglint guesses the data format from the extension
      const file = join(dir, `${a.id}.xml`);
      writeFileSync(file, a.content);
      const args = ["-t", "config", SCCONF_ACL_MODULE, file];
      const r = await runTool("yanglint", args, { timeoutMs: 30_000 });
      const ok = r.code === 0 && !/YANGLINT\[E\]|libyang err/.test(r.stdout + r.stderr);
      outcomes.push(toolOutcome(config, a.id, `yanglint ${args.join(" ")}`, r, ok));
    }
    return outcomes;
  },
};
