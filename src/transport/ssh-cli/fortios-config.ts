// A FortiOS configuration as a tree of tables, entries and keys, and the
// interpreter of the CLI's config/edit/set/unset/next/end/move/delete lines
// over it. Pure. The driver uses it to read `show` output and to compute the
// canonical form of an artifact; the test simulator keeps its state in it.
//
// The canonical form (what fetch returns and what the plan compares):
// only the entries scconf owns (top-level entries whose id, or `name`, starts
// with "scconf-"), tables in FORTIOS_GRAMMAR order (profiles before the
// policies that name them, so the text can be pushed as it is), entries
// sorted by id except in ordered tables (firewall policy: their order is
// kept and written as `move` lines), keys sorted, values quoted by the key's
// type, `uuid` (device-generated) dropped, no comments.
import { FORTIOS_GRAMMAR, tokenize, type CliToken, type TableSpec } from "../../render/check/fortios.js";

export interface FortiosNode {
  keys: Map<string, CliToken[]>;
  children: Map<string, FortiosNode>;
  /** entries of a table, in the device's order; undefined for a single (non-table) node */
  entries: FortiosEntry[] | undefined;
}

export interface FortiosEntry extends FortiosNode {
  id: CliToken;
}

/** top-level table path ("firewall policy") -> its node */
export type FortiosConfig = Map<string, FortiosNode>;

export type Grammar = Readonly<Record<string, TableSpec>>;

interface Frame {
  path: string;
  spec: TableSpec;
  node: FortiosNode;
  entry: FortiosEntry | undefined;
}

export type StepResult = { ok: true; created?: string } | { ok: false; message: string };

const KEYS_NOT_COMPARED = new Set(["uuid"]);

function newNode(spec: TableSpec): FortiosNode {
  return { keys: new Map(), children: new Map(), entries: spec.kind === "table" ? [] : undefined };
}

/** The CLI interpreter: one line at a time, with the context stack of the session. */
export class FortiosCli {
  private readonly stack: Frame[] = [];

  constructor(
    readonly config: FortiosConfig,
    private readonly grammar: Grammar = FORTIOS_GRAMMAR,
  ) {}

  /** the context the prompt shows: the last word of the innermost table, or the id being edited */
  get context(): string | undefined {
    const top = this.stack[this.stack.length - 1];
    if (!top) return undefined;
    return top.entry ? top.entry.id.text : top.path.split(/[ /]/).pop();
  }

  /** paths and edited ids from the outside in, for a checker that needs the whole context */
  get frames(): readonly { path: string; spec: TableSpec; edit: CliToken | undefined }[] {
    return this.stack.map((f) => ({ path: f.path, spec: f.spec, edit: f.entry?.id }));
  }

  step(tokens: readonly CliToken[]): StepResult {
    const [head, ...rest] = tokens;
    if (!head) return { ok: true };
    const top = this.stack[this.stack.length - 1];
    const cmd = head.quoted ? "" : head.text;
    if (cmd === "config") {
      const name = rest.map((r) => r.text).join(" ");
      if (!top) {
        const spec = this.grammar[name];
        if (!spec) return { ok: false, message: `unknown table ${name}` };
        let node = this.config.get(name);
        if (!node) this.config.set(name, (node = newNode(spec)));
        this.stack.push({ path: name, spec, node, entry: undefined });
        return { ok: true };
      }
      const holder = top.entry ?? (top.spec.kind === "single" ? top.node : undefined);
      const spec = top.spec.children?.[name];
      if (!holder || !spec) return { ok: false, message: `config ${name} is not allowed here` };
      let node = holder.children.get(name);
      if (!node) holder.children.set(name, (node = newNode(spec)));
      this.stack.push({ path: `${top.path}/${name}`, spec, node, entry: undefined });
      return { ok: true };
    }
    if (!top) return { ok: false, message: `${head.text} outside a config block` };
    const entries = top.node.entries;
    switch (cmd) {
      case "edit": {
        const id = rest[0];
        if (!entries || top.entry || !id || rest.length !== 1) return { ok: false, message: "edit is not allowed here" };
        let entry = entries.find((e) => e.id.text === id.text);
        const created = !entry;
        if (!entry) entries.push((entry = { ...newNode({ ...top.spec, kind: "single" }), id }));
        top.entry = entry;
        return created ? { ok: true, created: id.text } : { ok: true };
      }
      case "next":
        if (!top.entry) return { ok: false, message: "next without edit" };
        top.entry = undefined;
        return { ok: true };
      case "end":
      case "abort":
        this.stack.pop();
        return { ok: true };
      case "set":
      case "unset": {
        const holder = top.entry ?? (top.spec.kind === "single" ? top.node : undefined);
        const key = rest[0];
        if (!holder || !key) return { ok: false, message: `${cmd} is not allowed here` };
        if (cmd === "set") holder.keys.set(key.text, rest.slice(1));
        else holder.keys.delete(key.text);
        return { ok: true };
      }
      case "delete": {
        const id = rest[0];
        const i = entries && !top.entry && id ? entries.findIndex((e) => e.id.text === id.text) : -1;
        if (!entries || i < 0) return { ok: false, message: "entry not found" };
        entries.splice(i, 1);
        return { ok: true };
      }
      case "move": {
        const [a, where, b] = rest;
        if (!entries || top.entry || !a || !b || (where?.text !== "before" && where?.text !== "after")) return { ok: false, message: "move <id> before|after <id>" };
        const from = entries.findIndex((e) => e.id.text === a.text);
        if (from < 0 || !entries.some((e) => e.id.text === b.text)) return { ok: false, message: "entry not found" };
        const [moved] = entries.splice(from, 1);
        const to = entries.findIndex((e) => e.id.text === b.text);
        entries.splice(where.text === "before" ? to : to + 1, 0, moved!);
        return { ok: true };
      }
      default:
        return { ok: false, message: `unknown command ${head.text}` };
    }
  }
}

