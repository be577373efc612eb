// squid -k parse on the rendered include, inside a minimal squid.conf of our
// own. squid exits 0 when an ACL file cannot be read or a regex does not
// compile (it logs ERROR and treats the ACL as empty: the block silently
// stops working), so besides the exit code any line with ERROR, FATAL,
// WARNING or "Bungled" fails the check: the harness itself produces none.
import { mkdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import type { DeviceConfig } from "../../model/types.js";
import { SQUID_CATEGORY_DIR } from "../platforms/squid.js";
import { findProgram, runTool } from "./run.js";
import type { CheckOutcome, LocalChecker } from "./types.js";

const BAD_LINE = /\b(ERROR|FATAL|WARNING|Warning|Bungled)\b/;

/**
 * Category files live on the proxy, not in the inventory: the harness gives
 * each referenced one a stand-in with one entry (an empty file is itself an
 * "empty ACL" warning) and points the copy of the artifact at it.
 */
export function withStandInCategories(content: string, dir: string): string {
  const categoryDir = join(dir, "categories");
  mkdirSync(categoryDir, { recursive: true });
  const re = new RegExp(`"${SQUID_CATEGORY_DIR.replace(/[.*+?^${}()|[\]\\/]/g, "\\$&")}/([A-Za-z0-9_.-]+)\\.txt"`, "g");
  return content.replace(re, (_m, name: string) => {
    writeFileSync(join(categoryDir, `${name}.txt`), `.${name.toLowerCase().replace(/[^a-z0-9-]/g, "-")}.category.invalid\n`);
    return `"${join(categoryDir, `${name}.txt`)}"`;
  });
}

export const squidChecker: LocalChecker = {
  programs: ["squid"],
  async check(config: DeviceConfig, workdir: string): Promise<CheckOutcome[]> {
    const program = findProgram("squid");
    const outcomes: CheckOutcome[] = [];
    for (const artifact of config.artifacts) {
      const dir = join(workdir, `squid-${artifact.id}`);
      mkdirSync(dir, { recursive: true });
      const include = join(dir, `${artifact.id}.conf`);
      writeFileSync(include, withStandInCategories(artifact.content, dir));
      const main = join(dir, "squid.conf");
      writeFileSync(
        main,
        [
          "cache_effective_user proxy",
          `pid_filename ${join(dir, "squid.pid")}`,
          `cache_log stdio:${join(dir, "cache.log")}`,
          "http_port 127.0.0.1:3128",
          `include ${include}`,
          "http_access deny all",
          "",
        ].join("\n"),
      );
      const tool = `squid -k parse -f ${main}`;
      if (!program) {
        outcomes.push({ device: config.device, artifact: artifact.id, checked: false, ok: false, tool, output: "squid is not installed" });
        continue;
      }
      const r = await runTool(program, ["-k", "parse", "-f", main], { timeoutMs: 20_000 });
      const output = `${r.stdout}${r.stderr}`;
      const bad = output.split("\n").filter((l) => BAD_LINE.test(l.replace(/^.*?\| Processing: .*$/, "")));
      outcomes.push({
        device: config.device,
        artifact: artifact.id,
        checked: true,
        ok: r.code === 0 && !r.timedOut && bad.length === 0,
        tool,
        output: bad.length > 0 ? `${bad.join("\n")}\n---\n${output}` : output,
      });
    }
    return outcomes;
  },
};
