// scconf recover DEVICE: explain and clean up what a crashed or cut-off run
// left on a device. File devices (ssh, local): lock, unconfirmed commit,
// staging (see src/transport/file/recover.ts). NETCONF devices: a stale
// candidate lock and uncommitted candidate edits.
import { readFile } from "node:fs/promises";
import { resolve as resolvePath } from "node:path";
import type { Command } from "commander";
import type { Device } from "../model/types.js";
import type { Host } from "../transport/file/host.js";
import type { RecoverReport } from "../transport/file/recover.js";
import { confirmOrRefuse } from "./apply.js";
import { loadValidInventory, type GlobalOptions } from "./context.js";
import { EXIT, UserError } from "./exit-codes.js";
import { paint, useColor } from "./output.js";
import { deviceByName, lockOwner, operatorName, projectDir } from "./runtime.js";

interface RecoverFlags {
  yes?: boolean;
  force?: boolean;
  operator?: string;
}

export function registerRecover(program: Command, globals: () => GlobalOptions): void {
  program
    .command("recover")
    .description("explain what an interrupted run left on a device (lock, unconfirmed commit, staging) and clean it up safely")
    .argument("<device>", "the device")
    .option("-y, --yes", "clean up without asking (required without a terminal)")
    .option("--force", "also remove a lock whose holder cannot be proven dead; retry a failed revert; NETCONF: kill the session holding the lock")
    .option("--operator <name>", "who recovers (default: git user.name)")
    .action(async (name: string, flags: RecoverFlags) => {
      const { inventory } = loadValidInventory(globals(), { quietWarnings: true });
      const device = deviceByName(inventory, name);
      const baseDir = projectDir(inventory);
      const owner = lockOwner(operatorName(flags.operator), `recover-${name}`);
      const report =
        device.transport === "netconf"
          ? await recoverNetconf(device, baseDir, flags)
          : device.transport === "ssh" || device.transport === "local"
            ? await recoverFile(device, baseDir, flags, owner)
            : unsupported(device);
      printReport(name, report);
      process.exitCode = report.exitCode;
    });
}

function unsupported(device: Device): never {
  throw new UserError(`recover does not support the ${device.transport} transport of ${device.name}`, EXIT.inputError);
}

async function recoverFile(device: Device, baseDir: string, flags: RecoverFlags, owner: ReturnType<typeof lockOwner>): Promise<RecoverReport> {
  const { recoverFileDevice } = await import("../transport/file/recover.js");
  const { DEFAULT_STATE_DIR } = await import("../transport/file/state.js");
  const { expandHome } = await import("../transport/file/host.js");
  let host: Host;
  if (device.transport === "local") {
    if (!device.root) throw new UserError(`${device.name}: a local device needs 'root'`);
    const { LocalHost } = await import("../transport/local.js");
    host = new LocalHost(device.name, { root: expandHome(device.root, baseDir), commandTimeoutMs: 120_000 });
  } else {
    const { SshHost } = await import("../transport/ssh.js");
    host = new SshHost(device, { baseDir, commandTimeoutMs: 120_000, connectTimeoutMs: 20_000, env: process.env });
  }
  await host.connect();
  try {
    const stateDir = device.stateDir ?? DEFAULT_STATE_DIR;
    // first look without touching anything; ask only when there is something to do
    const preview = await recoverFileDevice(host, stateDir, { force: flags.force === true, dryRun: true, owner });
    const nothing = preview.actions.length === 1 && preview.actions[0]?.startsWith("nothing to do");
    if (nothing || preview.exitCode !== 0) return preview;
    printReport(device.name, { ...preview, actions: preview.actions }, "would");
    await confirmOrRefuse(`Clean up ${device.name} as listed?`, flags.yes);
    return await recoverFileDevice(host, stateDir, { force: flags.force === true, dryRun: false, owner });
  } finally {
    await host.close();
  }
}

