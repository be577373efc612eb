// NOT the vendor's checker: there is no Junos here. A structural checker of
// our own: every line of a junos-set artifact must match one production of a
// strict whitelist grammar (the subset of Junos `set` syntax that scconf
// writes, after the Junos OS CLI reference), inside the one hierarchy the
// artifact owns, and every name a policy, address-set or filter uses must be
// defined in the artifact or be a Junos predefined name. Exported so that
// the Junos simulator can parse the same language.
import { parsePrefix } from "../../model/net.js";
import type { CheckOutcome, LocalChecker } from "./types.js";

export const JUNOS_CHECKER_TOOL = "scconf junos-set grammar check (structural; not the vendor's checker)";

/** Token classes of the grammar. A literal is written as itself. */
export type TokenClass = "<name>" | "<prefix4>" | "<prefix6>" | "<prefix>" | "<port-range>" | "<protocol>" | "<quoted>" | "<bandwidth>" | "<bytes>" | "<address-ref>" | "<application-ref>" | "<action>" | "<log-event>";

export interface GrammarRule {
  /** what the line sets, e.g. "policy match source-address" */
  id: string;
  tokens: readonly string[];
}

const NAME = /^[A-Za-z0-9][A-Za-z0-9._-]{0,62}$/;
const PREDEFINED_ADDRESSES = new Set(["any", "any-ipv4", "any-ipv6"]);
const PREDEFINED_APPLICATIONS = /^(any|junos-[a-z0-9-]+)$/;

/** Productions after "set groups scconf ". */
export const JUNOS_SET_GRAMMAR: readonly GrammarRule[] = [
  { id: "address", tokens: ["security", "address-book", "global", "address", "<name>", "<prefix>"] },
  { id: "address description", tokens: ["security", "address-book", "global", "address", "<name>", "description", "<quoted>"] },
  { id: "address-set member", tokens: ["security", "address-book", "global", "address-set", "<name>", "address", "<name>"] },
  { id: "address-set description", tokens: ["security", "address-book", "global", "address-set", "<name>", "description", "<quoted>"] },
  { id: "application protocol", tokens: ["applications", "application", "<name>", "protocol", "<protocol>"] },
  { id: "application destination-port", tokens: ["applications", "application", "<name>", "destination-port", "<port-range>"] },
  { id: "policy description", tokens: ["security", "policies", "global", "policy", "<name>", "description", "<quoted>"] },
  { id: "policy match source-address", tokens: ["security", "policies", "global", "policy", "<name>", "match", "source-address", "<address-ref>"] },
  { id: "policy match destination-address", tokens: ["security", "policies", "global", "policy", "<name>", "match", "destination-address", "<address-ref>"] },
  // negates the whole address list of that side (Junos OS 12.1X45+); scconf writes it only with the inside set
  { id: "policy match source-address-excluded", tokens: ["security", "policies", "global", "policy", "<name>", "match", "source-address-excluded"] },
  { id: "policy match destination-address-excluded", tokens: ["security", "policies", "global", "policy", "<name>", "match", "destination-address-excluded"] },
  { id: "policy match application", tokens: ["security", "policies", "global", "policy", "<name>", "match", "application", "<application-ref>"] },
  { id: "policy then action", tokens: ["security", "policies", "global", "policy", "<name>", "then", "<action>"] },
  { id: "policy then log", tokens: ["security", "policies", "global", "policy", "<name>", "then", "log", "<log-event>"] },
  { id: "policer bandwidth-limit", tokens: ["firewall", "policer", "<name>", "if-exceeding", "bandwidth-limit", "<bandwidth>"] },
  { id: "policer burst-size-limit", tokens: ["firewall", "policer", "<name>", "if-exceeding", "burst-size-limit", "<bytes>"] },
  { id: "policer then discard", tokens: ["firewall", "policer", "<name>", "then", "discard"] },
  { id: "filter inet from", tokens: ["firewall", "family", "inet", "filter", "<name>", "term", "<name>", "from", "(source-address|destination-address)", "<prefix4>"] },
  { id: "filter inet6 from", tokens: ["firewall", "family", "inet6", "filter", "<name>", "term", "<name>", "from", "(source-address|destination-address)", "<prefix6>"] },
  { id: "filter then policer", tokens: ["firewall", "family", "(inet|inet6)", "filter", "<name>", "term", "<name>", "then", "policer", "<name>"] },
  { id: "filter then next term", tokens: ["firewall", "family", "(inet|inet6)", "filter", "<name>", "term", "<name>", "then", "next", "term"] },
  { id: "filter then accept", tokens: ["firewall", "family", "(inet|inet6)", "filter", "<name>", "term", "<name>", "then", "(accept|discard)"] },
];

