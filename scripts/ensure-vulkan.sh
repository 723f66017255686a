#!/bin/sh
# Installs a software Vulkan driver (Mesa's lavapipe) for the WebGPU tests when it is missing, so
# that onnxruntime's WebGPU provider finds an adapter on a machine without a GPU. Bookworm's own
# Mesa (22.3) is too old for onnxruntime's Dawn; bookworm-backports has one that works.
set -eu
version=$(dpkg-query -W -f='${Version}' mesa-vulkan-drivers 2>/dev/null || true)
if [ -n "$version" ] && dpkg --compare-versions "$version" ge 23 && [ -f /usr/share/vulkan/icd.d/lvp_icd.json ]; then
  exit 0
fi
if [ "$(id -u)" -ne 0 ]; then
  echo "ensure-vulkan: Mesa's lavapipe (mesa-vulkan-drivers ≥ 23) is missing${version:+ (found $version)} and installing it needs root:" >&2
  echo "  apt-get install -t bookworm-backports mesa-vulkan-drivers libvulkan1" >&2
  exit 1
fi
. /etc/os-release
if [ "${VERSION_CODENAME:-}" != bookworm ]; then
  echo "ensure-vulkan: this script installs lavapipe on Debian bookworm; on ${PRETTY_NAME:-this system} install Mesa ≥ 23's Vulkan drivers yourself" >&2
  exit 1
fi
export DEBIAN_FRONTEND=noninteractive
if ! grep -rqs 'bookworm-backports' /etc/apt/sources.list /etc/apt/sources.list.d; then
  echo 'deb http://deb.debian.org/debian bookworm-backports main' > /etc/apt/sources.list.d/bookworm-backports.list
fi
apt-get update
apt-get install -y --no-install-recommends -t bookworm-backports mesa-vulkan-drivers libvulkan1
dpkg-query -W -f='mesa-vulkan-drivers ${Version}\n' mesa-vulkan-drivers
