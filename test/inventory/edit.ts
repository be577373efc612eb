// Test support for the inventory checks: copies the small fixture into a
// temporary directory, applies edits to some files, validates it, and finds
// the diagnostics a test expects. Not a test file itself.
import { cpSync, mkdtempSync, rmSync, writeFileSync, readFileSync, mkdirSync, unlinkSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { expect } from "vitest";
import type { Diagnostic } from "../../src/inventory/diagnostics.js";
import { validateInventory, type ValidateResult } from "../../src/inventory/validate.js";
import { SMALL_INVENTORY, TEST_TODAY } from "../helpers/inventory.js";

/** A new file's content, a function of the old content, or null to delete the file. */
export type Edit = string | Buffer | ((text: string) => string) | null;

const made: string[] = [];

/** A copy of the small fixture with `edits` (by path relative to the inventory) applied. */
export function inventoryWith(edits: Record<string, Edit> = {}): string {
  const dir = mkdtempSync(join(tmpdir(), "scconf-inv-"));
  made.push(dir);
  cpSync(SMALL_INVENTORY, dir, { recursive: true });
  for (const [rel, edit] of Object.entries(edits)) {
    const file = join(dir, rel);
    mkdirSync(dirname(file), { recursive: true });
    if (edit === null) unlinkSync(file);
    else if (typeof edit === "function") writeFileSync(file, edit(readFileSync(file, "utf8")));
    else writeFileSync(file, edit);
  }
  return dir;
}

export function cleanupInventories(): void {
  for (const d of made.splice(0)) rmSync(d, { recursive: true, force: true });
}

export function validateWith(edits: Record<string, Edit> = {}, today = TEST_TODAY): ValidateResult {
  return validateInventory(inventoryWith(edits), { today, revision: "test" });
}

/** Replaces line `n` (1-based) of a text. */
export function replaceLine(n: number, line: string): (text: string) => string {
  return (text) => {
    const lines = text.split("\n");
    if (lines[n - 1] === undefined) throw new Error(`no line ${n}`);
    lines[n - 1] = line;
    return lines.join("\n");
  };
}

/** Inserts lines after line `n` (1-based; 0 = at the top). */
export function insertAfter(n: number, ...added: string[]): (text: string) => string {
  return (text) => {
    const lines = text.split("\n");
    lines.splice(n, 0, ...added);
    return lines.join("\n");
  };
}

/** Appends lines at the end of a file. */
export function append(...added: string[]): (text: string) => string {
  return (text) => (text.endsWith("\n") ? text : text + "\n") + added.join("\n") + "\n";
}

/**
 * A new organization file "kameyama" whose first ten lines are fixed, so that
 * tests can name exact lines: `body` starts at line 11.
 *   7  networks:   lan 10.9.0.0/16
 *   9  globalAddresses:   web 198.51.100.90/32
 *  10  domains: [city.kameyama.example.jp]
 */
export function kameyama(...body: string[]): string {
  return kameyamaFile({ domains: "[city.kameyama.example.jp]" }, ...body);
}

/**
 * The same organization with its own domains line and, with `lan6`, an IPv6
 * LAN and a comment line, so that the domains line is line 12 and `body`
 * starts at line 13.
 */
export function kameyamaFile(options: { domains: string; lan6?: boolean }, ...body: string[]): string {
  return [
    "id: kameyama",
    "name: { ja: 亀山市, en: Kameyama City }",
    "kind: city",
    "contacts:",
    "  - { name: 情報政策室, email: joho@kameyama.example.jp }",
    "networks:",
    "  - { name: lan, cidr: 10.9.0.0/16 }",
    ...(options.lan6 ? ["  - { name: lan6, cidr: \"2001:db8:9::/48\" }"] : []),
    "globalAddresses:",
    "  - { name: web, address: 198.51.100.90/32 }",
    ...(options.lan6 ? ["# the domains line is line 12"] : []),
    `domains: ${options.domains}`,
    ...body,
    "",
  ].join("\n");
}

export const KAMEYAMA = "orgs/kameyama.yaml";

export interface Expected {
  severity?: Diagnostic["severity"];
  code?: string;
  /** the end of the file path, e.g. "orgs/tsu.yaml" */
  file: string;
  line: number;
  column: number;
  path?: string;
  /** a fragment of the message */
  message?: string | RegExp;
}

/** Asserts that exactly such a finding exists, and returns it. */
export function expectFinding(diags: readonly Diagnostic[], e: Expected): Diagnostic {
  const matches = diags.filter(
    (d) =>
      d.file.endsWith(e.file) &&
      d.line === e.line &&
      d.column === e.column &&
      (e.severity === undefined || d.severity === e.severity) &&
      (e.code === undefined || d.code === e.code) &&
      (e.path === undefined || d.path === e.path) &&
      (e.message === undefined || (typeof e.message === "string" ? d.message.includes(e.message) : e.message.test(d.message))),
  );
  if (matches.length === 0) {
    const shown = diags.map((d) => `  ${d.file}:${d.line}:${d.column} ${d.severity} [${d.code}] ${d.path}: ${d.message}`).join("\n");
    expect.fail(`no finding ${JSON.stringify(e)}; the findings were:\n${shown || "  (none)"}`);
  }
  return matches[0]!;
}

/** Asserts there is no finding with this code (or none at all). */
export function expectNo(diags: readonly Diagnostic[], code?: string): void {
  const found = diags.filter((d) => code === undefined || d.code === code);
  expect(found.map((d) => `${d.file}:${d.line}:${d.column} [${d.code}] ${d.message}`)).toEqual([]);
}
