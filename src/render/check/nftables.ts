// Checks the nftables ruleset with the real nft in check mode (-c: the kernel
// validates the whole transaction, then it is aborted). It runs in a fresh
// network namespace, so that the check is independent of the host's own
// tables (the ruleset begins with "delete table inet scconf"). As root:
// `unshare -n`. Otherwise `unshare -rn`, found to fail large rulesets (the
// 33-organization sample) with "Message too long": inside a user namespace
// nft cannot force its netlink buffer size. Exit code decides.
import { mkdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { notInstalled, toolOutcome } from "./nginx.js";
import { runTool } from "./run.js";
import type { CheckOutcome, LocalChecker } from "./types.js";

export const nftablesChecker: LocalChecker = {
  programs: ["nft", "unshare"],
  async check(config, workdir) {
    const missing = notInstalled(config, this.programs);
    if (missing) return missing;
    const dir = join(workdir, "nftables");
    mkdirSync(dir, { recursive: true });
    const outcomes: CheckOutcome[] = [];
    for (const a of config.artifacts) {
      const file = join(dir, `${a.id}.nft`);
      writeFileSync(file, a.content);
      const args = [process.geteuid?.() === 0 ? "-n" : "-rn", "nft", "-c", "-f", file];
      const r = await runTool("unshare", args, { timeoutMs: 30_000 });
      outcomes.push(toolOutcome(config, a.id, `unshare ${args.join(" ")}`, r, r.code === 0));
    }
    return outcomes;
  },
};
