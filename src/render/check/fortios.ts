// Our own structural checker for the FortiOS CLI artifacts. There is no
// FortiOS here, so this is NOT Fortinet's parser: it checks that blocks are
// balanced (config/edit/next/end), that every `set` key is one we know for
// its config path (a whitelist written from the FortiOS 7.x CLI reference
// for the tables scconf writes), that values have the right shape, that
// quotes are balanced, that no "?" (the CLI's help key) appears, and that
// every name a policy or group refers to is defined in the artifacts or
// is a FortiOS built-in. FORTIOS_GRAMMAR is exported for a later simulator.
import { isIPv4 } from "node:net";
import type { DeviceConfig } from "../../model/types.js";
import { parsePrefix } from "../../model/net.js";
import type { CheckOutcome, LocalChecker } from "./types.js";

export interface CliToken { text: string; quoted: boolean }

export type ValueSpec =
  | { kind: "str" }
  | { kind: "int"; min?: number; max?: number }
  | { kind: "enum"; values: readonly string[]; many?: boolean }
  | { kind: "ip4mask" }
  | { kind: "ip6prefix" }
  | { kind: "portranges" }
  /** names (quoted) defined by `edit` in one of these tables, or built-ins */
  | { kind: "ref"; tables: readonly string[]; builtins?: readonly string[]; many?: boolean }
  /** an integer id defined by `edit` in one of these tables */
  | { kind: "idref"; tables: readonly string[] };

export interface TableSpec {
  /** "table": entries opened with edit; "single": set lines directly */
  kind: "table" | "single";
  edit?: "int" | "name";
  keys: Readonly<Record<string, ValueSpec>>;
  children?: Readonly<Record<string, TableSpec>>;
  /** `move <id> before|after <id>` allowed */
  moves?: boolean;
}

const str: ValueSpec = { kind: "str" };
const int: ValueSpec = { kind: "int" };
const enable: ValueSpec = { kind: "enum", values: ["enable", "disable"] };
const en = (...values: string[]): ValueSpec => ({ kind: "enum", values });
const ens = (...values: string[]): ValueSpec => ({ kind: "enum", values, many: true });
const ADDR4 = ["firewall address", "firewall addrgrp"];
const ADDR6 = ["firewall address6", "firewall addrgrp6"];
const addr4: ValueSpec = { kind: "ref", tables: ADDR4, builtins: ["all", "none"], many: true };
const addr6: ValueSpec = { kind: "ref", tables: ADDR6, builtins: ["all", "none"], many: true };
const intf: ValueSpec = { kind: "ref", tables: [], builtins: ["any"], many: true };
const services: ValueSpec = { kind: "ref", tables: ["firewall service custom", "firewall service group"], builtins: ["ALL", "ALL_TCP", "ALL_UDP", "ALL_ICMP", "ALL_ICMP6", "HTTP", "HTTPS", "DNS", "PING"], many: true };
const shaper: ValueSpec = { kind: "ref", tables: ["firewall shaper traffic-shaper"] };

