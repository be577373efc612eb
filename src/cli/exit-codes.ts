// Exit codes shared by all commands (see the README).
export const EXIT = {
  /** success, nothing to change */
  ok: 0,
  /** user or input error */
  inputError: 1,
  /** success, and changes exist (plan, drift), like terraform's -detailed-exitcode */
  changes: 2,
  /** a device or transport failure after which every device is back in a known state */
  deviceFailure: 3,
  /** a failure that left a device in an unknown state: loud, names the device and the recovery */
  unknownState: 4,
} as const;

/** An error meant for the user: printed without a stack trace, with its exit code. */
export class UserError extends Error {
  constructor(message: string, readonly exitCode: number = EXIT.inputError, readonly hint?: string) {
    super(message);
    this.name = "UserError";
  }
}
