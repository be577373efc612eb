// emergency.yaml: the NOC's emergency blocks, next to cloud.yaml. Written
// here (comments and layout of the file are kept) and committed in the
// inventory's git repository with the operator as author, so that who
// blocked what, and why, is in the history.
import { execFile } from "node:child_process";
import { existsSync, readFileSync, renameSync, writeFileSync } from "node:fs";
import { hostname } from "node:os";
import { join } from "node:path";
import { promisify } from "node:util";
import { isMap, isSeq, parseDocument, type Document } from "yaml";
import { EMERGENCY_FILE } from "../../inventory/load.js";
import type { EmergencyBlock } from "../../model/types.js";

const run = promisify(execFile);

const HEADER = `# Emergency blocks of the NOC (R6), written by 'scconf block' and 'scconf unblock':
# one git commit per change, with who and why. The prefecture's standing
# policy is cloud.yaml's blocklist; this file is the NOC's. An entry is in
# force through the day (in the cloud's time zone) its 'expires' falls on.
`;

export function emergencyPath(inventoryRoot: string): string {
  return join(inventoryRoot, EMERGENCY_FILE);
}

function readDocument(inventoryRoot: string): Document {
  const path = emergencyPath(inventoryRoot);
  const doc = parseDocument(existsSync(path) ? readFileSync(path, "utf8") : `${HEADER}blocks: []\n`);
  if (doc.errors.length) throw new Error(`${path}: ${doc.errors[0]!.message}`);
  if (doc.contents === null) return parseDocument(`${HEADER}blocks: []\n`);
  if (!isMap(doc.contents)) throw new Error(`${path}: expected a mapping with "blocks:"`);
  if (!isSeq(doc.get("blocks"))) doc.set("blocks", doc.createNode([]));
  return doc;
}

function writeDocument(inventoryRoot: string, doc: Document): void {
  const path = emergencyPath(inventoryRoot);
  const tmp = `${path}.tmp-${process.pid}`;
  writeFileSync(tmp, doc.toString({ lineWidth: 0 }));
  renameSync(tmp, path);
}

/** Appends one block to emergency.yaml (creating the file when there is none). */
export function addEmergencyBlock(inventoryRoot: string, entry: EmergencyBlock): void {
  const doc = readDocument(inventoryRoot);
  const seq = doc.get("blocks");
  if (!isSeq(seq)) throw new Error("emergency.yaml: blocks is not a list");
  // emptied flow lists ("blocks: []") would stay in flow style; an entry per block reads better
  seq.flow = false;
  seq.add(doc.createNode(entry));
  writeDocument(inventoryRoot, doc);
}

/** Removes the entries at these indexes (as listed in the loaded inventory). */
export function removeEmergencyBlocks(inventoryRoot: string, indexes: readonly number[]): void {
  const doc = readDocument(inventoryRoot);
  const seq = doc.get("blocks");
  if (!isSeq(seq)) throw new Error("emergency.yaml: blocks is not a list");
  for (const i of [...indexes].sort((a, b) => b - a)) seq.delete(i);
  writeDocument(inventoryRoot, doc);
}

async function git(dir: string, args: string[], env?: NodeJS.ProcessEnv): Promise<string> {
  const r = await run("git", ["-C", dir, ...args], { encoding: "utf8", ...(env ? { env: { ...process.env, ...env } } : {}) });
  return r.stdout.trim();
}

export type CommitOutcome = { versioned: true; commit: string } | { versioned: false; reason: string };

/**
 * Commits emergency.yaml alone (other edits in the work tree stay as they
 * are) with the operator as author. An inventory outside git is written but
 * not versioned: the caller says so.
 */
export async function commitEmergencyFile(inventoryRoot: string, message: string, operator: string): Promise<CommitOutcome> {
  try {
    await git(inventoryRoot, ["rev-parse", "--show-toplevel"]);
  } catch {
    return { versioned: false, reason: "the inventory is not in a git repository" };
  }
  const configured = async (key: string) => git(inventoryRoot, ["config", key]).catch(() => "");
  const [email, name] = await Promise.all([configured("user.email"), configured("user.name")]);
  const authorEmail = email || `noc@${hostname()}`;
  // without a git identity on this machine, the operator commits as themselves
  const identity = { GIT_COMMITTER_NAME: name || operator, GIT_COMMITTER_EMAIL: authorEmail };
  const file = emergencyPath(inventoryRoot);
  await git(inventoryRoot, ["add", "--", file]);
  await git(inventoryRoot, ["commit", "--quiet", "-m", message, `--author=${operator} <${authorEmail}>`, "--", file], identity);
  return { versioned: true, commit: await git(inventoryRoot, ["rev-parse", "HEAD"]) };
}
