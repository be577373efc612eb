// What the device-facing commands share: where the project is, who operates,
// the backup store, and how a device's driver is opened.
import { execFileSync } from "node:child_process";
import { userInfo, hostname } from "node:os";
import { dirname, resolve } from "node:path";
import type { GenerationStore } from "../backup/store.js";
import type { Device, DeviceConfig, Inventory } from "../model/types.js";
import type { DevicePlan } from "../plan/types.js";
import type { Driver, LockOwner } from "../transport/driver.js";

import { UserError } from "./exit-codes.js";

/** The project directory: relative device roots and the backups path are resolved against it. */
export function projectDir(inventory: Inventory): string {
  return dirname(inventory.root);
}

export function operatorName(explicit?: string): string {
  if (explicit) return explicit;
  if (process.env["SCCONF_OPERATOR"]) return process.env["SCCONF_OPERATOR"];
  try {
    const name = execFileSync("git", ["config", "user.name"], { encoding: "utf8", stdio: ["ignore", "pipe", "ignore"] }).trim();
    if (name) return name;
  } catch {
    // no git identity: fall back to the login name
  }
  return userInfo().username;
}

export function lockOwner(operator: string, change: string): LockOwner {
  return { operator, change, host: hostname(), pid: process.pid };
}

export function storePath(inventory: Inventory, override?: string): string {
  return resolve(projectDir(inventory), override ?? process.env["SCCONF_BACKUPS"] ?? inventory.cloud.backups.path);
}

// The store (simple-git) and the drivers (ssh2) load on first use, so that
// validate and render start fast.
export async function openStore(inventory: Inventory, options: { path?: string; readOnly?: boolean } = {}): Promise<GenerationStore> {
  const { GenerationStore } = await import("../backup/store.js");
  return GenerationStore.open(storePath(inventory, options.path), {
    keep: inventory.cloud.backups.generations,
    ...(options.readOnly ? { readOnly: true } : {}),
  });
}

export function deviceByName(inventory: Inventory, name: string): Device {
  const d = inventory.devices.find((x) => x.name === name);
  if (!d) throw new UserError(`no device "${name}" in the inventory`, 1, `devices: ${inventory.devices.map((x) => x.name).join(", ")}`);
  return d;
}

/** Opens a driver for a rendered device config or a device plan (both carry the effective commands). */
export async function driverOpener(inventory: Inventory): Promise<(target: DeviceConfig | DevicePlan) => Driver> {
  const { createDriver } = await import("../transport/index.js");
  return (target: DeviceConfig | DevicePlan): Driver => {
    const device = deviceByName(inventory, target.device);
    return createDriver(device, {
      baseDir: projectDir(inventory),
      ...(target.checkCommand ? { checkCommand: target.checkCommand } : {}),
      ...(target.reloadCommand ? { reloadCommand: target.reloadCommand } : {}),
    });
  };
}
