#!/usr/bin/env bash
# Installs what Inbetween needs on Debian 12: ffmpeg (decode/encode), OpenCV (the pixel
# kernels), pkg-config; and for the tests python3 (a loopback HTTP server), and curl, Node.js
# and Python's requests (the seed page's three examples run against a live server), and
# PostgreSQL (the multi-node store's tests start a throw-away server), and Chromium with its
# driver plus Selenium from PyPI (the playground is tested in a real headless browser). Swift
# itself is expected at /opt/swift or on PATH.
set -euo pipefail

packages=(ffmpeg libopencv-dev pkg-config python3 curl postgresql chromium chromium-driver)
# Node.js and requests may come from outside apt (nvm, pyenv); install Debian's only when absent.
command -v node >/dev/null 2>&1 || packages+=(nodejs)
python3 -c "import requests" >/dev/null 2>&1 || packages+=(python3-requests)
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

# A python3 from elsewhere (pyenv) does not see Debian's python3-requests: use pip there.
python3 -c "import requests" >/dev/null 2>&1 || python3 -m pip install --quiet requests
python3 -c "import selenium" >/dev/null 2>&1 || python3 -m pip install --quiet selenium
