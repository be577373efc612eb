// The canonical form of a Junos `groups scconf` artifact. Pure.
//
// Junos does not show a configuration in the order it was loaded: statements
// come in the schema's order, and a value is quoted only when it needs it. So
// the rendered artifact (comments, `delete groups scconf`, set lines in
// render order) can not equal what `show configuration ... | display set`
// prints. Both are brought to one form instead:
//   - only `set groups scconf ...` lines, and `set apply-groups scconf` last
//     when the group is applied; no comments, no `delete`; duplicates once;
//   - a quoted word that needs no quotes (no blank, no special character)
//     is written without them;
//   - lines sorted word by word, except where order is meaning: security
//     policies (evaluated in order) and filter terms keep the order of their
//     first appearance.
// The form is idempotent and is itself a loadable artifact body: the driver
// puts `delete groups scconf` in front when it stages.
import { JUNOS_GROUP, tokenizeSetLine } from "../../render/check/junos.js";

export const JUNOS_APPLY_LINE = `set apply-groups ${JUNOS_GROUP}`;
export const JUNOS_DELETE_LINE = `delete groups ${JUNOS_GROUP}`;
const GROUP_PREFIX = `set groups ${JUNOS_GROUP} `;

/** Positions (in the words of a whole `set groups scconf ...` line) of names whose order is meaning. */
function orderedPosition(words: readonly string[]): number | undefined {
  // set groups scconf security policies global policy <name> ...
  if (words[3] === "security" && words[4] === "policies" && words[5] === "global" && words[6] === "policy") return 7;
  // set groups scconf firewall family <f> filter <name> term <name> ...
  if (words[3] === "firewall" && words[4] === "family" && words[6] === "filter" && words[8] === "term") return 9;
  return undefined;
}

function unquoteIfPlain(word: string): string {
  const m = /^"(.*)"$/su.exec(word);
  if (!m) return word;
  return /^[^\s"'\\{}()[\];#|&<>!=]+$/u.test(m[1]!) ? m[1]! : word;
}

export interface JunosArtifactLines {
  /** the `set groups scconf ...` lines, normalized, in the given order */
  group: string[];
  applied: boolean;
}

/** The lines of a junos-set artifact that say something: what is loaded, in order. */
export function junosArtifactLines(text: string): JunosArtifactLines {
  const group: string[] = [];
  let applied = false;
  for (const raw of text.split("\n")) {
    const line = raw.trim();
    if (line === "" || line.startsWith("#")) continue;
    const words = tokenizeSetLine(line);
    const normalized = words ? words.map(unquoteIfPlain).join(" ") : line;
    if (normalized === JUNOS_DELETE_LINE) continue;
    if (normalized === JUNOS_APPLY_LINE) applied = true;
    else group.push(normalized);
  }
  return { group, applied };
}

/** See the top of this file. "" for an absent group that is not applied. */
export function canonicalJunosSet(text: string): string {
  const { group, applied } = junosArtifactLines(text);
  const unique = [...new Set(group)];
  // first appearance of each ordered name, per parent (the words before it)
  const rank = new Map<string, number>();
  const keys = unique.map((line) => {
    const words = tokenizeSetLine(line) ?? [line];
    const pos = orderedPosition(words);
    const key: (string | number)[] = [...words];
    if (pos !== undefined && words[pos] !== undefined) {
      const id = `${words.slice(0, pos).join(" ")}\u0000${words[pos]}`;
      if (!rank.has(id)) rank.set(id, rank.size);
      key[pos] = rank.get(id)!;
    }
    return { line, key };
  });
  keys.sort((a, b) => compareKeys(a.key, b.key));
  const out = keys.map((k) => k.line);
  if (applied) out.push(JUNOS_APPLY_LINE);
  return out.length > 0 ? `${out.join("\n")}\n` : "";
}

function compareKeys(a: readonly (string | number)[], b: readonly (string | number)[]): number {
  for (let i = 0; i < Math.min(a.length, b.length); i++) {
    const x = a[i]!;
    const y = b[i]!;
    if (x === y) continue;
    if (typeof x === "number" && typeof y === "number") return x - y;
    const sx = String(x);
    const sy = String(y);
    return sx < sy ? -1 : sx > sy ? 1 : 0;
  }
  return a.length - b.length;
}

/** True when the line belongs to the group (the only lines the driver loads besides delete and apply-groups). */
export function isGroupLine(line: string): boolean {
  return line.startsWith(GROUP_PREFIX);
}
