import { resolve } from "node:path";
import type { Command } from "commander";
import { validateInventory } from "../inventory/validate.js";
import { inventoryRevision, type GlobalOptions } from "./context.js";
import { EXIT } from "./exit-codes.js";
import { paint, printDiagnostics } from "./output.js";

interface ValidateFlags {
  json?: boolean;
  strict?: boolean;
}

export function registerValidate(program: Command, globals: () => GlobalOptions): void {
  program
    .command("validate")
    .description("check the inventory: schema, values, tenant isolation, overlaps, firewall logic, references")
    .option("--json", "print the findings as JSON")
    .option("--strict", "treat warnings as errors")
    .action((flags: ValidateFlags) => {
      const g = globals();
      const dir = resolve(g.inventory);
      const r = validateInventory(dir, { revision: inventoryRevision(dir), ...(g.today ? { today: g.today } : {}) });
      const failed = r.errors > 0 || (flags.strict === true && r.warnings > 0);
      if (flags.json) {
        process.stdout.write(JSON.stringify({ ok: !failed, errors: r.errors, warnings: r.warnings, diagnostics: r.diagnostics }, null, 2) + "\n");
      } else {
        printDiagnostics(r.diagnostics);
        const orgs = r.inventory?.orgs.length;
        const devices = r.inventory?.devices.length;
        const summary = `${r.errors} error(s), ${r.warnings} warning(s)` + (orgs !== undefined ? ` in ${orgs} organizations and ${devices} devices` : "");
        process.stderr.write((failed ? paint(`✗ ${summary}`, "red") : paint(`✓ ${summary}`, "green")) + "\n");
      }
      process.exitCode = failed ? EXIT.inputError : EXIT.ok;
    });
}
