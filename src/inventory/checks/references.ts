// Devices and what they carry: a device may carry only the change kinds its
// platform renders (anything else would be silently dropped), every kind an
// organization uses must reach some device, and a device must say how to
// reach it.
import { CHANGE_KINDS, PLATFORM_KINDS, type ChangeKind } from "../../model/kinds.js";
import type { Org } from "../../model/types.js";
import type { PathSegment } from "../diagnostics.js";
import type { Check } from "./context.js";

/** The path of the organization's first setting of a kind, or undefined when it uses none. */
export function firstUse(org: Org, kind: ChangeKind): PathSegment[] | undefined {
  switch (kind) {
    case "urlFilter": {
      const f = org.urlFilter;
      if (!f) return undefined;
      const used = [f.block, f.allow].some((l) => l.domains.length + l.urls.length + l.categories.length > 0);
      return used ? ["urlFilter"] : undefined;
    }
    case "firewall":
    case "ipsExceptions":
    case "reverseProxy":
    case "dns":
    case "mailRelay":
    case "spamExclusions":
      return org[kind].length > 0 ? [kind, 0] : undefined;
  }
}

const REMOTE_FIELDS = ["address", "user", "auth", "hostKey"] as const;

export const checkReferences: Check = ({ inventory, report }) => {
  const carried = new Set<ChangeKind>();
  inventory.devices.forEach((device, i) => {
    const renders = PLATFORM_KINDS[device.platform];
    device.kinds.forEach((kind, j) => {
      carried.add(kind);
      if (!renders.includes(kind)) {
        report.device(i, "error", "device-kind", ["kinds", j],
          `the ${device.platform} platform does not render ${kind}; it renders ${renders.join(", ")}`,
          `carry ${kind} on a device whose platform renders it`);
      }
    });
    if (device.transport === "local") {
      if (device.root === undefined) {
        report.device(i, "error", "device-transport", ["transport"], `device "${device.name}" uses transport local but has no root`,
          "set root: the directory that stands for the device's filesystem, e.g. state/devices/" + device.name);
      }
      for (const field of ["address", "user", "auth"] as const) {
        if (device[field] !== undefined) {
          report.device(i, "warning", "device-transport", [field], `${field} is ignored: device "${device.name}" uses transport local`,
            "remove it, or set the transport the device really uses");
        }
      }
    } else {
      // one finding per missing field, each located at the device: the field does not exist to point at
      for (const field of REMOTE_FIELDS.filter((f) => device[f] === undefined)) {
        report.device(i, "error", "device-transport", [field],
          `device "${device.name}" uses transport ${device.transport} but has no ${field}`,
          "a remote device needs address, user, auth (key file, agent or password env var) and the pinned hostKey");
      }
    }
  });

  for (const kind of CHANGE_KINDS) {
    if (carried.has(kind)) continue;
    for (const org of inventory.orgs) {
      const path = firstUse(org, kind);
      if (path) {
        report.org(org.id, "error", "no-device", path, `${org.id} uses ${kind}, but no device carries ${kind}: it would never be rendered`,
          `add a device with kinds: [${kind}] in devices.yaml`);
      }
    }
  }
};
