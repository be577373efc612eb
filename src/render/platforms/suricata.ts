// PLACEHOLDER until the suricata renderer lands; it refuses to render.
import { PLATFORM_KINDS } from "../../model/kinds.js";
import { RenderError, type Platform } from "../platform.js";

export const suricata: Platform = {
  name: "suricata",
  description: "suricata (not yet implemented)",
  kinds: PLATFORM_KINDS["suricata"],
  features: [],
  defaultPaths: {},
  render(ctx) {
    throw new RenderError(ctx.device.name, "suricata", "platform", "the suricata renderer is not implemented yet");
  },
};
