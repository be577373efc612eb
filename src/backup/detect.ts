// The second, independent line of defence behind redact.ts: high-signal
// shapes of secrets, looked for in everything that is about to be committed.
// It shares no code or pattern with the redactor on purpose, so that a gap in
// one is not the same gap in the other. A finding refuses the whole record.

export interface SecretFinding {
  /** 1-based line number in the scanned text */
  line: number;
  /** what shape was seen; never the value */
  pattern: string;
}

const DETECTORS: { pattern: string; re: RegExp }[] = [
  { pattern: "PEM private key", re: /-----BEGIN [A-Z0-9 ]*PRIVATE KEY/ },
  {
    pattern: "crypt(3) password hash",
    re: /\$(?:1|2[abxy]?|5|6|7|y|gy|md5|sha1|apr1|argon2(?:i|d|id)?|pbkdf2(?:-sha\d+)?|scrypt)\$[^\s"'$;]{2,}/,
  },
  { pattern: "Junos $9$ secret", re: /\$9\$[^\s"';]{2,}/ },
  { pattern: "FortiOS ENC secret", re: /\bENC\s+[A-Za-z0-9+/=]{8,}/ },
  { pattern: "credentials in a URL", re: /\b[a-z][a-z0-9+.-]*:\/\/[^\s/:@"'<>]+:(?!<redacted)[^\s/@"'<>]+@/i },
  { pattern: "login=user:password", re: /\blogin=[^\s:"']*:(?!<redacted)[^\s"']/ },
  {
    pattern: "long opaque value after a secret keyword",
    re: /(?:passw(?:or)?d|passphrase|pwd|secret|psk|community|private[-_]?key|api[-_]?key|token)[\w-]*["']?(?:\s*[:=]\s*|\s+)["']?(?:ENC\s+)?[A-Za-z0-9+/=_\-.~!@#%^&*]{16,}/i,
  },
];

export function detectSecrets(text: string): SecretFinding[] {
  const findings: SecretFinding[] = [];
  text.split("\n").forEach((line, index) => {
    for (const { pattern, re } of DETECTORS) {
      if (re.test(line)) findings.push({ line: index + 1, pattern });
    }
  });
  return findings;
}