/** The group every line lives in, and the only top-level lines allowed. */
export const JUNOS_GROUP = "scconf";
const GROUP_PREFIX = ["set", "groups", JUNOS_GROUP];

/** Splits a set line into words; a double-quoted word keeps its spaces. Undefined when quoting is broken. */
export function tokenizeSetLine(line: string): string[] | undefined {
  const words: string[] = [];
  const re = /"([^"\\]*)"|([^\s"]+)|(\S)/gu;
  for (const m of line.matchAll(re)) {
    if (m[3] !== undefined) return undefined;
    words.push(m[1] !== undefined ? `"${m[1]}"` : m[2]!);
  }
  return words;
}

function matchToken(cls: string, word: string): boolean {
  switch (cls) {
    case "<name>":
      return NAME.test(word);
    case "<prefix>":
    case "<prefix4>":
    case "<prefix6>": {
      if (!word.includes("/")) return false;
      const r = parsePrefix(word);
      if (!r.ok || r.prefix.text !== word) return false;
      return cls === "<prefix>" || (cls === "<prefix4>" ? r.prefix.family === 4 : r.prefix.family === 6);
    }
    case "<port-range>": {
      const m = /^(\d{1,5})(?:-(\d{1,5}))?$/.exec(word);
      if (!m) return false;
      const lo = Number(m[1]);
      const hi = Number(m[2] ?? m[1]);
      return lo >= 1 && hi <= 65535 && lo <= hi;
    }
    case "<protocol>":
      return word === "tcp" || word === "udp";
    case "<quoted>":
      // no control characters, at most 900 characters (Junos description limit)
      return /^"[^"\\\u0000-\u001f\u007f]{0,900}"$/u.test(word);
    case "<bandwidth>":
      return /^[1-9]\d{0,5}[kmg]?$/.test(word);
    case "<bytes>":
      return /^[1-9]\d{0,11}$/.test(word) && Number(word) >= 1500;
    case "<address-ref>":
      return NAME.test(word);
    case "<application-ref>":
      return NAME.test(word);
    case "<action>":
      return word === "permit" || word === "deny" || word === "reject";
    case "<log-event>":
      return word === "session-init" || word === "session-close";
    default: {
      const alt = /^\((.+)\)$/.exec(cls);
      if (alt) return alt[1]!.split("|").includes(word);
      return cls === word;
    }
  }
}

export interface ParsedSetLine {
  rule: GrammarRule;
  /** the words after "set groups scconf" */
  words: string[];
}

/** Parses one line inside the group; undefined when no production matches. */
export function parseGroupLine(words: readonly string[]): ParsedSetLine | undefined {
  for (const rule of JUNOS_SET_GRAMMAR) {
    if (rule.tokens.length === words.length && rule.tokens.every((t, i) => matchToken(t, words[i]!))) return { rule, words: [...words] };
  }
  return undefined;
}

export interface JunosSetProblem {
  line: number;
  message: string;
}

/**
 * The whole artifact: comments and blank lines, then `delete groups scconf`
 * before any set, then set lines inside the group, and `set apply-groups scconf`.
 */
