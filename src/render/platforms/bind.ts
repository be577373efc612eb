// PLACEHOLDER until the bind renderer lands; it refuses to render.
import { PLATFORM_KINDS } from "../../model/kinds.js";
import { RenderError, type Platform } from "../platform.js";

export const bind: Platform = {
  name: "bind",
  description: "bind (not yet implemented)",
  kinds: PLATFORM_KINDS["bind"],
  features: [],
  defaultPaths: {},
  render(ctx) {
    throw new RenderError(ctx.device.name, "bind", "platform", "the bind renderer is not implemented yet");
  },
};
