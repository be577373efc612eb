// Fuzzing the inventory loader: thousands of deterministic mutations of the
// small fixture's files (byte flips, deleted and duplicated lines, indentation,
// type swaps, hostile strings, huge numbers, deep nesting, YAML anchors and
// aliases). Every case must end in success or in located diagnostics
// (file, line >= 1, column >= 1); none may throw, and none may take long.
import { cpSync, mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { validateInventory } from "../../src/inventory/validate.js";
import { SMALL_INVENTORY, TEST_TODAY } from "../helpers/inventory.js";

const SEED = 0x5cc0f;
const CASES = 2000;
/** a case slower than this is a finding (a hang or a blow-up), not noise */
const PER_CASE_MS = 5_000;
/** the whole run stops early past this, and says how far it got */
const BUDGET_MS = 110_000;

/** mulberry32: small, fast, deterministic */
function prng(seed: number) {
  let a = seed >>> 0;
  const next = () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
  const int = (n: number) => Math.floor(next() * n);
  const pick = <T>(xs: readonly T[]): T => xs[int(xs.length)]!;
  return { next, int, pick };
}
type Rng = ReturnType<typeof prng>;

const HOSTILE = [
  "\u0000", "\u202e}; reboot", "a\u200bb", "$(id)", "`id`", '"; rm -rf / #', "{{#each}}", "}}{{", "\\", "'", '"', "\t", "\r",
  "x".repeat(20_000), "日本語".repeat(500), "\ud800", "!!binary AAAA", "!!js/function 'f'", "<<: *a", "? complex key",
  "%YAML 1.1", "---", "...", "- - - -", "@", "&a", "*a", "*undefined_alias", "0x7fffffff", "~", "null", ".nan", "-.inf",
];
const HUGE = ["1e308", "-1e308", "99999999999999999999999999", "-1", "0", "1.5", "4294967297", ".inf", "0o777", "0b101", "1_000_000", "NaN"];
const TYPE_SWAPS = ["[]", "{}", "[1, 2]", "{ a: 1 }", "true", "false", "null", "42", "\"42\"", "''", "[[[]]]", "|\n  block", ">-\n  folded"];

const lines = (t: string) => t.split("\n");

const MUTATIONS: Array<{ name: string; apply: (t: string, r: Rng) => string }> = [
  { name: "delete line", apply: (t, r) => { const l = lines(t); l.splice(r.int(l.length), 1); return l.join("\n"); } },
  { name: "duplicate line", apply: (t, r) => { const l = lines(t); const i = r.int(l.length); l.splice(i, 0, l[i]!); return l.join("\n"); } },
  { name: "swap lines", apply: (t, r) => { const l = lines(t); const i = r.int(l.length); const j = r.int(l.length); [l[i], l[j]] = [l[j]!, l[i]!]; return l.join("\n"); } },
  {
    name: "indentation",
    apply: (t, r) => {
      const l = lines(t);
      const i = r.int(l.length);
      l[i] = r.next() < 0.5 ? " ".repeat(1 + r.int(6)) + l[i] : (l[i] ?? "").replace(/^ {1,4}/, r.next() < 0.3 ? "\t" : "");
      return l.join("\n");
    },
  },
  { name: "type swap", apply: (t, r) => replaceValue(t, r, () => r.pick(TYPE_SWAPS)) },
  { name: "hostile string", apply: (t, r) => replaceValue(t, r, () => JSON.stringify(r.pick(HOSTILE))) },
  { name: "raw hostile text", apply: (t, r) => { const i = r.int(t.length + 1); return t.slice(0, i) + r.pick(HOSTILE) + t.slice(i); } },
  { name: "huge number", apply: (t, r) => (/\d+/.test(t) ? t.replace(new RegExp(`\\d+`, "g"), (m) => (r.next() < 0.2 ? r.pick(HUGE) : m)) : t) },
  { name: "deep nesting", apply: (t, r) => { const d = 50 + r.int(2000); return replaceValue(t, r, () => (r.next() < 0.5 ? "[".repeat(d) + "]".repeat(d) : "{a: ".repeat(d) + "1" + "}".repeat(d))); } },
  {
    name: "anchors and aliases",
    apply: (t, r) => {
      const kind = r.int(3);
      if (kind === 0) return replaceValue(t, r, () => "*nowhere");
      if (kind === 1) return replaceValue(t, r, () => "&x [1, 2, *x]");
      // a billion-laughs ladder at the end of the document
      const rungs = ["z0: &z0 [lol, lol, lol, lol, lol, lol, lol, lol, lol]"];
      for (let i = 1; i < 10; i++) rungs.push(`z${i}: &z${i} [${Array.from({ length: 9 }, () => `*z${i - 1}`).join(", ")}]`);
      return `${t}\n${rungs.join("\n")}\n`;
    },
  },
  { name: "truncate", apply: (t, r) => t.slice(0, r.int(t.length + 1)) },
  { name: "empty", apply: () => "" },
  { name: "bom and crlf", apply: (t, r) => (r.next() < 0.5 ? `\ufeff${t}` : t.replace(/\n/g, "\r\n")) },
  { name: "duplicate key", apply: (t, r) => { const l = lines(t); const keyed = l.filter((x) => /^\s*[a-zA-Z]+:/.test(x)); return keyed.length ? `${t}\n${r.pick(keyed).trimStart()}\n` : t; } },
];

/** Replaces the value after a random `key: ` (or list dash) with `make()`. */
function replaceValue(t: string, r: Rng, make: () => string): string {
  const l = lines(t);
  const candidates = l.map((x, i) => ({ x, i })).filter(({ x }) => /(:\s+\S|^\s*-\s+\S)/.test(x));
  if (candidates.length === 0) return t;
  const { x, i } = r.pick(candidates);
  const m = /^(.*?(?::\s+|^\s*-\s+))/.exec(x);
  l[i] = `${m ? m[1] : ""}${make()}`;
  return l.join("\n");
}

const work = mkdtempSync(path.join(os.tmpdir(), "scconf-fuzz-"));
afterAll(() => rmSync(work, { recursive: true, force: true }));

describe("inventory loader fuzzing", () => {
  it(`${CASES} mutated inventories: every case ends in located diagnostics or success, never a throw or a hang`, () => {
    const dir = path.join(work, "inventory");
    cpSync(SMALL_INVENTORY, dir, { recursive: true });
    const files = ["cloud.yaml", "devices.yaml", ...readdirSync(path.join(dir, "orgs")).map((f) => `orgs/${f}`)];
    const originals = new Map(files.map((f) => [f, readFileSync(path.join(dir, f), "utf8")]));
    const r = prng(SEED);
    const t0 = Date.now();
    let done = 0;
    let succeeded = 0;
    let slowest = { ms: 0, name: "" };
    const byMutation = new Map<string, number>();
    for (let n = 0; n < CASES && Date.now() - t0 < BUDGET_MS; n++) {
      const file = r.pick(files);
      let text = originals.get(file)!;
      const applied: string[] = [];
      for (let k = 1 + r.int(3); k > 0; k--) {
        const m = r.pick(MUTATIONS);
        text = m.apply(text, r);
        applied.push(m.name);
        byMutation.set(m.name, (byMutation.get(m.name) ?? 0) + 1);
      }
      // byte flips work on the encoded bytes, so that invalid UTF-8 reaches the loader too
      const bytes = Buffer.from(text, "utf8");
      if (bytes.length > 0 && r.next() < 0.3) {
        for (let k = 1 + r.int(3); k > 0; k--) {
          const i = r.int(bytes.length);
          bytes[i] = bytes[i]! ^ (1 << r.int(8));
        }
        applied.push("byte flip");
      }
      const label = `case ${n} (seed ${SEED}): ${file}: ${applied.join(" + ")}`;
      writeFileSync(path.join(dir, file), bytes);
      const c0 = performance.now();
      let result: ReturnType<typeof validateInventory>;
      try {
        result = validateInventory(dir, { today: TEST_TODAY, cwd: dir });
      } catch (err) {
        throw new Error(`${label}: threw ${(err as Error).stack ?? String(err)}`);
      }
      const ms = performance.now() - c0;
      if (ms > slowest.ms) slowest = { ms, name: label };
      expect(ms, `${label}: took ${Math.round(ms)} ms`).toBeLessThan(PER_CASE_MS);
      if (result.errors === 0) {
        expect(result.inventory, label).toBeDefined();
        succeeded++;
      } else {
        expect(result.inventory, label).toBeUndefined();
      }
      for (const d of result.diagnostics) {
        const ok = typeof d.file === "string" && d.file.length > 0 && Number.isInteger(d.line) && d.line >= 1 && Number.isInteger(d.column) && d.column >= 1;
        if (!ok) expect.fail(`${label}: unlocated diagnostic ${JSON.stringify(d).slice(0, 400)}`);
      }
      writeFileSync(path.join(dir, file), originals.get(file)!);
      done++;
    }
    const took = Date.now() - t0;
    console.log(`fuzz: ${done} cases in ${took} ms (${succeeded} valid, ${done - succeeded} refused with diagnostics); slowest ${Math.round(slowest.ms)} ms: ${slowest.name}`);
    expect(done, `only ${done} cases within ${BUDGET_MS} ms`).toBe(CASES);
    expect(byMutation.size).toBe(MUTATIONS.length);
  }, 150_000);
});
