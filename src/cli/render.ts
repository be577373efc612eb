import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { Command } from "commander";
import { todayIn } from "../inventory/validate.js";
import type { Device, DeviceConfig, Inventory } from "../model/types.js";
import { LOCAL_CHECKERS } from "../render/check/index.js";
import { findProgram } from "../render/check/run.js";
import type { CheckOutcome } from "../render/check/types.js";
import { renderAll } from "../render/render.js";
import { loadValidInventory, type GlobalOptions } from "./context.js";
import { EXIT, UserError } from "./exit-codes.js";
import { checkRunJson, formatCheckRun, verdicts } from "./check-output.js";
import { paint } from "./output.js";

interface RenderFlags {
  device?: string[];
  org?: string;
  out?: string;
  check?: boolean;
  verbose?: boolean;
  json?: boolean;
}

/** Devices selected by --device and --org (--org: the devices that carry a kind the org uses). */
export function selectDevices(inventory: Inventory, names: readonly string[] | undefined, orgId: string | undefined): (d: Device) => boolean {
  const known = new Set(inventory.devices.map((d) => d.name));
  for (const n of names ?? []) if (!known.has(n)) throw new UserError(`no device "${n}" in the inventory`, EXIT.inputError, `devices: ${[...known].join(", ")}`);
  let orgKinds: Set<string> | undefined;
  if (orgId) {
    const org = inventory.orgs.find((o) => o.id === orgId);
    if (!org) throw new UserError(`no organization "${orgId}" in the inventory`);
    orgKinds = new Set<string>();
    if (org.firewall.length || org.bandwidth) orgKinds.add("firewall");
    if (org.urlFilter) orgKinds.add("urlFilter");
    if (org.ipsExceptions.length) orgKinds.add("ipsExceptions");
    if (org.reverseProxy.length) orgKinds.add("reverseProxy");
    if (org.dns.length) orgKinds.add("dns");
    if (org.mailRelay.length) orgKinds.add("mailRelay");
    if (org.spamExclusions.length) orgKinds.add("spamExclusions");
  }
  return (d) => (!names?.length || names.includes(d.name)) && (!orgKinds || d.kinds.some((k) => orgKinds!.has(k)));
}

export function renderOrExit(inventory: Inventory, today: string, select: (d: Device) => boolean): DeviceConfig[] {
  const { configs, errors } = renderAll(inventory, { today }, select);
  if (errors.length) {
    for (const e of errors) process.stderr.write(paint(`render error: ${e.message}`, "red", Boolean(process.stderr.isTTY)) + "\n");
    throw new UserError(`${errors.length} device(s) could not be rendered; nothing was written or pushed`);
  }
  return configs;
}

async function checkConfigs(configs: DeviceConfig[]): Promise<{ outcomes: CheckOutcome[]; notChecked: string[] }> {
  const outcomes: CheckOutcome[] = [];
  const notChecked: string[] = [];
  const scratch = mkdtempSync(join(tmpdir(), "scconf-check-"));
  try {
    for (const config of configs) {
      const checker = LOCAL_CHECKERS[config.platform];
      if (!checker) {
        notChecked.push(`${config.device}: no checker for ${config.platform}`);
        continue;
      }
      const missing = checker.programs.filter((p) => !findProgram(p));
      if (missing.length) {
        notChecked.push(`${config.device}: ${missing.join(", ")} not installed`);
        continue;
      }
      const workdir = join(scratch, config.device);
      mkdirSync(workdir, { recursive: true });
      try {
        outcomes.push(...(await checker.check(config, workdir)));
      } catch (err) {
        // A harness that cannot be built is a refusal of that device, not the end of the run.
        outcomes.push({ device: config.device, checked: true, ok: false, tool: `${config.platform} checker`, output: err instanceof Error ? err.message : String(err) });
      }
    }
  } finally {
    rmSync(scratch, { recursive: true, force: true });
  }
  return { outcomes, notChecked };
}

export function registerRender(program: Command, globals: () => GlobalOptions): void {
  program
    .command("render")
    .description("render every device's artifacts from the inventory (print, write with --out, or check with --check)")
    .option("-d, --device <name...>", "only these devices")
    .option("-o, --org <id>", "only the devices that carry this organization's settings")
    .option("--out <dir>", "write DIR/<device>/<artifact> instead of printing")
    .option("--check", "run each platform's real checker on the rendered artifacts: one line per device")
    .option("-v, --verbose", "with --check: every checker command line, also of the accepted artifacts")
    .option("--json", "with --check: the outcomes as JSON")
    .action(async (flags: RenderFlags) => {
      const g = globals();
      const { inventory } = loadValidInventory(g, { quietWarnings: true });
      const today = g.today ?? todayIn(inventory.cloud.timezone);
      const configs = renderOrExit(inventory, today, selectDevices(inventory, flags.device, flags.org));
      const color = Boolean(process.stdout.isTTY);
      if (flags.out) {
        for (const c of configs) {
          for (const a of c.artifacts) {
            const dir = join(flags.out, c.device);
            mkdirSync(dir, { recursive: true });
            writeFileSync(join(dir, a.id), a.content);
          }
        }
        const n = configs.reduce((s, c) => s + c.artifacts.length, 0);
        process.stderr.write(`wrote ${n} artifacts of ${configs.length} devices under ${flags.out}\n`);
      } else if (!flags.check) {
        for (const c of configs) {
          for (const a of c.artifacts) {
            process.stdout.write(paint(`==> ${c.device} ${a.id} (${a.path}) <==`, "cyan", color) + "\n" + a.content + "\n");
          }
        }
      }
      if (flags.check) {
        const { outcomes, notChecked } = await checkConfigs(configs);
        const run = { configs, outcomes, notChecked };
        process.stdout.write(flags.json ? checkRunJson(run) : formatCheckRun(run, { verbose: Boolean(flags.verbose), color }));
        if (verdicts(run).some((v) => v.result === "refused")) process.exitCode = EXIT.inputError;
      }
    });
}
