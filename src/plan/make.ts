// render -> fetch -> diff: the one way a plan is made (plan, apply, drift, review).
import type { DeviceConfig, Inventory } from "../model/types.js";
import type { Driver } from "../transport/driver.js";
import { assemblePlan, planDevice } from "./build.js";
import { fetchCurrent, type LastGenerationReader } from "./fetch.js";
import type { IntentChange } from "./intent.js";
import type { DevicePlan, Plan } from "./types.js";

export interface MakePlanOptions {
  offline: boolean;
  parallel: number;
  operator: string;
  today: string;
  openDriver: (config: DeviceConfig) => Driver;
  store?: LastGenerationReader;
  intentChanges?: IntentChange[];
}

export interface MakePlanResult {
  plan: Plan;
  /** devices whose current state could not be read: not in the plan */
  unreachable: Array<{ device: string; error: Error }>;
  /** what earlier runs left on devices (a lock, an unfinished commit): apply will refuse them until recovered */
  leftovers: Array<{ device: string; notes: string[] }>;
}

export async function makePlan(inventory: Inventory, configs: DeviceConfig[], options: MakePlanOptions): Promise<MakePlanResult> {
  const fetched = await fetchCurrent(configs, {
    offline: options.offline,
    parallel: options.parallel,
    openDriver: options.openDriver,
    ...(options.store ? { store: options.store } : {}),
  });
  const devices: DevicePlan[] = [];
  const unreachable: MakePlanResult["unreachable"] = [];
  const leftovers: MakePlanResult["leftovers"] = [];
  for (const config of configs) {
    const r = fetched.get(config.device);
    if (!r) continue;
    if (r.ok) {
      devices.push(planDevice(inventory, config, r.state));
      if (r.notes.length) leftovers.push({ device: config.device, notes: r.notes });
    }
    else unreachable.push({ device: config.device, error: r.error });
  }
  const plan = assemblePlan({
    inventory,
    devices,
    intentChanges: options.intentChanges ?? [],
    operator: options.operator,
    today: options.today,
    offline: options.offline,
  });
  return { plan, unreachable, leftovers };
}
