#!/usr/bin/env bash
# Installs every build and test dependency of Shulian from Debian's packages.
# Idempotent: packages already present are left alone, so repeated runs are quick.
set -euo pipefail

packages=(
  build-essential cmake ninja-build pkg-config git
  libleveldb-dev libsnappy-dev libsodium-dev libssl-dev libboost-dev nlohmann-json3-dev libcpp-httplib-dev
  googletest libgtest-dev libgmock-dev
  clang libclang-rt-14-dev clang-format
  curl procps systemd
  chromium fonts-wqy-microhei faketime
)

missing=()
for package in "${packages[@]}"; do
  if ! dpkg-query -W -f='${Status}' "$package" 2>/dev/null | grep -q 'install ok installed'; then
    missing+=("$package")
  fi
done

if [ ${#missing[@]} -eq 0 ]; then
  exit 0
fi

echo "installing: ${missing[*]}"
as_root=()
if [ "$(id -u)" -ne 0 ]; then
  as_root=(sudo)
fi
export DEBIAN_FRONTEND=noninteractive
"${as_root[@]}" apt-get update -qq
"${as_root[@]}" apt-get install -y -qq --no-install-recommends "${missing[@]}"
