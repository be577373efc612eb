// Control and format characters never belong in inventory text: the text is
// copied into device configurations, notices and plan diffs, where an 8-bit
// CSI (U+009B) can erase the lines above it in an operator's terminal, a
// line separator (U+2028) ends a line in some parsers and not in others, and
// a soft hyphen or a Hangul filler makes two names look the same. Every string
// of every file is scanned (keys too), before the schema, so that a field no
// value type covers is refused as well. Tab and line feed are left to the
// value types (YAML block scalars carry them; safeText refuses them).
import type { Diagnostic, PathSegment } from "../diagnostics.js";
import type { SourceFile } from "../source.js";
import { walkStrings } from "./walk.js";

/**
 * Unicode Cc (except tab and line feed), Cf, Zl, Zp, and the fillers that
 * render as nothing although they are letters (U+115F, U+1160, U+3164, U+FFA0).
 */
export const FORBIDDEN_TEXT_CHARS = /(?![\t\n])[\p{Cc}\p{Cf}\p{Zl}\p{Zp}\u115f\u1160\u3164\uffa0]/u;

/** "U+009B" for the first forbidden character of the text, or undefined. */
export function forbiddenChar(text: string): string | undefined {
  const m = FORBIDDEN_TEXT_CHARS.exec(text);
  return m ? `U+${(m[0].codePointAt(0) ?? 0).toString(16).padStart(4, "0").toUpperCase()}` : undefined;
}

export function findControlText(source: SourceFile): Diagnostic[] {
  const out: Diagnostic[] = [];
  if (source.value === undefined) return out;
  const refuse = (path: PathSegment[], code: string, what: string, key: boolean) =>
    out.push(source.diagnostic("error", "control-character", path,
      `${what} contains the control or format character ${code}, which would be copied into device configurations, notices and plans`,
      "retype the text; copy-pasted text sometimes carries invisible characters", key ? { key: true } : {}));
  walkStrings(source.value, {
    value: (text, path) => {
      const code = forbiddenChar(text);
      if (code) refuse(path, code, "this value", false);
    },
    key: (text, path) => {
      const code = forbiddenChar(text);
      if (code) refuse(path, code, "this key", true);
    },
  });
  return out.reverse();
}
