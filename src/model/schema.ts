// The inventory format: one zod schema per file kind. It is the single source
// of the TypeScript types (z.output), the validator and the JSON Schema that
// editors use (`scconf schema`), so the three cannot disagree.
import { z } from "zod";
import { parseBlockTarget } from "./blocklist.js";
import { CHANGE_KINDS, PLATFORMS, TRANSPORTS } from "./kinds.js";
import {
  absolutePath,
  address,
  commandLine,
  domain,
  email,
  envVarName,
  identifier,
  isoDate,
  localPath,
  orgId,
  port,
  portRange,
  prefix,
  printable,
  safeText,
  sha256Fingerprint,
  timeZone,
} from "./values.js";

// ───────────────────────── cloud.yaml ─────────────────────────

/**
 * What a global object is to the organizations (tenant isolation):
 *   outside   beyond the cloud (internet, LGWAN, a national portal): rendered
 *             without the organizations' and the cloud's own addresses
 *   service   the cloud's own service organizations may reach (resolvers,
 *             proxies, relays, reverse proxies)
 *   internal  the cloud's own, never a rule's destination (NOC, log collectors)
 * The default is the closed one: an object the NOC forgot to mark is internal.
 */
export const OBJECT_ROLES = ["outside", "service", "internal"] as const;

const namedObject = z.strictObject({
  addresses: z.array(prefix).min(1),
  role: z.enum(OBJECT_ROLES).default("internal"),
  description: safeText().optional(),
});

const breakoutService = z.strictObject({
  name: identifier,
  description: safeText().optional(),
  domains: z.array(domain).min(1),
  prefixes: z.array(prefix).default([]),
});

const blocklistEntry = z.strictObject({
  target: printable(255),
  reason: safeText(),
  added: isoDate,
  by: safeText(64).optional(),
  expires: isoDate.optional(),
});

const changeOperation = z.enum(["add", "change", "remove"]);
const changeClass = z.enum(["minor", "needsApproval"]);

const policyRule = z.strictObject({
  kind: z.enum(CHANGE_KINDS),
  operations: z.array(changeOperation).min(1),
  class: changeClass,
  /** e.g. only inbound firewall rules, or only TXT records */
  when: z
    .strictObject({
      recordTypes: z.array(z.enum(["A", "AAAA", "CNAME", "MX", "TXT", "SRV", "CAA", "NS"])).optional(),
      direction: z.enum(["inbound", "outbound"]).optional(),
    })
    .optional(),
  needsWindow: z.boolean().default(false),
});

const weekday = z.enum(["mon", "tue", "wed", "thu", "fri", "sat", "sun"]);
const clock = z.string().regex(/^([01]\d|2[0-3]):[0-5]\d$/, { message: "must be a time HH:MM (00:00-23:59)" });
/** the end of a window may be 24:00, so that "all day" has no gap at midnight */
const clockEnd = z.string().regex(/^(([01]\d|2[0-3]):[0-5]\d|24:00)$/, { message: "must be a time HH:MM (00:00-24:00)" });

const maintenanceWindow = z.strictObject({
  name: identifier,
  days: z.array(weekday).min(1),
  from: clock,
  to: clockEnd,
});

const changePolicy = z.strictObject({
  default: changeClass.default("needsApproval"),
  rules: z.array(policyRule).default([]),
  windows: z.array(maintenanceWindow).default([]),
  closedDays: z.array(isoDate).default([]),
  thresholds: z
    .strictObject({
      /** share (0-1) of a device's rules or a zone's records that a plan may remove or change without --force */
      maxRemoveOrChangeShare: z.number().min(0).max(1).default(0.3),
      /** below this many existing entries the threshold does not apply */
      minEntries: z.number().int().min(0).default(10),
    })
    .default({ maxRemoveOrChangeShare: 0.3, minEntries: 10 }),
});

/** an OpenSSH public key line: "ssh-ed25519 AAAA... comment"; the key type must be the one inside the blob */
const sshPublicKey = z
  .string()
  .regex(/^(ssh-ed25519|sk-ssh-ed25519@openssh\.com|ecdsa-sha2-nistp(256|384|521)|ssh-rsa) [A-Za-z0-9+/]+={0,2}( [\x21-\x7e][\x20-\x7e]*)?$/, {
    message: "must be one OpenSSH public key line, e.g. ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAA... suzuki@noc (the .pub file)",
  })
  .refine(
    (line) => {
      const [type, b64] = line.split(" ");
      const blob = Buffer.from(b64 ?? "", "base64");
      const len = blob.length >= 4 ? blob.readUInt32BE(0) : -1;
      return len > 0 && blob.subarray(4, 4 + len).toString("latin1") === type;
    },
    { message: "is not a valid public key: its data does not match its type" },
  );

