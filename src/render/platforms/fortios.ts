// PLACEHOLDER until the fortios renderer lands; it refuses to render.
import { PLATFORM_KINDS } from "../../model/kinds.js";
import { RenderError, type Platform } from "../platform.js";

export const fortios: Platform = {
  name: "fortios",
  description: "fortios (not yet implemented)",
  kinds: PLATFORM_KINDS["fortios"],
  features: [],
  defaultPaths: {},
  render(ctx) {
    throw new RenderError(ctx.device.name, "fortios", "platform", "the fortios renderer is not implemented yet");
  },
};
