// PLACEHOLDER until the rspamd renderer lands; it refuses to render.
import { PLATFORM_KINDS } from "../../model/kinds.js";
import { RenderError, type Platform } from "../platform.js";

export const rspamd: Platform = {
  name: "rspamd",
  description: "rspamd (not yet implemented)",
  kinds: PLATFORM_KINDS["rspamd"],
  features: [],
  defaultPaths: {},
  render(ctx) {
    throw new RenderError(ctx.device.name, "rspamd", "platform", "the rspamd renderer is not implemented yet");
  },
};