/** who may approve changes (R2): the key is the identity, the name is what the refusals and the audit show */
const approver = z.strictObject({
  name: safeText(64).regex(/^[^\s<>]+( [^\s<>]+)*$/, { message: "must be a name without '<', '>' or doubled spaces" }),
  role: safeText(100),
  key: sshPublicKey,
});

const approvers = z.array(approver).superRefine((list, ctx) => {
  const seen = new Map<string, number>();
  list.forEach((a, i) => {
    const blob = a.key.split(" ")[1] ?? "";
    const first = seen.get(blob);
    if (first !== undefined) ctx.addIssue({ code: "custom", path: [i, "key"], message: `is the key of approvers[${first}] too: one key, one person` });
    else seen.set(blob, i);
  });
});

export const cloudSchema = z.strictObject({
  name: safeText(100),
  nameEn: safeText(100).optional(),
  domain,
  timezone: timeZone.default("Asia/Tokyo"),
  addressPlans: z.strictObject({
    internet: z.array(prefix).min(1),
    breakout: z.array(prefix).min(1),
  }),
  infrastructure: z
    .strictObject({
      resolvers: z.array(prefix).default([]),
      management: z.array(prefix).default([]),
    })
    .default({ resolvers: [], management: [] }),
  defaults: z
    .strictObject({
      dnsTtl: z.number().int().min(30).max(604800).default(3600),
      logging: z.boolean().default(true),
      expiryWarningDays: z.number().int().min(0).max(365).default(14),
      soa: z
        .strictObject({
          primary: domain,
          hostmaster: email,
          refresh: z.number().int().default(3600),
          retry: z.number().int().default(900),
          expire: z.number().int().default(1209600),
          minimum: z.number().int().default(300),
        })
        .optional(),
      nameservers: z.array(domain).default([]),
    })
    .default({ dnsTtl: 3600, logging: true, expiryWarningDays: 14, nameservers: [] }),
  objects: z.record(identifier, namedObject).default({}),
  /** limits on the organizations' spam/malware exclusions */
  spamExclusions: z
    .strictObject({
      /** an excluded sender range may be at most this wide (prefix length at least this) */
      maxSenderPrefix: z
        .strictObject({ ipv4: z.number().int().min(0).max(32).default(24), ipv6: z.number().int().min(0).max(128).default(48) })
        .default({ ipv4: 24, ipv6: 48 }),
    })
    .default({ maxSenderPrefix: { ipv4: 24, ipv6: 48 } }),
  breakout: z.array(breakoutService).default([]),
  blocklist: z.array(blocklistEntry).default([]),
  changePolicy: changePolicy.default({
    default: "needsApproval",
    rules: [],
    windows: [],
    closedDays: [],
    thresholds: { maxRemoveOrChangeShare: 0.3, minEntries: 10 },
  }),
  approvers: approvers.default([]),
  backups: z
    .strictObject({
      generations: z.number().int().min(2, { message: "the specification requires at least 2 generations (11(7)カ)" }).default(10),
      /** relative to the inventory's parent directory (the project directory) */
      path: localPath.default("backups"),
    })
    .default({ generations: 10, path: "backups" }),
});

// ───────────────────────── devices.yaml ─────────────────────────

const authSchema = z.discriminatedUnion("method", [
  z.strictObject({ method: z.literal("key"), keyFile: localPath }),
  z.strictObject({ method: z.literal("agent"), socketEnv: envVarName.default("SSH_AUTH_SOCK") }),
  z.strictObject({ method: z.literal("password"), passwordEnv: envVarName }),
]);

export const deviceSchema = z.strictObject({
  name: identifier,
  description: safeText().optional(),
  platform: z.enum(PLATFORMS),
  kinds: z.array(z.enum(CHANGE_KINDS)).min(1),
  transport: z.enum(TRANSPORTS).default("local"),
  /** for `local`: the directory that stands for the device's filesystem root (relative to the inventory's parent directory) */
  root: localPath.optional(),
  address: address.optional(),
  port: port.optional(),
  user: z.string().regex(/^[a-z_][a-z0-9_-]{0,31}$/, { message: "must be a Unix user name" }).optional(),
  auth: authSchema.optional(),
  hostKey: sha256Fingerprint.optional(),
  /** where scconf keeps its lock, staging and revert journal on a file device (default /var/lib/scconf) */
  stateDir: absolutePath.optional(),
  /** override of the artifact paths on the device, by artifact id */
  paths: z.record(identifier, absolutePath).default({}),
  checkCommand: commandLine.optional(),
  reloadCommand: commandLine.optional(),
  /** seconds before an unconfirmed commit reverts by itself */
  confirmTimeout: z.number().int().min(10).max(3600).default(120),
  tags: z.array(identifier).default([]),
});

