// End-to-end helpers: temp projects built from the small fixture inventory in
// which some devices are real: two file devices over one real OpenSSH sshd,
// the ietf-acl device over a real netconfd, the rest local.
//
// The ssh "devices" are this machine (as root): every artifact path is
// overridden into the project's temp dir (device `paths`), and each device has
// its own `stateDir` there (lock, staging, journal, revert timer), so that the
// two devices on one sshd do not share a lock and nothing is written under
// /var/lib on the machine.
import { execFile, spawn } from "node:child_process";
import { cp, mkdir, mkdtemp, readFile, readdir, rm, writeFile } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { promisify } from "node:util";
import { afterAll, beforeAll } from "vitest";
import { GenerationStore } from "../../src/backup/store.js";
import { driverOpener } from "../../src/cli/runtime.js";
import { validateInventory } from "../../src/inventory/validate.js";
import { deviceSchema } from "../../src/model/schema.js";
import type { Device, Inventory } from "../../src/model/types.js";
import { localFilePath } from "../../src/transport/index.js";
import { createNetconfDriver } from "../../src/transport/netconf/driver.js";
import { startNetconfd, type Netconfd } from "../harness/netconfd.js";
import { startSshd, type Sshd } from "../harness/sshd.js";
import { REPO_ROOT, SMALL_INVENTORY, TEST_TODAY } from "../helpers/inventory.js";

const run = promisify(execFile);

// ───────────────────────── projects ─────────────────────────

export interface Servers {
  sshd: Sshd;
  nc: Netconfd;
}

/** One sshd (both ssh devices) and one netconfd, for a test file. */
export async function startServers(): Promise<Servers> {
  const [sshd, nc] = await Promise.all([startSshd(), startNetconfd({ module: "yang/scconf-acl.yang" })]);
  return { sshd, nc };
}

export async function stopServers(s: Servers | undefined): Promise<void> {
  await Promise.all([s?.sshd.stop(), s?.nc.stop()]);
}

export const SSH_DEVICES = ["fw-nft", "dns-unbound"] as const;
/** local devices; the last three only so that every change kind has a device */
export const LOCAL_DEVICES = ["fw-srx", "utm-fg", "rp-nginx", "mail-postfix", "mail-sa"] as const;
export const NETCONF_DEVICE = "acl-nc";
export const ALL_DEVICES = [...LOCAL_DEVICES, NETCONF_DEVICE, ...SSH_DEVICES].sort();

/** what a device held before scconf managed it (seeded by hand) */
export const OLD = {
  ruleset: "# nftables: written by hand before scconf\ntable inet filter {\n}\n",
  unbound: "# unbound: written by hand before scconf\nserver:\n",
  security: "set security policies from-zone trust to-zone untrust policy old-hand match application any\n",
  firewall: "config firewall policy\nend\n",
  ips: "config ips sensor\nend\n",
  webfilter: "config webfilter profile\nend\n",
};

export interface Project {
  dir: string;
  inventory: string;
  /** the device file of an ssh device artifact, on this machine */
  sshFile: { ruleset: string; unbound: string };
  /** each ssh device's state directory on the device (this machine) */
  stateDir: { "fw-nft": string; "dns-unbound": string };
  /** every device-side command appends its name here when it runs: "<device> check" / "<device> reload" */
  commandLog: string;
  backups: string;
  /** the host path of a local device's artifact */
  localFile(device: string, artifactPath: string): string;
}

export interface ProjectOptions {
  /** put hand-written content on every device first (so that the first apply backs it up) */
  seed?: boolean;
  /** per device, fields replacing the generated ones (e.g. a failing checkCommand, a wrong hostKey) */
  override?: Record<string, Record<string, unknown>>;
}

