// Reads what each device runs now: from the device, or (offline) from its last generation.
import type { DeviceConfig } from "../model/types.js";
import type { Driver, FetchedArtifact } from "../transport/driver.js";
import type { CurrentState } from "./build.js";
import { mapLimit } from "./concurrency.js";

export interface LastGenerationReader {
  /** the artifacts of the device's newest generation, or undefined when it has none */
  latestArtifacts(device: string): Promise<Array<{ id: string; content: string }> | undefined>;
}

export interface FetchOptions {
  offline: boolean;
  parallel: number;
  openDriver: (config: DeviceConfig) => Driver;
  store?: LastGenerationReader;
}

/** `notes`: what an earlier run left on the device, for the operator to see before applying */
export type FetchOutcome = { ok: true; state: CurrentState; notes: string[] } | { ok: false; error: Error };

export async function fetchCurrent(configs: DeviceConfig[], options: FetchOptions): Promise<Map<string, FetchOutcome>> {
  const out = new Map<string, FetchOutcome>();
  await mapLimit(configs, options.parallel, async (config) => {
    try {
      if (options.offline) {
        const last = await options.store?.latestArtifacts(config.device);
        const artifacts: FetchedArtifact[] = config.artifacts.map((a) => ({
          id: a.id,
          path: a.path,
          content: last?.find((l) => l.id === a.id)?.content ?? null,
        }));
        out.set(config.device, { ok: true, state: { source: last ? "last-generation" : "none", artifacts }, notes: [] });
        return;
      }
      const driver = options.openDriver(config);
      try {
        await driver.connect();
        const artifacts = await driver.fetch(config.artifacts.map((a) => ({ id: a.id, path: a.path })));
        out.set(config.device, { ok: true, state: { source: "device", artifacts }, notes: driver.leftoverNotes?.() ?? [] });
      } finally {
        await driver.close().catch(() => undefined);
      }
    } catch (err) {
      out.set(config.device, { ok: false, error: err as Error });
    }
  });
  return out;
}
