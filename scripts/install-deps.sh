#!/usr/bin/env bash
# Installs what Inbetween needs on Debian 12: ffmpeg (decode/encode), OpenCV (the pixel
# kernels), pkg-config, and python3 (the tests' loopback HTTP server). Swift itself is
# expected at /opt/swift or on PATH.
set -euo pipefail

packages=(ffmpeg libopencv-dev pkg-config python3)
missing=()
for package in "${packages[@]}"; do
    dpkg-query -W -f='${Status}' "$package" 2>/dev/null | grep -q "install ok installed" || missing+=("$package")
done
if ((${#missing[@]})); then
    SUDO=""
    [ "$(id -u)" -eq 0 ] || SUDO="sudo"
    $SUDO apt-get update -qq
    DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq --no-install-recommends "${missing[@]}"
fi
