// Checks the bind artifacts with the real BIND tools: named-checkzone on each
// zone file with the strict settings (names, MX/SRV/NS targets, CNAME
// targets: fail, not warn; -i local keeps it offline), then named-checkconf
// -z on a harness named.conf that includes the fragment with its zone paths
// moved into the scratch directory, which also loads every zone once more.
import { mkdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { notInstalled, toolOutcome } from "./nginx.js";
import { runTool } from "./run.js";
import type { CheckOutcome, LocalChecker } from "./types.js";

export const NAMED_CHECKZONE_STRICT = ["-k", "fail", "-n", "fail", "-m", "fail", "-M", "fail", "-S", "fail", "-i", "local"] as const;

export const bindChecker: LocalChecker = {
  programs: ["named-checkzone", "named-checkconf"],
  async check(config, workdir) {
    const missing = notInstalled(config, this.programs);
    if (missing) return missing;
    const dir = join(workdir, "bind");
    mkdirSync(dir, { recursive: true });
    const outcomes: CheckOutcome[] = [];
    const zones = config.artifacts.filter((a) => a.id.startsWith("zone-"));
    for (const a of zones) writeFileSync(join(dir, a.id), a.content);
    // two at a time: the machine has two cores and other checkers run too
    for (let i = 0; i < zones.length; i += 2) {
      const batch = zones.slice(i, i + 2).map(async (a) => {
        const args = [...NAMED_CHECKZONE_STRICT, a.id.slice("zone-".length), join(dir, a.id)];
        const r = await runTool("named-checkzone", args, { timeoutMs: 30_000 });
        return toolOutcome(config, a.id, `named-checkzone ${args.join(" ")}`, r, r.code === 0);
      });
      outcomes.push(...(await Promise.all(batch)));
    }
    const fragment = config.artifacts.find((a) => a.id === "named-conf");
    if (fragment) {
      let content = fragment.content;
      // exact quoted paths only, so nothing else in the fragment changes
      for (const a of zones) content = content.split(`"${a.path}"`).join(`"${join(dir, a.id)}"`);
      writeFileSync(join(dir, fragment.id), content);
      const harness = join(dir, "named.conf");
      writeFileSync(harness, `options {\n    directory "${dir}";\n    pid-file none;\n};\ninclude "${join(dir, fragment.id)}";\n`);
      const args = ["-z", harness];
      const r = await runTool("named-checkconf", args, { timeoutMs: 30_000 });
      outcomes.push(toolOutcome(config, fragment.id, `named-checkconf ${args.join(" ")}`, r, r.code === 0));
    }
    return outcomes;
  },
};
