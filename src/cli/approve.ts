// scconf approve PLAN --by NAME: records an approval of that exact plan (its id) in the inventory repository.
import type { Command } from "commander";
import { readPlan } from "../plan/file.js";
import { recordApproval, samePerson } from "../workflow/approvals.js";
import { authorsSince, inventoryRepo, resolveCommit } from "../workflow/git.js";
import { lastAppliedCommit } from "../workflow/revision.js";
import type { ReviewedPlan } from "../workflow/review.js";
import { loadValidInventory, type GlobalOptions } from "./context.js";
import { EXIT, UserError } from "./exit-codes.js";
import { openStore, storePath } from "./runtime.js";

interface ApproveFlags {
  by: string;
  comment?: string;
}

export function registerApprove(program: Command, globals: () => GlobalOptions): void {
  program
    .command("approve")
    .description("approve a saved plan (by its id): writes and commits approvals/<plan-id>.json in the inventory repository")
    .argument("<plan>", "a plan file from 'scconf plan --out'")
    .requiredOption("--by <name>", "who approves (must not be an author of the change)")
    .option("--comment <text>", "why, or under which conditions")
    .action(async (planFile: string, flags: ApproveFlags) => {
      const by = flags.by.trim();
      if (!by || /[\r\n<>]/.test(by)) throw new UserError("--by must be a name on one line, without '<' or '>'");
      const plan = readPlan(planFile) as ReviewedPlan;
      const { inventory } = loadValidInventory(globals(), { quietWarnings: true });
      const repo = inventoryRepo(inventory.root);
      let base = plan.review?.base?.commit ? resolveCommit(repo.top, plan.review.base.commit) : undefined;
      if (!base) {
        const last = lastAppliedCommit(repo, storePath(inventory));
        if ("commit" in last) base = last.commit;
      }
      const authors = [...new Set([...(base ? authorsSince(repo, base) : []), plan.operator])].sort();
      if (authors.some((a) => samePerson(a, by))) {
        throw new UserError(`${by} is an author of this change (authors: ${authors.join(", ")}); an approval must come from someone else`, EXIT.inputError);
      }
      const commit = recordApproval(repo, {
        plan: plan.id,
        by,
        at: new Date().toISOString(),
        ...(flags.comment ? { comment: flags.comment } : {}),
        authors,
      });
      const needing = plan.intentChanges.filter((c) => c.class === "needsApproval").length;
      process.stdout.write(`approved plan ${plan.id} by ${by} (${needing} change(s) that need approval); committed approvals/${plan.id}.json as ${commit.slice(0, 12)}\n`);
      // the backups audit log tells every approval too, beside the applies it allowed
      const store = await openStore(inventory);
      await store.record([], { change: `approval-${plan.id}`, planHash: plan.id, operator: by.replace(/[<>]/g, ""), kind: "approval" }, {
        action: "approval",
        plan: plan.id,
        by,
        ...(flags.comment ? { comment: flags.comment } : {}),
        authors,
        inventoryCommit: commit,
      });
    });
}
