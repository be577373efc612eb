import type { Command } from "commander";
import { todayIn } from "../inventory/validate.js";
import { fetchCurrent } from "../plan/fetch.js";
import { planDevice } from "../plan/build.js";
import { sha256 } from "../plan/hash.js";
import { loadValidInventory, type GlobalOptions } from "./context.js";
import { EXIT } from "./exit-codes.js";
import { paint, useColor } from "./output.js";
import { parseParallel } from "./plan.js";
import { renderOrExit, selectDevices } from "./render.js";
import { driverOpener, openStore } from "./runtime.js";

interface DriftFlags {
  device?: string[];
  parallel?: string;
  json?: boolean;
}

export interface DriftReport {
  device: string;
  /** artifacts that differ from the device's last generation: changed by hand since */
  byHand: string[];
  /** artifacts that differ from what the inventory renders: an apply is pending */
  fromInventory: string[];
  generation: number;
  error?: string;
}

export function registerDrift(program: Command, globals: () => GlobalOptions): void {
  program
    .command("drift")
    .description("find devices changed by hand since their last generation, or out of step with the inventory (exit 2 when any)")
    .option("-d, --device <name...>", "only these devices")
    .option("--parallel <n>", "devices read at once", "8")
    .option("--json", "print as JSON")
    .action(async (flags: DriftFlags) => {
      const g = globals();
      const { inventory } = loadValidInventory(g, { quietWarnings: true });
      const today = g.today ?? todayIn(inventory.cloud.timezone);
      const configs = renderOrExit(inventory, today, selectDevices(inventory, flags.device, undefined));
      const store = await openStore(inventory, { readOnly: true });
      const fetched = await fetchCurrent(configs, { offline: false, parallel: parseParallel(flags.parallel), openDriver: await driverOpener(inventory) });
      const reports: DriftReport[] = [];
      for (const config of configs) {
        const r = fetched.get(config.device);
        const generation = await store.generationCount(config.device);
        if (!r || !r.ok) {
          reports.push({ device: config.device, byHand: [], fromInventory: [], generation, error: r && !r.ok ? r.error.message : "not read" });
          continue;
        }
        const latest = await store.latest(config.device);
        const hash = (s: string | null | undefined) => (s === null || s === undefined ? null : sha256(s));
        const byHand = latest
          ? r.state.artifacts.filter((a) => hash(a.content) !== hash(latest.artifacts.find((l) => l.id === a.id)?.content)).map((a) => a.id)
          : [];
        // the very comparison plan makes (canonical NETCONF data, a header whose revision alone moved): drift and plan agree
        const fromInventory = planDevice(inventory, config, r.state).artifacts.filter((a) => a.action !== "unchanged").map((a) => a.id);
        reports.push({ device: config.device, byHand, fromInventory, generation });
      }
      const drifted = reports.filter((r) => r.byHand.length || r.fromInventory.length);
      const failed = reports.filter((r) => r.error);
      if (flags.json) process.stdout.write(JSON.stringify(reports, null, 2) + "\n");
      else {
        const color = useColor();
        for (const r of reports) {
          const line =
            r.error ? paint(`unreadable: ${r.error}`, "red", color)
            : r.byHand.length ? paint(`CHANGED BY HAND since generation ${r.generation}: ${r.byHand.join(", ")}`, "red", color)
            : r.fromInventory.length ? paint(`differs from the inventory (apply pending): ${r.fromInventory.join(", ")}`, "yellow", color)
            : paint("in sync", "green", color);
          process.stdout.write(`  ${r.device.padEnd(22)} ${line}\n`);
        }
        process.stdout.write(`${drifted.length} of ${reports.length} device(s) drifted\n`);
      }
      process.exitCode = failed.length ? EXIT.deviceFailure : drifted.length ? EXIT.changes : EXIT.ok;
    });
}
