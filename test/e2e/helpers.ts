// End-to-end helpers: temp projects built from the small fixture inventory in
// which some devices are real: two file devices over a real OpenSSH sshd, the
// ietf-acl device over a real netconfd, the rest local.
//
// The ssh "devices" are this machine (as root). Their artifacts live under the
// project's temp dir (device `paths` overrides); the driver's state directory
// is the default /var/lib/scconf, which neither createDriver nor the CLI can
// change: so each device's sshd runs in a private mount namespace with an
// overlay over /var/lib, and /var/lib/scconf exists only inside it (its
// content appears under `stateDir` on the host). One sshd per ssh device:
// two devices on one host would share one lock and one staging directory.
import { spawn, execFile, type ChildProcess } from "node:child_process";
import { cp, mkdir, mkdtemp, readFile, rm, writeFile } from "node:fs/promises";
import net from "node:net";
import os from "node:os";
import path from "node:path";
import { promisify } from "node:util";
import { driverOpener } from "../../src/cli/runtime.js";
import { validateInventory } from "../../src/inventory/validate.js";
import { deviceSchema } from "../../src/model/schema.js";
import type { Device, Inventory } from "../../src/model/types.js";
import { localFilePath } from "../../src/transport/index.js";
import { createNetconfDriver } from "../../src/transport/netconf/driver.js";
import type { Netconfd } from "../harness/netconfd.js";
import { REPO_ROOT, SMALL_INVENTORY, TEST_TODAY } from "../helpers/inventory.js";

const run = promisify(execFile);

export interface DeviceSshd {
  port: number;
  hostKeyFingerprint: string;
  clientKeyPath: string;
  user: string;
  /** the host path of the device's /var/lib/scconf (lock, staging, journal) */
  stateDir: string;
  log(): string;
  stop(): Promise<void>;
}

/** A real sshd whose sessions see a private /var/lib (overlay), so that /var/lib/scconf is this device's own. */
export async function startDeviceSshd(): Promise<DeviceSshd> {
  await mkdir("/run/sshd", { recursive: true, mode: 0o755 });
  const dir = await mkdtemp(path.join(os.tmpdir(), "scconf-e2e-sshd-"));
  const user = os.userInfo().username;
  const hostKey = path.join(dir, "host_ed25519");
  const clientKeyPath = path.join(dir, "client_ed25519");
  await Promise.all([
    run("ssh-keygen", ["-q", "-t", "ed25519", "-N", "", "-C", "e2e-host", "-f", hostKey]),
    run("ssh-keygen", ["-q", "-t", "ed25519", "-N", "", "-C", "e2e-client", "-f", clientKeyPath]),
    mkdir(path.join(dir, "upper")),
    mkdir(path.join(dir, "work")),
  ]);
  const authorizedKeys = path.join(dir, "authorized_keys");
  await writeFile(authorizedKeys, await readFile(`${clientKeyPath}.pub`), { mode: 0o600 });
  const { stdout } = await run("ssh-keygen", ["-l", "-E", "sha256", "-f", `${hostKey}.pub`]);
  const hostKeyFingerprint = /SHA256:[A-Za-z0-9+/]{43}/.exec(stdout)?.[0];
  if (!hostKeyFingerprint) throw new Error(`no fingerprint in: ${stdout}`);
  const config = path.join(dir, "sshd_config");
  await writeFile(
    config,
    [
      "ListenAddress 127.0.0.1",
      `HostKey ${hostKey}`,
      `PidFile ${path.join(dir, "sshd.pid")}`,
      `AuthorizedKeysFile ${authorizedKeys}`,
      "StrictModes no",
      "UsePAM no",
      "PasswordAuthentication no",
      "KbdInteractiveAuthentication no",
      "PermitRootLogin prohibit-password",
      `AllowUsers ${user}`,
      "Subsystem sftp internal-sftp",
      "MaxStartups 50",
      "MaxSessions 50",
      "",
    ].join("\n"),
  );
  for (let attempt = 1; ; attempt++) {
    const port = await freePort();
    const output: string[] = [];
    // unshare (no --fork) and sh both exec: the child's pid is sshd's
    const child = spawn(
      "unshare",
      [
        "--mount", "--propagation", "private", "sh", "-c",
        'mount -t overlay overlay -o "lowerdir=/var/lib,upperdir=$1,workdir=$2" /var/lib && shift 2 && exec /usr/sbin/sshd "$@"',
        "sh", path.join(dir, "upper"), path.join(dir, "work"), "-D", "-e", "-f", config, "-p", String(port),
      ],
      { stdio: ["ignore", "pipe", "pipe"] },
    );
    child.stdout?.on("data", (c: Buffer) => output.push(c.toString("utf8")));
    child.stderr?.on("data", (c: Buffer) => output.push(c.toString("utf8")));
    const deadline = Date.now() + 10_000;
    let ready = false;
    while (Date.now() < deadline && child.exitCode === null) {
      if (await accepts(port)) {
        ready = true;
        break;
      }
      await new Promise((r) => setTimeout(r, 50));
    }
    if (ready) {
      return {
        port,
        hostKeyFingerprint,
        clientKeyPath,
        user,
        stateDir: path.join(dir, "upper", "scconf"),
        log: () => output.join(""),
        stop: async () => {
          await stopChild(child);
          await rm(dir, { recursive: true, force: true });
        },
      };
    }
    await stopChild(child);
    if (attempt >= 5 || !/Address already in use|Cannot bind/.test(output.join(""))) {
      await rm(dir, { recursive: true, force: true });
      throw new Error(`sshd did not start: ${output.join("")}`);
    }
  }
}

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = net.createServer();
    server.once("error", reject);
    server.listen(0, "127.0.0.1", () => {
      const a = server.address();
      const port = typeof a === "object" && a ? a.port : 0;
      server.close(() => resolve(port));
    });
  });
}

