#!/usr/bin/env bash
# Installs the packed tarball into a fresh consumer and loads every entry point with
# import and with require.
set -euo pipefail
cd "$(dirname "$0")/.."
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
tarball=$(npm pack --silent --pack-destination "$work" | tail -n 1)
mkdir "$work/consumer"
cd "$work/consumer"
echo '{ "name": "consumer", "private": true }' > package.json
npm install --no-audit --no-fund --silent "$work/$tarball" prom-client pg ioredis @opentelemetry/api
entries='["bulwark","bulwark/testing","bulwark/prometheus","bulwark/redis","bulwark/postgres","bulwark/opentelemetry","bulwark/package.json"]'
cat > check.mjs <<JS
for (const entry of $entries) {
  const module = await import(entry, entry.endsWith('.json') ? { with: { type: 'json' } } : undefined);
  console.log('import ', entry.padEnd(22), Object.keys(module).length, 'exports');
}
JS
cat > check.cjs <<JS
for (const entry of $entries) {
  console.log('require', entry.padEnd(22), Object.keys(require(entry)).length, 'exports');
}
JS
node check.mjs
node check.cjs
node --no-experimental-require-module check.cjs > /dev/null
echo "consumer install: every entry point loads with import and require"
