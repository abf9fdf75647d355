#!/usr/bin/env bash
# Refreshes the third-party front-end files vendored into the repository, with their licences,
# from the npm registry, so that running the platform needs no Node:
#   avhopp/platform/web/static/vendor/  Designsystemet CSS and theme (MIT), htmx (0BSD), Redoc (MIT)
#   tests/e2e/vendor/                   axe-core (MPL-2.0), for the accessibility checks in the browser tests
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
static="$root/avhopp/platform/web/static/vendor"
work=$(mktemp -d); trap 'rm -rf "$work"' EXIT
cd "$work"

unpack() {  # unpack NAME SPEC: npm pack SPEC into ./NAME/package
    mkdir "$1" && (cd "$1" && npm pack --silent "$2" >/dev/null && tar xzf ./*.tgz)
    echo "$2 $(node -p "require('./$1/package/package.json').version")"
}

unpack redoc redoc@2
mkdir -p "$static/redoc"
cp redoc/package/bundles/redoc.standalone.js redoc/package/bundles/redoc.standalone.js.LICENSE.txt "$static/redoc/"
cp redoc/package/LICENSE "$static/redoc/LICENSE"

unpack css @digdir/designsystemet-css@1
mkdir -p "$static/designsystemet"
cp css/package/dist/src/index.css "$static/designsystemet/designsystemet.css"
cp css/package/dist/theme/designsystemet.css "$static/designsystemet/theme.css"
cp css/package/LICENSE "$static/designsystemet/LICENSE"

unpack htmx htmx.org@2
mkdir -p "$static/htmx"
cp htmx/package/dist/htmx.min.js htmx/package/LICENSE "$static/htmx/"

unpack axe axe-core@4
cp axe/package/axe.min.js "$root/tests/e2e/vendor/axe.min.js"
cp axe/package/LICENSE "$root/tests/e2e/vendor/axe-core.LICENSE"