export const FORTIOS_GRAMMAR: Readonly<Record<string, TableSpec>> = {
  "firewall address": {
    kind: "table", edit: "name",
    keys: { type: en("ipmask", "iprange", "fqdn", "geography", "wildcard"), subnet: { kind: "ip4mask" }, "start-ip": str, "end-ip": str, fqdn: str, comment: str, color: int, "allow-routing": enable },
  },
  "firewall address6": {
    kind: "table", edit: "name",
    keys: { type: en("ipprefix", "iprange", "fqdn", "geography"), ip6: { kind: "ip6prefix" }, fqdn: str, comment: str, color: int },
  },
  "firewall addrgrp": { kind: "table", edit: "name", keys: { member: { kind: "ref", tables: ADDR4, many: true }, comment: str, color: int } },
  "firewall addrgrp6": { kind: "table", edit: "name", keys: { member: { kind: "ref", tables: ADDR6, many: true }, comment: str, color: int } },
  "firewall service custom": {
    kind: "table", edit: "name",
    keys: {
      protocol: en("TCP/UDP/SCTP", "ICMP", "ICMP6", "IP", "HTTP", "FTP", "CONNECT", "SOCKS-TCP", "SOCKS-UDP", "ALL"),
      "tcp-portrange": { kind: "portranges" }, "udp-portrange": { kind: "portranges" }, "sctp-portrange": { kind: "portranges" },
      "protocol-number": { kind: "int", max: 254 }, icmptype: { kind: "int", max: 255 }, icmpcode: { kind: "int", max: 255 },
      comment: str, category: str, color: int,
    },
  },
  "firewall policy": {
    kind: "table", edit: "int", moves: true,
    keys: {
      name: str, status: enable, srcintf: intf, dstintf: intf, srcaddr: addr4, dstaddr: addr4, srcaddr6: addr6, dstaddr6: addr6,
      "srcaddr-negate": enable, "dstaddr-negate": enable, "srcaddr6-negate": enable, "dstaddr6-negate": enable,
      action: en("accept", "deny", "ipsec"), "send-deny-packet": enable, schedule: { kind: "ref", tables: [], builtins: ["always"] },
      service: services, "utm-status": enable, "inspection-mode": en("flow", "proxy"),
      "ssl-ssl-profile": { kind: "ref", tables: [], builtins: ["certificate-inspection", "deep-inspection", "no-inspection"] },
      "webfilter-profile": { kind: "ref", tables: ["webfilter profile"] }, "ips-sensor": { kind: "ref", tables: ["ips sensor"] },
      logtraffic: en("all", "utm", "disable"), "logtraffic-start": enable, comments: str, nat: enable,
    },
  },
  "firewall shaper traffic-shaper": {
    kind: "table", edit: "name",
    keys: { "bandwidth-unit": en("kbps", "mbps", "gbps"), "maximum-bandwidth": { kind: "int", max: 80_000_000 }, "guaranteed-bandwidth": int, "per-policy": enable, priority: en("low", "medium", "high") },
  },
  "firewall shaping-policy": {
    kind: "table", edit: "int",
    keys: {
      name: str, comment: str, status: enable, service: services, srcintf: intf, dstintf: intf, srcaddr: addr4, dstaddr: addr4, srcaddr6: addr6, dstaddr6: addr6,
      schedule: { kind: "ref", tables: [], builtins: ["always"] }, "traffic-shaper": shaper, "traffic-shaper-reverse": shaper,
    },
  },
  "webfilter urlfilter": {
    kind: "table", edit: "int",
    keys: { name: str, comment: str, "one-arm-ips-urlfilter": enable, "ip-addr-block": enable },
    children: {
      entries: {
        kind: "table", edit: "int",
        keys: {
          url: str, type: en("simple", "regex", "wildcard"), action: en("exempt", "block", "allow", "monitor"), status: enable,
          exempt: ens("av", "web-content", "activex-java-applet", "cookie", "dlp", "fortiguard", "range-block", "pass-fail", "antiphish", "all"),
          "referrer-host": str, "dns-address-family": en("ipv4", "ipv6", "both"),
        },
      },
    },
  },
  "webfilter profile": {
    kind: "table", edit: "name",
    keys: { comment: str, "feature-set": en("flow", "proxy"), "log-all-url": enable },
    children: {
      web: { kind: "single", keys: { "urlfilter-table": { kind: "idref", tables: ["webfilter urlfilter"] }, blocklist: enable, "safe-search": ens("url", "header") } },
      "ftgd-wf": {
        kind: "single", keys: { options: ens("error-allow", "rate-server-ip", "connect-request-bypass", "ftgd-disable") },
        children: { filters: { kind: "table", edit: "int", keys: { category: { kind: "int", max: 255 }, action: en("block", "authenticate", "monitor", "warning"), log: enable } } },
      },
    },
  },
  "ips sensor": {
    kind: "table", edit: "name",
    keys: { comment: str, "block-malicious-url": enable, "extended-log": enable },
    children: {
      entries: {
        kind: "table", edit: "int",
        keys: {
          rule: { kind: "int", min: 1 }, severity: ens("info", "low", "medium", "high", "critical"), status: en("enable", "disable", "default"),
          action: en("pass", "block", "reset", "default"), log: enable, "log-packet": enable,
        },
        children: { "exempt-ip": { kind: "table", edit: "int", keys: { "src-ip": { kind: "ip4mask" }, "dst-ip": { kind: "ip4mask" } } } },
      },
    },
  },
};

