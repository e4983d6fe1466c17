#!/usr/bin/env bash
# The packages as a user installs them: `npm pack` each publishable package (core's prepack makes its
# prebuilt addons), install the tarballs into a fresh project with no C compiler on PATH, and check
# that npm printed no warning, the prebuilt addon carries a shared Value across a forked process,
# every export of core resolves, each tarball has README and LICENSE, and core stays small.
# Expects built packages (dist/). Usage: .ci/pack-check.sh
set -euo pipefail
cd "$(dirname "$0")/.."

# Core's prepack cross-compiles for linux-x64 musl and linux-arm64 when these Debian packages are
# present; install them when missing and possible, else the check goes on with fewer prebuilds.
if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null; then
  missing=()
  command -v musl-gcc >/dev/null || missing+=(musl-tools)
  command -v aarch64-linux-gnu-gcc >/dev/null || missing+=(gcc-aarch64-linux-gnu)
  if [ ${#missing[@]} -gt 0 ]; then
    apt-get install -y -qq "${missing[@]}" >/dev/null 2>&1 || echo "pack-check: no ${missing[*]}: fewer prebuilds"
  fi
fi

work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
mkdir "$work/tarballs" "$work/app" "$work/bin"
for package in packages/core packages/backend-fork packages/backend-spawn packages/backend-threads packages/backend-cluster \
  packages/backend-bullmq; do
  (cd "$package" && npm pack --silent --pack-destination "$work/tarballs" >/dev/null)
done

fail() { echo "pack-check: $*"; exit 1; }
for tarball in "$work"/tarballs/*.tgz; do
  listing=$(tar -tzf "$tarball")
  for file in README.md LICENSE; do
    grep -qx "package/$file" <<<"$listing" || fail "$(basename "$tarball") has no $file"
  done
  ! grep -q '\.map$' <<<"$listing" || fail "$(basename "$tarball") carries source maps"
  echo "pack-check: $(basename "$tarball") $(wc -c <"$tarball") bytes"
done
core=$(ls "$work"/tarballs/mproc-core-*.tgz)
grep -qx 'package/prebuilds/linux-x64/node.napi.glibc.node' <<<"$(tar -tzf "$core")" || fail "core has no linux-x64 prebuild"
[ "$(wc -c <"$core")" -lt 300000 ] || fail "core's tarball grew past 300 kB"

# Only node, npm and sh on PATH (no cc, gcc, make); CC=false catches a build that asks for $CC.
ln -s "$(command -v node)" "$work/bin/node"
ln -s "$(command -v npm)" "$work/bin/npm"
ln -s "$(command -v sh)" "$work/bin/sh"
cat >"$work/app/check.mjs" <<'JS'
import { getContext, isMainProcess } from '@mproc/core';
if (isMainProcess()) {
  process.on('warning', (warning) => {
    console.error(`pack-check: warning: ${warning.message}`);
    process.exitCode = 1;
  });
  for (const entry of ['@mproc/core', '@mproc/core/child', '@mproc/core/testing', '@mproc/core/package.json']) {
    import.meta.resolve(entry);
  }
  const { createRequire } = await import('node:module');
  createRequire(import.meta.url)('@mproc/core/child');
  const ctx = getContext('fork');
  const value = ctx.Value('i', 1);
  const child = ctx.Process({ target: (shared) => { shared.value = 42; }, args: [value] });
  await child.start();
  await child.join();
  if (value.value !== 42 || child.exitCode !== 0) {
    console.error(`pack-check: shared Value is ${value.value}, child exit code ${child.exitCode}`);
    process.exitCode = 1;
  }
  // The remote backend: its exports load, and its host command runs from the install's bin.
  const { bullmqBackend } = await import('@mproc/backend-bullmq');
  import.meta.resolve('@mproc/backend-bullmq/testing');
  const { spawnSync } = await import('node:child_process');
  const help = spawnSync('node_modules/.bin/mproc-worker', ['--help'], { encoding: 'utf8' });
  if (typeof bullmqBackend !== 'function' || help.status !== 0 || !help.stdout.includes('--redis URL')) {
    console.error(`pack-check: @mproc/backend-bullmq: mproc-worker --help exited ${help.status}: ${help.stderr}`);
    process.exitCode = 1;
  }
}
JS
cd "$work/app"
(
  export PATH="$work/bin" CC=false
  npm init -y >/dev/null
  npm pkg set type=module
  npm install --no-audit --no-fund "$work"/tarballs/*.tgz
) >"$work/install.log" 2>&1 || { cat "$work/install.log"; fail "npm install failed"; }
# One warning is BullMQ's, not ours: npm 11 names packages whose install scripts it did not run, and
# msgpackr's optional msgpackr-extract has one that only looks for its prebuilt binary (which loads
# without it). Any other package named there, or any other warning, fails the check.
scripts=$(sed -n 's/^npm warn install-scripts   \([^ ]*\)@[^ ]* (.*/\1/p' "$work/install.log" | grep -vx msgpackr-extract || true)
[ -z "$scripts" ] || fail "npm did not run the install scripts of: $scripts"
if grep -v '^npm warn install-scripts' "$work/install.log" | grep -qi 'warn'; then
  cat "$work/install.log"
  fail "npm install printed a warning"
fi
PATH="$work/bin" CC=false node check.mjs || fail "the installed packages do not work"
echo "pack-check: installed without a compiler or a warning; the prebuilt addon shares a Value across fork"

# The published types as each module system resolves them (@arethetypeswrong/cli, node16 profile:
# exports-only packages, so node10's resolution is not a target). The `./testing` entries of core and
# backend-bullmq are ESM only on purpose (vitest suites for backend authors; a redis-server and
# worker hosts for tests), so their CommonJS resolution is not checked.
cd - >/dev/null
for tarball in "$work"/tarballs/*.tgz; do
  exclude=()
  case "$(basename "$tarball")" in mproc-core-* | mproc-backend-bullmq-*) exclude=(--exclude-entrypoints ./testing) ;; esac
  npx attw "$tarball" --profile node16 "${exclude[@]}" >"$work/attw.log" 2>&1 ||
    { cat "$work/attw.log"; fail "$(basename "$tarball"): the published types resolve wrongly"; }
done
echo "pack-check: the published types resolve under node16 and bundlers (attw)"
