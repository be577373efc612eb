// rspamd 3.4: the organizations' spam/malware exclusions as rules of the
// settings module, one file (/etc/rspamd/local.d/settings.conf) that scconf
// replaces whole.
//
// Why settings and not multimap + antivirus whitelist (checked in the 3.4 Lua):
// - a multimap prefilter with `action = "accept"` is a passthrough result: it
//   skips every later filter, the antivirus scanners included, so it can only
//   say `both`;
// - the antivirus module's `whitelist` is looked up with the *threat name* the
//   scanner returns (lua_scanners/common.lua, yield_result), not the sender,
//   whatever its sample comment says: it cannot exempt a sender;
// - a settings rule matches the envelope sender (`from`: "user@domain" exactly,
//   "@domain" for that domain) or the client address (`ip`) and applies
//   per-message symbol sets: spam = only the `antivirus` group runs, malware =
//   the `antivirus` group is disabled, both = the task is skipped.
// rspamd applies one settings rule per message, the highest priority first: a
// sender in several exclusions gets the widest (both > spam > malware).
//
// Every rule also carries `rcpt`: the excluding organization's own recipient
// domains (its domains and its relayed mail domains). The settings module ANDs
// the condition kinds of a rule, so mail from the excluded sender to any other
// organization is still scanned. Limitation (settings.lua, check_addr_setting):
// `rcpt` matches when *any* envelope recipient matches, so one message addressed
// to this organization and another one at once gets the exclusion for both.
import { PLATFORM_KINDS } from "../../model/kinds.js";
import { recipientDomains } from "../../model/mail.js";
import { parsePrefix } from "../../model/net.js";
import { isActive } from "../../model/resolve.js";
import type { Org, SpamExclusion } from "../../model/types.js";
import { artifactPath, headerLines, orgsInOrder, RenderError, type Platform, type RenderContext } from "../platform.js";
import { refuseUnrenderable } from "../refusals.js";

/**
 * A UCL double-quoted string. `$` would expand a variable and control
 * characters would end the line; neither has a safe escape, so they are refused.
 */
export function q(value: unknown): string {
  const text = String(value);
  if (/[\u0000-\u001f\u007f$]/u.test(text)) throw new Error(`cannot be written as a UCL string: ${JSON.stringify(text)}`);
  return `"${text.replace(/[\\"]/g, (c) => `\\${c}`)}"`;
}

/** One line of a UCL comment. */
function commentText(value: string): string {
  return value.replace(/[\u0000-\u001f\u007f]+/gu, " ");
}

const BYPASS = {
  both: { priority: "high", apply: 'flags = ["skip"];', what: "no spam or malware checks" },
  spam: { priority: "medium", apply: 'groups_enabled = ["antivirus"];', what: "malware scanning only, no spam checks" },
  malware: { priority: "low", apply: 'groups_disabled = ["antivirus"];', what: "spam checks only, no malware scanning" },
} as const;

interface RuleView {
  key: string;
  reason: string;
  expires?: string;
  priority: string;
  what: string;
  apply: string;
  condition: "from" | "ip";
  value: string;
  /** "@domain" per recipient domain of the excluding organization */
  rcpt: string[];
}

function ruleView(ctx: RenderContext, org: Org, i: number, ex: SpamExclusion, reason: string): RuleView {
  const orgId = org.id;
  const where = `${orgId} spamExclusions[${i}]`;
  const ip = parsePrefix(ex.sender);
  const value = ip.ok ? ip.prefix.text : ex.sender.includes("@") ? ex.sender : `@${ex.sender}`;
  const key = `scconf-${orgId}-${ex.name}`;
  for (const [field, text] of [["sender", value], ["name", key]] as const) {
    try {
      q(text);
    } catch (err) {
      throw new RenderError(ctx.device.name, "rspamd", `${where}.${field}`, (err as Error).message);
    }
  }
  const rcpt = recipientDomains(org).map((d) => `@${d}`);
  // never empty (refuseUnrenderable): without a recipient condition the rule would exempt the sender for every organization
  for (const r of rcpt) {
    try {
      q(r);
    } catch (err) {
      throw new RenderError(ctx.device.name, "rspamd", `${orgId} domains`, (err as Error).message);
    }
  }
  const b = BYPASS[ex.bypass];
  return { key, reason, ...(ex.expires ? { expires: ex.expires } : {}), priority: b.priority, what: b.what, apply: b.apply, condition: ip.ok ? "ip" : "from", value, rcpt };
}

export const rspamd: Platform = {
  name: "rspamd",
  description: "rspamd 3.4: settings-module rules that exempt senders from spam checks, malware scanning or both",
  kinds: PLATFORM_KINDS["rspamd"],
  features: ["ipv6", "comments"],
  defaultPaths: { "settings-conf": "/etc/rspamd/local.d/settings.conf" },
  // Test the device's whole configuration with the staged file in place of the live one.
  defaultCheckCommand:
    "sh -c 'd=$(mktemp -d) && cp -a /etc/rspamd/. \"$d\"/ && cp {stage}/settings-conf \"$d\"/local.d/settings.conf && rspamadm --var=LOCAL_CONFDIR=\"$d\" configtest -s -c /etc/rspamd/rspamd.conf; r=$?; rm -rf \"$d\"; exit $r'",
  defaultReloadCommand: "systemctl reload rspamd.service",
  helpers: { q },
  render(ctx) {
    const orgs = orgsInOrder(ctx.inventory).map((org) => (refuseUnrenderable(ctx, org, "spamExclusions"), {
      id: org.id,
      nameJa: commentText(org.name.ja),
      rules: org.spamExclusions.flatMap((ex, i) => (isActive(ex.expires, ctx.today) ? [ruleView(ctx, org, i, ex, commentText(ex.reason))] : [])),
    }));
    const id = "settings-conf";
    return [
      {
        id,
        path: artifactPath(ctx, rspamd, id),
        content: ctx.templates.render(id, { header: headerLines(ctx, id), orgs }),
        kinds: ["spamExclusions"],
        format: "text",
      },
    ];
  },
};
