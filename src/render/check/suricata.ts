// Our own structural checker for suricata's threshold.config: there is no
// suricata package in this Debian, so this is NOT suricata's parser. It
// accepts only what both suricata 6 and 7 accept, following the patterns of
// src/util-threshold-config.c and the "Global-Thresholds" chapter of the
// user guide, and is stricter where those are loose: every address must be a
// canonical prefix, and nothing may trail an entry.
import type { DeviceConfig } from "../../model/types.js";
import { parsePrefix } from "../../model/net.js";
import type { CheckOutcome, LocalChecker } from "./types.js";

export type ThresholdEntryType = "suppress" | "threshold" | "event_filter" | "rate_filter";

export interface ThresholdEntry {
  line: number;
  type: ThresholdEntryType;
  genId: number;
  sigId: number;
  track?: string;
  /** suppress: the addresses as written (prefixes, or one $VARIABLE) */
  ips?: string[];
}

export interface ThresholdProblem {
  line: number;
  message: string;
}

/** The grammar, as data, for reuse by a later simulator. */
export const THRESHOLD_GRAMMAR = {
  base: /^\s*(event_filter|threshold|rate_filter|suppress)\s+gen_id\s+(\d+)\s*,\s*sig_id\s+(\d+)\s*(.*?)\s*$/,
  threshold: /^,\s*type\s+(limit|both|threshold)\s*,\s*track\s+(by_dst|by_src)\s*,\s*count\s+(\d+)\s*,\s*seconds\s+(\d+)$/,
  rate: /^,\s*track\s+(by_dst|by_src|by_both|by_rule)\s*,\s*count\s+(\d+)\s*,\s*seconds\s+(\d+)\s*,\s*new_action\s+(alert|drop|pass|reject)\s*,\s*timeout\s+(\d+)$/,
  suppress: /^,\s*track\s+(by_dst|by_src|by_either)\s*,\s*ip\s+(\S(?:.*\S)?)$/,
  variable: /^\$[A-Z][A-Z0-9_]*$/,
} as const;

const UINT32_MAX = 4294967295;

function checkAddresses(text: string): { ips: string[] } | { error: string } {
  if (THRESHOLD_GRAMMAR.variable.test(text)) return { ips: [text] };
  const list = text.startsWith("[") && text.endsWith("]");
  const items = list ? text.slice(1, -1).split(",").map((s) => s.trim()) : [text];
  if (items.length === 0 || items.some((s) => s === "")) return { error: `empty address in "${text}"` };
  for (const item of items) {
    const r = parsePrefix(item);
    if (!r.ok) return { error: `"${item}" is not an address or prefix: ${r.reason}` };
    const canonical = r.prefix.text;
    if (item !== canonical && `${item}/${r.prefix.length}` !== canonical) return { error: `"${item}" is not written canonically (${canonical})` };
  }
  return { ips: items };
}

/** Logical lines: comments and blank lines dropped, "\" continuations joined (as suricata does). */
function logicalLines(text: string): Array<{ line: number; text: string }> {
  const out: Array<{ line: number; text: string }> = [];
  let pending: { line: number; text: string } | undefined;
  text.split("\n").forEach((raw, i) => {
    const line = i + 1;
    if (pending === undefined && /^\s*(#.*)?$/.test(raw)) return;
    const cont = raw.endsWith("\\");
    const body = cont ? raw.slice(0, -1) : raw;
    pending = pending ? { line: pending.line, text: `${pending.text} ${body}` } : { line, text: body };
    if (!cont) {
      out.push(pending);
      pending = undefined;
    }
  });
  if (pending) out.push(pending);
  return out;
}

export function parseThresholdConfig(text: string): { entries: ThresholdEntry[]; problems: ThresholdProblem[] } {
  const entries: ThresholdEntry[] = [];
  const problems: ThresholdProblem[] = [];
  if (text.includes("\r")) problems.push({ line: 0, message: "carriage return in the file" });
  if (!text.endsWith("\n")) problems.push({ line: 0, message: "the file does not end with a newline" });
  if (/\\\n?$/.test(text)) problems.push({ line: 0, message: "the last line continues (\\) into the end of the file" });
  for (const { line, text: l } of logicalLines(text)) {
    if (/[^\x20-\x7e]/.test(l)) {
      problems.push({ line, message: "non-ASCII or control character outside a comment" });
      continue;
    }
    const m = THRESHOLD_GRAMMAR.base.exec(l);
    if (!m) {
      problems.push({ line, message: `not an event_filter, threshold, rate_filter or suppress entry: ${l.slice(0, 120)}` });
      continue;
    }
    const type = m[1] as ThresholdEntryType;
    const genId = Number(m[2]);
    const sigId = Number(m[3]);
    const rest = m[4] ?? "";
    if (genId > UINT32_MAX || sigId > UINT32_MAX) problems.push({ line, message: "gen_id or sig_id out of range" });
    if (genId === 0 && sigId > 0) problems.push({ line, message: "sig_id > 0 with gen_id 0 is refused by suricata" });
    const entry: ThresholdEntry = { line, type, genId, sigId };
    if (type === "suppress") {
      if (rest !== "") {
        const s = THRESHOLD_GRAMMAR.suppress.exec(rest);
        if (!s) {
          problems.push({ line, message: `bad suppress options: ${rest.slice(0, 120)}` });
          continue;
        }
        const a = checkAddresses(s[2]!);
        if ("error" in a) {
          problems.push({ line, message: a.error });
          continue;
        }
        entry.track = s[1]!;
        entry.ips = a.ips;
      }
    } else {
      const s = (type === "rate_filter" ? THRESHOLD_GRAMMAR.rate : THRESHOLD_GRAMMAR.threshold).exec(rest);
      if (!s) {
        problems.push({ line, message: `bad ${type} options: ${rest.slice(0, 120)}` });
        continue;
      }
      if (genId === 0 || sigId === 0) problems.push({ line, message: `${type} for all gen_ids or sig_ids is not supported by suricata` });
      entry.track = s[type === "rate_filter" ? 1 : 2]!;
    }
    entries.push(entry);
  }
  return { entries, problems };
}

export const SURICATA_CHECKER_NAME = "scconf structural threshold.config checker (not suricata)";

export const suricataChecker: LocalChecker = {
  programs: [],
  async check(config: DeviceConfig): Promise<CheckOutcome[]> {
    return config.artifacts.map((artifact) => {
      const { entries, problems } = parseThresholdConfig(artifact.content);
      return {
        device: config.device,
        artifact: artifact.id,
        checked: true,
        ok: problems.length === 0,
        tool: SURICATA_CHECKER_NAME,
        output:
          problems.length === 0
            ? `${entries.length} entries, no problems`
            : problems.map((p) => `${artifact.id}:${p.line}: ${p.message}`).join("\n"),
      };
    });
  },
};