export const devicesFileSchema = z.strictObject({
  devices: z.array(deviceSchema),
});

// ───────────────────────── orgs/<id>.yaml ─────────────────────────

const objectRef = z
  .string()
  .min(1)
  .max(100)
  .regex(/^[A-Za-z0-9_.:/-]+$/, {
    message: "must be a network or address name, 'org:name' for another organization's export, a global object, or a CIDR",
  });

export const firewallRuleSchema = z.strictObject({
  name: identifier,
  from: z.array(objectRef).min(1),
  to: z.array(objectRef).min(1),
  protocol: z.enum(["tcp", "udp", "icmp", "icmpv6", "any"]),
  ports: z.array(portRange).optional(),
  action: z.enum(["accept", "drop", "reject"]),
  log: z.boolean().default(false),
  comment: safeText().optional(),
  expires: isoDate.optional(),
});

const urlFilterList = z.strictObject({
  domains: z.array(domain).default([]),
  urls: z.array(printable(512).regex(/^[^\s"'\\]+$/, { message: "URL patterns may not contain spaces, quotes or backslashes" })).default([]),
  categories: z.array(identifier).default([]),
});

export const urlFilterSchema = z.strictObject({
  block: urlFilterList.default({ domains: [], urls: [], categories: [] }),
  allow: urlFilterList.default({ domains: [], urls: [], categories: [] }),
  comment: safeText().optional(),
});

export const ipsExceptionSchema = z.strictObject({
  name: identifier,
  signature: z.number().int().min(1).max(4294967295),
  scope: z.array(objectRef).min(1),
  // traffic to the organization's hosts; source/both also cover what they send (a warning: checks/ips.ts)
  direction: z.enum(["source", "destination", "both"]).default("destination"),
  reason: safeText(),
  expires: isoDate.optional(),
});

export const reverseProxySchema = z.strictObject({
  name: identifier,
  hostname: domain,
  site: z.enum(["official", "disaster", "other"]).default("other"),
  tls: z
    .strictObject({
      certificate: absolutePath,
      key: absolutePath,
    })
    .optional(),
  origin: z.strictObject({
    address,
    port,
    tls: z.boolean().default(false),
  }),
  xff: z.enum(["append", "replace"]).default("append"),
  waf: z.enum(["block", "detect", "off"]).default("block"),
  cdn: z.boolean().default(false),
  comment: safeText().optional(),
});

export const DNS_RECORD_TYPES = ["A", "AAAA", "CNAME", "MX", "TXT", "SRV", "CAA", "NS"] as const;

export const dnsRecordSchema = z.strictObject({
  name: z
    .string()
    .regex(/^(@|\*|(\*\.)?[A-Za-z0-9_](?:[A-Za-z0-9_-]{0,61}[A-Za-z0-9])?(?:\.[A-Za-z0-9_](?:[A-Za-z0-9_-]{0,61}[A-Za-z0-9])?)*)$/, {
      message: "must be '@', a relative name like 'www' or '_sip._tcp', or a wildcard '*.name'",
    }),
  type: z.enum(DNS_RECORD_TYPES),
  value: z.union([printable(2048), z.number()]).transform((v) => String(v)),
  ttl: z.number().int().min(30).max(604800).optional(),
  view: z.enum(["external", "internal", "both"]).default("external"),
});

export const dnsZoneSchema = z.strictObject({
  zone: domain,
  records: z.array(dnsRecordSchema).default([]),
});

export const mailRouteSchema = z.strictObject({
  domain,
  nextHop: z.union([address, domain]),
  port: port.default(25),
  /** MX lookup for the next hop (false renders [host] as postfix does) */
  mx: z.boolean().default(false),
  comment: safeText().optional(),
});

export const spamExclusionSchema = z.strictObject({
  name: identifier,
  sender: z.union([email, domain, prefix]),
  bypass: z.enum(["spam", "malware", "both"]).default("spam"),
  reason: safeText(),
  expires: isoDate.optional(),
});

const networkSchema = z.strictObject({
  name: identifier,
  cidr: prefix,
  description: safeText().optional(),
});

const globalAddressSchema = z.strictObject({
  name: identifier,
  address: prefix,
  description: safeText().optional(),
});

const contactSchema = z.strictObject({
  name: safeText(64),
  role: safeText(64).optional(),
  email,
  phone: z.string().regex(/^[0-9+() -]{6,20}$/, { message: "must be a phone number of digits, spaces, +, - and ()" }).optional(),
});

const exportSchema = z.strictObject({
  name: identifier,
  /** the organizations this object is shared with; "*" for all */
  to: z.array(z.union([orgId, z.literal("*")])).min(1),
});

export const orgSchema = z.strictObject({
  id: orgId,
  name: z.strictObject({ ja: safeText(64), en: safeText(64) }),
  kind: z.enum(["prefecture", "city", "town", "union"]),
  maintainers: z.array(z.string().regex(/^@?[A-Za-z0-9][A-Za-z0-9-]{0,38}(\/[A-Za-z0-9_.-]+)?$/, { message: "must be a GitHub/GitLab user or team handle" })).default([]),
  contacts: z.array(contactSchema).min(1, { message: "at least one contact is needed: blocks and incidents are reported to them" }),
  networks: z.array(networkSchema).default([]),
  globalAddresses: z.array(globalAddressSchema).default([]),
  domains: z.array(domain).default([]),
  exports: z.array(exportSchema).default([]),
  bandwidth: z
    .strictObject({
      ingressMbps: z.number().int().min(1).max(100000),
      egressMbps: z.number().int().min(1).max(100000),
    })
    .optional(),
  firewall: z.array(firewallRuleSchema).default([]),
  urlFilter: urlFilterSchema.optional(),
  ipsExceptions: z.array(ipsExceptionSchema).default([]),
  reverseProxy: z.array(reverseProxySchema).default([]),
  dns: z.array(dnsZoneSchema).default([]),
  mailRelay: z.array(mailRouteSchema).default([]),
  spamExclusions: z.array(spamExclusionSchema).default([]),
});

// ───────────────────────── emergency.yaml ─────────────────────────
// The NOC's emergency blocks (R6), written by `scconf block` and committed
// with who and why. Optional: an inventory without the file has none.

/** An ISO 8601 date-time with an offset, e.g. 2026-11-27T10:15:00+09:00 */
const isoInstant = z.string().refine(
  (value) => /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d{1,3})?)?(Z|[+-]\d{2}:\d{2})$/.test(value) && !Number.isNaN(Date.parse(value)),
  { message: "must be a date and time with its offset, e.g. 2026-11-27T10:15:00+09:00" },
);

export const emergencyBlockSchema = z.strictObject({
  /** an address, a CIDR prefix, a domain or an http(s) URL */
  target: printable(512).refine((v) => parseBlockTarget(v) !== undefined, {
    message: "must be an address (192.0.2.66), a prefix (192.0.2.0/28), a domain (c2.example.net) or an http(s) URL on a domain",
  }).superRefine((v, ctx) => {
    const t = parseBlockTarget(v);
    if (t?.kind === "prefix" && t.embedded) {
      ctx.addIssue({ code: "custom", message: `${t.embedded.written} is the IPv4 prefix ${t.text} written as ${t.embedded.form}; write the IPv4 form ${t.text}` });
    }
  }),
  reason: safeText(),
  ticket: z.string().regex(/^[A-Za-z0-9][A-Za-z0-9_.:/-]{0,63}$/, { message: "must be a ticket id of letters, digits and - _ . : / (at most 64)" }).optional(),
  by: safeText(64),
  /** when the block was recorded */
  added: isoInstant,
  /** when the threat was detected (for the 15-minute report) */
  detected: isoInstant.optional(),
  expires: isoInstant.optional(),
  /** the organization whose own host or name is blocked (required for a target inside its space) */
  org: orgId.optional(),
  /** the refusal for a too-wide or infrastructure target was overridden */
  forced: z.literal(true).optional(),
});

export const emergencyFileSchema = z.strictObject({
  blocks: z.array(emergencyBlockSchema).default([]),
});

/** The schemas by file kind, for the loader and for `scconf schema`. */
export const FILE_SCHEMAS = {
  cloud: cloudSchema,
  devices: devicesFileSchema,
  org: orgSchema,
  emergency: emergencyFileSchema,
} as const;
export type FileKind = keyof typeof FILE_SCHEMAS;
