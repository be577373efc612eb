// One bounded walk over a parsed file's values, for the checks that look at
// every string (secrets, control characters). Iterative, with depth and node
// limits: a hostile file must not exhaust the stack, and aliases make the same
// object appear many times (the loader caps them, this caps the walk).
import type { PathSegment } from "../diagnostics.js";

const MAX_DEPTH = 64;
const MAX_NODES = 200_000;

export interface StringVisitor {
  /** a string value at `path` */
  value(text: string, path: PathSegment[]): void;
  /** a mapping key at `path` (the path ends with the key) */
  key?(text: string, path: PathSegment[]): void;
}

/** Visits every string value (and key) under `root`, in document order of the paths. */
export function walkStrings(root: unknown, visit: StringVisitor): void {
  const stack: Array<{ value: unknown; path: PathSegment[] }> = [{ value: root, path: [] }];
  let nodes = 0;
  while (stack.length && nodes++ < MAX_NODES) {
    const { value, path } = stack.pop()!;
    if (typeof value === "string") visit.value(value, path);
    else if (path.length < MAX_DEPTH && Array.isArray(value)) value.forEach((v: unknown, i) => stack.push({ value: v, path: [...path, i] }));
    else if (path.length < MAX_DEPTH && value !== null && typeof value === "object") {
      for (const [k, v] of Object.entries(value)) {
        visit.key?.(k, [...path, k]);
        stack.push({ value: v, path: [...path, k] });
      }
    }
  }
}
