// PLACEHOLDER until the haproxy checker lands: no local check.
import type { LocalChecker } from "./types.js";

export const haproxyChecker: LocalChecker | undefined = undefined;
