// PLACEHOLDER until the nginx checker lands: no local check.
import type { LocalChecker } from "./types.js";

export const nginxChecker: LocalChecker | undefined = undefined;
