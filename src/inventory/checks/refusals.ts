// What a renderer would refuse is refused here first, at the inventory's line:
// the rules are the renderers' own (render/refusals.ts), applied to every
// organization for the platforms of the devices that carry each kind. A
// setting that validates therefore renders on every device in its scope, and
// cannot stop a shared device's renders (an emergency block's included).
import type { ChangeKind, PlatformName } from "../../model/kinds.js";
import { cloudRefusals, orgRefusals } from "../../render/refusals.js";
import type { Check } from "./context.js";

export const checkRenderRefusals: Check = ({ inventory, report }) => {
  // platform + kind -> the devices that would render it
  const scopes = new Map<string, { platform: PlatformName; kind: ChangeKind; devices: string[] }>();
  for (const d of inventory.devices) {
    for (const kind of d.kinds) {
      const key = `${d.platform}/${kind}`;
      const s = scopes.get(key) ?? { platform: d.platform, kind, devices: [] };
      s.devices.push(d.name);
      scopes.set(key, s);
    }
  }
  const hint = "every device that carries this kind must be able to render it; remove the setting or write it in a form all of them take";
  for (const { platform, kind, devices } of scopes.values()) {
    for (const r of cloudRefusals(platform, [kind], inventory)) report.cloud("error", "render-refusal", r.path, `${r.message} (${platform}: ${devices.join(", ")})`);
  }
  for (const org of inventory.orgs) {
    for (const { platform, kind, devices } of scopes.values()) {
      for (const r of orgRefusals(platform, [kind], inventory, org)) {
        report.org(org.id, "error", "render-refusal", r.path, `${r.message} (${platform}: ${devices.join(", ")})`, hint);
      }
    }
  }
};
