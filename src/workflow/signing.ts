// Who signed a commit, by key (R2): git's own SSH signing, checked against an
// allowed-signers file built from cloud.yaml's approvers list. The key is the
// identity; a name is only what a person is called in refusals and the audit.
// Every git setting that could change the verdict (gpg.format, the program
// that verifies, the allowed-signers file) is passed on the command line, so
// a repository's or a user's configuration cannot make a bad signature good.
import { execFileSync } from "node:child_process";
import { createHash } from "node:crypto";
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { Cloud } from "../model/types.js";

export type Approver = Cloud["approvers"][number];

export class SigningError extends Error {
  override name = "SigningError";
}

/** The OpenSSH SHA256 fingerprint of a public key line ("SHA256:..." as ssh-keygen -l prints it). */
export function keyFingerprint(keyLine: string): string {
  const b64 = keyLine.trim().split(/\s+/)[1] ?? "";
  return "SHA256:" + createHash("sha256").update(Buffer.from(b64, "base64")).digest("base64").replace(/=+$/, "");
}

/** The approver whose key has this fingerprint. */
export function approverByKey(approvers: readonly Approver[], fingerprint: string): Approver | undefined {
  return approvers.find((a) => keyFingerprint(a.key) === fingerprint);
}

/** Pure: the allowed-signers file (one line per approver; the principal is a token, the key is what counts). */
export function allowedSigners(approvers: readonly Approver[]): string {
  return approvers.map((a, i) => `approver-${i + 1} namespaces="git" ${a.key.split(" ").slice(0, 2).join(" ")}\n`).join("");
}

/** The settings every signing or verifying git command gets, whatever the repository's configuration says. */
const SSH_SIGNING = ["-c", "gpg.format=ssh", "-c", "gpg.ssh.program=ssh-keygen"];

export type Signature =
  | { status: "good"; approver: Approver; fingerprint: string }
  | { status: "unsigned" }
  | { status: "unlisted"; fingerprint: string }
  | { status: "bad"; detail: string };

/** Verifies the signatures of the given commits against the approvers list. */
export function verifySignatures(top: string, commits: readonly string[], approvers: readonly Approver[]): Map<string, Signature> {
  const out = new Map<string, Signature>();
  if (!commits.length) return out;
  const scratch = mkdtempSync(join(tmpdir(), "scconf-signers-"));
  try {
    const file = join(scratch, "allowed_signers");
    writeFileSync(file, allowedSigners(approvers));
    const text = execFileSync(
      "git",
      ["-C", top, ...SSH_SIGNING, "-c", `gpg.ssh.allowedSignersFile=${file}`, "log", "--no-walk=unsorted", "--format=%H%x00%G?%x00%GK%x00", ...commits, "--"],
      { encoding: "utf8", stdio: ["ignore", "pipe", "pipe"], maxBuffer: 64 * 1024 * 1024 },
    );
    for (const line of text.split("\n")) {
      const [commit, status, key] = line.split("\u0000");
      if (!commit || status === undefined) continue;
      const fingerprint = key ?? "";
      const approver = approverByKey(approvers, fingerprint);
      if (status === "N") out.set(commit, { status: "unsigned" });
      else if (status === "G" && approver) out.set(commit, { status: "good", approver, fingerprint });
      else if ((status === "U" || status === "G") && fingerprint) out.set(commit, { status: "unlisted", fingerprint });
      else out.set(commit, { status: "bad", detail: `git reports signature status ${status}` });
    }
  } catch (err) {
    const e = err as Error & { stderr?: string };
    throw new SigningError(`cannot verify commit signatures: ${(e.stderr ?? e.message).toString().trim().split("\n")[0]}`);
  } finally {
    rmSync(scratch, { recursive: true, force: true });
  }
  for (const c of commits) if (!out.has(c)) out.set(c, { status: "bad", detail: "git printed no verdict" });
  return out;
}

/** One line: what a signature is, for refusals. */
export function describeSignature(sig: Signature): string {
  switch (sig.status) {
    case "good":
      return `signed by ${sig.approver.name} (${sig.fingerprint})`;
    case "unsigned":
      return "not signed";
    case "unlisted":
      return `signed by a key that is not in cloud.yaml's approvers list (${sig.fingerprint})`;
    case "bad":
      return `its signature does not verify (${sig.detail})`;
  }
}

/**
 * The signing key: --key, else $SCCONF_SIGNING_KEY, else git's user.signingkey.
 * A private key file (its .pub beside it, or derived with ssh-keygen -y), a
 * public key file (the private half in the agent), or "key::ssh-ed25519 ...".
 */
export interface SigningKey {
  /** what git gets as user.signingkey */
  signingKey: string;
  /** the public key line */
  publicKey: string;
  fingerprint: string;
}

export function signingKey(top: string, option: string | undefined): SigningKey {
  let spec = option ?? process.env["SCCONF_SIGNING_KEY"];
  if (!spec) {
    try {
      spec = execFileSync("git", ["-C", top, "config", "--get", "user.signingkey"], { encoding: "utf8", stdio: ["ignore", "pipe", "ignore"] }).trim();
    } catch {
      spec = "";
    }
  }
  if (!spec) throw new SigningError("no signing key: pass --key ~/.ssh/id_ed25519 (or set SCCONF_SIGNING_KEY, or git config user.signingkey)");
  if (spec.startsWith("~/")) spec = join(process.env["HOME"] ?? "", spec.slice(2));
  let publicKey: string;
  if (spec.startsWith("key::")) publicKey = spec.slice(5).trim();
  else if (spec.startsWith("ssh-")) {
    publicKey = spec.trim();
    spec = `key::${publicKey}`;
  } else {
    if (!existsSync(spec)) throw new SigningError(`the signing key ${spec} does not exist`);
    const text = readFileSync(spec, "utf8");
    if (/^(ssh-|ecdsa-|sk-)/.test(text)) publicKey = text.trim();
    else if (existsSync(`${spec}.pub`)) publicKey = readFileSync(`${spec}.pub`, "utf8").trim();
    else {
      try {
        publicKey = execFileSync("ssh-keygen", ["-y", "-f", spec], { encoding: "utf8", stdio: ["ignore", "pipe", "pipe"] }).trim();
      } catch {
        throw new SigningError(`cannot read the public half of ${spec} (put it beside it as ${spec}.pub)`);
      }
    }
  }
  if (!/^\S+ [A-Za-z0-9+/]+={0,2}/.test(publicKey)) throw new SigningError(`${spec} is not an OpenSSH key`);
  return { signingKey: spec, publicKey, fingerprint: keyFingerprint(publicKey) };
}

/** Commits exactly the given paths, signed with the key (git commit -S, SSH format); returns the commit. */
export function commitSigned(top: string, paths: string[], message: string, key: SigningKey, author: { name: string; email: string }): string {
  const env = { ...process.env, GIT_AUTHOR_NAME: author.name, GIT_AUTHOR_EMAIL: author.email };
  const run = (args: string[]) => execFileSync("git", ["-C", top, ...args], { encoding: "utf8", env, stdio: ["ignore", "pipe", "pipe"] });
  try {
    run(["add", "--", ...paths]);
    run([...SSH_SIGNING, "-c", `user.signingkey=${key.signingKey}`, "commit", "--quiet", "-S", "-m", message, "--", ...paths]);
    return run(["rev-parse", "HEAD"]).trim();
  } catch (err) {
    const e = err as Error & { stderr?: string };
    throw new SigningError(`git commit -S: ${(e.stderr ?? e.message).toString().trim().split("\n")[0]}`);
  }
}
