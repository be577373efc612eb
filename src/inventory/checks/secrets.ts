// Secrets never belong in the inventory: it is a git repository that every
// organization reads, and its files are copied into reviews and plans. The
// schema already refuses keys such as `password`; this scan looks at every
// string value, because a key pasted into a description or a hash pasted into
// a comment passes any key-based rule.
import { detectSecrets } from "../../backup/detect.js";
import type { Diagnostic } from "../diagnostics.js";
import type { SourceFile } from "../source.js";
import { walkStrings } from "./walk.js";

const PATTERNS: ReadonlyArray<{ test: RegExp; what: string }> = [
  { test: /-----BEGIN/, what: "a PEM block (a private key or certificate)" },
  // crypt(3): $1$ md5, $2a/b/y$ bcrypt, $5$ sha256, $6$ sha512, $y$ yescrypt, $argon2id$
  { test: /\$(1|2[abxy]?|5|6|7|y|gy|sha1|md5|argon2(id|i|d))\$/, what: "a password hash (crypt)" },
  // the environment-variable style: SCCONF_FW1_PASSWORD=hunter2, RADIUS_SECRET: x
  { test: /\b[A-Z0-9_]*(PASSWORD|PASSWD|PASSPHRASE|SECRET|TOKEN|API_?KEY)\s*[=:]\s*\S/, what: "a secret assignment (NAME_PASSWORD=...)" },
  { test: /\b(password|passwd|passphrase)\s*[=:]\s*\S/i, what: "a password assignment" },
];

/** The first pattern a string matches, or undefined. */
export function secretKind(value: string): string | undefined {
  return PATTERNS.find((p) => p.test.test(value))?.what;
}

/** How deep the scan follows nested values; deeper junk is refused by the schema anyway. */
/** Every string value in a parsed file that looks like a secret, located. */
export function findLiteralSecrets(source: SourceFile): Diagnostic[] {
  const out: Diagnostic[] = [];
  if (source.value === undefined) return out;
  walkStrings(source.value, {
    value: (text, path) => {
      const what = secretKind(text);
      if (!what) {
        // the backup's own detector (src/backup/detect.ts): text it flags, copied into a device's
        // configuration, would make every later generation of that device unrecordable
        const seen = detectSecrets(text)[0];
        if (seen) {
          out.push(source.diagnostic("error", "literal-secret", path, `this value looks like a ${seen.pattern} to the backup's secret detector; a device configuration holding it could not be backed up`,
            "remove the secret-like part (a URL filter entry matches without its query string); if it is a real credential, rotate it"));
        }
        return;
      }
      out.push(source.diagnostic("error", "literal-secret", path, `this value looks like ${what}; secrets are never written in the inventory`,
        "remove it and rotate the secret: it is in the git history now. Devices authenticate by reference: auth: { method: key, keyFile: ... }, { method: agent } or { method: password, passwordEnv: ENV_VAR_NAME }"));
    },
  });
  return out.reverse();
}