/**
 * NETCONF: locks carry no owner text and die with their session, so a stale
 * lock is a session that is still open. Take the candidate lock, discard
 * uncommitted edits, unlock. With --force, kill the holder's session first.
 */
async function recoverNetconf(device: Device, baseDir: string, flags: RecoverFlags): Promise<RecoverReport> {
  const { NetconfClient } = await import("../transport/netconf/client.js");
  const { RpcFailedError } = await import("../transport/netconf/messages.js");
  const report: RecoverReport = { found: [], actions: [], exitCode: 0, state: "clean" };
  if (!device.address || !device.user || !device.auth) throw new UserError(`${device.name}: address, user and auth are needed`);
  const a = device.auth;
  const secret = a.method === "key" ? undefined : process.env[a.method === "agent" ? a.socketEnv : a.passwordEnv];
  if (a.method !== "key" && !secret) throw new UserError(`${device.name}: the environment variable ${a.method === "agent" ? a.socketEnv : a.passwordEnv} is not set`);
  const auth =
    a.method === "key" ? { privateKey: await readFile(resolvePath(baseDir, a.keyFile)) } : a.method === "agent" ? { agent: secret ?? "" } : { password: secret ?? "" };
  const client = await NetconfClient.connect({ host: device.address, port: device.port ?? 830, username: device.user, auth, hostKey: device.hostKey });
  try {
    const tryLock = async (): Promise<string | null> => {
      try {
        await client.lock("candidate");
        return null;
      } catch (e) {
        if (e instanceof RpcFailedError && e.hasTag("lock-denied")) return e.errors.find((x) => x.tag === "lock-denied")?.info["session-id"] ?? "?";
        throw e;
      }
    };
    let holder = await tryLock();
    if (holder !== null) {
      report.found.push(`the candidate is locked by NETCONF session ${holder}`);
      if (!flags.force) {
        report.exitCode = EXIT.deviceFailure;
        report.state = "untouched";
        report.actions.push("left the lock in place: its session is still open (another operator, or a hung run)");
        report.hint = `when no one is working on ${device.name}: 'scconf recover ${device.name} --force' kills session ${holder}`;
        return report;
      }
      await confirmOrRefuse(`Kill NETCONF session ${holder} on ${device.name}?`, flags.yes);
      await client.rpc(`<kill-session><session-id>${Number(holder)}</session-id></kill-session>`);
      report.actions.push(`killed NETCONF session ${holder} (the server reverts its unconfirmed commit and drops its lock)`);
      holder = await tryLock();
      if (holder !== null) {
        report.exitCode = EXIT.deviceFailure;
        report.state = "untouched";
        report.actions.push(`the candidate is still locked, now by session ${holder}`);
        return report;
      }
    } else {
      report.found.push("no lock on the candidate");
    }
    await client.discardChanges();
    report.actions.push("discarded uncommitted candidate edits");
    await client.unlock("candidate");
    report.actions.push("released the lock");
    return report;
  } finally {
    await client.close();
  }
}

function printReport(device: string, report: RecoverReport, mode: "did" | "would" = "did"): void {
  const out = process.stdout;
  const color = useColor(out);
  out.write(`${paint(device, "bold", color)}: ${report.found.length ? "found" : "found nothing left over"}\n`);
  for (const line of report.found) out.write(`  - ${line}\n`);
  if (report.actions.length) out.write(mode === "would" ? "plan:\n" : "done:\n");
  for (const line of report.actions) out.write(`  * ${line}\n`);
  if (mode === "did") {
    const state = { clean: "clean", old: "runs its previous artifacts (read back)", new: "runs the new artifacts (read back)", unknown: "UNKNOWN", untouched: "left as it was" }[report.state];
    out.write(paint(`${device} ${state}\n`, report.exitCode === 0 ? "green" : report.exitCode === 4 ? "red" : "yellow", color));
  }
  if (report.hint) out.write(`  hint: ${report.hint}\n`);
}
