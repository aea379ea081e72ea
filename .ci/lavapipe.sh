#!/usr/bin/env bash
# Installs a second software WebGPU adapter for CI: Mesa's lavapipe (llvmpipe Vulkan) from Debian's backports
# suite. Debian 12's own Mesa 22 lavapipe is refused by Dawn (it lacks shaderUniform*ArrayDynamicIndexing);
# Mesa 25 from bookworm-backports works. Its shader compiler (Mesa NIR + LLVM) is not SwiftShader's, and it
# rewrites float arithmetic in ways SwiftShader does not, so the WebGPU backend is verified on both.
#
# The backports source is derived from the machine's own Debian source (same mirror URI, suite CODENAME-backports);
# no host name is written here. Prints the driver manifest's path on success; exits 1 when it cannot be had.
set -euo pipefail

MANIFEST=/usr/share/vulkan/icd.d/lvp_icd.json
SUDO=""; [ "$(id -u)" -ne 0 ] && SUDO="sudo"

codename=$(. /etc/os-release && echo "${VERSION_CODENAME:-}")
[ -n "$codename" ] || { echo "lavapipe.sh: no VERSION_CODENAME in /etc/os-release" >&2; exit 1; }

# Already a Mesa from backports (or newer)?
if [ -f "$MANIFEST" ] && dpkg-query -W -f '${Version}' mesa-vulkan-drivers 2>/dev/null | grep -qv '^22\.'; then
  echo "$MANIFEST"; exit 0
fi

if ! apt-cache policy 2>/dev/null | grep -q " ${codename}-backports/"; then
  # The URI of the stanza (deb822) or line (one-line format) that serves the release suite itself.
  uri=""
  for f in /etc/apt/sources.list.d/*.sources; do
    [ -f "$f" ] || continue
    uri=$(awk -v c="$codename" '
      /^[[:space:]]*$/ { u = ""; s = 0 }
      /^URIs:/ { u = $2 }
      /^Suites:/ { for (i = 2; i <= NF; i++) if ($i == c) s = 1 }
      u != "" && s { print u; exit }' "$f")
    [ -n "$uri" ] && break
  done
  if [ -z "$uri" ] && [ -f /etc/apt/sources.list ]; then
    uri=$(awk -v c="$codename" '$1 == "deb" { j = 2; if ($2 ~ /^\[/) { while (j <= NF && $j !~ /\]$/) j++; j++ } if ($(j + 1) == c) { print $j; exit } }' /etc/apt/sources.list)
  fi
  [ -n "$uri" ] || { echo "lavapipe.sh: no apt source serves suite $codename; cannot derive ${codename}-backports" >&2; exit 1; }
  keyring=/usr/share/keyrings/debian-archive-keyring.gpg
  printf 'Types: deb\nURIs: %s\nSuites: %s-backports\nComponents: main\nSigned-By: %s\n' "$uri" "$codename" "$keyring" \
    | $SUDO tee /etc/apt/sources.list.d/poolspec-backports.sources >/dev/null
  $SUDO apt-get update -q >&2
fi
$SUDO apt-get install -y -q -t "${codename}-backports" mesa-vulkan-drivers >&2
[ -f "$MANIFEST" ] || { echo "lavapipe.sh: $MANIFEST missing after the install" >&2; exit 1; }
echo "$MANIFEST"
