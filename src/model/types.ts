// The typed model. Types are derived from the schema so that they cannot drift.
import type { z } from "zod";
import type {
  cloudSchema,
  deviceSchema,
  dnsRecordSchema,
  dnsZoneSchema,
  emergencyBlockSchema,
  firewallRuleSchema,
  ipsExceptionSchema,
  mailRouteSchema,
  orgSchema,
  reverseProxySchema,
  spamExclusionSchema,
  urlFilterSchema,
} from "./schema.js";
import type { ChangeKind, PlatformName } from "./kinds.js";

export type Cloud = z.output<typeof cloudSchema>;
export type Device = z.output<typeof deviceSchema>;
export type Org = z.output<typeof orgSchema>;
export type FirewallRule = z.output<typeof firewallRuleSchema>;
export type UrlFilter = z.output<typeof urlFilterSchema>;
export type IpsException = z.output<typeof ipsExceptionSchema>;
export type ReverseProxyMapping = z.output<typeof reverseProxySchema>;
export type DnsZone = z.output<typeof dnsZoneSchema>;
export type DnsRecord = z.output<typeof dnsRecordSchema>;
export type MailRoute = z.output<typeof mailRouteSchema>;
export type SpamExclusion = z.output<typeof spamExclusionSchema>;
export type EmergencyBlock = z.output<typeof emergencyBlockSchema>;

/** Where each entity of the inventory came from, for diagnostics. */
export interface InventoryFiles {
  cloud: string;
  devices: string;
  /** org id -> file path */
  orgs: Record<string, string>;
  /** emergency.yaml, when the inventory has one */
  emergency?: string;
}

/** The whole validated inventory. Orgs and devices are sorted by id / name. */
export interface Inventory {
  /** the inventory directory */
  root: string;
  cloud: Cloud;
  devices: Device[];
  orgs: Org[];
  /** the NOC's emergency blocks (emergency.yaml); absent or empty when there are none */
  emergency?: EmergencyBlock[];
  files: InventoryFiles;
  /** the git revision of the inventory (short hash, "+dirty" when modified), or "unversioned" */
  revision: string;
}

/**
 * One unit the tool owns on a device and replaces whole: a file, a zone file,
 * a NETCONF subtree, a CLI hierarchy.
 */
export interface Artifact {
  /** stable id within the device, e.g. "ruleset", "zone-tsu.mie.jp"; also the key in `device.paths` */
  id: string;
  /** where it lives on the device: an absolute file path, or a NETCONF/CLI locator such as "netconf:/acls" */
  path: string;
  /** the full content, UTF-8, ending with a newline */
  content: string;
  /** what the artifact renders, for summaries */
  kinds: ChangeKind[];
  /** content media type, used by drivers to choose how to stage it */
  format: "text" | "xml" | "junos-set" | "fortios-cli";
}

/** The rendered configuration of one device. */
export interface DeviceConfig {
  device: string;
  platform: PlatformName;
  artifacts: Artifact[];
  /** command that checks the staged artifacts on the device; {dir} is the staging directory */
  checkCommand?: string;
  /** command that makes the device load the new artifacts */
  reloadCommand?: string;
}
