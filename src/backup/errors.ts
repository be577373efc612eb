// One error type for everything the backup store refuses, so that the CLI can
// print the message and the hint the same way and map it to exit code 1
// (nothing on a device was touched by the store itself).
export class StoreError extends Error {
  constructor(
    message: string,
    /** what the operator can do about it */
    readonly hint?: string,
  ) {
    super(message);
    this.name = "StoreError";
  }
}

/** Redaction or the independent detector found something that must not be committed. */
export class SecretLeakError extends StoreError {
  constructor(
    /** where, without the value: "device fw1, running config, line 12: crypt(3) hash" */
    readonly findings: string[],
  ) {
    super(
      `refusing to record: ${findings.length} possible secret(s) left after redaction:\n  ` +
        findings.join("\n  "),
      "extend the redaction rules in src/backup/redact.ts for this form (nothing was written)",
    );
    this.name = "SecretLeakError";
  }
}
