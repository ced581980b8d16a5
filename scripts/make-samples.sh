#!/usr/bin/env bash
# Regenerates samples/start.jpg, samples/end.jpg and samples/LICENSE.md.
#
# Source: a CC-BY-4.0 photograph shipped in Debian 12 (bookworm)'s
# lomiri-wallpapers-16.04 package. The two outputs are crops of the same photo
# that simulate a camera move between them: the start frame is a wide 16:9
# view, the end frame is pushed in 1.333x and panned right/down.
#
# Needs: apt-get (with Debian bookworm lists, i.e. `apt-get update` done),
# dpkg-deb, ffmpeg, sha256sum, awk. Output is deterministic for a given
# ffmpeg build: the package version and the photo's checksum are pinned.
set -euo pipefail

cd "$(dirname "$0")/.."
REPO_ROOT=$(pwd)
OUT_DIR="$REPO_ROOT/samples"

PKG=lomiri-wallpapers-16.04
PKG_VERSION=20.04.0-2
SRC_PATH=usr/share/backgrounds/aitzgorri_by_Aitzol_Berasategi.jpg
SRC_SHA256=66268e7b48f8854d36a28765fac6e23ec1aee251daa6da1f64715f201020ad36
COPYRIGHT_PATH=usr/share/doc/$PKG/copyright
# Name of the photo as written in the package's debian/copyright "Files:" line.
COPYRIGHT_FILES_ENTRY=16.04/aitzgorri_by_Aitzol_Berasategi.jpg

# Source photo is 3088x2056. Crops are WxH+X+Y in source pixels, both 16:9.
SRC_W=3088 SRC_H=2056
START_W=3072 START_H=1728 START_X=8   START_Y=96
END_W=2304   END_H=1296   END_X=640   END_Y=200
OUT_W=1280 OUT_H=720
JPEG_Q=2

for tool in apt-get dpkg-deb ffmpeg ffprobe sha256sum awk; do
    command -v "$tool" >/dev/null 2>&1 || { echo "make-samples: missing tool: $tool" >&2; exit 1; }
done

TMP_DIR=$(mktemp -d "${TMPDIR:-/tmp}/inbetween-samples.XXXXXX")
cleanup() { rm -rf "$TMP_DIR"; }
trap cleanup EXIT

APT_OPTS=(-q)
# As root, apt wants to drop to the _apt user, who cannot write into our
# private temp dir; download as root instead of printing a sandbox warning.
if [ "$(id -u)" = 0 ]; then
    APT_OPTS+=(-o APT::Sandbox::User=root)
fi

(
    cd "$TMP_DIR"
    apt-get "${APT_OPTS[@]}" download "$PKG=$PKG_VERSION" >/dev/null
    debs=(./"${PKG}"_*.deb)
    [ -f "${debs[0]}" ] || { echo "make-samples: apt-get download produced no .deb" >&2; exit 1; }
    dpkg-deb -x "${debs[0]}" extracted
)

SRC="$TMP_DIR/extracted/$SRC_PATH"
COPYRIGHT="$TMP_DIR/extracted/$COPYRIGHT_PATH"
[ -f "$SRC" ] || { echo "make-samples: $SRC_PATH not found in $PKG" >&2; exit 1; }
[ -f "$COPYRIGHT" ] || { echo "make-samples: $COPYRIGHT_PATH not found in $PKG" >&2; exit 1; }

actual_sha=$(sha256sum "$SRC" | awk '{print $1}')
if [ "$actual_sha" != "$SRC_SHA256" ]; then
    echo "make-samples: checksum mismatch for $SRC_PATH: got $actual_sha, want $SRC_SHA256" >&2
    exit 1
fi
dims=$(ffprobe -v error -select_streams v:0 -show_entries stream=width,height -of csv=p=0:s=x "$SRC")
if [ "$dims" != "${SRC_W}x${SRC_H}" ]; then
    echo "make-samples: unexpected source size $dims (want ${SRC_W}x${SRC_H})" >&2
    exit 1
