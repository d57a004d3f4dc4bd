// The widget without a script of your own: include this file, e.g.
//   <script src="https://your.site/soundalike/auto.js" defer></script>
// and it mounts a widget in every <div data-soundalike data-likes="id1,id2" data-k="5"> of the
// page (pkg/README.md). A classic script (no type="module" needed): it loads the package with a
// dynamic import from its own directory. Do not also call init() yourself on the same page.
(function () {
  const here = document.currentScript ? document.currentScript.src : location.href;
  import(new URL("soundalike.js", here).href)
    .then((m) => m.default()) // init() starts the wasm, which mounts every data-soundalike element
    .catch((e) => console.error("soundalike: could not start the widget:", e));
})();