export async function makeProject(servers: Servers, options: ProjectOptions = {}): Promise<Project> {
  const dir = await mkdtemp(path.join(os.tmpdir(), "scconf-e2e-"));
  const inventory = path.join(dir, "inventory");
  await cp(SMALL_INVENTORY, inventory, { recursive: true });
  const devRoot = path.join(dir, "dev");
  const commandLog = path.join(dir, "device-commands.log");
  const sshFile = {
    ruleset: path.join(devRoot, "fw-nft/etc/nftables.d/scconf.nft"),
    unbound: path.join(devRoot, "dns-unbound/etc/unbound/unbound.conf.d/scconf.conf"),
  };
  await mkdir(path.dirname(sshFile.ruleset), { recursive: true });
  await mkdir(path.dirname(sshFile.unbound), { recursive: true });
  const stateDir = { "fw-nft": path.join(devRoot, "fw-nft/var/lib/scconf"), "dns-unbound": path.join(devRoot, "dns-unbound/var/lib/scconf") };
  const s = servers.sshd;
  const ssh = (name: keyof typeof stateDir) => ({
    transport: "ssh",
    address: "127.0.0.1",
    port: s.port,
    user: s.user,
    auth: { method: "key", keyFile: s.clientKeyPath },
    hostKey: s.hostKeyFingerprint,
    stateDir: stateDir[name],
    confirmTimeout: 30,
  });
  const log = (line: string) => `echo '${line}' >> ${commandLog}`;
  const devices: Array<Record<string, unknown>> = [
    { name: "fw-srx", platform: "junos", kinds: ["firewall"], root: "state/devices/fw-srx" },
    { name: "utm-fg", platform: "fortios", kinds: ["firewall", "urlFilter", "ipsExceptions"], root: "state/devices/utm-fg" },
    { name: "rp-nginx", platform: "nginx", kinds: ["reverseProxy"], root: "state/devices/rp-nginx" },
    { name: "mail-postfix", platform: "postfix", kinds: ["mailRelay"], root: "state/devices/mail-postfix" },
    { name: "mail-sa", platform: "spamassassin", kinds: ["spamExclusions"], root: "state/devices/mail-sa" },
    {
      name: "acl-nc", platform: "ietf-acl", kinds: ["firewall"], transport: "netconf",
      address: "127.0.0.1", port: servers.nc.port, user: servers.nc.user,
      auth: { method: "key", keyFile: servers.nc.clientKeyPath }, hostKey: servers.nc.hostKeyFingerprint, confirmTimeout: 30,
    },
    {
      name: "fw-nft", platform: "nftables", kinds: ["firewall"], ...ssh("fw-nft"),
      paths: { ruleset: sshFile.ruleset },
      // the real checker, in a throwaway network namespace (never the host's ruleset)
      checkCommand: `${log("fw-nft check")} && unshare -n nft -c -f {stage}/ruleset`,
      reloadCommand: log("fw-nft reload"),
    },
    {
      name: "dns-unbound", platform: "unbound", kinds: ["dns"], ...ssh("dns-unbound"),
      paths: { unbound: sshFile.unbound },
      checkCommand: `${log("dns-unbound check")} && unbound-checkconf {stage}/unbound`,
      reloadCommand: log("dns-unbound reload"),
    },
  ].map((d) => ({ ...d, ...(options.override?.[String(d.name)] ?? {}) }));
  // JSON is YAML
  await writeFile(path.join(inventory, "devices.yaml"), `${JSON.stringify({ devices }, null, 2)}\n`);
  const project: Project = {
    dir,
    inventory,
    sshFile,
    stateDir,
    commandLog,
    backups: path.join(dir, "backups"),
    localFile: (device, artifactPath) => path.join(dir, "state/devices", device, localFilePath(artifactPath)),
  };
  if (options.seed) {
    await writeFile(sshFile.ruleset, OLD.ruleset);
    await writeFile(sshFile.unbound, OLD.unbound);
    const seedLocal = async (device: string, p: string, content: string) => {
      const file = project.localFile(device, p);
      await mkdir(path.dirname(file), { recursive: true });
      await writeFile(file, content);
    };
    await seedLocal("fw-srx", "cli:security", OLD.security);
    await seedLocal("utm-fg", "cli:firewall", OLD.firewall);
    await seedLocal("utm-fg", "cli:ips", OLD.ips);
    await seedLocal("utm-fg", "cli:webfilter", OLD.webfilter);
  }
  return project;
}

/** Creates the (empty) backups store, as a first `scconf apply` would. */
export async function initStore(p: Project): Promise<void> {
  await GenerationStore.open(p.backups, { keep: 10 });
}

export async function removeProject(p: Project | undefined): Promise<void> {
  if (p) await rm(p.dir, { recursive: true, force: true });
}

export function loadProject(p: Project): Inventory {
  const r = validateInventory(p.inventory, { today: TEST_TODAY, revision: "e2e" });
  if (!r.inventory) throw new Error(`the e2e inventory does not validate: ${JSON.stringify(r.diagnostics.filter((d) => d.severity === "error"))}`);
  return r.inventory;
}

/** The driver opener the CLI uses. */
export async function openerFor(inventory: Inventory): Promise<Awaited<ReturnType<typeof driverOpener>>> {
  return await driverOpener(inventory);
}

export function deviceOf(inventory: Inventory, name: string): Device {
  const d = inventory.devices.find((x) => x.name === name);
  if (!d) throw new Error(`no device ${name}`);
  return deviceSchema.parse(d);
}

// ───────────────────────── the CLI ─────────────────────────

export interface CliResult {
  code: number;
  stdout: string;
  stderr: string;
}

const BIN = path.join(REPO_ROOT, "bin/scconf");

