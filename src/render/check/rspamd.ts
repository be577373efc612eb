// PLACEHOLDER until the rspamd checker lands: no local check.
import type { LocalChecker } from "./types.js";

export const rspamdChecker: LocalChecker | undefined = undefined;
