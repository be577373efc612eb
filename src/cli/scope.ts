// scconf scope --base REF [--org ID]: which organizations a change touches; fails when a change
// submitted for one organization touches another's file or the global files.
import type { Command } from "commander";
import { todayIn } from "../inventory/validate.js";
import type { IntentChange } from "../plan/intent.js";
import { changedFiles, inventoryRepo } from "../workflow/git.js";
import { commitOf, loadHead } from "../workflow/review.js";
import { inventoryAt } from "../workflow/revision.js";
import { judgeScope } from "../workflow/scope.js";
import { diffIntent, intentOf } from "../plan/intent.js";
import type { GlobalOptions } from "./context.js";
import { EXIT, UserError } from "./exit-codes.js";
import { paint, useColor } from "./output.js";

interface ScopeFlags {
  base: string;
  head?: string;
  org?: string;
  json?: boolean;
}

export function registerScope(program: Command, globals: () => GlobalOptions): void {
  program
    .command("scope")
    .description("which organizations a change touches; with --org, fail when it touches another organization's file or the global files")
    .requiredOption("--base <ref>", "the revision the change is made against (e.g. origin/main)")
    .option("--head <ref>", "the changed revision (default: the working tree)")
    .option("--org <id>", "the organization the change was submitted for")
    .option("--json", "print the result as JSON")
    .action((flags: ScopeFlags) => {
      const g = globals();
      const repo = inventoryRepo(g.inventory);
      const base = commitOf(repo, flags.base);
      const head = flags.head === undefined ? undefined : commitOf(repo, flags.head);
      const files = changedFiles(repo, base, head);
      // the intent list needs both revisions to validate; the file check does not
      let changes: IntentChange[] = [];
      let note: string | undefined;
      try {
        const before = inventoryAt(repo, base, g.today ?? todayIn("Asia/Tokyo"));
        const after = loadHead(repo, g.inventory, head, g.today ?? todayIn(before.cloud.timezone));
        changes = diffIntent(intentOf(before), intentOf(after));
      } catch (err) {
        note = `no intent list: ${(err as Error).message.split("\n")[0]}`;
      }
      const report = judgeScope(files, repo.path, changes, flags.org);
      if (flags.json) {
        process.stdout.write(JSON.stringify({ ...report, ...(note ? { note } : {}) }, null, 2) + "\n");
      } else {
        const color = useColor(process.stdout);
        process.stdout.write(`Organizations touched: ${report.orgs.join(", ") || "none"}\n`);
        for (const f of report.files) {
          const who = f.owner.type === "org" ? f.owner.org : f.owner.type;
          process.stdout.write(`  ${f.path.padEnd(40)} ${who}\n`);
        }
        for (const o of report.orgs) {
          const n = changes.filter((c) => c.org === o).length;
          if (n) process.stdout.write(`  ${o}: ${n} setting change(s)\n`);
        }
        if (note) process.stdout.write(`${note}\n`);
        for (const v of report.violations) process.stdout.write(paint(`✗ ${v}`, "red", color) + "\n");
        if (flags.org && !report.violations.length) process.stdout.write(paint(`✓ the change stays inside ${flags.org}'s own file`, "green", color) + "\n");
      }
      if (report.violations.length) throw new UserError(`the change submitted for ${flags.org} reaches beyond its own file (${report.violations.length} finding(s))`, EXIT.inputError);
    });
}
