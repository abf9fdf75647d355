#!/usr/bin/env bash
# Refreshes the third-party front-end files vendored under avhopp/platform/web/static/vendor
# from the npm registry, with their licences, so that running the platform needs no Node.
set -euo pipefail
dest="$(cd "$(dirname "$0")/.." && pwd)/avhopp/platform/web/static/vendor"
work=$(mktemp -d); trap 'rm -rf "$work"' EXIT
cd "$work"
npm pack --silent redoc@2 >/dev/null && mkdir redoc && tar xzf redoc-*.tgz -C redoc
mkdir -p "$dest/redoc"
cp redoc/package/bundles/redoc.standalone.js redoc/package/bundles/redoc.standalone.js.LICENSE.txt "$dest/redoc/"
cp redoc/package/LICENSE "$dest/redoc/LICENSE"
echo "redoc $(node -p "require('./redoc/package/package.json').version") -> $dest/redoc"
