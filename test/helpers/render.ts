// What every platform's render test needs: render one device through its
// platform module (so that a test does not depend on the other platforms of
// the registry), and run the platform's real checker in a scratch directory.
import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { expect } from "vitest";
import type { Device, DeviceConfig, Inventory } from "../../src/model/types.js";
import type { LocalChecker } from "../../src/render/check/types.js";
import type { Platform } from "../../src/render/platform.js";
import { loadTemplates } from "../../src/render/templates.js";
import { TEST_TODAY } from "./inventory.js";

/** Renders `device` (a name, a Device, or the first device of the platform) as renderDevice would. */
export function renderWith(platform: Platform, inventory: Inventory, device?: string | Device, today = TEST_TODAY): DeviceConfig {
  const d =
    typeof device === "object" ? device
    : device ? inventory.devices.find((x) => x.name === device)
    : inventory.devices.find((x) => x.platform === platform.name);
  if (!d) throw new Error(`no ${platform.name} device ${typeof device === "string" ? device : ""}`);
  const templates = loadTemplates(platform.name, platform.helpers);
  const artifacts = platform.render({ inventory, device: d, kinds: d.kinds, today, revision: inventory.revision, templates });
  for (const a of artifacts) expect(a.content.endsWith("\n"), `${a.id} ends with a newline`).toBe(true);
  return { device: d.name, platform: d.platform, artifacts };
}

/** A checker run in its own scratch directory per call. */
export function checkerRuns(checker: LocalChecker, name: string) {
  const scratch = mkdtempSync(join(tmpdir(), `scconf-${name}-`));
  let runs = 0;
  const check = (config: DeviceConfig) => checker.check(config, join(scratch, `run-${runs++}`));
  return {
    scratch,
    check,
    /** every artifact checked by the real checker and accepted */
    async expectAccepted(config: DeviceConfig, opts: { perArtifact?: boolean } = {}): Promise<void> {
      const outcomes = await check(config);
      if (opts.perArtifact) expect(outcomes.length).toBe(config.artifacts.length);
      else expect(outcomes.length).toBeGreaterThan(0);
      for (const o of outcomes) expect(o, `${o.tool}\n${o.output}`).toMatchObject({ checked: true, ok: true });
    },
  };
}