/** Runs the built CLI (dist/) as a separate process against the project. */
export function scconf(p: Project, args: string[], timeoutMs = 100_000): Promise<CliResult> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [BIN, "-i", p.inventory, "--today", TEST_TODAY, ...args], {
      cwd: p.dir,
      env: { ...process.env, SCCONF_OPERATOR: "e2e", NO_COLOR: "1", FORCE_COLOR: "0" },
      stdio: ["ignore", "pipe", "pipe"],
    });
    const out: Buffer[] = [];
    const err: Buffer[] = [];
    child.stdout.on("data", (c: Buffer) => out.push(c));
    child.stderr.on("data", (c: Buffer) => err.push(c));
    const timer = setTimeout(() => child.kill("SIGKILL"), timeoutMs);
    child.once("error", reject);
    child.once("close", (code, signal) => {
      clearTimeout(timer);
      resolve({ code: code ?? (signal ? 128 : -1), stdout: Buffer.concat(out).toString("utf8"), stderr: Buffer.concat(err).toString("utf8") });
    });
  });
}

/** For failure messages. */
export const show = (r: CliResult) => `exit ${r.code}\n--- stdout\n${r.stdout}\n--- stderr\n${r.stderr}`;

// ───────────────────────── reading the devices ─────────────────────────

export const readOrNull = (file: string) => readFile(file, "utf8").catch(() => null);

/** The netconf device as the harness started it (independent of what a project pins). */
export function netconfDevice(nc: Netconfd): Device {
  return deviceSchema.parse({
    name: NETCONF_DEVICE, platform: "ietf-acl", kinds: ["firewall"], transport: "netconf",
    address: "127.0.0.1", port: nc.port, user: nc.user, auth: { method: "key", keyFile: nc.clientKeyPath }, hostKey: nc.hostKeyFingerprint,
  });
}

/** get-config of /acls on the netconf device, canonical (as the driver reads it). */
export async function netconfAcls(nc: Netconfd): Promise<string | null> {
  const driver = createNetconfDriver(netconfDevice(nc));
  await driver.connect();
  try {
    const [acls] = await driver.fetch([{ id: "acls", path: "netconf:/acls" }]);
    return acls?.content ?? null;
  } finally {
    await driver.close();
  }
}

/** Sets running /acls on the netconf device (stage, commit, confirm): resets it between tests. */
export async function setNetconfAcls(nc: Netconfd, xml: string): Promise<void> {
  const driver = createNetconfDriver(netconfDevice(nc));
  await driver.connect();
  try {
    await driver.lock({ operator: "e2e", change: "reset", host: "localhost", pid: process.pid });
    await driver.stage([{ id: "acls", path: "netconf:/acls", content: xml, kinds: ["firewall"], format: "xml" }]);
    await driver.commit({ confirmTimeout: 60 });
    await driver.confirm();
    await driver.unlock();
  } finally {
    await driver.close();
  }
}

export const SMALL_ACLS = () => readFile(path.join(REPO_ROOT, "test/fixtures/netconf/acls-small.xml"), "utf8");

/** Everything the devices hold, for "nothing changed" assertions. */
export async function snapshotDevices(p: Project, nc: Netconfd): Promise<Record<string, string | null>> {
  return {
    ruleset: await readOrNull(p.sshFile.ruleset),
    unbound: await readOrNull(p.sshFile.unbound),
    security: await readOrNull(p.localFile("fw-srx", "cli:security")),
    firewall: await readOrNull(p.localFile("utm-fg", "cli:firewall")),
    ips: await readOrNull(p.localFile("utm-fg", "cli:ips")),
    webfilter: await readOrNull(p.localFile("utm-fg", "cli:webfilter")),
    acls: await netconfAcls(nc),
  };
}

export async function gitFsck(repo: string): Promise<{ code: number; output: string }> {
  try {
    const r = await run("git", ["-C", repo, "fsck", "--full", "--strict"]);
    return { code: 0, output: r.stdout + r.stderr };
  } catch (err) {
    const e = err as { code?: number; stdout?: string; stderr?: string };
    return { code: typeof e.code === "number" ? e.code : 1, output: `${e.stdout ?? ""}${e.stderr ?? ""}` };
  }
}

export { TEST_TODAY };

/**
 * What a file device's state dir holds that a finished run must not leave: a
 * lock, a staging dir, a journal, saved previous files (an empty prev/ is made
 * by every stage), a pending timer.
 */
export async function leftovers(stateDir: string): Promise<string[]> {
  const names = await readdir(stateDir).catch(() => [] as string[]);
  const out: string[] = [];
  for (const n of names) {
    if (/^(revert\.sh|timer\.log|(decided|confirmed|reverted)-.*)$/.test(n)) continue;
    if (n === "prev" && (await readdir(path.join(stateDir, n))).length === 0) continue;
    out.push(n);
  }
  return out.sort();
}

/**
 * One real sshd and netconfd for a whole test file (started once, stopped
 * after the last test), and the projects the file made, removed at the end.
 */
export function serversForThisFile(): { get: () => Servers; projects: Project[] } {
  let servers: Servers | undefined;
  const projects: Project[] = [];
  beforeAll(async () => {
    servers = await startServers();
  }, 60_000);
  afterAll(async () => {
    await stopServers(servers);
    for (const p of projects) await removeProject(p);
  });
  return {
    get: () => {
      if (!servers) throw new Error("the servers of this test file did not start");
      return servers;
    },
    projects,
  };
}
