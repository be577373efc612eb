// The lab overlay: per device, the inventory fields that point it at its
// stand-in in the lab (`--target lab`). Written by `scconf lab up` to
// <labdir>/overlay.yaml, applied after the inventory validated, and validated
// itself against the device schema, so a broken overlay is an error, never a
// half-applied target.
import { existsSync, readFileSync } from "node:fs";
import { dirname, join, resolve } from "node:path";
import { parse, stringify } from "yaml";
import { deviceSchema } from "../../model/schema.js";
import type { Device, Inventory } from "../../model/types.js";

export const OVERLAY_FORMAT = "scconf-lab-overlay/1";

/** A field set to null is removed from the device (e.g. `root` of a local device that becomes ssh). */
export type DeviceOverlay = Record<string, unknown>;

export interface LabOverlay {
  format: typeof OVERLAY_FORMAT;
  /** the lab directory (absolute) */
  lab: string;
  /** the backups store of lab runs: rehearsals never write generations into the real store */
  backups: string;
  devices: Record<string, DeviceOverlay>;
}

export class LabError extends Error {
  override name = "LabError";
  constructor(message: string, readonly hint?: string) {
    super(message);
  }
}

/** The default lab directory of a project: <project>/.scconf/lab (gitignored). */
export function labDirOf(inventoryDir: string): string {
  return join(dirname(resolve(inventoryDir)), ".scconf", "lab");
}

export function overlayPath(labDir: string): string {
  return join(labDir, "overlay.yaml");
}

export function formatOverlay(overlay: LabOverlay): string {
  return `# Written by 'scconf lab up'; used by --target lab. Do not edit: 'scconf lab down' removes it.\n${stringify(overlay)}`;
}

export function readOverlay(labDir: string): LabOverlay {
  const file = overlayPath(labDir);
  if (!existsSync(file)) throw new LabError(`no lab is running for this inventory (${file} does not exist)`, "start one with 'scconf lab up'");
  const data = parse(readFileSync(file, "utf8")) as Partial<LabOverlay> | null;
  if (!data || data.format !== OVERLAY_FORMAT || typeof data.devices !== "object" || data.devices === null || typeof data.backups !== "string") {
    throw new LabError(`${file} is not a lab overlay (${OVERLAY_FORMAT})`, "run 'scconf lab down' and 'scconf lab up' again");
  }
  return data as LabOverlay;
}

/** The device with the overlay's fields replacing its own, validated like an inventory entry. */
export function overlayDevice(device: Device, fields: DeviceOverlay): Device {
  const merged: Record<string, unknown> = { ...device };
  for (const [key, value] of Object.entries(fields)) {
    if (key === "name") continue;
    if (value === null) delete merged[key];
    else merged[key] = value;
  }
  const parsed = deviceSchema.safeParse(merged);
  if (!parsed.success) {
    const problems = parsed.error.issues.map((i) => `${i.path.join(".") || "(device)"}: ${i.message}`).join("; ");
    throw new LabError(`the lab overlay of ${device.name} is not a valid device: ${problems}`, "run 'scconf lab down' and 'scconf lab up' again");
  }
  return parsed.data;
}

/** The inventory as the lab sees it: every device of the overlay replaced, backups in the lab. */
export function applyOverlay(inventory: Inventory, overlay: LabOverlay): Inventory {
  const known = new Set(inventory.devices.map((d) => d.name));
  const unknown = Object.keys(overlay.devices).filter((n) => !known.has(n));
  if (unknown.length) throw new LabError(`the lab overlay names devices the inventory does not have: ${unknown.join(", ")}`, "the inventory changed since 'scconf lab up': run 'scconf lab down' and 'scconf lab up'");
  const missing = inventory.devices.filter((d) => !overlay.devices[d.name]).map((d) => d.name);
  if (missing.length) {
    // a device without a stand-in would be reached for real during a rehearsal
    throw new LabError(`the lab has no stand-in for ${missing.join(", ")}`, "the inventory changed since 'scconf lab up': run 'scconf lab down' and 'scconf lab up'");
  }
  return {
    ...inventory,
    cloud: { ...inventory.cloud, backups: { ...inventory.cloud.backups, path: overlay.backups } },
    devices: inventory.devices.map((d) => overlayDevice(d, overlay.devices[d.name] ?? {})),
  };
}

/** `--target NAME`: only "lab" exists; its overlay lives in the inventory's lab directory. */
export function applyTarget(inventory: Inventory, inventoryDir: string, target: string): Inventory {
  if (target !== "lab") throw new LabError(`unknown target "${target}"`, "the only target is 'lab' (see 'scconf lab up')");
  return applyOverlay(inventory, readOverlay(labDirOf(inventoryDir)));
}