/** Command lines of a CLI text: comments and blank lines dropped, indentation removed. */
export function cliCommandLines(text: string): string[] {
  return text
    .split("\n")
    .map((l) => l.trim())
    .filter((l) => l !== "" && !l.startsWith("#"));
}

/** Interprets a whole CLI text (an artifact, or `show` output) into a configuration; throws on a line it cannot follow. */
export function parseFortiosCli(text: string, into: FortiosConfig = new Map()): FortiosConfig {
  const cli = new FortiosCli(into);
  for (const line of cliCommandLines(text)) {
    const t = tokenize(line);
    if ("error" in t) throw new Error(`${t.error}: ${line}`);
    const r = cli.step(t.tokens);
    if (!r.ok) throw new Error(`${r.message}: ${line}`);
  }
  return into;
}

export function quoteToken(t: CliToken): string {
  return t.quoted ? `"${t.text.replace(/[\\"]/g, (c) => `\\${c}`)}"` : t.text;
}

export interface RenderOptions {
  /** the canonical form (see the top of this file) instead of the device's `show` */
  canonical: boolean;
}

export function isOwnedEntry(e: FortiosEntry): boolean {
  return e.id.text.startsWith("scconf-") || (e.keys.get("name")?.[0]?.text ?? "").startsWith("scconf-");
}

function compareIds(a: FortiosEntry, b: FortiosEntry): number {
  const x = a.id.text;
  const y = b.id.text;
  if (/^\d+$/.test(x) && /^\d+$/.test(y)) return Number(x) - Number(y);
  return x < y ? -1 : x > y ? 1 : 0;
}

function valueText(spec: TableSpec, key: string, values: readonly CliToken[], canonical: boolean): string {
  const kind = spec.keys[key]?.kind;
  const quoted = (t: CliToken): boolean => (canonical && kind ? kind === "str" || kind === "ref" : t.quoted);
  return values.map((t) => quoteToken({ text: t.text, quoted: quoted(t) })).join(" ");
}

function renderNode(node: FortiosNode, spec: TableSpec, depth: number, options: RenderOptions, out: string[]): void {
  const pad = "    ".repeat(depth);
  const keys = [...node.keys.keys()].filter((k) => !options.canonical || !KEYS_NOT_COMPARED.has(k));
  if (options.canonical) keys.sort();
  for (const k of keys) {
    const v = node.keys.get(k)!;
    out.push(`${pad}set ${k}${v.length > 0 ? ` ${valueText(spec, k, v, options.canonical)}` : ""}`);
  }
  for (const [name, child] of node.children) {
    const childSpec = spec.children?.[name];
    if (!childSpec) continue;
    out.push(`${pad}config ${name}`);
    renderTableBody(child, childSpec, depth + 1, options, out, false);
    out.push(`${pad}end`);
  }
}

function renderTableBody(node: FortiosNode, spec: TableSpec, depth: number, options: RenderOptions, out: string[], topLevel: boolean): void {
  const pad = "    ".repeat(depth);
  if (!node.entries) return renderNode(node, spec, depth, options, out);
  let entries = topLevel && options.canonical ? node.entries.filter(isOwnedEntry) : [...node.entries];
  if (options.canonical && !spec.moves) entries = entries.sort(compareIds);
  for (const e of entries) {
    const id = options.canonical ? { text: e.id.text, quoted: spec.edit !== "int" } : e.id;
    out.push(`${pad}edit ${quoteToken(id)}`);
    renderNode(e, spec, depth + 1, options, out);
    out.push(`${pad}next`);
  }
  if (options.canonical && spec.moves) {
    for (let i = 1; i < entries.length; i++) out.push(`${pad}move ${entries[i]!.id.text} after ${entries[i - 1]!.id.text}`);
  }
}

/**
 * The given tables as `show` prints them (device order, keys as set), or in
 * the canonical form: only tables with owned entries, "" when there are none.
 */
export function renderFortiosTables(config: FortiosConfig, tables: readonly string[], options: RenderOptions, grammar: Grammar = FORTIOS_GRAMMAR): string {
  const out: string[] = [];
  for (const table of tables) {
    const spec = grammar[table];
    const node = config.get(table);
    if (!spec) continue;
    if (options.canonical && !node?.entries?.some(isOwnedEntry)) continue;
    out.push(`config ${table}`);
    if (node) renderTableBody(node, spec, 1, options, out, true);
    out.push("end");
  }
  return out.length > 0 ? `${out.join("\n")}\n` : "";
}

/** The top-level tables an artifact path covers: "cli:firewall" -> every "firewall ..." table, in grammar order. */
export function fortiosTablesOf(path: string): string[] {
  const m = /^cli:([a-z-]+)$/.exec(path);
  if (!m) return [];
  return Object.keys(FORTIOS_GRAMMAR).filter((t) => t.split(" ")[0] === m[1]);
}

/**
 * The canonical form of FortiOS CLI text (an artifact as rendered, or as
 * already canonical: the function is idempotent). The plan compares this to
 * what fetch returns; it is valid CLI and can be pushed as it is.
 */
export function canonicalFortiosCli(text: string): string {
  return renderFortiosTables(parseFortiosCli(text), Object.keys(FORTIOS_GRAMMAR), { canonical: true });
}
