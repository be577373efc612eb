// DNS record data in presentation format, checked per type before a zone file
// is written: a malformed value makes named refuse to load the whole zone,
// which takes every record of the organization offline at the next reload.
// (src/render/platforms/dns-common.ts did not exist when this was written; the
// two are meant to be folded into one function.)
import { isIP } from "node:net";
import { toAsciiDomain } from "../../model/values.js";
import type { Check } from "./context.js";

export type RecordValueResult = { ok: true } | { ok: false; reason: string; hint?: string };

const OK: RecordValueResult = { ok: true };

/** A target host name: absolute with a trailing dot, or relative to the zone (a single label or more). */
function checkTarget(text: string, what: string): RecordValueResult {
  if (text === ".") return OK; // "no service" (RFC 2782, RFC 7505)
  const name = text.endsWith(".") ? text.slice(0, -1) : text;
  const labels = name.split(".");
  const ok = labels.every((l) => /^(?!-)[A-Za-z0-9_-]{1,63}(?<!-)$/.test(l)) && name.length <= 253;
  if (!ok) return { ok: false, reason: `${what} "${text}" is not a host name` };
  return OK;
}

function checkInt(text: string | undefined, max: number, what: string): RecordValueResult | undefined {
  if (text === undefined || !/^\d{1,10}$/.test(text) || Number(text) > max) {
    return { ok: false, reason: `${what} must be a number 0-${max}` };
  }
  return undefined;
}

/** Checks one record's value in presentation format. */
export function validateRecordValue(type: string, value: string): RecordValueResult {
  const v = value.trim();
  const parts = v.split(/\s+/);
  switch (type) {
    case "A":
      return isIP(v) === 4 ? OK : { ok: false, reason: `"${value}" is not an IPv4 address` };
    case "AAAA":
      return isIP(v) === 6 ? OK : { ok: false, reason: `"${value}" is not an IPv6 address` };
    case "CNAME":
    case "NS":
      if (parts.length !== 1) return { ok: false, reason: `a ${type} holds one host name` };
      return checkTarget(v, "the target");
    case "MX": {
      if (parts.length !== 2) return { ok: false, reason: 'an MX value is "<preference> <host>", e.g. "10 mx1.mie-sec-cloud.jp."' };
      return checkInt(parts[0], 65535, "the MX preference") ?? checkTarget(parts[1]!, "the mail exchanger");
    }
    case "SRV": {
      if (parts.length !== 4) return { ok: false, reason: 'an SRV value is "<priority> <weight> <port> <target>", e.g. "10 5 5060 sip.example.jp."' };
      return checkInt(parts[0], 65535, "the SRV priority") ?? checkInt(parts[1], 65535, "the SRV weight") ??
        checkInt(parts[2], 65535, "the SRV port") ?? checkTarget(parts[3]!, "the SRV target");
    }
    case "CAA": {
      const m = /^(\d{1,3})\s+([A-Za-z0-9]{1,15})\s+"([^"\\]*)"$/.exec(v);
      if (!m || Number(m[1]) > 255) return { ok: false, reason: `a CAA value is '<flags> <tag> "<value>"', e.g. '0 issue "letsencrypt.org"'` };
      if (!["issue", "issuewild", "iodef", "issuemail", "issuevmc"].includes(m[2]!.toLowerCase())) {
        return { ok: false, reason: `the CAA tag "${m[2]}" is not one of issue, issuewild, iodef, issuemail, issuevmc` };
      }
      return OK;
    }
    case "TXT": {
      // the renderer quotes and splits into 255-byte strings; what it cannot carry is refused
      if (/[\u0000-\u001f\u007f]/.test(value)) return { ok: false, reason: "TXT data may not contain control characters" };
      if (Buffer.byteLength(value, "utf8") > 2048) return { ok: false, reason: "TXT data is longer than 2048 bytes" };
      return OK;
    }
    default:
      return { ok: false, reason: `unknown record type ${type}` };
  }
}

const HOST_TARGET: Record<string, (v: string) => string | undefined> = {
  CNAME: (v) => v.trim(),
  NS: (v) => v.trim(),
  MX: (v) => v.trim().split(/\s+/)[1],
  SRV: (v) => v.trim().split(/\s+/)[3],
};

export const checkDns: Check = ({ inventory, report }) => {
  for (const org of inventory.orgs) {
    org.dns.forEach((zone, i) => {
      zone.records.forEach((rec, j) => {
        const path = ["dns", i, "records", j];
        const r = validateRecordValue(rec.type, rec.value);
        if (!r.ok) {
          report.org(org.id, "error", "dns-value", [...path, "value"], r.reason, r.hint);
          return;
        }
        if (rec.type === "CNAME" && rec.name === "@") {
          report.org(org.id, "error", "cname-and-other-data", [...path, "name"],
            `a CNAME at the zone apex ${zone.zone} conflicts with its SOA and NS records`,
            "point the apex at addresses with A/AAAA records instead");
        }
        if (rec.type === "NS" && rec.name === "@") {
          report.org(org.id, "warning", "dns-apex-ns", [...path, "name"], "the apex NS records are rendered from cloud.defaults.nameservers",
            "remove this record; delegate a subdomain with an NS record at its name instead");
        }
        const target = HOST_TARGET[rec.type]?.(rec.value);
        // a name with dots but no trailing dot is relative: "mx1.example.jp" becomes mx1.example.jp.<zone>
        if (target && target !== "." && !target.endsWith(".") && target.includes(".") && toAsciiDomain(target)) {
          report.org(org.id, "warning", "dns-relative-target", [...path, "value"],
            `the ${rec.type} target ${target} has no trailing dot, so it means ${target}.${zone.zone}`,
            `write "${target}." for the absolute name`);
        }
        const name = rec.name.toLowerCase();
        if (name === zone.zone || name.endsWith(`.${zone.zone}`)) {
          const relative = name === zone.zone ? "@" : name.slice(0, -(zone.zone.length + 1));
          report.org(org.id, "warning", "dns-name", [...path, "name"],
            `record names are relative to the zone: this one means ${name}.${zone.zone}`, `did you mean "${relative}"?`);
        }
      });
    });
  }
};
