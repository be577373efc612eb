// scconf lab up|down|status: the rehearsal lab (stand-ins for the inventory's
// devices on 127.0.0.1), and `lab check`, the check command of its stand-ins.
import { existsSync } from "node:fs";
import { resolve } from "node:path";
import type { Command } from "commander";
import { todayIn } from "../inventory/validate.js";
import { runLabCheck } from "../workflow/lab/check.js";
import { labDown, labStatus, labUp } from "../workflow/lab/lab.js";
import { labDirOf } from "../workflow/lab/overlay.js";
import { loadValidInventory, type GlobalOptions } from "./context.js";
import { EXIT } from "./exit-codes.js";
import { paint, useColor } from "./output.js";
import { openStore, storePath } from "./runtime.js";

export function registerLab(program: Command, globals: () => GlobalOptions): void {
  const lab = program.command("lab").description("a rehearsal lab on this machine: stand-ins for every device, used with --target lab");
  const color = () => useColor(process.stdout);

  lab
    .command("up")
    .description("start the stand-ins (sshd for file devices, netconfd for NETCONF devices) on 127.0.0.1 and write the --target lab overlay")
    .action(async () => {
      const g = globals();
      // the lab stands in for the real devices: it is built from the inventory as it is, never from a target
      const { inventory } = loadValidInventory({ ...g, target: undefined }, { quietWarnings: true });
      const today = g.today ?? todayIn(inventory.cloud.timezone);
      const backups = storePath(inventory);
      const state = await labUp(inventory, {
        inventoryDir: g.inventory,
        today,
        lastGeneration: async (device) => {
          const seed = new Map<string, string>();
          if (!existsSync(backups)) return seed;
          const latest = await (await openStore(inventory, { readOnly: true })).latest(device);
          for (const a of latest?.artifacts ?? []) seed.set(a.id, a.content);
          return seed;
        },
      });
      const c = color();
      process.stdout.write(`${paint("lab up", "bold", c)} in ${state.dir}\n`);
      for (const p of state.processes) process.stdout.write(`  ${p.role.padEnd(9)} pid ${String(p.pid).padEnd(8)} 127.0.0.1:${p.port}${p.device ? `  (${p.device})` : ""}\n`);
      process.stdout.write("\n");
      for (const d of state.devices) {
        const where = d.standIn === "local" ? "local directory (no CLI stand-in server)" : `${d.standIn} 127.0.0.1:${d.port ?? "?"}`;
        const check = d.check.startsWith("NOT CHECKED") ? paint(d.check, "yellow", c) : d.check;
        process.stdout.write(`  ${d.device.padEnd(20)} ${d.platform.padEnd(13)} ${where.padEnd(42)} check: ${check}\n`);
      }
      process.stdout.write(`\nRehearse with: scconf plan --target lab --out plan.json && scconf apply --target lab plan.json\n`);
    });

  lab
    .command("down")
    .description("stop exactly what 'lab up' started and remove the lab directory")
    .action(async () => {
      const g = globals();
      const result = await labDown(g.inventory);
      let failed = false;
      for (const p of result.processes) {
        const note = p.outcome === "replaced" ? "the pid now belongs to another program: left alone" : p.outcome;
        if (p.outcome === "replaced") failed = true;
        process.stdout.write(`  ${p.role.padEnd(12)} pid ${String(p.pid).padEnd(8)} ${note}\n`);
      }
      if (!result.processes.length && !result.removed) process.stdout.write(`no lab in ${labDirOf(g.inventory)}\n`);
      else process.stdout.write(`lab down: ${result.removed ? "removed" : "nothing to remove in"} ${labDirOf(g.inventory)}\n`);
      process.exitCode = failed ? EXIT.deviceFailure : EXIT.ok;
    });

  lab
    .command("status")
    .description("what the lab runs (exit 0: all stand-ins run; 3: some stopped; 1: no lab)")
    .action(() => {
      const g = globals();
      const status = labStatus(g.inventory);
      if (!status.state) {
        process.stdout.write(`no lab in ${labDirOf(g.inventory)}\n`);
        process.exitCode = EXIT.inputError;
        return;
      }
      const c = color();
      process.stdout.write(`lab in ${status.state.dir}, started ${status.state.startedAt}\n`);
      for (const p of status.processes) {
        const state = p.running ? paint("running", "green", c) : paint("stopped", "red", c);
        process.stdout.write(`  ${p.role.padEnd(9)} pid ${String(p.pid).padEnd(8)} 127.0.0.1:${String(p.port).padEnd(6)} ${state}${p.device ? `  (${p.device})` : ""}\n`);
      }
      for (const d of status.state.devices) {
        process.stdout.write(`  ${d.device.padEnd(20)} ${d.standIn.padEnd(8)}${d.port ? ` 127.0.0.1:${d.port}` : ""}  check: ${d.check}\n`);
      }
      process.exitCode = status.processes.every((p) => p.running) ? EXIT.ok : EXIT.deviceFailure;
    });

  lab
    .command("check", { hidden: true })
    .description("the device-side check of a lab stand-in: the platform's checker harness on the staged artifacts")
    .argument("<device-file>", "the lab's check file of the device (<labdir>/check/<device>.json)")
    .argument("<stage>", "the staging directory")
    .action(async (deviceFile: string, stage: string) => {
      const result = await runLabCheck(resolve(deviceFile), resolve(stage));
      for (const o of result.outcomes) {
        process.stdout.write(`${o.ok ? "ok  " : o.checked ? "FAIL" : "NOT CHECKED"} ${o.artifact ?? o.device}: ${o.tool}\n`);
        if (!o.ok && o.output) process.stdout.write(`${o.output}\n`);
      }
      process.exitCode = result.ok ? EXIT.ok : EXIT.inputError;
    });
}
