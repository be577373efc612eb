// The rehearsal lab: `lab up` starts, on 127.0.0.1 only, one OpenSSH sshd for
// every file device and one netconfd per NETCONF device, seeds them with what
// the devices run now, and writes the overlay that `--target lab` applies.
// `lab down` stops exactly the processes lab.json records (each checked
// against its /proc cmdline first) and removes the lab directory.
import { existsSync, mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { dirname, join, resolve } from "node:path";
import type { Device, DeviceConfig, Inventory } from "../../model/types.js";
import { packagePath } from "../../package-root.js";
import { SCCONF_ACL_MODULE } from "../../render/check/ietf-acl.js";
import { findProgram } from "../../render/check/run.js";
import { renderDevice } from "../../render/render.js";
import { localFilePath } from "../../transport/index.js";
import type { CheckFile } from "./check.js";
import { launchNetconfd } from "./netconfd.js";
import { applyOverlay, formatOverlay, LabError, labDirOf, OVERLAY_FORMAT, overlayPath, type LabOverlay } from "./overlay.js";
import { isAlive, readCmdline, sameProcess, stopPid, type StopOutcome } from "./process.js";
import { launchSshd } from "./sshd.js";
import { overlayFor, planStandIn, type Endpoint, type StandIn, type StandInKind } from "./stand-ins.js";

export const LAB_FORMAT = "scconf-lab/1";

export interface LabProcess {
  role: "sshd" | "netconfd" | "revert-timer";
  /** the NETCONF device it stands in for (netconf only) */
  device?: string;
  pid: number;
  port: number;
  /** /proc/<pid>/cmdline when it was ready: `lab down` kills the pid only while it still matches */
  cmdline: string[];
}

export interface LabDevice {
  device: string;
  platform: string;
  standIn: StandInKind;
  port?: number;
  check: string;
}

export interface LabState {
  format: typeof LAB_FORMAT;
  startedAt: string;
  inventory: string;
  dir: string;
  processes: LabProcess[];
  devices: LabDevice[];
}

export interface LabUpOptions {
  inventoryDir: string;
  today: string;
  /** the artifacts of a device's newest generation (seed for devices that are not local) */
  lastGeneration?: (device: string) => Promise<Map<string, string>>;
}

export function labStatePath(labDir: string): string {
  return join(labDir, "lab.json");
}

export function readLabState(labDir: string): LabState | undefined {
  const file = labStatePath(labDir);
  if (!existsSync(file)) return undefined;
  const data = JSON.parse(readFileSync(file, "utf8")) as Partial<LabState>;
  if (data.format !== LAB_FORMAT || !Array.isArray(data.processes)) throw new LabError(`${file} is not a lab record (${LAB_FORMAT})`);
  return data as LabState;
}

const running = (p: LabProcess) => {
  const seen = readCmdline(p.pid);
  return seen !== undefined && sameProcess(seen, p.cmdline);
};

export async function labUp(inventory: Inventory, options: LabUpOptions): Promise<LabState> {
  const labDir = labDirOf(options.inventoryDir);
  const previous = readLabState(labDir);
  if (previous?.processes.some(running)) throw new LabError(`a lab is already running in ${labDir}`, "see 'scconf lab status'; stop it with 'scconf lab down'");
  // a lab dir without live processes is what a crashed `lab up` left: start clean
  rmSync(labDir, { recursive: true, force: true });
  for (const sub of ["devices", "check", "sshd", "netconf"]) mkdirSync(join(labDir, sub), { recursive: true, mode: 0o700 });

  const state: LabState = { format: LAB_FORMAT, startedAt: new Date().toISOString(), inventory: resolve(options.inventoryDir), dir: labDir, processes: [], devices: [] };
  const save = () => writeFileSync(labStatePath(labDir), `${JSON.stringify(state, null, 2)}\n`);
  save();
  const stopStarted = async () => {
    for (const p of [...state.processes].reverse()) await stopPid(p.pid, p.cmdline);
  };
  try {
    const scconf = [process.execPath, packagePath("bin", "scconf")];
    const standIns: Array<{ device: Device; standIn: StandIn }> = [];
    for (const device of inventory.devices) {
      const config: DeviceConfig = renderDevice(inventory, device, { today: options.today });
      standIns.push({ device, standIn: planStandIn(device, config, { labDir, scconf, installed: (p) => findProgram(p) !== undefined }) });
    }
    const seeds = new Map<string, Map<string, string>>();
    for (const { device, standIn } of standIns) {
      const seed = await seedOf(inventory, device, standIn, options);
      seeds.set(device.name, seed);
      if (standIn.kind !== "netconf") {
        for (const a of standIn.artifacts) {
          const content = seed.get(a.id);
          if (content === undefined) continue;
          mkdirSync(dirname(a.labPath), { recursive: true });
          writeFileSync(a.labPath, content);
        }
      }
      if (standIn.checkFile) {
        const file: CheckFile = { device: device.name, platform: device.platform, artifacts: standIn.artifacts };
        writeFileSync(standIn.checkFile, `${JSON.stringify(file, null, 2)}\n`);
      }
    }

    const endpoints = new Map<string, Endpoint>();
    if (standIns.some((s) => s.standIn.kind === "ssh")) {
      const sshd = await launchSshd({ dir: join(labDir, "sshd"), detached: true });
      state.processes.push({ role: "sshd", pid: sshd.process.pid, port: sshd.port, cmdline: readCmdline(sshd.process.pid) ?? [] });
      save();
      for (const s of standIns.filter((x) => x.standIn.kind === "ssh")) endpoints.set(s.device.name, sshd);
    }
    for (const { device } of standIns.filter((x) => x.standIn.kind === "netconf")) {
      const dir = join(labDir, "netconf", device.name);
      mkdirSync(dir, { recursive: true, mode: 0o700 });
      const acls = seeds.get(device.name)?.get("acls");
      const nc = await launchNetconfd({
        dir,
        module: SCCONF_ACL_MODULE,
        detached: true,
        ...(acls ? { startupXml: `<config xmlns="urn:ietf:params:xml:ns:netconf:base:1.0">\n${acls}</config>\n` } : {}),
      });
      state.processes.push({ role: "sshd", device: device.name, pid: nc.sshd.process.pid, port: nc.sshd.port, cmdline: readCmdline(nc.sshd.process.pid) ?? [] });
      state.processes.push({ role: "netconfd", device: device.name, pid: nc.netconfd.pid, port: nc.sshd.port, cmdline: readCmdline(nc.netconfd.pid) ?? [] });
      save();
      endpoints.set(device.name, nc.sshd);
    }

    const overlay: LabOverlay = { format: OVERLAY_FORMAT, lab: labDir, backups: join(labDir, "backups"), devices: {} };
    for (const { device, standIn } of standIns) {
      const endpoint = endpoints.get(device.name);
      overlay.devices[device.name] = overlayFor(standIn, endpoint);
      state.devices.push({ device: device.name, platform: device.platform, standIn: standIn.kind, ...(endpoint ? { port: endpoint.port } : {}), check: standIn.checkNote });
    }
    applyOverlay(inventory, overlay); // validates every device of the overlay before anyone can use it
    writeFileSync(overlayPath(labDir), formatOverlay(overlay));
    save();
    return state;
  } catch (err) {
    await stopStarted();
    rmSync(labDir, { recursive: true, force: true });
    throw err;
  }
}

/** What the device runs now: a local device's files, else its newest generation. */
async function seedOf(inventory: Inventory, device: Device, standIn: StandIn, options: LabUpOptions): Promise<Map<string, string>> {
  const seed = new Map<string, string>();
  if (device.transport === "local" && device.root) {
    const root = resolve(dirname(inventory.root), device.root);
    for (const a of standIn.artifacts) {
      const file = join(root, localFilePath(a.original));
      if (existsSync(file)) seed.set(a.id, readFileSync(file, "utf8"));
    }
    return seed;
  }
  return options.lastGeneration ? options.lastGeneration(device.name) : seed;
}

export interface LabDownResult {
  /** what happened to each recorded process */
  processes: Array<LabProcess & { outcome: StopOutcome }>;
  removed: boolean;
}

export async function labDown(inventoryDir: string): Promise<LabDownResult> {
  const labDir = labDirOf(inventoryDir);
  const state = readLabState(labDir);
  const result: LabDownResult = { processes: [], removed: false };
  for (const p of [...(state?.processes ?? [])].reverse()) {
    result.processes.push({ ...p, outcome: await stopPid(p.pid, p.cmdline) });
  }
  // a stand-in may still run a revert timer of an unconfirmed commit: it belongs to the lab and writes into it
  for (const pid of revertTimers(labDir)) {
    const cmdline = readCmdline(pid);
    if (cmdline?.some((part) => part.includes(labDir))) {
      result.processes.push({ role: "revert-timer", pid, port: 0, cmdline, outcome: await stopPid(pid, cmdline) });
    }
  }
  if (existsSync(labDir)) {
    rmSync(labDir, { recursive: true, force: true });
    result.removed = true;
  }
  return result;
}

/** The pids in the timer-<txid>.pid files of the lab's devices. */
function revertTimers(labDir: string): number[] {
  const devices = join(labDir, "devices");
  if (!existsSync(devices)) return [];
  const pids: number[] = [];
  for (const device of readdirSync(devices)) {
    const stateDir = join(devices, device, "var/lib/scconf");
    if (!existsSync(stateDir)) continue;
    for (const f of readdirSync(stateDir).filter((n) => /^timer-.*\.pid$/.test(n))) {
      const pid = Number(readFileSync(join(stateDir, f), "utf8").trim());
      if (Number.isInteger(pid) && pid > 1) pids.push(pid);
    }
  }
  return pids;
}

export interface LabStatus {
  state: LabState | undefined;
  processes: Array<LabProcess & { running: boolean }>;
}

export function labStatus(inventoryDir: string): LabStatus {
  const state = readLabState(labDirOf(inventoryDir));
  return { state, processes: (state?.processes ?? []).map((p) => ({ ...p, running: running(p) && isAlive(p.pid) })) };
}
