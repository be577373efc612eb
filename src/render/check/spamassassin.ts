// PLACEHOLDER until the spamassassin checker lands: no local check.
import type { LocalChecker } from "./types.js";

export const spamassassinChecker: LocalChecker | undefined = undefined;
