import type { Command } from "commander";
import { todayIn } from "../inventory/validate.js";
import { fetchCurrent } from "../plan/fetch.js";
import { loadValidInventory, type GlobalOptions } from "./context.js";
import { EXIT } from "./exit-codes.js";
import { parseParallel } from "./plan.js";
import { renderOrExit, selectDevices } from "./render.js";
import { driverOpener, openStore, operatorName } from "./runtime.js";

export function registerBackup(program: Command, globals: () => GlobalOptions): void {
  program
    .command("backup")
    .description("read every device's current artifacts and commit them as a generation (when they changed)")
    .option("-d, --device <name...>", "only these devices")
    .option("--parallel <n>", "devices read at once", "8")
    .option("--change <id>", "the change id recorded", "backup")
    .option("--operator <name>", "who takes the backup")
    .action(async (flags: { device?: string[]; parallel?: string; change: string; operator?: string }) => {
      const g = globals();
      const { inventory } = loadValidInventory(g, { quietWarnings: true });
      const today = g.today ?? todayIn(inventory.cloud.timezone);
      const configs = renderOrExit(inventory, today, selectDevices(inventory, flags.device, undefined));
      const store = await openStore(inventory);
      const fetched = await fetchCurrent(configs, { offline: false, parallel: parseParallel(flags.parallel), openDriver: await driverOpener(inventory) });
      const entries = [];
      let failed = 0;
      for (const config of configs) {
        const r = fetched.get(config.device);
        if (!r || !r.ok) {
          failed++;
          process.stderr.write(`${config.device}: cannot read: ${r && !r.ok ? r.error.message : "not read"}\n`);
          continue;
        }
        const artifacts = r.state.artifacts.filter((a) => a.content !== null).map((a) => ({ id: a.id, path: a.path, content: a.content as string }));
        if (artifacts.length) entries.push({ device: config.device, platform: config.platform, artifacts });
      }
      const before = new Map<string, number>();
      for (const e of entries) before.set(e.device, await store.generationCount(e.device));
      const commit = await store.record(entries, { change: flags.change, operator: operatorName(flags.operator), kind: "backup" }, { action: "backup", devices: entries.map((e) => e.device) });
      for (const e of entries) {
        const n = await store.generationCount(e.device);
        process.stdout.write(`  ${e.device.padEnd(22)} ${n !== before.get(e.device) ? `new generation ${n}` : `unchanged (generation ${n})`}\n`);
      }
      process.stdout.write(`backups commit ${commit.slice(0, 12)}\n`);
      process.exitCode = failed ? EXIT.deviceFailure : EXIT.ok;
    });
}
