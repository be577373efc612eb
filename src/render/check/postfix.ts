// PLACEHOLDER until the postfix checker lands: no local check.
import type { LocalChecker } from "./types.js";

export const postfixChecker: LocalChecker | undefined = undefined;
