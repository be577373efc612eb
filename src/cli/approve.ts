// scconf approve PLAN --key KEY: records an approval of that exact plan (its
// id) as a commit of approvals/<plan-id>.json signed with the approver's SSH
// key. The approver is the key's owner in cloud.yaml's approvers list.
import type { Command } from "commander";
import { readPlan } from "../plan/file.js";
import { changeAuthors, recordApproval, samePerson } from "../workflow/approvals.js";
import { inventoryRepo, resolveCommit, shortCommit } from "../workflow/git.js";
import { inventoryAt, lastAppliedCommit } from "../workflow/revision.js";
import type { ReviewedPlan } from "../workflow/review.js";
import { approverByKey, signingKey, SigningError, verifySignatures } from "../workflow/signing.js";
import { loadValidInventory, type GlobalOptions } from "./context.js";
import { EXIT, UserError } from "./exit-codes.js";
import { openStore, storePath } from "./runtime.js";

interface ApproveFlags {
  key?: string;
  by?: string;
  comment?: string;
}

export function registerApprove(program: Command, globals: () => GlobalOptions): void {
  program
    .command("approve")
    .description("approve a saved plan (by its id): a commit of approvals/<plan-id>.json signed with your SSH key, which cloud.yaml's approvers list must name")
    .argument("<plan>", "a plan file from 'scconf plan --out'")
    .option("--key <file>", "your SSH signing key (private key file, or its .pub with the key in the agent); default $SCCONF_SIGNING_KEY, else git config user.signingkey")
    .option("--by <name>", "optional check: refuse unless the key's owner in the approvers list has this name")
    .option("--comment <text>", "why, or under which conditions")
    .action(async (planFile: string, flags: ApproveFlags) => {
      const plan = readPlan(planFile) as ReviewedPlan;
      const { inventory } = loadValidInventory(globals(), { quietWarnings: true });
      const repo = inventoryRepo(inventory.root);
      let base = plan.review?.base?.commit ? resolveCommit(repo.top, plan.review.base.commit) : undefined;
      if (!base) {
        const last = lastAppliedCommit(repo, storePath(inventory));
        if ("commit" in last) base = last.commit;
      }
      // the approvers list in force is the one at the base; without a base, the committed one
      const listedAt = base ?? resolveCommit(repo.top, "HEAD");
      const approvers = listedAt ? inventoryAt(repo, listedAt, plan.today).cloud.approvers : [];
      let key;
      try {
        key = signingKey(repo.top, flags.key);
      } catch (err) {
        if (err instanceof SigningError) throw new UserError(err.message, EXIT.inputError);
        throw err;
      }
      const approver = approverByKey(approvers, key.fingerprint);
      if (!approver) {
        throw new UserError(
          `the key ${key.fingerprint} is not in cloud.yaml's approvers list${listedAt ? ` (as of ${shortCommit(listedAt)})` : ""}; an approver's public key is added there through a reviewed change first`,
          EXIT.inputError,
        );
      }
      if (flags.by !== undefined && !samePerson(flags.by, approver.name)) {
        throw new UserError(`--by ${flags.by} does not match the key's owner ${approver.name} in the approvers list; the approver is the key's owner`, EXIT.inputError);
      }
      const written = changeAuthors(repo, base);
      const authors = [...new Set([...written.names, plan.operator])].sort();
      const asAuthor = authors.find((a) => samePerson(a, approver.name));
      if (written.keys.includes(key.fingerprint) || asAuthor !== undefined) {
        throw new UserError(`${approver.name} is an author of this change (authors: ${authors.join(", ")}); an approval must come from someone else`, EXIT.inputError);
      }
      let commit: string;
      try {
        commit = recordApproval(repo, { plan: plan.id, approver, key, at: new Date().toISOString(), ...(flags.comment ? { comment: flags.comment } : {}), authors });
      } catch (err) {
        if (err instanceof SigningError) throw new UserError(err.message, EXIT.inputError);
        throw err;
      }
      const sig = verifySignatures(repo.top, [commit], approvers).get(commit);
      if (sig?.status !== "good") throw new UserError(`the approval commit ${shortCommit(commit)} does not verify against the approvers list; it will not count`, EXIT.inputError);
      const needing = plan.intentChanges.filter((c) => c.class === "needsApproval").length;
      process.stdout.write(
        `approved plan ${plan.id} by ${approver.name} (${approver.role}; key ${key.fingerprint}) (${needing} change(s) that need approval); committed approvals/${plan.id}.json as ${shortCommit(commit)}, signed\n`,
      );
      // the backups audit log tells every approval too, beside the applies it allowed
      const store = await openStore(inventory);
      await store.record([], { change: `approval-${plan.id}`, planHash: plan.id, operator: approver.name, kind: "approval" }, {
        action: "approval",
        plan: plan.id,
        by: approver.name,
        key: key.fingerprint,
        ...(flags.comment ? { comment: flags.comment } : {}),
        authors,
        inventoryCommit: commit,
      });
    });
}
