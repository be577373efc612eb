// The local key for keyed hashes of redacted secrets. It lives outside the
// backup repository: with the key, a hash of a short password can be brute
// forced; without it, the hash says only "changed" or "unchanged".
import { randomBytes } from "node:crypto";
import { mkdir, readFile, stat, writeFile } from "node:fs/promises";
import { dirname } from "node:path";
import { StoreError } from "./errors.js";

const KEY_HEX_LENGTH = 64;

/** Reads the key, creating it (0600, in a 0700 directory) when it does not exist yet. */
export async function loadRedactionKey(path: string): Promise<Buffer> {
  const existing = await readKey(path);
  if (existing) return existing;
  await mkdir(dirname(path), { recursive: true, mode: 0o700 });
  try {
    // "wx": two scconf processes starting on a fresh machine must not each write a different key
    await writeFile(path, randomBytes(KEY_HEX_LENGTH / 2).toString("hex") + "\n", { flag: "wx", mode: 0o600 });
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== "EEXIST") {
      throw new StoreError(`cannot create the redaction key ${path}: ${(error as Error).message}`);
    }
  }
  const created = await readKey(path);
  if (!created) throw new StoreError(`the redaction key ${path} vanished while it was being created`);
  return created;
}

async function readKey(path: string): Promise<Buffer | undefined> {
  let mode: number;
  try {
    mode = (await stat(path)).mode;
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === "ENOENT") return undefined;
    throw new StoreError(`cannot read the redaction key ${path}: ${(error as Error).message}`);
  }
  if ((mode & 0o077) !== 0) {
    throw new StoreError(
      `the redaction key ${path} is accessible to other users (mode ${(mode & 0o777).toString(8)})`,
      `chmod 600 ${path}`,
    );
  }
  const text = (await readFile(path, "utf8")).trim();
  if (!new RegExp(`^[0-9a-f]{${KEY_HEX_LENGTH}}$`).test(text)) {
    throw new StoreError(
      `the redaction key ${path} is malformed (expected ${KEY_HEX_LENGTH} hex digits)`,
      "restore it from your safe copy; a new key changes every redaction hash once",
    );
  }
  return Buffer.from(text, "hex");
}