fi

# The copyright stanza for this image (from "Files:" up to the blank line).
stanza=$(awk -v f="$COPYRIGHT_FILES_ENTRY" '
    /^Files:/ { grab = (index($0, f) > 0) }
    grab && /^[[:space:]]*$/ { exit }
    grab { print }
' "$COPYRIGHT")
[ -n "$stanza" ] || { echo "make-samples: no copyright stanza for $COPYRIGHT_FILES_ENTRY" >&2; exit 1; }
licence=$(printf '%s\n' "$stanza" | awk -F': *' '/^License:/ { print $2; exit }')
author=$(printf '%s\n' "$stanza" | awk -F': *' '/^Copyright:/ { sub(/, *[0-9][0-9][0-9][0-9]$/, "", $2); print $2; exit }')
[ "$licence" = "CC-BY-4.0" ] || { echo "make-samples: unexpected licence '$licence'" >&2; exit 1; }

mkdir -p "$OUT_DIR"

cut_frame() { # w h x y output
    ffmpeg -nostdin -y -loglevel error -i "$SRC" \
        -vf "crop=$1:$2:$3:$4,scale=${OUT_W}:${OUT_H}:flags=lanczos+accurate_rnd+full_chroma_int,format=yuvj420p" \
        -frames:v 1 -q:v "$JPEG_Q" -map_metadata -1 -fflags +bitexact -flags:v +bitexact \
        "$5"
}
cut_frame "$START_W" "$START_H" "$START_X" "$START_Y" "$OUT_DIR/start.jpg"
cut_frame "$END_W" "$END_H" "$END_X" "$END_Y" "$OUT_DIR/end.jpg"

zoom=$(awk -v a="$START_W" -v b="$END_W" 'BEGIN { printf "%.3f", a / b }')

cat >"$OUT_DIR/LICENSE.md" <<EOF
# Sample images: source and licence

\`start.jpg\` and \`end.jpg\` are crops of one photograph, made by
\`scripts/make-samples.sh\` (run it to regenerate them; this file is written
by it too).

## Source

- Photo: "aitzgorri" by ${author}
- Licence: ${licence} (Creative Commons Attribution 4.0 International,
  <https://creativecommons.org/licenses/by/4.0/>)
- Debian package: \`${PKG}\` version \`${PKG_VERSION}\` (Debian 12 "bookworm", main)
- File inside the package: \`/${SRC_PATH}\` (${SRC_W}x${SRC_H}, sha256 \`${SRC_SHA256}\`)
- Upstream: <https://gitlab.com/ubports/development/core/lomiri-wallpapers>

The package's \`/${COPYRIGHT_PATH}\` says, for this image:

\`\`\`
${stanza}
\`\`\`

## Changes made (as CC-BY-4.0 asks us to say)

The photo was cropped and scaled; nothing else was altered. Crops are
\`WxH+X+Y\` in source pixels; each was scaled with lanczos to ${OUT_W}x${OUT_H}
and written as JPEG (ffmpeg \`-q:v ${JPEG_Q}\`, 4:2:0).

| file        | crop (WxH+X+Y in source px) | meaning |
|-------------|-----------------------------|---------|
| \`start.jpg\` | \`${START_W}x${START_H}+${START_X}+${START_Y}\` | wide 16:9 view of the whole scene |
| \`end.jpg\`   | \`${END_W}x${END_H}+${END_X}+${END_Y}\` | ${zoom}x push-in, panned right and slightly down |

The end frame lies entirely inside the start frame's region, so the pair
looks like a camera push-in with a slight pan.

These derived images are likewise licensed under ${licence}; credit
"${author}" when redistributing them.
EOF

echo "make-samples: wrote samples/start.jpg ($(wc -c <"$OUT_DIR/start.jpg") bytes), samples/end.jpg ($(wc -c <"$OUT_DIR/end.jpg") bytes), samples/LICENSE.md"
