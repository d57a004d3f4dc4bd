// The widget snippet of blog-example.html, in a file of its own so that the post's
// Content-Security-Policy needs no inline script (see pkg/README.md). init() also mounts the
// post's <div data-soundalike …> (the attribute form).
import init, { mount } from "./pkg/soundalike.js";

await init();
await mount(document.getElementById("soundalike-widget"), {
  catalogUrl: "catalog.bin",
  weightsUrl: "weights.bin",
  // Spotify ids: Adele's "Someone Like You", Bon Iver's "Holocene"; seeds may also be searches
  likes: ["6QPKYGnAW9QozVz2dSWqRg", "4fbvXwMTXPWaFyaMWUm9CR"],
  seeds: ["Chasing Cars Snow Patrol"],
  count: 6,
  title: "If you like these, try…",
});