/** Splits one CLI line into words and "quoted strings" (backslash escapes \" and \\). */
export function tokenize(line: string): { tokens: CliToken[] } | { error: string } {
  const tokens: CliToken[] = [];
  let i = 0;
  while (i < line.length) {
    const c = line[i]!;
    if (c === " ") { i++; continue; }
    if (c === '"') {
      let text = "";
      i++;
      for (;;) {
        if (i >= line.length) return { error: "unbalanced quote" };
        const d = line[i]!;
        if (d === "\\") {
          const e = line[i + 1];
          if (e !== '"' && e !== "\\") return { error: `backslash before ${e === undefined ? "end of line" : JSON.stringify(e)} inside quotes` };
          text += e;
          i += 2;
        } else if (d === '"') { i++; break; } else { text += d; i++; }
      }
      if (i < line.length && line[i] !== " ") return { error: "text directly after a closing quote" };
      tokens.push({ text, quoted: true });
      continue;
    }
    let j = i;
    while (j < line.length && line[j] !== " ") j++;
    const word = line.slice(i, j);
    if (/["\\]/.test(word)) return { error: `quote or backslash inside the unquoted word ${word}` };
    if (/[^\x21-\x7e]/.test(word)) return { error: `non-ASCII character outside quotes in ${word}` };
    tokens.push({ text: word, quoted: false });
    i = j;
  }
  return { tokens };
}

function validNetmask(mask: string): boolean {
  if (!isIPv4(mask)) return false;
  const n = mask.split(".").reduce((acc, o) => acc * 256 + Number(o), 0);
  const inv = (~n >>> 0) + 1;
  return (inv & (inv - 1)) === 0 || n === 0;
}

interface Defined { names: Map<string, Set<string>> }

function checkValue(spec: ValueSpec, values: CliToken[], defined: Defined): string | undefined {
  if (values.length === 0) return "no value";
  const one = (): string | undefined => (values.length === 1 ? undefined : `takes one value, got ${values.length}`);
  switch (spec.kind) {
    case "str": return one();
    case "int": {
      const v = values[0]!;
      if (values.length !== 1 || v.quoted || !/^\d{1,10}$/.test(v.text)) return `${v.text} is not an integer`;
      const n = Number(v.text);
      if (n < (spec.min ?? 0) || n > (spec.max ?? 4294967295)) return `${n} is out of range`;
      return undefined;
    }
    case "enum": {
      if (!spec.many && values.length !== 1) return one();
      const bad = values.find((v) => v.quoted || !spec.values.includes(v.text));
      return bad ? `${bad.text} is not one of ${spec.values.join(" ")}` : undefined;
    }
    case "ip4mask": {
      const [a, m] = values;
      if (values.length !== 2 || !isIPv4(a!.text) || !validNetmask(m!.text)) return "is not an IPv4 address and netmask";
      return undefined;
    }
    case "ip6prefix": {
      const r = parsePrefix(values[0]!.text);
      if (values.length !== 1 || !r.ok || r.prefix.family !== 6 || !values[0]!.text.includes("/")) return "is not an IPv6 prefix";
      return undefined;
    }
    case "portranges": {
      for (const v of values) {
        const m = /^(\d{1,5})(?:-(\d{1,5}))?$/.exec(v.text);
        if (v.quoted || !m || Number(m[1]) < 1 || Number(m[2] ?? m[1]) > 65535 || Number(m[1]) > Number(m[2] ?? m[1])) return `${v.text} is not a port range`;
      }
      return undefined;
    }
    case "ref": {
      if (!spec.many && values.length !== 1) return one();
      for (const v of values) {
        if (!v.quoted) return `${v.text} should be quoted`;
        const known = (spec.builtins ?? []).includes(v.text) || spec.tables.some((t) => defined.names.get(t)?.has(v.text));
        if (!known) return `"${v.text}" is not defined (${spec.tables.join(", ") || "built-ins"})`;
      }
      return undefined;
    }
    case "idref": {
      const v = values[0]!;
      if (values.length !== 1 || !spec.tables.some((t) => defined.names.get(t)?.has(v.text))) return `${v.text} is not a defined id of ${spec.tables.join(", ")}`;
      return undefined;
    }
  }
}

interface Frame { path: string; spec: TableSpec; top: boolean; edit?: string; line: number }

export interface CliProblem { line: number; message: string }

/** Checks FortiOS CLI text; `defined` carries names across artifacts applied in order. */
export function checkFortiosCli(text: string, defined: Defined = { names: new Map() }): CliProblem[] {
  const problems: CliProblem[] = [];
  const stack: Frame[] = [];
  const lines = text.split("\n");
  if (lines[lines.length - 1] === "") lines.pop();
  lines.forEach((raw, i) => {
    const line = i + 1;
    const say = (message: string): void => void problems.push({ line, message });
    if (/[\u0000-\u001f\u007f]/.test(raw)) return say("control character");
    const body = raw.trimStart();
    if (body === "") return;
    if (body.startsWith("#")) return stack.length === 0 ? undefined : say("a # comment inside a config block");
    if (body.includes("?")) return say('"?" opens the CLI help');
    const t = tokenize(body);
    if ("error" in t) return say(t.error);
    const [head, ...rest] = t.tokens;
    const top = stack[stack.length - 1];
    const cmd = head!.quoted ? "" : head!.text;
    if (cmd === "config") {
      const path = rest.map((r) => r.text).join(" ");
      if (!top) {
        const spec = FORTIOS_GRAMMAR[path];
        if (!spec) return say(`config ${path} is not a table scconf writes`);
        stack.push({ path, spec, top: true, line });
        return;
      }
      if (top.spec.kind === "table" && top.edit === undefined) return say(`config ${path} outside an edit`);
      const spec = top.spec.children?.[path];
      if (!spec) return say(`config ${path} is not known inside ${top.path}`);
      stack.push({ path: `${top.path}/${path}`, spec, top: false, line });
      return;
    }
    if (!top) return say(`${cmd || head!.text} outside any config block`);
    if (cmd === "edit") {
      if (top.spec.kind !== "table") return say(`edit in ${top.path}, which has no entries`);
      if (top.edit !== undefined) return say(`edit inside edit ${top.edit} (missing next)`);
      const id = rest[0];
      if (rest.length !== 1 || !id) return say("edit takes one id");
      if (top.spec.edit === "int" ? id.quoted || !/^\d{1,10}$/.test(id.text) || Number(id.text) > 4294967295 : !id.quoted || id.text === "") {
        return say(`edit ${id.text}: ${top.spec.edit === "int" ? "an integer id" : "a quoted name"} is expected`);
      }
      if (top.spec.edit === "name" && id.text.length > 79) return say(`name ${id.text} is longer than 79 characters`);
      top.edit = id.text;
      if (top.top) {
        const set = defined.names.get(top.path) ?? new Set<string>();
        set.add(id.text);
        defined.names.set(top.path, set);
      }
      return;
    }
    if (cmd === "next") {
      if (top.spec.kind !== "table" || top.edit === undefined) return say("next without edit");
      top.edit = undefined;
      return;
    }
    if (cmd === "end") {
      if (top.edit !== undefined) return say(`end inside edit ${top.edit} (missing next)`);
      if (rest.length > 0) return say("end takes nothing");
      stack.pop();
      return;
    }
    if (cmd === "move") {
      const [a, where, b] = rest;
      if (!top.spec.moves || top.edit !== undefined) return say(`move is not allowed here (${top.path})`);
      if (rest.length !== 3 || !/^\d+$/.test(a!.text) || !/^(before|after)$/.test(where!.text) || !/^\d+$/.test(b!.text)) return say("move <id> before|after <id>");
      const ids = defined.names.get(top.path);
      if (!ids?.has(a!.text) || !ids.has(b!.text)) return say(`move of an id that is not defined: ${a!.text} ${b!.text}`);
      return;
    }
    if (cmd === "set" || cmd === "unset") {
      if (top.spec.kind === "table" && top.edit === undefined) return say(`${cmd} outside an edit in ${top.path}`);
      const key = rest[0];
      if (!key || key.quoted) return say(`${cmd} without a key`);
      const spec = top.spec.keys[key.text];
      if (!spec) return say(`set ${key.text} is not a known key of ${top.path}`);
      if (cmd === "unset") return rest.length === 1 ? undefined : say("unset takes only the key");
      const err = checkValue(spec, rest.slice(1), defined);
      if (err) say(`set ${key.text}: ${err}`);
      return;
    }
    say(`unknown command ${head!.text}`);
  });
  for (const f of stack) problems.push({ line: f.line, message: `config ${f.path} is never closed with end` });
  return problems;
}

export const FORTIOS_CHECKER_NAME = "scconf structural FortiOS CLI checker (not FortiOS)";

/** Artifacts in the order a device must receive them: profiles before the policies that name them. */
const APPLY_ORDER = ["webfilter", "ips", "firewall"];

export const fortiosChecker: LocalChecker = {
  programs: [],
  async check(config: DeviceConfig): Promise<CheckOutcome[]> {
    const defined: Defined = { names: new Map() };
    const order = (id: string): number => (APPLY_ORDER.includes(id) ? APPLY_ORDER.indexOf(id) : APPLY_ORDER.length);
    const artifacts = [...config.artifacts].sort((a, b) => order(a.id) - order(b.id));
    return artifacts.map((a) => {
      const problems = checkFortiosCli(a.content, defined);
      return {
        device: config.device,
        artifact: a.id,
        checked: true,
        ok: problems.length === 0,
        tool: FORTIOS_CHECKER_NAME,
        output: problems.length === 0 ? "no problems" : problems.map((p) => `${a.id}:${p.line}: ${p.message}`).join("\n"),
      };
    });
  },
};
