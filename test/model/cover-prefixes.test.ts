// coverPrefixes: the fewest CIDR prefixes holding exactly the same addresses.
// ietf-acl writes one ace per (source, destination, port) triple, so every
// prefix too many multiplies; and a wrong join would open addresses.
import { describe, expect, it } from "vitest";
import { coverPrefixes, mustParsePrefix, prefixContains, subtractPrefixes, type Prefix } from "../../src/model/net.js";

const texts = (ps: readonly Prefix[]) => ps.map((p) => p.text);
const P = (...t: string[]) => t.map(mustParsePrefix);

/** whether any of the prefixes holds the address (a /32 or /128) */
const holds = (ps: readonly Prefix[], addr: Prefix) => ps.some((p) => prefixContains(p, addr));

describe("coverPrefixes", () => {
  it("joins sibling halves into their parent, repeatedly", () => {
    expect(texts(coverPrefixes(P("198.51.100.32/32", "198.51.100.33/32")))).toEqual(["198.51.100.32/31"]);
    expect(texts(coverPrefixes(P("10.0.0.0/26", "10.0.0.64/26", "10.0.0.128/25")))).toEqual(["10.0.0.0/24"]);
    expect(texts(coverPrefixes(P("0.0.0.0/1", "128.0.0.0/1")))).toEqual(["0.0.0.0/0"]);
  });

  it("does not join neighbours that are not one prefix's halves", () => {
    expect(texts(coverPrefixes(P("198.51.100.33/32", "198.51.100.34/32")))).toEqual(["198.51.100.33/32", "198.51.100.34/32"]);
    expect(texts(coverPrefixes(P("10.0.1.0/24", "10.0.2.0/24")))).toEqual(["10.0.1.0/24", "10.0.2.0/24"]);
  });

  it("drops contained prefixes and keeps the families apart", () => {
    expect(texts(coverPrefixes(P("2001:db8::/33", "10.0.0.0/8", "10.1.0.0/16", "2001:db8:8000::/33")))).toEqual(["10.0.0.0/8", "2001:db8::/32"]);
  });

  it("holds exactly the addresses it was given (random prefixes, probed at every edge)", () => {
    let seed = 7;
    const rnd = (n: number) => ((seed = (seed * 1103515245 + 12345) % 2 ** 31), seed % n);
    for (let round = 0; round < 200; round++) {
      const input: Prefix[] = [];
      for (let i = 0; i < 1 + rnd(12); i++) {
        const len = 22 + rnd(9);
        const start = (10 << 24) + (rnd(16) << 8) * 4;
        const masked = (start >>> (32 - len)) << (32 - len);
        const a = [24, 16, 8, 0].map((s) => (masked >>> s) & 255).join(".");
        input.push(mustParsePrefix(`${a}/${len}`));
      }
      const out = coverPrefixes(input);
      for (const p of [...input, ...subtractPrefixes(P("10.0.0.0/16"), input)]) {
        for (const edge of [p.start, p.end]) {
          const probe = mustParsePrefix(`${[24n, 16n, 8n, 0n].map((s) => Number((edge >> s) & 255n)).join(".")}/32`);
          expect(holds(out, probe)).toBe(holds(input, probe));
        }
      }
      // no two siblings left
      for (let i = 1; i < out.length; i++) {
        const a = out[i - 1]!;
        const b = out[i]!;
        const size = a.end - a.start + 1n;
        expect(a.length === b.length && a.end + 1n === b.start && a.start % (size * 2n) === 0n).toBe(false);
      }
    }
  });
});
