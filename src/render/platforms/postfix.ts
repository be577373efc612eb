// PLACEHOLDER until the postfix renderer lands; it refuses to render.
import { PLATFORM_KINDS } from "../../model/kinds.js";
import { RenderError, type Platform } from "../platform.js";

export const postfix: Platform = {
  name: "postfix",
  description: "postfix (not yet implemented)",
  kinds: PLATFORM_KINDS["postfix"],
  features: [],
  defaultPaths: {},
  render(ctx) {
    throw new RenderError(ctx.device.name, "postfix", "platform", "the postfix renderer is not implemented yet");
  },
};
