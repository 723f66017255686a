#!/usr/bin/env bash
# Installs a real VS Code (code-server, published on npm) and Chromium for the integration and
# end-to-end suites, on a machine that reaches only the npm registry and Debian's mirrors.
# code-server's own postinstall downloads ripgrep and prebuilt binaries from the internet, so the
# steps it would run are done here by hand with --ignore-scripts. Idempotent: a marker file records
# a finished install, and a second run returns at once.
#
# Usage: scripts/vscode/setup.sh            prints the code-server folder on its last line
# Env:   KNOBE_CODE_SERVER_DIR  where to install (default: <repo>/.cache/code-server)
set -euo pipefail

VERSION=4.100.3
ROOT="$(cd "$(dirname "$0")/../.." && pwd)"
DIR="${KNOBE_CODE_SERVER_DIR:-$ROOT/.cache/code-server}"
PREFIX="$DIR/$VERSION"
CS="$PREFIX/node_modules/code-server"
MARKER="$PREFIX/.knobe-setup-done"
NODE_VERSION="$(node -v)"
log() { echo "[setup] $*" >&2; }

apt_packages=(libkrb5-dev libx11-dev libxkbfile-dev libsecret-1-dev pkg-config ripgrep chromium)
missing=()
for p in "${apt_packages[@]}"; do dpkg -s "$p" >/dev/null 2>&1 || missing+=("$p"); done
if ((${#missing[@]})); then
  if [ "$(id -u)" != 0 ]; then
    log "missing Debian packages: ${missing[*]} (run as root or install them first)"; exit 1
  fi
  log "installing Debian packages: ${missing[*]}"
  export DEBIAN_FRONTEND=noninteractive
  apt-get -o DPkg::Lock::Timeout=900 update -qq
  apt-get -o DPkg::Lock::Timeout=900 install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
fi

# Parallel runs (test:vscode and test:e2e at once) wait for one install instead of racing it.
mkdir -p "$DIR"
exec 9>"$DIR/.setup.lock"
flock 9

if [ -f "$MARKER" ] && [ "$(cat "$MARKER")" = "$VERSION $NODE_VERSION" ]; then
  echo "$CS"; exit 0
fi

# Native modules are compiled against the running Node's headers; node-gyp would otherwise try
# to download them from nodejs.org, which is unreachable here.
NODEDIR="$(dirname "$(dirname "$(readlink -f "$(command -v node)")")")"
if [ ! -f "$NODEDIR/include/node/node.h" ]; then
  log "Node headers not found under $NODEDIR/include/node (needed to build code-server's native modules)"; exit 1
fi
export npm_config_nodedir="$NODEDIR"
export npm_config_fund=false npm_config_audit=false npm_config_update_notifier=false

start=$(date +%s)
rm -rf "$PREFIX"
mkdir -p "$PREFIX"
cd "$PREFIX"
echo '{"name":"knobe-code-server","private":true}' > package.json

log "npm install code-server@$VERSION (without its install scripts)"
npm install --no-save --ignore-scripts --no-package-lock "code-server@$VERSION" >/dev/null
(cd "$PREFIX" && npm rebuild argon2 >/dev/null)

log "installing VS Code's server dependencies"
cd "$CS/lib/vscode"
npm install --omit=dev --ignore-scripts --no-package-lock >/dev/null
for m in kerberos @parcel/watcher @vscode/deviceid @vscode/spdlog native-watchdog node-pty; do
  log "building $m"
  (cd "node_modules/$m" && npx --yes node-gyp rebuild >/dev/null 2>&1) || {
    log "node-gyp rebuild failed in $m; rerun: cd $CS/lib/vscode/node_modules/$m && npx node-gyp rebuild"; exit 1; }
done
mkdir -p node_modules/@vscode/ripgrep/bin
cp "$(command -v rg)" node_modules/@vscode/ripgrep/bin/rg
ln -sfn node_modules node_modules.asar
(cd bin/remote-cli && ln -sfn code-linux.sh code-server)
(cd bin/helpers && ln -sfn browser-linux.sh browser.sh)
log "installing built-in extensions' dependencies"
(cd extensions && npm install --omit=dev --ignore-scripts --no-package-lock >/dev/null)

echo "$VERSION $NODE_VERSION" > "$MARKER"
log "code-server $VERSION ready in $(( $(date +%s) - start )) s"
echo "$CS"
