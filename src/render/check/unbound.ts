// PLACEHOLDER until the unbound checker lands: no local check.
import type { LocalChecker } from "./types.js";

export const unboundChecker: LocalChecker | undefined = undefined;
