// SpamAssassin 4.0: the spam part of the organizations' exclusions, as one
// site config file (/etc/spamassassin/scconf.cf) that scconf replaces whole.
//
// - an address sender: welcomelist_from addr (SA 4 names; whitelist_* are
//   deprecated aliases)
// - a domain sender: welcomelist_from *@domain (that domain only, not its subdomains)
// - an IP sender: welcomelist_from_rcvd *@* [prefix]. It matches the relay that
//   handed the message to our trusted boundary, which is what "mail from this
//   sending IP" means. trusted_networks would be wrong: it does not skip the
//   spam rules, it makes SA believe the Received headers that host writes and
//   skip DNSBL checks on it, widening trust beyond the one sender.
// Malware scanning is not SpamAssassin's job: an exclusion that bypasses only
// `malware` is listed as a comment and not rendered; `both` renders its spam part.
import { PLATFORM_KINDS } from "../../model/kinds.js";
import { parsePrefix } from "../../model/net.js";
import { isActive } from "../../model/resolve.js";
import type { SpamExclusion } from "../../model/types.js";
import { artifactPath, headerLines, orgsInOrder, RenderError, type Platform, type RenderContext } from "../platform.js";

/** One line of a comment: SA reads a line at a time, so a line break would start a directive. */
function commentText(value: string): string {
  return value.replace(/[\u0000-\u001f\u007f]+/gu, " ");
}

/** The directive for one exclusion's sender. Values are validated; this refuses anything SA would read differently. */
export function welcomeDirective(ctx: RenderContext, where: string, ex: SpamExclusion): string {
  const ip = parsePrefix(ex.sender);
  if (ip.ok) return `welcomelist_from_rcvd *@* [${ip.prefix.text}]`;
  // `#` starts a comment and `*`/`?` are globs in welcomelist_from: a sender with them would match more than it says.
  if (/[\s#*?\\]/.test(ex.sender)) throw new RenderError(ctx.device.name, "spamassassin", `${where}.sender`, `"${ex.sender}" cannot be written as a literal SpamAssassin address pattern`);
  return ex.sender.includes("@") ? `welcomelist_from ${ex.sender}` : `welcomelist_from *@${ex.sender}`;
}

interface ExclusionView {
  name: string;
  reason: string;
  expires?: string;
  directive?: string;
}

export const spamassassin: Platform = {
  name: "spamassassin",
  description: "SpamAssassin 4.0: welcome lists for the spam part of the spam/malware exclusions",
  kinds: PLATFORM_KINDS["spamassassin"],
  features: ["ipv6", "comments"],
  defaultPaths: { "local-cf": "/etc/spamassassin/scconf.cf" },
  // Lint the device's whole site config with the staged file in place of the live one.
  defaultCheckCommand:
    "sh -c 'd=$(mktemp -d) && cp -a /etc/spamassassin/. \"$d\"/ && cp {stage}/local-cf \"$d\"/scconf.cf && spamassassin --lint -x --siteconfigpath=\"$d\"; r=$?; rm -rf \"$d\"; exit $r'",
  defaultReloadCommand: "systemctl reload spamd.service",
  render(ctx) {
    const orgs = orgsInOrder(ctx.inventory).map((org) => ({
      id: org.id,
      nameJa: commentText(org.name.ja),
      exclusions: org.spamExclusions.flatMap((ex, i): ExclusionView[] => {
        if (!isActive(ex.expires, ctx.today)) return [];
        const where = `${org.id} spamExclusions[${i}]`;
        const view: ExclusionView = { name: ex.name, reason: commentText(ex.reason), ...(ex.expires ? { expires: ex.expires } : {}) };
        return [ex.bypass === "malware" ? view : { ...view, directive: welcomeDirective(ctx, where, ex) }];
      }),
    }));
    const id = "local-cf";
    return [
      {
        id,
        path: artifactPath(ctx, spamassassin, id),
        content: ctx.templates.render(id, { header: headerLines(ctx, id), orgs }),
        kinds: ["spamExclusions"],
        format: "text",
      },
    ];
  },
};
