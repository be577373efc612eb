// postfix 3.7 as the cloud's mail relay: which domains it accepts and where it
// hands them on. scconf owns three whole files under /etc/postfix/scconf/:
// two lookup tables and the main.cf parameters that point at them. postfix has
// no include for main.cf, so the reload command merges the owned parameters
// with `postconf -e` (it edits exactly those names and leaves the rest of the
// operator's main.cf alone), rebuilds the tables with postmap, and reloads.
import { PLATFORM_KINDS } from "../../model/kinds.js";
import { parsePrefix } from "../../model/net.js";
import type { Artifact, MailRoute } from "../../model/types.js";
import { artifactPath, headerLines, orgsInOrder, RenderError, type Platform, type RenderContext } from "../platform.js";
import { refuseUnrenderable } from "../refusals.js";

const DEFAULT_PATHS = {
  "relay-domains": "/etc/postfix/scconf/relay_domains",
  transport: "/etc/postfix/scconf/transport",
  "main-cf": "/etc/postfix/scconf/main.cf.scconf",
} as const;

/** One line of text in a postfix comment: control characters would start a new table line. */
function commentText(value: string): string {
  return value.replace(/[\u0000-\u001f\u007f]+/gu, " ");
}

/**
 * The transport(5) next hop. An address is always bracketed (an MX lookup of
 * an address means nothing); IPv6 literals take postfix's [ipv6:...] form.
 */
function nextHop(route: MailRoute): string {
  const ip = parsePrefix(route.nextHop);
  if (ip.ok) {
    const literal = ip.prefix.text.includes(":") ? `ipv6:${route.nextHop}` : route.nextHop;
    return `smtp:[${literal}]:${route.port}`;
  }
  return route.mx ? `smtp:${route.nextHop}:${route.port}` : `smtp:[${route.nextHop}]:${route.port}`;
}

interface RouteView {
  domain: string;
  nextHop: string;
  comment?: string;
}

function routeViews(ctx: RenderContext): { id: string; nameJa: string; routes: RouteView[] }[] {
  const seen = new Map<string, string>();
  return orgsInOrder(ctx.inventory).map((org) => (refuseUnrenderable(ctx, org, "mailRelay"), {
    id: org.id,
    nameJa: commentText(org.name.ja),
    routes: org.mailRelay.map((route, i) => {
      const where = `${org.id} mailRelay[${i}]`;
      const first = seen.get(route.domain);
      // postmap keeps the first of two equal keys and only warns: one domain, one next hop.
      if (first) throw new RenderError(ctx.device.name, "postfix", `${where}.domain`, `${route.domain} is already routed by ${first}`);
      seen.set(route.domain, where);
      return { domain: route.domain, nextHop: nextHop(route), ...(route.comment ? { comment: commentText(route.comment) } : {}) };
    }),
  }));
}

export const postfix: Platform = {
  name: "postfix",
  description: "postfix 3.7 mail relay: relay_domains and transport lookup tables (lmdb) and the main.cf parameters that use them",
  kinds: PLATFORM_KINDS["postfix"],
  features: ["ipv6", "comments"],
  defaultPaths: DEFAULT_PATHS,
  // postmap exits 0 on a malformed line and only warns: any output fails the check.
  defaultCheckCommand:
    "sh -c 'out=$(postmap lmdb:{stage}/relay-domains 2>&1 && postmap lmdb:{stage}/transport 2>&1) && test -z \"$out\" || { printf \"%s\\n\" \"$out\" >&2; exit 1; }'",
  defaultReloadCommand:
    "sh -c 'postmap lmdb:/etc/postfix/scconf/relay_domains && postmap lmdb:/etc/postfix/scconf/transport && grep -v -e \"^#\" -e \"^$\" /etc/postfix/scconf/main.cf.scconf | xargs -r -d \"\\n\" postconf -e && postfix check && postfix reload'",
  render(ctx) {
    const orgs = routeViews(ctx);
    const artifact = (id: keyof typeof DEFAULT_PATHS, data: object): Artifact => ({
      id,
      path: artifactPath(ctx, postfix, id),
      content: ctx.templates.render(id, { header: headerLines(ctx, id), ...data }),
      kinds: ["mailRelay"],
      format: "text",
    });
    return [
      artifact("relay-domains", { orgs }),
      artifact("transport", { orgs }),
      artifact("main-cf", {
        relayDomains: artifactPath(ctx, postfix, "relay-domains"),
        transport: artifactPath(ctx, postfix, "transport"),
      }),
    ];
  },
};
