// A YAML file parsed with positions, so that any finding can name file:line:col.
import { readFileSync, statSync } from "node:fs";
import jsYaml from "js-yaml";
import { isMap, isPair, isScalar, isSeq, LineCounter, parseDocument, type Document, type Node } from "yaml";
import type { Diagnostic, PathSegment } from "./diagnostics.js";
import { formatPath } from "./diagnostics.js";

/** Inventory files are small; a huge one is a mistake or an attack. */
export const MAX_FILE_BYTES = 1024 * 1024;
/** Aliases are handy for repeated lists; a billion-laughs expansion is not. */
export const MAX_ALIAS_COUNT = 200;

export interface Position {
  line: number;
  column: number;
}

/**
 * Anchors, tags and merge keys are rare in an inventory; a file that uses
 * them goes through the `yaml` library, which limits alias expansion.
 */
const NEEDS_FULL_PARSER = /(^|[\s[{,:-])[&!]\S|<<\s*:/m;

function parseWithPositions(text: string, lines: LineCounter): Document.Parsed {
  return parseDocument(text, { lineCounter: lines, uniqueKeys: true, prettyErrors: false, strict: true, version: "1.2" });
}

/**
 * Two parsers, one result. The values come from js-yaml (core schema, the
 * same YAML 1.2 semantics as the `yaml` library, several times faster); the
 * positions come from the `yaml` library's document, built only when a
 * finding needs a line and column or when js-yaml refuses the file (so that
 * the error itself is located). A test proves both give the same values.
 */
export class SourceFile {
  private doc: Document.Parsed | undefined;
  private constructor(
    /** the path as shown to the user (relative to the working directory when possible) */
    readonly file: string,
    private readonly text: string,
    private readonly lines: LineCounter,
    /** the plain value, undefined when the file could not be parsed */
    readonly value: unknown,
    readonly diagnostics: Diagnostic[],
    doc?: Document.Parsed,
  ) {
    this.doc = doc;
  }

  static read(absPath: string, shownAs: string): SourceFile {
    const lines = new LineCounter();
    const fail = (message: string, pos: Position = { line: 1, column: 1 }, hint?: string) =>
      new SourceFile(shownAs, "", lines, undefined, [
        { severity: "error", code: "yaml", file: shownAs, ...pos, path: "(file)", message, ...(hint ? { hint } : {}) },
      ]);
    let size: number;
    try {
      size = statSync(absPath).size;
    } catch (err) {
      return fail(`cannot read the file: ${(err as Error).message}`);
    }
    if (size > MAX_FILE_BYTES) {
      return fail(`the file is ${size} bytes; inventory files are limited to ${MAX_FILE_BYTES} bytes`, undefined,
        "split the organization's settings or check that the file is what you meant");
    }
    const buf = readFileSync(absPath);
    const text = new TextDecoder("utf-8", { fatal: false }).decode(buf);
    if (text.includes("\uFFFD") && !buf.toString("latin1").includes("\uFFFD")) {
      const offset = text.indexOf("\uFFFD");
      return fail("the file is not valid UTF-8", lineCol(text, offset), "save the file as UTF-8 (Shift_JIS is not accepted)");
    }
    if (!NEEDS_FULL_PARSER.test(text)) {
      try {
        // json: false makes a duplicate key an error, as uniqueKeys does below
        const value = jsYaml.load(text, { schema: jsYaml.CORE_SCHEMA, json: false, filename: shownAs });
        return new SourceFile(shownAs, text, lines, value === undefined ? null : value, []);
      } catch {
        // fall through: the yaml library says where and why
      }
    }
    return SourceFile.readFully(shownAs, text, lines);
  }

  private static readFully(shownAs: string, text: string, lines: LineCounter): SourceFile {
    const doc = parseWithPositions(text, lines);
    const diags: Diagnostic[] = [];
    for (const e of [...doc.errors]) {
      const pos = e.linePos?.[0] ?? lines.linePos(e.pos[0]);
      const msg = e.code === "DUPLICATE_KEY" ? "duplicate key: a key may appear only once in a mapping" : firstLine(e.message);
      diags.push({ severity: "error", code: "yaml", file: shownAs, line: pos.line, column: pos.col, path: "(file)", message: msg });
    }
    for (const w of doc.warnings) {
      const pos = w.linePos?.[0] ?? lines.linePos(w.pos[0]);
      diags.push({ severity: "warning", code: "yaml", file: shownAs, line: pos.line, column: pos.col, path: "(file)", message: firstLine(w.message) });
    }
    if (diags.some((d) => d.severity === "error")) return new SourceFile(shownAs, text, lines, undefined, diags, doc);
    let value: unknown;
    try {
      value = doc.toJS({ maxAliasCount: MAX_ALIAS_COUNT });
    } catch (err) {
      const message = (err as Error).message.includes("alias")
        ? `YAML aliases expand beyond the limit (${MAX_ALIAS_COUNT} alias uses); the file is refused`
        : `cannot read the YAML: ${firstLine((err as Error).message)}`;
      diags.push({ severity: "error", code: "yaml", file: shownAs, line: 1, column: 1, path: "(file)", message });
      return new SourceFile(shownAs, text, lines, undefined, diags, doc);
    }
    return new SourceFile(shownAs, text, lines, value, diags, doc);
  }

  /** The document with positions, built on first use. */
  private positioned(): Document.Parsed | undefined {
    if (!this.doc && this.text) this.doc = parseWithPositions(this.text, this.lines);
    return this.doc;
  }

  /**
   * The position of the node at `path`. For a missing node, the nearest
   * existing ancestor. With `key: true`, the position of the mapping key
   * (used for unknown keys).
   */
  locate(path: readonly PathSegment[], opts: { key?: boolean } = {}): Position {
    const doc = this.positioned();
    if (!doc) return { line: 1, column: 1 };
    let node: unknown = doc.contents;
    let best: Position = { line: 1, column: 1 };
    const posOf = (n: unknown): Position | undefined => {
      const range = (n as Node | undefined)?.range;
      if (!range) return undefined;
      const p = this.lines.linePos(range[0]);
      return { line: p.line, column: p.col };
    };
    best = posOf(node) ?? best;
    for (let i = 0; i < path.length; i++) {
      const seg = path[i]!;
      const last = i === path.length - 1;
      if (isMap(node)) {
        const pair = node.items.find((p) => isPair(p) && isScalar(p.key) && String(p.key.value) === String(seg));
        if (!pair) return best;
        if (last && opts.key) return posOf(pair.key) ?? best;
        node = pair.value;
        best = posOf(node) ?? posOf(pair.key) ?? best;
      } else if (isSeq(node) && typeof seg === "number") {
        const item = node.items[seg];
        if (item === undefined) return best;
        node = item;
        best = posOf(node) ?? best;
      } else {
        return best;
      }
    }
    return best;
  }

  /** Does the path exist in the file as written (before defaults)? */
  has(path: readonly PathSegment[]): boolean {
    return this.positioned()?.hasIn(path as PathSegment[]) ?? false;
  }

  diagnostic(
    severity: Diagnostic["severity"],
    code: string,
    path: readonly PathSegment[],
    message: string,
    hint?: string,
    opts: { key?: boolean } = {},
  ): Diagnostic {
    const pos = this.locate(path, opts);
    return { severity, code, file: this.file, line: pos.line, column: pos.column, path: formatPath(path), message, ...(hint ? { hint } : {}) };
  }
}

function firstLine(s: string): string {
  return s.split("\n")[0] ?? s;
}

function lineCol(text: string, offset: number): Position {
  const before = text.slice(0, offset);
  const line = before.split("\n").length;
  return { line, column: offset - before.lastIndexOf("\n") };
}
