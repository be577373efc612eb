// scconf approve PLAN --key KEY: records an approval of that exact plan (its
// id) as a commit of approvals/<plan-id>.json signed with the approver's SSH
// key. The approver is the key's owner in cloud.yaml's approvers list.
import type { Command } from "commander";
import { readPlan } from "../plan/file.js";
import { changeAuthors, recordApproval, samePerson } from "../workflow/approvals.js";
import { inventoryRepo, resolveCommit, shortCommit, type InventoryRepo } from "../workflow/git.js";
import { changedSomething, cleanRevision, readAudit } from "../workflow/history/audit.js";
import { localMinute } from "../workflow/history/time.js";
import { todayIn } from "../inventory/validate.js";
import type { Inventory } from "../model/types.js";
import { inventoryAt, lastAppliedCommit } from "../workflow/revision.js";
import type { ReviewedPlan } from "../workflow/review.js";
import { approverByKey, signingKey, SigningError, verifySignatures } from "../workflow/signing.js";
import { loadValidInventory, type GlobalOptions } from "./context.js";
import { EXIT, UserError } from "./exit-codes.js";
import { openStore, storePath } from "./runtime.js";

interface ApproveFlags {
  change?: string;
  key?: string;
  by?: string;
  comment?: string;
}

export function registerApprove(program: Command, globals: () => GlobalOptions): void {
  program
    .command("approve")
    .description("approve a saved plan (by its id): a commit of approvals/<plan-id>.json signed with your SSH key, which cloud.yaml's approvers list must name")
    .argument("[plan]", "a plan file from 'scconf plan --out'")
    .option("--change <id>", "instead of a plan file: approve after the fact an emergency run (apply --emergency or block) by its change id, as 'scconf history' shows it")
    .option("--key <file>", "your SSH signing key (private key file, or its .pub with the key in the agent); default $SCCONF_SIGNING_KEY, else git config user.signingkey")
    .option("--by <name>", "optional check: refuse unless the key's owner in the approvers list has this name")
    .option("--comment <text>", "why, or under which conditions")
    .action(async (planFile: string | undefined, flags: ApproveFlags) => {
      if ((planFile === undefined) === (flags.change === undefined)) throw new UserError("name a plan file, or --change ID for an emergency run (not both)", EXIT.inputError);
      const { inventory } = loadValidInventory(globals(), { quietWarnings: true });
      const repo = inventoryRepo(inventory.root);
      const subject = planFile !== undefined ? planSubject(repo, inventory, readPlan(planFile) as ReviewedPlan) : emergencySubject(repo, inventory, flags.change!);
      await approve(repo, inventory, subject, flags);
    });
}

/** What an approval is of: the plan id, the base whose approvers list is in force, the authors, and what the approval covers in one line. */
interface ApprovalSubject {
  planId: string;
  /** the approvers list is the one at this commit */
  listedAt: string | undefined;
  authors: string[];
  /** the authors' signing keys (an author approving with their own key under another name does not count) */
  authorKeys: string[];
  covers: string;
}

function planSubject(repo: InventoryRepo, inventory: Inventory, plan: ReviewedPlan): ApprovalSubject {
  let base = plan.review?.base?.commit ? resolveCommit(repo.top, plan.review.base.commit) : undefined;
  if (!base) {
    const last = lastAppliedCommit(repo, storePath(inventory));
    if ("commit" in last) base = last.commit;
  }
  const written = changeAuthors(repo, base);
  const needing = plan.intentChanges.filter((c) => c.class === "needsApproval").length;
  return {
    planId: plan.id,
    // the approvers list in force is the one at the base; without a base, the committed one
    listedAt: base ?? resolveCommit(repo.top, "HEAD"),
    authors: [...new Set([...written.names, plan.operator])].sort(),
    authorKeys: written.keys,
    covers: `${needing} change(s) that need approval`,
  };
}

/** An emergency run recorded in the audit log that awaits its approval after the fact: its plan id, its operator and the author of what it pushed. */
function emergencySubject(repo: InventoryRepo, inventory: Inventory, change: string): ApprovalSubject {
  const runs = readAudit(storePath(inventory)).entries.filter((e) => e.change === change && changedSomething(e));
  const run = runs.at(-1);
  if (!run) throw new UserError(`no run with change id ${change} changed a device (see 'scconf history')`, EXIT.inputError);
  if (!run.awaitingApproval) throw new UserError(`the run ${change} did not go out without its approval; approve its plan file instead`, EXIT.inputError);
  if (!run.plan || !/^[0-9a-f]{16}$/.test(run.plan.replace(/^plan-/, ""))) throw new UserError(`the run ${change} recorded no plan id; it cannot be approved`, EXIT.inputError);
  const rev = cleanRevision(run.inventoryRevision?.replace(/\+block$/, ""));
  const commit = rev ? resolveCommit(repo.top, rev) : undefined;
  const written = commit ? changeAuthors(repo, `${commit}~1`, commit) : { names: [], keys: [] };
  return {
    planId: run.plan.replace(/^plan-/, ""),
    listedAt: resolveCommit(repo.top, "HEAD"),
    authors: [...new Set([...written.names, run.operator])].sort(),
    authorKeys: written.keys,
    covers: `the emergency ${run.kind} ${change} of ${localMinute(run.time, inventory.cloud.timezone)}, after the fact${run.emergency ? ` (reason: ${run.emergency.reason})` : ""}`,
  };
}

async function approve(repo: InventoryRepo, inventory: Inventory, subject: ApprovalSubject, flags: ApproveFlags): Promise<void> {
  const { planId, listedAt, authors } = subject;
  const approvers = listedAt ? inventoryAt(repo, listedAt, todayIn(inventory.cloud.timezone)).cloud.approvers : [];
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
  const asAuthor = authors.find((a) => samePerson(a, approver.name));
  if (subject.authorKeys.includes(key.fingerprint) || asAuthor !== undefined) {
    throw new UserError(`${approver.name} is an author of this change (authors: ${authors.join(", ")}); an approval must come from someone else`, EXIT.inputError);
  }
  let commit: string;
  try {
    commit = recordApproval(repo, { plan: planId, approver, key, at: new Date().toISOString(), ...(flags.comment ? { comment: flags.comment } : {}), authors });
  } catch (err) {
    if (err instanceof SigningError) throw new UserError(err.message, EXIT.inputError);
    throw err;
  }
  const sig = verifySignatures(repo.top, [commit], approvers).get(commit);
  if (sig?.status !== "good") throw new UserError(`the approval commit ${shortCommit(commit)} does not verify against the approvers list; it will not count`, EXIT.inputError);
  process.stdout.write(
    `approved plan ${planId} by ${approver.name} (${approver.role}; key ${key.fingerprint}) (${subject.covers}); committed approvals/${planId}.json as ${shortCommit(commit)}, signed\n`,
  );
  // the backups audit log tells every approval too, beside the applies it allowed
  const store = await openStore(inventory);
  await store.record([], { change: `approval-${planId}`, planHash: planId, operator: approver.name, kind: "approval" }, {
    action: "approval",
    plan: planId,
    by: approver.name,
    key: key.fingerprint,
    ...(flags.comment ? { comment: flags.comment } : {}),
    authors,
    inventoryCommit: commit,
  });
}
