#!/usr/bin/env python3
"""Trunk post_build hook (Trunk.toml): allow the page's inline scripts by hash in its CSP.

Trunk writes an inline <script type="module"> that imports the hashed wasm-bindgen JS and starts
the wasm. The Content-Security-Policy <meta> of www/index.html allows scripts only from 'self'
(plus 'wasm-unsafe-eval'), so this hook adds the sha256 of every inline script of the staged
index.html to its script-src. Anything else inline stays blocked.
  usage: csp-hashes.py [HTML ...]   (default: $TRUNK_STAGING_DIR/index.html)
"""
import base64
import hashlib
import os
import re
import sys

META = re.compile(r'(<meta\s+http-equiv="Content-Security-Policy"\s+content=")([^"]*)(")', re.I)
INLINE = re.compile(r"<script\b([^>]*)>(.*?)</script>", re.I | re.S)


def add_hashes(path):
    with open(path, encoding="utf-8") as f:
        html = f.read()
    m = META.search(html)
    if not m:
        sys.exit(f"csp-hashes: {path} has no Content-Security-Policy <meta>")
    hashes = []
    for attrs, body in INLINE.findall(html):
        if re.search(r"\bsrc\s*=", attrs):
            continue
        digest = base64.b64encode(hashlib.sha256(body.encode("utf-8")).digest()).decode()
        hashes.append(f"'sha256-{digest}'")
    directives = [d.strip() for d in m.group(2).split(";") if d.strip()]
    if hashes:
        for i, d in enumerate(directives):
            if d.split()[0] == "script-src":
                kept = [t for t in d.split() if not t.startswith("'sha256-")]
                directives[i] = " ".join(kept + hashes)
                break
        else:
            sys.exit(f"csp-hashes: {path}: inline scripts but no script-src in the CSP")
    policy = "; ".join(directives)
    html = html[: m.start()] + m.group(1) + policy + m.group(3) + html[m.end() :]
    with open(path, "w", encoding="utf-8") as f:
        f.write(html)
    print(f"csp-hashes: {os.path.basename(path)}: {len(hashes)} inline script(s) allowed by hash")


if __name__ == "__main__":
    files = sys.argv[1:] or [os.path.join(os.environ["TRUNK_STAGING_DIR"], "index.html")]
    for p in files:
        add_hashes(p)
