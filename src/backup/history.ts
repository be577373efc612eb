// Reading the history back: commits, their scconf trailers, and the
// generations of a device derived from them.
import type { SimpleGit } from "simple-git";
import { RECORD_KINDS, type RecordKind, type RecordMeta } from "./layout.js";

/**
 * One committed state of a device. Numbered from 1 for the oldest, so a
 * number never changes once given (newest-first numbering would shift with
 * every apply and make "rollback --to 3" mean something else tomorrow).
 */
export interface Generation {
  device: string;
  number: number;
  commit: string;
  /** committer date, ISO 8601 */
  date: string;
  change: string;
  operator: string;
  /** "unknown" for a commit not made by scconf (someone committed by hand) */
  kind: RecordKind | "unknown";
  planHash?: string;
}

export interface CommitInfo {
  commit: string;
  date: string;
  trailers: Map<string, string>;
}

export const TRAILER = {
  kind: "Scconf-Kind",
  change: "Scconf-Change",
  plan: "Scconf-Plan",
  operator: "Scconf-Operator",
  devices: "Scconf-Devices",
  changed: "Scconf-Changed",
} as const;

const SUBJECT_DEVICES = 5;

export function commitMessage(meta: RecordMeta, devices: string[], changed: string[]): string {
  const shown = devices.slice(0, SUBJECT_DEVICES).join(", ");
  const more = devices.length > SUBJECT_DEVICES ? ` (+${devices.length - SUBJECT_DEVICES} more)` : "";
  const lines = [`scconf ${meta.kind} ${meta.change}: ${shown}${more}`, ""];
  if (meta.message?.trim()) lines.push(meta.message.trim(), "");
  lines.push(`${TRAILER.kind}: ${meta.kind}`, `${TRAILER.change}: ${meta.change}`);
  if (meta.planHash) lines.push(`${TRAILER.plan}: ${meta.planHash}`);
  lines.push(
    `${TRAILER.operator}: ${meta.operator}`,
    `${TRAILER.devices}: ${devices.join(", ")}`,
    `${TRAILER.changed}: ${changed.length > 0 ? changed.join(", ") : "(none)"}`,
  );
  return lines.join("\n") + "\n";
}

/** Commits newest first, optionally only those touching `path`. */
export async function listCommits(git: SimpleGit, path?: string, from = "HEAD"): Promise<CommitInfo[]> {
  const args = ["log", "--format=%H%x1f%cI%x1f%(trailers:only,unfold)%x1e", from];
  if (path) args.push("--", path);
  const out = await git.raw(args);
  return out
    .split("\x1e")
    .map((record) => record.replace(/^\n/, ""))
    .filter((record) => record.length > 0)
    .map((record) => {
      const [commit = "", date = "", trailerText = ""] = record.split("\x1f");
      const trailers = new Map<string, string>();
      for (const line of trailerText.split("\n")) {
        const m = /^([A-Za-z0-9-]+):\s*(.*)$/.exec(line);
        if (m) trailers.set(m[1]!, m[2]!.trim());
      }
      return { commit, date, trailers };
    });
}

/** The generations of a device, newest first, numbered 1 for the oldest. */
export function toGenerations(device: string, commits: CommitInfo[]): Generation[] {
  return commits.map((c, index) => {
    const kind = c.trailers.get(TRAILER.kind);
    const generation: Generation = {
      device,
      number: commits.length - index,
      commit: c.commit,
      date: c.date,
      change: c.trailers.get(TRAILER.change) ?? "",
      operator: c.trailers.get(TRAILER.operator) ?? "",
      kind: RECORD_KINDS.includes(kind as RecordKind) ? (kind as RecordKind) : "unknown",
    };
    const plan = c.trailers.get(TRAILER.plan);
    if (plan) generation.planHash = plan;
    return generation;
  });
}