function accepts(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const s = net.connect({ host: "127.0.0.1", port });
    s.once("connect", () => {
      s.destroy();
      resolve(true);
    });
    s.once("error", () => resolve(false));
  });
}

async function stopChild(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  const exited = new Promise<void>((resolve) => child.once("exit", () => resolve()));
  child.kill("SIGTERM");
  const timer = setTimeout(() => child.kill("SIGKILL"), 3_000);
  await exited;
  clearTimeout(timer);
}

// ───────────────────────── projects ─────────────────────────

export interface Servers {
  nft: DeviceSshd;
  unbound: DeviceSshd;
  nc: Netconfd;
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
  const ssh = (s: DeviceSshd) => ({
    transport: "ssh",
    address: "127.0.0.1",
    port: s.port,
    user: s.user,
    auth: { method: "key", keyFile: s.clientKeyPath },
    hostKey: s.hostKeyFingerprint,
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
      name: "fw-nft", platform: "nftables", kinds: ["firewall"], ...ssh(servers.nft),
      paths: { ruleset: sshFile.ruleset },
      // the real checker, in a throwaway network namespace (never the host's ruleset)
      checkCommand: `${log("fw-nft check")} && unshare -n nft -c -f {stage}/ruleset`,
      reloadCommand: log("fw-nft reload"),
    },
    {
      name: "dns-unbound", platform: "unbound", kinds: ["dns"], ...ssh(servers.unbound),
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

export async function removeProject(p: Project | undefined): Promise<void> {
  if (p) await rm(p.dir, { recursive: true, force: true });
}

export function loadProject(p: Project): Inventory {
  const r = validateInventory(p.inventory, { today: TEST_TODAY, revision: "e2e" });
  if (!r.inventory) throw new Error(`the e2e inventory does not validate: ${JSON.stringify(r.diagnostics.filter((d) => d.severity === "error"))}`);
  return r.inventory;
}

/** The driver opener the CLI uses. */
export function openerFor(inventory: Inventory) {
  return driverOpener(inventory);
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

/** get-config of /acls on the netconf device, canonical (as the driver reads it). */
export async function netconfAcls(inventory: Inventory): Promise<string | null> {
  const driver = createNetconfDriver(deviceOf(inventory, NETCONF_DEVICE));
  await driver.connect();
  try {
    const [acls] = await driver.fetch([{ id: "acls", path: "netconf:/acls" }]);
    return acls?.content ?? null;
  } finally {
    await driver.close();
  }
}

/** Sets running /acls on the netconf device (stage, commit, confirm): resets it between tests. */
export async function setNetconfAcls(inventory: Inventory, xml: string): Promise<void> {
  const driver = createNetconfDriver(deviceOf(inventory, NETCONF_DEVICE));
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
export async function snapshotDevices(p: Project, inventory: Inventory): Promise<Record<string, string | null>> {
  return {
    ruleset: await readOrNull(p.sshFile.ruleset),
    unbound: await readOrNull(p.sshFile.unbound),
    security: await readOrNull(p.localFile("fw-srx", "cli:security")),
    firewall: await readOrNull(p.localFile("utm-fg", "cli:firewall")),
    ips: await readOrNull(p.localFile("utm-fg", "cli:ips")),
    webfilter: await readOrNull(p.localFile("utm-fg", "cli:webfilter")),
    acls: await netconfAcls(inventory),
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