export function checkJunosSet(text: string): { problems: JunosSetProblem[]; lines: ParsedSetLine[] } {
  const problems: JunosSetProblem[] = [];
  const parsed: ParsedSetLine[] = [];
  let deleted = false;
  let applied = false;
  text.split("\n").forEach((raw, i) => {
    const n = i + 1;
    if (raw.trim() === "" || raw.startsWith("#")) return;
    const words = tokenizeSetLine(raw);
    if (!words) return problems.push({ line: n, message: "broken quoting" });
    if (words.join(" ") === `delete groups ${JUNOS_GROUP}`) {
      if (deleted || parsed.length > 0) problems.push({ line: n, message: "the group must be deleted once, before any set" });
      deleted = true;
      return;
    }
    if (words.join(" ") === `set apply-groups ${JUNOS_GROUP}`) {
      applied = true;
      return;
    }
    if (!GROUP_PREFIX.every((w, j) => words[j] === w)) return problems.push({ line: n, message: `outside the owned hierarchy "groups ${JUNOS_GROUP}": ${raw.slice(0, 80)}` });
    if (!deleted) problems.push({ line: n, message: "set before delete groups scconf: the artifact would merge instead of replace" });
    const p = parseGroupLine(words.slice(GROUP_PREFIX.length));
    if (!p) return problems.push({ line: n, message: `no grammar production matches: ${raw.slice(0, 120)}` });
    parsed.push(p);
  });
  if (!deleted) problems.push({ line: 0, message: "missing delete groups scconf" });
  if (!applied) problems.push({ line: 0, message: "missing set apply-groups scconf" });
  problems.push(...checkReferences(parsed));
  return { problems, lines: parsed };
}

/** Every address, application and policer a line refers to is defined (or predefined). */
function checkReferences(lines: readonly ParsedSetLine[]): JunosSetProblem[] {
  const defined = { address: new Set<string>(), application: new Set<string>(), policer: new Set<string>() };
  for (const l of lines) {
    if (l.rule.id === "address" || l.rule.id === "address-set member") defined.address.add(l.words[4]!);
    if (l.rule.id.startsWith("application ")) defined.application.add(l.words[2]!);
    if (l.rule.id.startsWith("policer ")) defined.policer.add(l.words[2]!);
  }
  const problems: JunosSetProblem[] = [];
  for (const l of lines) {
    const last = l.words[l.words.length - 1]!;
    if (l.rule.id === "address-set member" && !defined.address.has(last)) problems.push({ line: 0, message: `address-set ${l.words[4]} names undefined address ${last}` });
    if (l.rule.id.startsWith("policy match") && l.rule.id.endsWith("address") && !defined.address.has(last) && !PREDEFINED_ADDRESSES.has(last)) {
      problems.push({ line: 0, message: `policy ${l.words[4]} names undefined address ${last}` });
    }
    if (l.rule.id === "policy match application" && !defined.application.has(last) && !PREDEFINED_APPLICATIONS.test(last)) {
      problems.push({ line: 0, message: `policy ${l.words[4]} names undefined application ${last}` });
    }
    if (l.rule.id === "filter then policer" && !defined.policer.has(last)) problems.push({ line: 0, message: `filter ${l.words[4]} names undefined policer ${last}` });
  }
  return problems;
}

export const junosChecker: LocalChecker = {
  programs: [],
  async check(config) {
    const outcomes: CheckOutcome[] = [];
    for (const a of config.artifacts) {
      const { problems } = checkJunosSet(a.content);
      outcomes.push({
        device: config.device,
        artifact: a.id,
        checked: true,
        ok: problems.length === 0,
        tool: JUNOS_CHECKER_TOOL,
        output: problems.map((p) => `${a.id}:${p.line}: ${p.message}`).join("\n"),
      });
    }
    return outcomes;
  },
};
