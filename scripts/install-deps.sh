#!/usr/bin/env bash
# Installs what Inbetween needs on Debian 12: ffmpeg (decode/encode), OpenCV (the pixel
# kernels), Little CMS and zlib (embedded colour profiles), pkg-config; and for the tests python3
# (a loopback HTTP server) with Pillow and libjpeg-turbo's cjpeg (scripts/make-input-corpus.py
# makes the image corpus), and curl, Node.js and Python's requests (the seed page's three examples run against a live server), and
# PostgreSQL (the multi-node store's tests start a throw-away server), and Chromium with its
# driver plus Selenium (the playground is tested in a real headless browser); and for
# scripts/reliability/ hey (loopback load) and Schemathesis from PyPI in a venv of its own
# (contract fuzzing; python3-venv makes the venv), with moto's S3 server and botocore in the same
# venv for the S3 result store's tests. Swift itself is expected at /opt/swift or on PATH.
set -euo pipefail

packages=(ffmpeg libopencv-dev liblcms2-dev zlib1g-dev libjpeg-turbo-progs pkg-config python3 python3-venv curl postgresql chromium chromium-driver hey clang-format)
# Node.js and requests may come from outside apt (nvm, pyenv); install Debian's only when absent.
command -v node >/dev/null 2>&1 || packages+=(nodejs)
python3 -c "import requests" >/dev/null 2>&1 || packages+=(python3-requests)
python3 -c "import selenium" >/dev/null 2>&1 || packages+=(python3-selenium)
python3 -c "import PIL.ImageCms" >/dev/null 2>&1 || packages+=(python3-pil)
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

# Schemathesis goes into a venv: Debian's own python3 refuses `pip install` outside one (PEP 668).
venv="${INBETWEEN_VENV:-${XDG_CACHE_HOME:-$HOME/.cache}/inbetween-venv}"
if [ ! -x "$venv/bin/schemathesis" ]; then
    python3 -m venv "$venv"
    "$venv/bin/python" -m pip install --quiet 'schemathesis>=4,<5'
fi
# The S3 tests: moto's S3 server (scripts/moto-test-server.sh) and botocore, the reference
# SigV4 signer (scripts/sigv4-reference.py).
if [ ! -x "$venv/bin/moto_server" ] || ! "$venv/bin/python" -c "import botocore" >/dev/null 2>&1; then
    "$venv/bin/python" -m pip install --quiet 'moto[server]>=5,<6' 'botocore>=1.34'
fi

# A python3 from elsewhere (pyenv) does not see Debian's python3-requests or python3-selenium:
# use its own pip there (Debian's python3 has them from apt by now, so these do nothing).
python3 -c "import requests" >/dev/null 2>&1 || python3 -m pip install --quiet requests
python3 -c "import selenium" >/dev/null 2>&1 || python3 -m pip install --quiet selenium
python3 -c "import PIL.ImageCms" >/dev/null 2>&1 || python3 -m pip install --quiet pillow
