// Inventory -> DesiredState: per device, its artifacts. Pure and deterministic.
import { detectSecrets } from "../backup/detect.js";
import type { Device, DeviceConfig, Inventory } from "../model/types.js";
import { RenderError, type RenderContext } from "./platform.js";
import { platformOf } from "./registry.js";
import { loadTemplates } from "./templates.js";

export interface RenderOptions {
  /** YYYY-MM-DD: expired items are left out */
  today: string;
}

export function renderDevice(inventory: Inventory, device: Device, options: RenderOptions): DeviceConfig {
  const platform = platformOf(device.platform);
  for (const k of device.kinds) {
    if (!platform.kinds.includes(k)) {
      throw new RenderError(device.name, device.platform, "kinds", `${device.platform} does not render ${k}`);
    }
  }
  const ctx: RenderContext = {
    inventory,
    device,
    kinds: device.kinds,
    today: options.today,
    revision: inventory.revision,
    templates: loadTemplates(platform.name, platform.helpers),
  };
  const artifacts = platform.render(ctx).sort((a, b) => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0));
  const ids = new Set<string>();
  for (const a of artifacts) {
    if (ids.has(a.id)) throw new RenderError(device.name, device.platform, a.id, "two artifacts with one id");
    ids.add(a.id);
    if (!a.content.endsWith("\n")) a.content += "\n";
    // what the backup's detector would refuse to record must never reach a device: its generation,
    // and every later one of that device (an emergency block's included), could not be recorded
    const seen = detectSecrets(a.content)[0];
    if (seen) {
      throw new RenderError(device.name, device.platform, `${a.id} line ${seen.line}`,
        `the rendered text looks like a ${seen.pattern} to the backup's secret detector; the generation could not be recorded (validate names the inventory field)`);
    }
  }
  const checkCommand = device.checkCommand ?? platform.defaultCheckCommand;
  const reloadCommand = device.reloadCommand ?? platform.defaultReloadCommand;
  return {
    device: device.name,
    platform: device.platform,
    artifacts,
    ...(checkCommand ? { checkCommand } : {}),
    ...(reloadCommand ? { reloadCommand } : {}),
  };
}

export interface RenderAllResult {
  configs: DeviceConfig[];
  errors: RenderError[];
}

/** Renders every device (or those selected); a device that fails does not hide the others' errors. */
export function renderAll(inventory: Inventory, options: RenderOptions, select: (d: Device) => boolean = () => true): RenderAllResult {
  const configs: DeviceConfig[] = [];
  const errors: RenderError[] = [];
  for (const device of inventory.devices) {
    if (!select(device)) continue;
    try {
      configs.push(renderDevice(inventory, device, options));
    } catch (err) {
      if (err instanceof RenderError) errors.push(err);
      else throw err;
    }
  }
  return { configs, errors };
}
