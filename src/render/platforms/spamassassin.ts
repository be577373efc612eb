// PLACEHOLDER until the spamassassin renderer lands; it refuses to render.
import { PLATFORM_KINDS } from "../../model/kinds.js";
import { RenderError, type Platform } from "../platform.js";

export const spamassassin: Platform = {
  name: "spamassassin",
  description: "spamassassin (not yet implemented)",
  kinds: PLATFORM_KINDS["spamassassin"],
  features: [],
  defaultPaths: {},
  render(ctx) {
    throw new RenderError(ctx.device.name, "spamassassin", "platform", "the spamassassin renderer is not implemented yet");
  },
};
