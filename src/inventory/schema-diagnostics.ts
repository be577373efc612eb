// Turns zod issues into located diagnostics with messages a NOC engineer can act on.
import type { z } from "zod";
import type { Diagnostic, PathSegment } from "./diagnostics.js";
import type { SourceFile } from "./source.js";

type Issue = z.core.$ZodIssue;

function closest(word: string, candidates: readonly string[]): string | undefined {
  let best: string | undefined;
  let bestDist = Infinity;
  for (const c of candidates) {
    const d = editDistance(word.toLowerCase(), c.toLowerCase());
    if (d < bestDist) {
      bestDist = d;
      best = c;
    }
  }
  return best !== undefined && bestDist <= (word.length <= 4 ? 1 : 2) ? best : undefined;
}

function editDistance(a: string, b: string): number {
  const row = Array.from({ length: b.length + 1 }, (_, i) => i);
  for (let i = 1; i <= a.length; i++) {
    let prev = row[0]!;
    row[0] = i;
    for (let j = 1; j <= b.length; j++) {
      const tmp = row[j]!;
      row[j] = Math.min(row[j]! + 1, row[j - 1]! + 1, prev + (a[i - 1] === b[j - 1] ? 0 : 1));
      prev = tmp;
    }
  }
  return row[b.length]!;
}

const SECRET_KEY = /pass(word|wd|phrase)?|secret|community|private.?key|psk|token|api.?key/i;

export function issueToDiagnostics(
  issue: Issue,
  source: SourceFile,
  knownKeysAt: (path: readonly PathSegment[]) => readonly string[],
): Diagnostic[] {
  const path = issue.path.filter((p): p is PathSegment => typeof p === "string" || typeof p === "number");
  const missingField =
    (issue.code === "invalid_type" || issue.code === "invalid_value" || issue.code === "invalid_union") && path.length > 0 && !source.has(path);
  if (missingField) {
    return [source.diagnostic("error", "schema", path, `the required field "${String(path[path.length - 1])}" is missing`)];
  }
  switch (issue.code) {
    case "unrecognized_keys": {
      return issue.keys.map((key) => {
        const known = knownKeysAt(path);
        if (SECRET_KEY.test(key)) {
          return source.diagnostic("error", "literal-secret", [...path, key],
            `"${key}" looks like a secret; secrets are never written in the inventory`,
            "authenticate by reference: auth: { method: key, keyFile: ... }, { method: agent } or { method: password, passwordEnv: ENV_VAR_NAME }",
            { key: true });
        }
        const guess = closest(key, known);
        return source.diagnostic("error", "unknown-key", [...path, key], `unknown field "${key}"`,
          guess ? `did you mean "${guess}"?` : known.length ? `known fields here: ${known.join(", ")}` : undefined, { key: true });
      });
    }
    case "invalid_type": {
      const expected = issue.expected === "array" ? "a list" : issue.expected === "object" ? "a mapping" : `a ${issue.expected}`;
      return [source.diagnostic("error", "schema", path, `must be ${expected}`)];
    }
    case "invalid_value": {
      const values = issue.values.map((v) => JSON.stringify(v)).join(", ");
      return [source.diagnostic("error", "schema", path, `must be one of ${values}`)];
    }
    case "invalid_union": {
      // our unions are "this or that" value forms; say which forms are accepted
      const messages = new Set<string>();
      for (const branch of issue.errors) for (const sub of branch) if (sub.code === "custom") messages.add(sub.message);
      const detail = messages.size ? [...messages].join("; and ") : issue.message;
      return [source.diagnostic("error", "schema", path, detail)];
    }
    case "too_small": {
      const min = Number(issue.minimum);
      const msg =
        issue.origin === "array" ? (min === 1 ? "must not be empty" : `needs at least ${min} entries`)
        : issue.origin === "string" ? "must not be empty"
        : issue.message.startsWith("Too small") ? `must be at least ${min}` : issue.message;
      return [source.diagnostic("error", "schema", path, msg)];
    }
    case "too_big": {
      const msg = issue.message.startsWith("Too big") ? `must be at most ${Number(issue.maximum)}` : issue.message;
      return [source.diagnostic("error", "schema", path, msg)];
    }
    case "custom": {
      const hint = (issue.params as { hint?: string } | undefined)?.hint;
      return [source.diagnostic("error", "schema", path, issue.message, hint)];
    }
    default:
      return [source.diagnostic("error", "schema", path, issue.message)];
  }
}
