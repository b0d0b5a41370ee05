#!/usr/bin/env bash
# Installs what Node's `webgpu` package (Dawn) needs to run WebGPU without a GPU on Debian 12: Mesa 25's
# lavapipe from bookworm-backports, unpacked into a private folder (Dawn refuses the stock Mesa 22.3
# lavapipe, while Deno and Chromium keep using the stock drivers). Idempotent; run as root.
# test/support/webgpu-node.ts finds the result at $KSHOT_MESA_DIR (default /opt/kshot-mesa25)/lvp_icd.json.
set -euo pipefail

dest="${KSHOT_MESA_DIR:-/opt/kshot-mesa25}"
icd="$dest/lvp_icd.json"
lib="$dest/usr/lib/x86_64-linux-gnu/libvulkan_lvp.so"
sources=/etc/apt/sources.list.d/debian.sources
backports=/etc/apt/sources.list.d/kshot-bookworm-backports.sources

if [[ -f "$icd" && -f "$lib" ]]; then
  echo "install-webgpu-node: Mesa 25 lavapipe already at $dest"
  exit 0
fi
if [[ "$(id -u)" != 0 ]]; then
  echo "install-webgpu-node: must run as root (apt-get), running as uid $(id -u)" >&2
  exit 1
fi
if [[ "$(dpkg --print-architecture)" != amd64 ]]; then
  echo "install-webgpu-node: expected an amd64 Debian, got $(dpkg --print-architecture)" >&2
  exit 1
fi

export DEBIAN_FRONTEND=noninteractive
# The stock drivers pull in the libraries Mesa 25 links against too (libvulkan1, libLLVM-15, xcb, ...),
# and give Deno/Chromium their Vulkan driver.
apt-get update -qq
apt-get install -y -qq --no-install-recommends mesa-vulkan-drivers libvulkan1 ca-certificates >/dev/null

if [[ ! -f "$backports" ]]; then
  # The main archive's URI from the stanza whose suites are bookworm (not the security archive).
  uri="$(awk '/^URIs:/{u=$2} /^Suites:/{if ($0 ~ /(^|[ \t])bookworm([ \t]|$)/) print u}' "$sources" | head -n1)"
  keyring="$(awk '/^Signed-By:/{print $2; exit}' "$sources")"
  if [[ -z "$uri" ]]; then
    echo "install-webgpu-node: found no bookworm URIs in $sources" >&2
    exit 1
  fi
  printf 'Types: deb\nURIs: %s\nSuites: bookworm-backports\nComponents: main\nSigned-By: %s\n' \
    "$uri" "${keyring:-/usr/share/keyrings/debian-archive-keyring.gpg}" >"$backports"
  apt-get update -qq
fi

work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT
chmod 755 "$work"; chown _apt "$work" 2>/dev/null || true  # apt downloads as the _apt user
(cd "$work" && apt-get download -qq mesa-vulkan-drivers/bookworm-backports)
mkdir -p "$dest"
dpkg-deb -x "$work"/mesa-vulkan-drivers_*.deb "$dest"
if [[ ! -f "$lib" ]]; then
  echo "install-webgpu-node: the package had no $lib" >&2
  exit 1
fi
api="$(sed -n 's/.*"api_version": *"\([^"]*\)".*/\1/p' "$dest/usr/share/vulkan/icd.d/lvp_icd.json")"
printf '{\n  "file_format_version": "1.0.0",\n  "ICD": { "api_version": "%s", "library_path": "%s" }\n}\n' \
  "${api:-1.3.0}" "$lib" >"$icd.tmp"
mv "$icd.tmp" "$icd"
echo "install-webgpu-node: Mesa $(dpkg-deb -f "$work"/mesa-vulkan-drivers_*.deb Version) lavapipe in $dest ($icd)"
