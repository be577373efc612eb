// Apply pushes only what the committed inventory renders. A plan file is data
// anyone can write and re-hash: its desired content, paths and commands are
// checked against (and taken from) the inventory rendered at the plan's
// committed revision, never from the file; the devices (transport, address,
// root) come from that inventory too.
import type { Inventory } from "../model/types.js";
import { planDevice, sameButRevision } from "../plan/build.js";
import type { DevicePlan, Plan } from "../plan/types.js";
import { renderAll } from "../render/render.js";
import { applyTarget } from "./lab/overlay.js";
import { resolveCommit, shortCommit, workingRevision, type InventoryRepo } from "./git.js";
import { inventoryAt } from "./revision.js";

/** The inventory at a commit, placed where the working inventory is (device roots and backups resolve the same), with the lab overlay when targeted. */
export function committedInventory(repo: InventoryRepo, commit: string, today: string, working: Inventory, target: string | undefined): Inventory {
  const at = { ...inventoryAt(repo, commit, today), root: working.root };
  return target ? applyTarget(at, working.root, target) : at;
}

/** Why a plan's revision cannot be applied (uncommitted, unknown), or its commit. */
export function planCommit(repo: InventoryRepo, revision: string): { commit: string } | { refusal: string } {
  if (revision.endsWith("+dirty") || revision === "unversioned") {
    return { refusal: `the plan was made from uncommitted edits (${revision}); commit them, make a new plan and have it approved (a plan of uncommitted edits can only be rehearsed with --dry-run)` };
  }
  const commit = resolveCommit(repo.top, revision);
  if (!commit) return { refusal: `the plan's revision ${revision} is not a commit of the inventory repository; commit first and make a new plan` };
  return { commit };
}

/** One line when the working tree differs from HEAD (apply without a plan file pushes HEAD). */
export function workingTreeNote(dir: string): string | undefined {
  const rev = workingRevision(dir);
  return rev.endsWith("+dirty") ? `the working tree has uncommitted edits: applying the committed inventory (HEAD ${rev.replace(/\+dirty$/, "")}); commit the edits to apply them` : undefined;
}

export interface RenderCheck {
  /** the plan with every device's path, commands, transport and kinds taken from the committed inventory */
  plan: Plan;
  /** one line per difference; empty when the plan is exactly what the inventory renders */
  problems: string[];
}

/** Compares each device of the plan with the committed inventory's render for `today`. */
export function checkAgainstRender(plan: Plan, committed: Inventory, today: string): RenderCheck {
  const problems: string[] = [];
  const rev = shortCommit(committed.revision);
  const wanted = new Set(plan.devices.map((d) => d.device));
  const { configs, errors } = renderAll(committed, { today }, (d) => wanted.has(d.name));
  for (const e of errors) problems.push(`the inventory at ${rev} does not render: ${e.message}`);
  const byDevice = new Map(configs.map((c) => [c.device, c]));
  const devices: DevicePlan[] = [];
  for (const pd of plan.devices) {
    const config = byDevice.get(pd.device);
    const device = committed.devices.find((d) => d.name === pd.device);
    if (!config || !device) {
      problems.push(`${pd.device}: the inventory at ${rev} renders no such device`);
      continue;
    }
    const fresh = planDevice(committed, config, { source: pd.source, artifacts: [] });
    const ids = new Set(fresh.artifacts.map((a) => a.id));
    for (const extra of pd.artifacts.filter((a) => !ids.has(a.id))) problems.push(`${pd.device}/${extra.id}: not rendered by the inventory at ${rev}`);
    const artifacts = [];
    for (const want of fresh.artifacts) {
      const got = pd.artifacts.find((a) => a.id === want.id);
      if (!got) {
        problems.push(`${pd.device}/${want.id}: rendered by the inventory at ${rev} but missing from the plan`);
        continue;
      }
      if (got.path !== want.path) problems.push(`${pd.device}/${want.id}: the plan's path ${got.path} is not the inventory's ${want.path}`);
      // the one difference planDevice itself makes: a device keeps its artifact when only the revision header differs
      else if (got.desiredHash !== want.desiredHash && !(got.action === "unchanged" && sameButRevision(got.desired, want.desired))) {
        problems.push(`${pd.device}/${want.id}: the plan's content is not what the inventory at ${rev} renders`);
      }
      artifacts.push({ ...got, path: want.path, kinds: want.kinds, format: want.format });
    }
    const { checkCommand: _c, reloadCommand: _r, ...rest } = pd;
    devices.push({
      ...rest,
      platform: fresh.platform,
      transport: fresh.transport,
      artifacts,
      ...(fresh.checkCommand ? { checkCommand: fresh.checkCommand } : {}),
      ...(fresh.reloadCommand ? { reloadCommand: fresh.reloadCommand } : {}),
    });
    if (pd.checkCommand !== fresh.checkCommand) problems.push(`${pd.device}: the plan's check command is not the inventory's`);
    if (pd.reloadCommand !== fresh.reloadCommand) problems.push(`${pd.device}: the plan's reload command is not the inventory's`);
    if (pd.transport !== fresh.transport) problems.push(`${pd.device}: the plan's transport ${pd.transport} is not the inventory's ${fresh.transport}`);
  }
  return { plan: { ...plan, devices }, problems };
}
