#!/usr/bin/env bash
# Makes docs/controls/*.png: one frame strip per creative control (README, "Creative
# controls"), from the shipped samples, with the `inbetween` binary and ffmpeg.
#
# usage: scripts/make-control-strips.sh [path/to/inbetween]   (default: .build/release/inbetween,
#        else .build/debug/inbetween)
# Each strip is 6 frames of a 2 s, 540p, turbo clip (frames 0, 9, 19, 28, 38, 47 of 48), each
# 256 px wide, left to right. The masks are drawn here with ffmpeg, at the start image's size.
set -euo pipefail
cd "$(dirname "$0")/.."
BIN=${1:-}
if [[ -z $BIN ]]; then
    if [[ -x .build/release/inbetween ]]; then BIN=.build/release/inbetween; else BIN=.build/debug/inbetween; fi
fi
OUT=docs/controls
WORK=$(mktemp -d)
trap 'rm -rf "$WORK"' EXIT
mkdir -p "$OUT"

# Masks, 1280x720 like samples/start.jpg: the fir tree right of centre (an ellipse) for the
# motion brush, the lower-left corner (where a caption would sit) for the static mask.
ffmpeg -nostdin -loglevel error -y -f lavfi -i color=c=black:s=1280x720 -vf \
    "format=gray,geq=lum='if(lte(pow((X-950)/62\,2)+pow((Y-420)/125\,2)\,1)\,255\,0)'" -frames:v 1 "$WORK/tree.png"
ffmpeg -nostdin -loglevel error -y -f lavfi -i color=c=black:s=1280x720 -vf \
    "drawbox=x=0:y=540:w=480:h=180:color=white:t=fill" -frames:v 1 "$WORK/corner.png"

strip() {
    local name=$1
    shift
    "$BIN" generate --image samples/start.jpg --image-tail samples/end.jpg --mode turbo --resolution 540p --duration 2 --fps 24 \
        --output "$WORK/$name.mp4" "$@" >/dev/null
    ffmpeg -nostdin -loglevel error -y -i "$WORK/$name.mp4" -vf \
        "select='eq(n\,0)+eq(n\,9)+eq(n\,19)+eq(n\,28)+eq(n\,38)+eq(n\,47)',scale=256:-2,tile=6x1" -fps_mode passthrough -frames:v 1 \
        "$OUT/$name.png"
    echo "$OUT/$name.png"
}

strip plain --prompt "The camera pushes in slowly toward the ridge"
strip camera-control --prompt "The camera pushes in slowly toward the ridge" --camera-control zoom=5,pan=-3
strip negative-prompt --prompt "The camera pushes in slowly toward the ridge" --negative-prompt "slow, camera movement"
strip loop --prompt "The camera pushes in slowly toward the ridge" --loop
strip static-mask --prompt "The camera pushes in slowly toward the ridge" --static-mask "$WORK/corner.png"
strip motion-brush --prompt "The camera pushes in slowly toward the ridge" --motion-brush "$WORK/tree.png:950,420;800,360;640,430"
