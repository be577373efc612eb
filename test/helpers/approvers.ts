// Approvers for tests: real ed25519 keys made with ssh-keygen (no passphrase)
// in a temporary directory, and the approvers block of cloud.yaml that lists
// them, so that `scconf approve --key` makes real SSH-signed commits.
import { execFileSync } from "node:child_process";
import { mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";

export interface TestKey {
  name: string;
  /** private key file; its .pub is beside it */
  file: string;
  publicKey: string;
}

/** One key per name, in a new temporary directory. */
export function makeKeys(names: readonly string[]): Record<string, TestKey> {
  const dir = mkdtempSync(join(tmpdir(), "scconf-keys-"));
  const out: Record<string, TestKey> = {};
  for (const name of names) {
    const file = join(dir, `id_${name.toLowerCase().replace(/[^a-z0-9]/g, "")}`);
    execFileSync("ssh-keygen", ["-q", "-t", "ed25519", "-N", "", "-C", `${name}@test`, "-f", file], { stdio: "ignore" });
    out[name] = { name, file, publicKey: readFileSync(`${file}.pub`, "utf8").trim() };
  }
  return out;
}

/** Lists the keys as approvers in a cloud.yaml (replacing its approvers list). */
export function listApprovers(cloudYaml: string, keys: readonly TestKey[], role = "NOC"): void {
  const text = readFileSync(cloudYaml, "utf8").replace(/^approvers:.*(\n[ -].*)*\n?/m, "");
  const block = `approvers:\n${keys.map((k) => `  - { name: ${k.name}, role: ${role}, key: "${k.publicKey}" }\n`).join("")}`;
  writeFileSync(cloudYaml, text.replace(/\n*$/, "\n") + block);
}
