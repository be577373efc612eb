// Whose mail an organization's spam exclusions are about. Shared by every
// antispam platform, so that rspamd's `rcpt` condition and SpamAssassin's
// per-domain preferences scope an exclusion to the same recipients.
import type { Org } from "./types.js";

/** The recipient domains an organization's exclusions are scoped to: its domains and the mail domains relayed for it, lower case, sorted. */
export function recipientDomains(org: Org): string[] {
  return [...new Set([...org.domains, ...org.mailRelay.map((r) => r.domain)].map((d) => d.toLowerCase()))].sort();
}
