// scconf codeowners: CODEOWNERS from the organizations' maintainers in the inventory.
import { mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { dirname, join, resolve } from "node:path";
import type { Command } from "commander";
import { codeowners } from "../workflow/codeowners.js";
import { inventoryRepo } from "../workflow/git.js";
import { loadValidInventory, type GlobalOptions } from "./context.js";
import { EXIT, UserError } from "./exit-codes.js";

interface CodeownersFlags {
  out?: string;
  globalOwners?: string[];
  check?: boolean;
}

export function registerCodeowners(program: Command, globals: () => GlobalOptions): void {
  program
    .command("codeowners")
    .description("write CODEOWNERS from the organizations' maintainers: each organization reviews its own file")
    .option("--out <file>", "where to write ('-' for standard output; default: .github/CODEOWNERS at the repository top)")
    .option("--global-owners <handle...>", "owners of cloud.yaml, devices.yaml and approvals/ (the NOC)")
    .option("--check", "write nothing; exit 1 when the file differs from what the inventory says")
    .action((flags: CodeownersFlags) => {
      const { inventory } = loadValidInventory(globals(), { quietWarnings: true });
      const repo = inventoryRepo(inventory.root);
      const text = codeowners(inventory, repo.path, flags.globalOwners ?? []);
      if (flags.out === "-") {
        process.stdout.write(text);
        return;
      }
      const out = flags.out ? resolve(flags.out) : join(repo.top, ".github", "CODEOWNERS");
      if (flags.check) {
        let current: string | undefined;
        try {
          current = readFileSync(out, "utf8");
        } catch {
          current = undefined;
        }
        if (current === undefined) throw new UserError(`${out} is missing; write it with 'scconf codeowners'`, EXIT.inputError);
        if (current !== text) throw new UserError(`${out} is not what the inventory says; run 'scconf codeowners'`, EXIT.inputError);
        process.stdout.write(`${out} is up to date\n`);
        return;
      }
      mkdirSync(dirname(out), { recursive: true });
      writeFileSync(out, text);
      process.stdout.write(`wrote ${out} (${inventory.orgs.length} organizations)\n`);
    });
}
