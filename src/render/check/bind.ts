// PLACEHOLDER until the bind checker lands: no local check.
import type { LocalChecker } from "./types.js";

export const bindChecker: LocalChecker | undefined = undefined;
