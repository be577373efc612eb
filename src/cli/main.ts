// scconf: validate, render, plan, apply and roll back the security cloud's configuration.
import { Command, CommanderError } from "commander";
import type { GlobalOptions } from "./context.js";
import { EXIT, UserError } from "./exit-codes.js";
import { paint } from "./output.js";
import { registerApply } from "./apply.js";
import { registerBackup } from "./backup.js";
import { registerBlock } from "./block.js";
import { registerDrift } from "./drift.js";
import { registerGenerations } from "./generations.js";
import { registerLab } from "./lab.js";
import { registerProcedure } from "./procedure.js";
import { registerTrust } from "./trust.js";
import { registerPlan } from "./plan.js";
import { registerRecover } from "./recover.js";
import { registerRollback } from "./rollback.js";
import { registerRender } from "./render.js";
import { registerSchema } from "./schema.js";
import { registerValidate } from "./validate.js";
import { registerApprove } from "./approve.js";
import { registerScope } from "./scope.js";
import { registerCodeowners } from "./codeowners.js";
import { registerHistory } from "./history.js";
import { registerReport } from "./report.js";

export function buildProgram(): Command {
  const program = new Command("scconf");
  program
    .description("Configuration management for the municipal security cloud")
    .option("-i, --inventory <dir>", "the inventory directory", process.env["SCCONF_INVENTORY"] ?? "inventory")
    .option("--today <date>", "evaluate expiry dates as of this day (YYYY-MM-DD); default: today in the cloud's time zone")
    .option("--target <name>", "point the devices elsewhere: 'lab' = the stand-ins of 'scconf lab up'")
    // the suggestion ("Did you mean --device?") and where the options are, not the whole help page
    .showHelpAfterError("(run 'scconf help <command>' or 'scconf <command> --help' for its options)")
    .exitOverride();
  const globals = (): GlobalOptions => program.opts<GlobalOptions>();
  registerValidate(program, globals);
  registerSchema(program);
  registerRender(program, globals);
  registerPlan(program, globals);
  registerApply(program, globals);
  registerGenerations(program, globals);
  registerRollback(program, globals);
  registerDrift(program, globals);
  registerBackup(program, globals);
  registerTrust(program, globals);
  registerBlock(program, globals);
  registerLab(program, globals);
  registerProcedure(program, globals);
  registerRecover(program, globals);
  registerApprove(program, globals);
  registerScope(program, globals);
  registerCodeowners(program, globals);
  registerHistory(program, globals);
  registerReport(program, globals);
  return program;
}

/**
 * A closed pipe (`scconf render | head`) ends the output quietly: no stack
 * trace. The command itself runs to its end (an apply whose terminal went away
 * must not stop between commit and confirm); only its output is dropped.
 */
function quietOnClosedPipe(stream: NodeJS.WriteStream): void {
  stream.on("error", (e: NodeJS.ErrnoException) => {
    if (e.code === "EPIPE" || e.code === "ERR_STREAM_DESTROYED") return;
    throw e;
  });
}

export async function main(argv: string[]): Promise<void> {
  quietOnClosedPipe(process.stdout);
  quietOnClosedPipe(process.stderr);
  const program = buildProgram();
  try {
    await program.parseAsync(argv);
  } catch (err) {
    if (err instanceof CommanderError) {
      process.exitCode = err.exitCode === 0 ? EXIT.ok : EXIT.inputError;
      return;
    }
    if (err instanceof UserError) {
      process.stderr.write(paint(`scconf: ${err.message}`, "red", Boolean(process.stderr.isTTY)) + "\n");
      if (err.hint) process.stderr.write(`  hint: ${err.hint}\n`);
      process.exitCode = err.exitCode;
      return;
    }
    // known failures of the store, plan files and devices: a message, not a stack trace
    const e = err as Error & { hint?: string };
    process.stderr.write(paint(`scconf: ${e.message}`, "red", Boolean(process.stderr.isTTY)) + "\n");
    if (e.hint) process.stderr.write(`  hint: ${e.hint}\n`);
    if (process.env["SCCONF_DEBUG"]) process.stderr.write(`${e.stack ?? ""}\n`);
    process.exitCode = e.name === "DeviceError" || e.name === "HostKeyError" || e.name === "LockHeldError" ? EXIT.deviceFailure : EXIT.inputError;
  }
}
