// Chooses the driver for a device. The rest of the tool sees only Driver.
import { mkdirSync } from "node:fs";
import { resolve } from "node:path";
import type { Artifact, Device } from "../model/types.js";
import type { ArtifactLocator, Driver, FetchedArtifact } from "./driver.js";
import { createFileDriver } from "./file-device.js";
import { createNetconfDriver } from "./netconf/driver.js";
import { createSshCliDriver } from "./ssh-cli/index.js";

export interface DriverFactoryOptions {
  /** the project directory: relative device roots and key files are resolved against it */
  baseDir: string;
  /** the device's effective check and reload commands (the platform's defaults when the device sets none) */
  checkCommand?: string;
  reloadCommand?: string;
  env?: NodeJS.ProcessEnv;
  /** seconds; for tests that need short timers */
  commandTimeoutMs?: number;
}

/**
 * A `local` device is a directory standing for the device. Artifacts that on a
 * real device are NETCONF subtrees or CLI hierarchies ("netconf:/acls",
 * "cli:security") are kept there as files under /config/<scheme>/..., so the
 * same staging, swap and revert apply to them.
 */
export function localFilePath(path: string): string {
  if (path.startsWith("/")) return path;
  const m = /^([a-z]+):\/?(.*)$/.exec(path);
  if (!m) return `/config/${path}`;
  return `/config/${m[1]}/${(m[2] ?? "").replace(/[^A-Za-z0-9_.-]/g, "_") || "root"}`;
}

class LocalPathDriver implements Driver {
  constructor(private readonly inner: Driver) {}
  get device() { return this.inner.device; }
  get capabilities() { return this.inner.capabilities; }
  connect() { return this.inner.connect(); }
  lock(owner: Parameters<Driver["lock"]>[0]) { return this.inner.lock(owner); }
  unlock() { return this.inner.unlock(); }
  async fetch(locators: ArtifactLocator[]): Promise<FetchedArtifact[]> {
    const mapped = await this.inner.fetch(locators.map((l) => ({ id: l.id, path: localFilePath(l.path) })));
    const original = new Map(locators.map((l) => [l.id, l.path]));
    return mapped.map((f) => ({ ...f, path: original.get(f.id) ?? f.path }));
  }
  stage(artifacts: Artifact[]) { return this.inner.stage(artifacts.map((a) => ({ ...a, path: localFilePath(a.path) }))); }
  validate() { return this.inner.validate(); }
  leftoverNotes() { return this.inner.leftoverNotes?.() ?? []; }
  commit(o: Parameters<Driver["commit"]>[0]) { return this.inner.commit(o); }
  confirm() { return this.inner.confirm(); }
  discard() { return this.inner.discard(); }
  close() { return this.inner.close(); }
}

export function createDriver(device: Device, options: DriverFactoryOptions): Driver {
  // a local device runs commands on this machine: only the commands its own
  // inventory entry names, never a platform default meant for a real device
  const commands =
    device.transport === "local"
      ? { checkCommand: device.checkCommand, reloadCommand: device.reloadCommand }
      : { checkCommand: device.checkCommand ?? options.checkCommand, reloadCommand: device.reloadCommand ?? options.reloadCommand };
  const effective: Device = { ...device };
  if (commands.checkCommand) effective.checkCommand = commands.checkCommand;
  else delete effective.checkCommand;
  if (commands.reloadCommand) effective.reloadCommand = commands.reloadCommand;
  else delete effective.reloadCommand;
  const common = {
    baseDir: options.baseDir,
    ...(options.env ? { env: options.env } : {}),
    ...(device.stateDir ? { stateDir: device.stateDir } : {}),
  };
  switch (device.transport) {
    case "local":
      // the embedded default: a fresh local device is an empty directory, made on first use
      if (device.root) mkdirSync(resolve(options.baseDir, device.root), { recursive: true });
      return new LocalPathDriver(createFileDriver(effective, { ...common, ...(options.commandTimeoutMs ? { commandTimeoutMs: options.commandTimeoutMs } : {}) }));
    case "ssh":
      return createFileDriver(effective, { ...common, ...(options.commandTimeoutMs ? { commandTimeoutMs: options.commandTimeoutMs } : {}) });
    case "netconf":
      return createNetconfDriver(effective, common);
    case "ssh-cli":
      return createSshCliDriver(effective, { ...common, ...(options.commandTimeoutMs ? { commandTimeoutMs: options.commandTimeoutMs } : {}) });
  }
}
