// Which stand-in each device gets in the lab, where its artifacts live there,
// and how the lab checks them. Pure: computed from the inventory and the
// rendered artifacts; lab.ts does the I/O.
//
// The lab runs as root on this machine: a stand-in must never write a real
// system path. So every artifact of a file device is moved under
// <labdir>/devices/<device>/<original path> (device `paths`), its lock,
// staging and journal under <labdir>/devices/<device>/var/lib/scconf
// (`stateDir`), and the reload is a no-op (there is no service to reload).
//
// The check on the staged files: where the platform's own checker runs
// standalone on the staged file (nft -c in a throwaway network namespace,
// unbound-checkconf), that command; for platforms whose check needs the
// device's main configuration (nginx -t, haproxy -c, named-checkconf,
// postfix check, squid -k parse, spamassassin --lint, rspamadm, suricata -T)
// running the production command here would check this machine's own /etc
// (or write pid and log files into /run and /var), so the lab runs the same
// hermetic harness `scconf render --check` uses (src/render/check/<platform>.ts)
// on the staged files: `scconf lab check <device file> {stage}`.
import path from "node:path";
import type { PlatformName } from "../../model/kinds.js";
import type { Device, DeviceConfig } from "../../model/types.js";
import { LOCAL_CHECKERS } from "../../render/check/index.js";
import { localFilePath } from "../../transport/index.js";
import { shQuote } from "../../transport/file/host.js";
import type { DeviceOverlay } from "./overlay.js";

export type StandInKind = "ssh" | "netconf" | "local";

export interface LabArtifact {
  id: string;
  /** the path the production device uses */
  original: string;
  /** where the stand-in keeps it on this machine (ssh and local stand-ins) */
  labPath: string;
  kinds: DeviceConfig["artifacts"][number]["kinds"];
  format: DeviceConfig["artifacts"][number]["format"];
}

export interface StandIn {
  device: string;
  platform: PlatformName;
  kind: StandInKind;
  /** <labdir>/devices/<device> */
  root: string;
  artifacts: LabArtifact[];
  /** the lab's check on staged files (ssh and local stand-ins) */
  checkCommand?: string;
  /** what the check is, or why there is none, for `lab up` / `lab status` */
  checkNote: string;
  /** the device file `scconf lab check` reads (when the check is the harness) */
  checkFile?: string;
}

const STANDALONE_CHECKS: Partial<Record<PlatformName, { command: string; programs: string[] }>> = {
  nftables: { command: "unshare -n nft -c -f {stage}/ruleset", programs: ["unshare", "nft"] },
  unbound: { command: "unbound-checkconf {stage}/unbound", programs: ["unbound-checkconf"] },
};

export function standInKind(device: Device): StandInKind {
  if (device.transport === "netconf" || device.platform === "ietf-acl") return "netconf";
  // CLI devices (Junos, FortiOS) have no stand-in server here: they stay local, in the lab directory
  if (device.transport === "ssh-cli" || device.platform === "junos" || device.platform === "fortios") return "local";
  return "ssh";
}

export interface StandInContext {
  labDir: string;
  /** how to run this scconf: [node, bin/scconf] */
  scconf: readonly string[];
  /** whether a program is installed here */
  installed: (program: string) => boolean;
}

export function planStandIn(device: Device, config: DeviceConfig, ctx: StandInContext): StandIn {
  const kind = standInKind(device);
  const root = path.join(ctx.labDir, "devices", device.name);
  const artifacts = config.artifacts.map((a) => ({
    id: a.id,
    original: a.path,
    labPath: path.join(root, localFilePath(a.path)),
    kinds: a.kinds,
    format: a.format,
  }));
  const base = { device: device.name, platform: device.platform, kind, root, artifacts };
  if (kind === "netconf") return { ...base, checkNote: "<validate> on the lab netconfd" };
  const standalone = STANDALONE_CHECKS[device.platform];
  if (standalone && kind === "ssh") {
    const missing = standalone.programs.filter((p) => !ctx.installed(p));
    if (!missing.length) return { ...base, checkCommand: standalone.command, checkNote: standalone.command };
    return { ...base, checkCommand: notChecked(missing), checkNote: `NOT CHECKED: ${missing.join(", ")} not installed here` };
  }
  const checker = LOCAL_CHECKERS[device.platform];
  if (!checker) return { ...base, checkCommand: notChecked([`a checker for ${device.platform}`]), checkNote: `NOT CHECKED: no checker for ${device.platform}` };
  const missing = checker.programs.filter((p) => !ctx.installed(p));
  if (missing.length) return { ...base, checkCommand: notChecked(missing), checkNote: `NOT CHECKED: ${missing.join(", ")} not installed here` };
  const checkFile = path.join(ctx.labDir, "check", `${device.name}.json`);
  const command = [...ctx.scconf, "lab", "check", checkFile].map(shQuote).join(" ") + " {stage}";
  return { ...base, checkCommand: command, checkNote: `${device.platform} checker harness (${checker.programs.join(", ") || "built in"})`, checkFile };
}

/** A lab without the vendor's checker still rehearses the transaction, and says so in the validate output. */
function notChecked(missing: string[]): string {
  return `echo ${shQuote(`scconf lab: NOT CHECKED: ${missing.join(", ")} not installed on the lab machine`)}`;
}

export interface Endpoint {
  port: number;
  user: string;
  clientKeyPath: string;
  hostKeyFingerprint: string;
}

/** The overlay fields that point a device at its stand-in. */
export function overlayFor(standIn: StandIn, endpoint: Endpoint | undefined): DeviceOverlay {
  const remote = (e: Endpoint) => ({
    address: "127.0.0.1",
    port: e.port,
    user: e.user,
    auth: { method: "key", keyFile: e.clientKeyPath },
    hostKey: e.hostKeyFingerprint,
  });
  switch (standIn.kind) {
    case "ssh":
      if (!endpoint) throw new Error(`no sshd for ${standIn.device}`);
      return {
        transport: "ssh",
        ...remote(endpoint),
        root: null,
        paths: Object.fromEntries(standIn.artifacts.map((a) => [a.id, a.labPath])),
        stateDir: path.join(standIn.root, "var/lib/scconf"),
        checkCommand: standIn.checkCommand ?? null,
        // nothing runs the artifacts in the lab; never the platform's reload of this machine's services
        reloadCommand: "true",
      };
    case "netconf":
      if (!endpoint) throw new Error(`no netconfd for ${standIn.device}`);
      return { transport: "netconf", ...remote(endpoint), root: null, paths: {}, stateDir: null, checkCommand: null, reloadCommand: null };
    case "local":
      return {
        transport: "local",
        root: standIn.root,
        address: null,
        port: null,
        user: null,
        auth: null,
        hostKey: null,
        paths: {},
        stateDir: null,
        checkCommand: standIn.checkCommand ?? null,
        reloadCommand: null,
      };
  }
}
