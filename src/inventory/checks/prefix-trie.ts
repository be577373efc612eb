// A binary trie of address prefixes, one root per family. It answers the two
// questions the checks ask many times: "which stored prefixes contain this
// one" (a walk down the prefix's bits) and "which stored prefixes lie inside
// this one" (the subtree below it). Two CIDR prefixes overlap exactly when one
// contains the other, so the two answers together are all overlaps, found
// without comparing against every stored prefix.
import type { Family, Prefix } from "../../model/net.js";

interface TrieNode<T> {
  zero?: TrieNode<T>;
  one?: TrieNode<T>;
  values?: T[];
}

/**
 * The address as 32-bit words, so that walking the bits uses number
 * arithmetic; bigint shifts per level made large inventories measurably slower.
 */
function words(p: Prefix): number[] {
  if (p.family === 4) return [Number(p.start)];
  const out: number[] = [];
  for (let i = 3; i >= 0; i--) out.push(Number((p.start >> BigInt(i * 32)) & 0xffffffffn));
  return out;
}

function bit(w: readonly number[], i: number): number {
  return ((w[i >>> 5] ?? 0) >>> (31 - (i & 31))) & 1;
}

export class PrefixTrie<T> {
  private readonly roots: Record<Family, TrieNode<T>> = { 4: {}, 6: {} };
  private count = 0;

  get size(): number {
    return this.count;
  }

  insert(prefix: Prefix, value: T): void {
    const w = words(prefix);
    let node = this.roots[prefix.family];
    for (let i = 0; i < prefix.length; i++) {
      if (bit(w, i)) node = node.one ??= {};
      else node = node.zero ??= {};
    }
    (node.values ??= []).push(value);
    this.count++;
  }

  /** The first value stored exactly at `prefix`, created by `make` when there is none. */
  getOrInsert(prefix: Prefix, make: () => T): T {
    const w = words(prefix);
    let node = this.roots[prefix.family];
    for (let i = 0; i < prefix.length; i++) {
      if (bit(w, i)) node = node.one ??= {};
      else node = node.zero ??= {};
    }
    if (node.values?.length) return node.values[0]!;
    const value = make();
    node.values = [value];
    this.count++;
    return value;
  }

  /** Values stored at `prefix` or at any prefix that contains it, shortest prefix first. */
  containing(prefix: Prefix): T[] {
    const out: T[] = [];
    this.walk(prefix, (n) => {
      if (n.values) out.push(...n.values);
    });
    return out;
  }

  /** How many values `containing(prefix)` would return, without building the list. */
  countContaining(prefix: Prefix): number {
    let n = 0;
    this.walk(prefix, (node) => {
      n += node.values?.length ?? 0;
    });
    return n;
  }

  /** Values stored at `prefix` or at any prefix inside it. */
  within(prefix: Prefix): T[] {
    const w = words(prefix);
    let node: TrieNode<T> | undefined = this.roots[prefix.family];
    for (let i = 0; i < prefix.length && node; i++) node = bit(w, i) ? node.one : node.zero;
    const out: T[] = [];
    // iterative: a hostile inventory must not be able to exhaust the stack
    const stack: TrieNode<T>[] = node ? [node] : [];
    while (stack.length) {
      const n = stack.pop()!;
      if (n.values) out.push(...n.values);
      if (n.one) stack.push(n.one);
      if (n.zero) stack.push(n.zero);
    }
    return out;
  }

  /** Every stored value that overlaps `prefix` (contains it or lies inside it). */
  overlapping(prefix: Prefix): T[] {
    const w = words(prefix);
    const out: T[] = [];
    let node: TrieNode<T> | undefined = this.roots[prefix.family];
    for (let i = 0; i < prefix.length && node; i++) {
      if (node.values) out.push(...node.values);
      node = bit(w, i) ? node.one : node.zero;
    }
    if (node) {
      const stack: TrieNode<T>[] = [node];
      while (stack.length) {
        const n = stack.pop()!;
        if (n.values) out.push(...n.values);
        if (n.one) stack.push(n.one);
        if (n.zero) stack.push(n.zero);
      }
    }
    return out;
  }

  private walk(prefix: Prefix, visit: (n: TrieNode<T>) => void): void {
    const w = words(prefix);
    let node: TrieNode<T> | undefined = this.roots[prefix.family];
    for (let i = 0; node; i++) {
      visit(node);
      if (i >= prefix.length) break;
      node = bit(w, i) ? node.one : node.zero;
    }
  }
}
