import { humanTime } from "../workflow/block/time.js";
import type { Command } from "commander";
import { loadValidInventory, type GlobalOptions } from "./context.js";
import { paint, useColor } from "./output.js";
import { deviceByName, openStore } from "./runtime.js";

export function registerGenerations(program: Command, globals: () => GlobalOptions): void {
  program
    .command("generations")
    .description("list a device's configuration generations in the backups repository (newest first)")
    .argument("<device>", "the device")
    .option("--all", "every generation, not only the newest kept ones")
    .option("--json", "print as JSON")
    .action(async (name: string, flags: { all?: boolean; json?: boolean }) => {
      const { inventory } = loadValidInventory(globals(), { quietWarnings: true });
      deviceByName(inventory, name);
      const store = await openStore(inventory, { readOnly: true });
      const list = await store.generations(name, { all: flags.all === true });
      if (flags.json) {
        process.stdout.write(JSON.stringify(list, null, 2) + "\n");
        return;
      }
      const color = useColor();
      if (!list.length) {
        process.stdout.write(`${name} has no generation yet: run 'scconf apply' (or 'scconf backup') first\n`);
        return;
      }
      // the cloud's time zone with its offset, as every time a person reads; columns as wide as their content
      const tz = inventory.cloud.timezone;
      const rows = list.map((g) => [String(g.number), humanTime(g.date, tz), g.kind, g.change, g.operator, g.commit.slice(0, 12)]);
      const head = ["#", "date", "kind", "change", "operator", "commit"];
      const widths = head.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i]!.length)));
      const line = (cells: string[]) => cells.map((c, i) => (i === 0 ? c.padStart(widths[0]!) : i === cells.length - 1 ? c : c.padEnd(widths[i]!))).join("   ") + "\n";
      process.stdout.write(paint(line(head).trimEnd(), "bold", color) + "\n");
      for (const r of rows) process.stdout.write(line(r));
      const total = await store.generationCount(name);
      if (!flags.all && total > list.length) process.stdout.write(paint(`(${total - list.length} older generation(s); --all lists them)\n`, "dim", color));
    });
}
