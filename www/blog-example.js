// The widget snippet of blog-example.html, in a file of its own so that the post's
// Content-Security-Policy needs no inline script (see pkg/README.md).
import init, { mount } from "./pkg/soundalike.js";

await init();
await mount(document.getElementById("soundalike-widget"), {
  catalogUrl: "catalog.bin",
  weightsUrl: "weights.bin",
  seeds: ["Someone Like You Adele", "Skinny Love", "Holocene"],
  count: 6,
  title: "If you like these, try…",
});
