// A temp project for the CLI fault tests: the small fixture inventory, in
// which the device dns-unbound is replaced by the test's own (ssh behind a
// proxy, or local), its artifact and state directory under the project dir.
// The CLI runs as a separate process (node bin/scconf, from dist/).
import { spawn, type ChildProcess } from "node:child_process";
import { cp, mkdir, mkdtemp, readFile, writeFile } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { REPO_ROOT, SMALL_INVENTORY, TEST_TODAY } from "../helpers/inventory.js";

export const DEVICE = "dns-unbound";

export interface FaultProject {
  dir: string;
  inventory: string;
  backups: string;
  /** the device's artifact on this machine */
  file: string;
  /** the device's state directory on this machine */
  stateDir: string;
  /** a log the device-side commands may append to */
  commandLog: string;
}

export interface ProjectOptions {
  /** the device's fields besides name, platform, kinds, paths and stateDir (transport, address, commands...) */
  device: Record<string, unknown> | ((where: { dir: string; file: string; commandLog: string }) => Record<string, unknown>);
  /** other fixture devices replaced by these fields (by name) */
  replace?: Record<string, Record<string, unknown>>;
  /** content put on the device before the test */
  seed?: string;
}

export async function makeFaultProject(options: ProjectOptions): Promise<FaultProject> {
  const dir = await mkdtemp(path.join(os.tmpdir(), "scconf-fault-"));
  const inventory = path.join(dir, "inventory");
  await cp(SMALL_INVENTORY, inventory, { recursive: true });
  const file = path.join(dir, "dev/etc/unbound/unbound.conf.d/scconf.conf");
  const stateDir = path.join(dir, "dev/state");
  await mkdir(path.dirname(file), { recursive: true });
  if (options.seed !== undefined) await writeFile(file, options.seed);
  const original = await readFile(path.join(SMALL_INVENTORY, "devices.yaml"), "utf8");
  // the fixture's other devices stay (local), so that every change kind keeps a device
  const others = [...original.matchAll(/^ {2}- (\{ name: (?!dns-unbound)([a-z0-9-]+)[^\n]*\})$/gm)].map((m) =>
    options.replace?.[m[2]!] ? JSON.stringify({ name: m[2], ...options.replace[m[2]!] }) : m[1],
  );
  const commandLog = path.join(dir, "device-commands.log");
  const fields = typeof options.device === "function" ? options.device({ dir, file, commandLog }) : options.device;
  const mine = JSON.stringify({ name: DEVICE, platform: "unbound", kinds: ["dns"], paths: { unbound: file }, stateDir, ...fields });
  await writeFile(path.join(inventory, "devices.yaml"), `devices:\n${[...others, mine].map((d) => `  - ${d}`).join("\n")}\n`);
  return { dir, inventory, backups: path.join(dir, "backups"), file, stateDir, commandLog };
}

/** An inventory copy next to the original (same project dir, so the same store and local roots) whose tsu zone differs by `variant`. */
export async function variantInventory(p: FaultProject, variant: number): Promise<string> {
  const inv = path.join(p.dir, `inventory-${variant}`);
  await cp(p.inventory, inv, { recursive: true });
  const tsu = path.join(inv, "orgs/tsu.yaml");
  const text = await readFile(tsu, "utf8");
  const changed = text.replace("{ name: bousai, type: A", `{ name: bousai${variant}, type: A`);
  if (changed === text) throw new Error("the tsu fixture has no bousai record to vary");
  await writeFile(tsu, changed);
  return inv;
}

export interface CliResult {
  code: number;
  stdout: string;
  stderr: string;
}

const BIN = path.join(REPO_ROOT, "bin/scconf");

export interface CliRun {
  child: ChildProcess;
  /** stderr so far */
  stderr(): string;
  done: Promise<CliResult>;
}

/** Starts the built CLI against the project (or another inventory of it). */
export function startScconf(p: FaultProject, args: string[], options: { inventory?: string; env?: NodeJS.ProcessEnv; timeoutMs?: number } = {}): CliRun {
  const child = spawn(process.execPath, [BIN, "-i", options.inventory ?? p.inventory, "--today", TEST_TODAY, ...args], {
    cwd: p.dir,
    env: { ...process.env, SCCONF_OPERATOR: "fault", NO_COLOR: "1", FORCE_COLOR: "0", ...options.env },
    stdio: ["ignore", "pipe", "pipe"],
  });
  const out: Buffer[] = [];
  const err: Buffer[] = [];
  child.stdout?.on("data", (c: Buffer) => out.push(c));
  child.stderr?.on("data", (c: Buffer) => err.push(c));
  const timer = setTimeout(() => child.kill("SIGKILL"), options.timeoutMs ?? 120_000);
  const done = new Promise<CliResult>((resolve, reject) => {
    child.once("error", reject);
    child.once("close", (code, signal) => {
      clearTimeout(timer);
      resolve({ code: code ?? (signal ? 128 + 9 : -1), stdout: Buffer.concat(out).toString("utf8"), stderr: Buffer.concat(err).toString("utf8") });
    });
  });
  return { child, stderr: () => Buffer.concat(err).toString("utf8"), done };
}

export function scconf(p: FaultProject, args: string[], options: { inventory?: string; env?: NodeJS.ProcessEnv; timeoutMs?: number } = {}): Promise<CliResult> {
  return startScconf(p, args, options).done;
}

export const show = (r: CliResult) => `exit ${r.code}\n--- stdout\n${r.stdout}\n--- stderr\n${r.stderr}`;
