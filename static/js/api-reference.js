// Draws the API reference with the vendored Redoc (static/vendor/redoc, no CDN).
import { init } from "../vendor/redoc/redoc.standalone.js";

const element = document.getElementById("api-reference");
if (element) {
  init(element.dataset.spec, { disableTelemetry: true }, element);
}
