// The field names a schema accepts at a path, for "did you mean" hints on typos.
import type { z } from "zod";
import type { PathSegment } from "./diagnostics.js";

type AnySchema = z.core.$ZodType;

function unwrap(s: AnySchema): AnySchema[] {
  const def = s._zod.def as unknown as Record<string, unknown> & { type: string };
  switch (def.type) {
    case "optional":
    case "default":
    case "nullable":
    case "prefault":
    case "readonly":
      return unwrap(def["innerType"] as AnySchema);
    case "pipe":
      return unwrap(def["in"] as AnySchema);
    case "union":
      return (def["options"] as AnySchema[]).flatMap(unwrap);
    default:
      return [s];
  }
}

function child(s: AnySchema, seg: PathSegment): AnySchema[] {
  const def = s._zod.def as unknown as Record<string, unknown> & { type: string };
  if (def.type === "object") {
    const shape = def["shape"] as Record<string, AnySchema>;
    const next = shape[String(seg)];
    return next ? unwrap(next) : [];
  }
  if (def.type === "array") return unwrap(def["element"] as AnySchema);
  if (def.type === "record") return unwrap(def["valueType"] as AnySchema);
  return [];
}

export function knownKeys(schema: AnySchema, path: readonly PathSegment[]): string[] {
  let current = unwrap(schema);
  for (const seg of path) current = current.flatMap((s) => child(s, seg));
  const keys = new Set<string>();
  for (const s of current) {
    const def = s._zod.def as unknown as Record<string, unknown> & { type: string };
    if (def.type === "object") for (const k of Object.keys(def["shape"] as object)) keys.add(k);
  }
  return [...keys].sort();
}
