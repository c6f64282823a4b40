// Draws a QR code as inline SVG, in the page: the TOTP secret never reaches another
// service. Built with createElementNS/setAttribute (no HTML parsing, no Trusted Types
// sink, no style attribute), dark modules on a white square whatever the theme, with
// the four-module quiet zone scanners need.

import qrcode from "/assets/vendor/qrcode-generator.js";

const SVG = "http://www.w3.org/2000/svg";

/** Replaces `container`'s content with the QR code of `text`, labelled `label`. */
export function drawQr(container, text, label) {
  const qr = qrcode(0, "M");
  qr.addData(text);
  qr.make();
  const count = qr.getModuleCount();
  const quiet = 4;
  const size = count + 2 * quiet;
  const svg = document.createElementNS(SVG, "svg");
  svg.setAttribute("viewBox", `0 0 ${size} ${size}`);
  svg.setAttribute("role", "img");
  svg.setAttribute("aria-label", label);
  svg.setAttribute("shape-rendering", "crispEdges");
  const background = document.createElementNS(SVG, "rect");
  background.setAttribute("width", String(size));
  background.setAttribute("height", String(size));
  background.setAttribute("fill", "#ffffff");
  let d = "";
  for (let row = 0; row < count; row++) {
    for (let col = 0; col < count; col++) {
      if (qr.isDark(row, col)) d += `M${col + quiet} ${row + quiet}h1v1h-1z`;
    }
  }
  const modules = document.createElementNS(SVG, "path");
  modules.setAttribute("d", d);
  modules.setAttribute("fill", "#000000");
  svg.append(background, modules);
  container.replaceChildren(svg);
}
