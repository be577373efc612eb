import type { Command } from "commander";
import type { GenerationStore } from "../backup/store.js";
import { todayIn } from "../inventory/validate.js";
import type { Inventory } from "../model/types.js";
import { savePlan } from "../plan/file.js";
import { makePlan, type MakePlanResult } from "../plan/make.js";
import { formatPlan, type Painter } from "../plan/print.js";
import { loadValidInventory, type GlobalOptions } from "./context.js";
import { EXIT } from "./exit-codes.js";
import { paint, useColor } from "./output.js";
import { renderOrExit, selectDevices } from "./render.js";
import { driverOpener, openStore, operatorName } from "./runtime.js";

export interface PlanFlags {
  device?: string[];
  org?: string;
  out?: string;
  json?: boolean;
  offline?: boolean;
  parallel?: string;
  operator?: string;
}

export const painter = (stream: NodeJS.WriteStream = process.stdout): Painter => {
  const on = useColor(stream);
  return (t, c) => paint(t, c, on);
};

export function orgNamer(inventory: Inventory): (id: string) => string {
  const names = new Map(inventory.orgs.map((o) => [o.id, `${o.name.ja} (${o.id})`]));
  return (id) => names.get(id) ?? id;
}

export function parseParallel(text: string | undefined, fallback = 8): number {
  const n = text === undefined ? fallback : Number(text);
  if (!Number.isInteger(n) || n < 1 || n > 64) throw new Error(`--parallel must be a whole number from 1 to 64 (got ${text})`);
  return n;
}

/** Validates, renders and plans: shared by `plan` and by `apply` without a plan file. */
export async function planFromInventory(g: GlobalOptions, flags: PlanFlags): Promise<{ inventory: Inventory; result: MakePlanResult; store: GenerationStore }> {
  const { inventory } = loadValidInventory(g, { quietWarnings: true });
  const today = g.today ?? todayIn(inventory.cloud.timezone);
  const configs = renderOrExit(inventory, today, selectDevices(inventory, flags.device, flags.org));
  const store = await openStore(inventory, { readOnly: true });
  const result = await makePlan(inventory, configs, {
    offline: flags.offline === true,
    parallel: parseParallel(flags.parallel),
    operator: operatorName(flags.operator),
    today,
    openDriver: await driverOpener(inventory),
    store: { latestArtifacts: async (d) => (await store.latest(d))?.artifacts },
  });
  for (const u of result.unreachable) {
    process.stderr.write(paint(`${u.device}: cannot read the current configuration: ${u.error.message}`, "red", useColor(process.stderr)) + "\n");
  }
  return { inventory, result, store };
}

export function registerPlan(program: Command, globals: () => GlobalOptions): void {
  program
    .command("plan")
    .description("show what apply would change on each device: a diff against what the device runs now")
    .option("-d, --device <name...>", "only these devices")
    .option("-o, --org <id>", "only the devices that carry this organization's settings")
    .option("--out <file>", "save the plan (for review, approval and apply)")
    .option("--json", "print the plan as JSON")
    .option("--offline", "compare with the last generation in the backups instead of the devices")
    .option("--parallel <n>", "devices read at once", "8")
    .option("--operator <name>", "who makes the plan (default: git user.name)")
    .action(async (flags: PlanFlags) => {
      const { inventory, result } = await planFromInventory(globals(), flags);
      const { plan } = result;
      if (flags.out) savePlan(flags.out, plan);
      if (flags.json) process.stdout.write(JSON.stringify(plan, null, 2) + "\n");
      else process.stdout.write(formatPlan(plan, { paint: painter(), orgName: orgNamer(inventory) }));
      if (flags.out) process.stderr.write(`plan ${plan.id} saved to ${flags.out}\n`);
      if (result.unreachable.length) {
        process.exitCode = EXIT.deviceFailure;
        return;
      }
      process.exitCode = plan.devices.some((d) => d.changed) ? EXIT.changes : EXIT.ok;
    });
}
