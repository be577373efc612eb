import { createHash } from "node:crypto";

export function sha256(text: string): string {
  return createHash("sha256").update(text, "utf8").digest("hex");
}

/** The hash of a device's current state: over (id, hash) pairs in id order. */
export function stateHash(entries: ReadonlyArray<{ id: string; hash: string | null }>): string {
  const sorted = [...entries].sort((a, b) => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0));
  return sha256(sorted.map((e) => `${e.id}\u0000${e.hash ?? "absent"}`).join("\n"));
}
