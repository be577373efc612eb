import type { Command } from "commander";
import type { Snapshot } from "../backup/store.js";
import { todayIn } from "../inventory/validate.js";
import type { DeviceConfig, Inventory } from "../model/types.js";
import { makePlan } from "../plan/make.js";
import { formatPlan } from "../plan/print.js";
import { platformOf } from "../render/registry.js";
import { confirmOrRefuse, runApply } from "./apply.js";
import { loadValidInventory, type GlobalOptions } from "./context.js";
import { EXIT, UserError } from "./exit-codes.js";
import { orgNamer, painter } from "./plan.js";
import { deviceByName, driverOpener, openStore, operatorName } from "./runtime.js";

interface RollbackFlags {
  to?: string;
  change?: string;
  yes?: boolean;
  dryRun?: boolean;
  parallel?: string;
  confirmTimeout?: string;
  operator?: string;
}

/** A generation as the desired state of its device. */
function configFromSnapshot(inventory: Inventory, device: string, snapshot: Snapshot): DeviceConfig {
  const d = deviceByName(inventory, device);
  const platform = platformOf(d.platform);
  const check = d.checkCommand ?? platform.defaultCheckCommand;
  const reload = d.reloadCommand ?? platform.defaultReloadCommand;
  return {
    device,
    platform: d.platform,
    artifacts: snapshot.artifacts.map((a) => ({ id: a.id, path: a.path, content: a.content, kinds: d.kinds, format: "text" as const })),
    ...(check ? { checkCommand: check } : {}),
    ...(reload ? { reloadCommand: reload } : {}),
  };
}

export function registerRollback(program: Command, globals: () => GlobalOptions): void {
  program
    .command("rollback")
    .description("push an earlier generation back to a device (or every device a change touched), through the same safe transaction")
    .argument("[device]", "the device to roll back (with --to)")
    .option("--to <generation>", "generation number (see 'scconf generations') or backups commit hash")
    .option("--change <id>", "restore every device this change touched to its state before the change")
    .option("-y, --yes", "do not ask for confirmation (required without a terminal; a dry run never asks)")
    .option("--dry-run", "rehearse the rollback: stage and validate, then discard")
    .option("--parallel <n>", "devices changed at once", "8")
    .option("--confirm-timeout <seconds>", "revert by itself unless confirmed within this time")
    .option("--operator <name>", "who rolls back")
    .action(async (deviceName: string | undefined, flags: RollbackFlags) => {
      const g = globals();
      const { inventory } = loadValidInventory(g, { quietWarnings: true });
      const store = await openStore(inventory, { readOnly: flags.dryRun === true });
      const configs: DeviceConfig[] = [];
      // a rollback brings each device to the revision its restored generation came from (unknown for old generations)
      const sources = new Map<string, { revision: string; today: string }>();
      const keep = (device: string, s: Snapshot) => sources.set(device, s.meta.source ?? { revision: "unknown", today: "" });
      let label: string;
      if (flags.change) {
        if (deviceName || flags.to) throw new UserError("use either DEVICE --to N or --change ID");
        const devices = await store.devicesTouchedBy(flags.change);
        if (!devices.length) throw new UserError(`change ${flags.change} touched no device in the backups`);
        for (const device of devices) {
          const before = await store.stateBefore(flags.change, device);
          if (!before) {
            process.stderr.write(`${device}: change ${flags.change} created its first generation; there is no earlier state to restore, skipped\n`);
            continue;
          }
          configs.push(configFromSnapshot(inventory, device, before));
          keep(device, before);
        }
        if (!configs.length) {
          throw new UserError(`change ${flags.change} created the first generation of every device it touched (${devices.join(", ")}): there is no earlier state to restore; nothing was changed`, EXIT.inputError, "to take a device back further, name a generation: scconf generations DEVICE, then scconf rollback DEVICE --to N");
        }
        label = `rollback-of-${flags.change}`;
      } else {
        if (!deviceName || !flags.to) throw new UserError("rollback needs DEVICE --to N|COMMIT, or --change ID");
        deviceByName(inventory, deviceName); // an unknown device is named as such, not as one without generations
        const ref = /^\d+$/.test(flags.to) ? Number(flags.to) : flags.to;
        const snapshot = await store.read(deviceName, ref);
        configs.push(configFromSnapshot(inventory, deviceName, snapshot));
        keep(deviceName, snapshot);
        label = `rollback-${deviceName}-to-${snapshot.generation.number}`;
      }
      const today = g.today ?? todayIn(inventory.cloud.timezone);
      const { plan, unreachable } = await makePlan(inventory, configs, {
        offline: false,
        parallel: 8,
        operator: operatorName(flags.operator),
        today,
        openDriver: await driverOpener(inventory),
      });
      for (const u of unreachable) process.stderr.write(`${u.device}: cannot read the current configuration: ${u.error.message}\n`);
      if (unreachable.length) throw new UserError("some devices could not be read; nothing was changed", EXIT.deviceFailure);
      process.stdout.write(formatPlan(plan, { paint: painter(), orgName: orgNamer(inventory) }));
      if (!plan.devices.some((d) => d.changed)) {
        process.stdout.write("the devices already run that generation\n");
        return;
      }
      // a dry run changes nothing, so it never asks (and runs without a terminal)
      if (!flags.dryRun) await confirmOrRefuse("Roll back these devices?", flags.yes);
      const result = await runApply({ inventory, plan, store, flags, kind: "rollback", change: label, sourceOf: (d) => sources.get(d) ?? { revision: "unknown", today: "" } });
      process.exitCode = result.exitCode;
    });
}
