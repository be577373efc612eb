// Shared pieces of the fault-injection tests: one-artifact devices behind a
// TCP proxy (ssh file device and NETCONF), hand-made plans, a seeded store,
// and read-backs that bypass the proxy.
import { mkdir, mkdtemp, readFile, writeFile } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { GenerationStore } from "../../src/backup/store.js";
import { deviceSchema } from "../../src/model/schema.js";
import type { Device } from "../../src/model/types.js";
import { sha256, stateHash } from "../../src/plan/hash.js";
import { PLAN_FORMAT, type DevicePlan, type Plan } from "../../src/plan/types.js";
import type { Driver } from "../../src/transport/driver.js";
import { createFileDriver } from "../../src/transport/file-device.js";
import { canonicalXml } from "../../src/transport/netconf/artifacts.js";
import { createNetconfDriver } from "../../src/transport/netconf/driver.js";

export interface SshServer {
  port: number;
  user: string;
  clientKeyPath: string;
  hostKeyFingerprint: string;
}

/** An ssh file device whose artifact and state directory live under `dir` (never real system paths). */
export function sshDevice(server: SshServer, dir: string, port: number, extra: Record<string, unknown> = {}): Device {
  return deviceSchema.parse({
    name: "relay1",
    platform: "postfix",
    kinds: ["mailRelay"],
    transport: "ssh",
    address: "127.0.0.1",
    port,
    user: server.user,
    auth: { method: "key", keyFile: server.clientKeyPath },
    hostKey: server.hostKeyFingerprint,
    stateDir: `${dir}/state`,
    paths: { app: `${dir}/etc/app.conf` },
    confirmTimeout: 10,
    ...extra,
  });
}

export function netconfDeviceAt(server: SshServer, port: number): Device {
  return deviceSchema.parse({
    name: "acl-nc",
    platform: "ietf-acl",
    kinds: ["firewall"],
    transport: "netconf",
    address: "127.0.0.1",
    port,
    user: server.user,
    auth: { method: "key", keyFile: server.clientKeyPath },
    hostKey: server.hostKeyFingerprint,
    confirmTimeout: 10,
  });
}

export async function newDeviceDir(base: string, content: string): Promise<string> {
  const dir = await mkdtemp(path.join(base, "dev-"));
  await mkdir(path.join(dir, "etc"), { recursive: true });
  await writeFile(path.join(dir, "etc/app.conf"), content);
  return dir;
}

export const readOrNull = (file: string) => readFile(file, "utf8").catch(() => null);

/** Short timeouts, so that a stalled or cut device fails a step in seconds. */
export function openerFor(device: Device, timeouts = { connectMs: 8_000, commandMs: 8_000 }): () => Driver {
  if (device.transport === "netconf") {
    return () => createNetconfDriver(device, { connectTimeoutMs: timeouts.connectMs, rpcTimeoutMs: timeouts.commandMs });
  }
  return () =>
    createFileDriver(device, {
      ...(device.stateDir ? { stateDir: device.stateDir } : {}),
      connectTimeoutMs: timeouts.connectMs,
      commandTimeoutMs: timeouts.commandMs,
    });
}

/** A one-device, one-artifact plan from `old` to `desired` (NETCONF content compared canonically, as the driver reads it). */
export function onePlan(device: Device, artifact: { id: string; path: string; format: "text" | "xml" }, old: string | null, desired: string): Plan {
  const canon = (s: string) => (artifact.format === "xml" ? (canonicalXml(s) ?? s) : s);
  const currentHash = old === null ? null : sha256(canon(old));
  const want = canon(desired);
  const dp: DevicePlan = {
    device: device.name,
    platform: device.platform,
    transport: device.transport,
    source: "device",
    artifacts: [
      {
        id: artifact.id,
        path: artifact.path,
        kinds: device.kinds,
        format: artifact.format,
        action: old === null ? "create" : "update",
        currentHash,
        desiredHash: sha256(want),
        desired: want,
        diff: "",
        added: 0,
        removed: 0,
      },
    ],
    currentHash: stateHash([{ id: artifact.id, hash: currentHash }]),
    changed: true,
    ...(device.checkCommand ? { checkCommand: device.checkCommand } : {}),
    ...(device.reloadCommand ? { reloadCommand: device.reloadCommand } : {}),
  };
  const id = sha256(`${device.name}\n${dp.currentHash}\n${sha256(want)}`).slice(0, 16);
  return { format: PLAN_FORMAT, id, createdAt: new Date().toISOString(), operator: "fault", inventoryRevision: "fault", today: "2026-11-27", offline: false, devices: [dp], intentChanges: [] };
}

/** A store that already holds the device's current state as a generation, so that apply adds at most one. */
export async function seededStore(dir: string, device: Device, artifact: { id: string; path: string }, old: string): Promise<GenerationStore> {
  const store = await GenerationStore.open(path.join(dir, "backups"), { keep: 10, redactionKeyPath: path.join(dir, "redaction.key") });
  await store.record([{ device: device.name, platform: device.platform, artifacts: [{ ...artifact, content: old }] }], { change: "seed", operator: "fault", kind: "backup" });
  return store;
}

export async function tempBase(prefix: string): Promise<string> {
  return mkdtemp(path.join(os.tmpdir(), prefix));
}
