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
      process.stdout.write(paint("  #   date                  kind       change                        operator         commit", "bold", color) + "\n");
      for (const g of list) {
        process.stdout.write(
          `${String(g.number).padStart(3)}   ${g.date.slice(0, 19).replace("T", " ")}   ${g.kind.padEnd(10)} ${g.change.padEnd(29)} ${g.operator.padEnd(16)} ${g.commit.slice(0, 12)}\n`,
        );
      }
      const total = await store.generationCount(name);
      if (!flags.all && total > list.length) process.stdout.write(paint(`(${total - list.length} older generation(s); --all lists them)\n`, "dim", color));
    });
}
