// Row operations of the renderer: blend weights, convex blends, map-grid upsampling.
#pragma once

#include <cstdint>

namespace ivk {

// Blend weights 0...1 in 1/256, rounded.
void weightRow(const float *w, uint16_t *out, int n);

// out = (a·(256 - w) + b·w + 128) / 256, w the end's weight in 1/256 (see weightRow): a convex
// blend, at most 255 · 256 + 128, so unsigned 16-bit lanes hold it, sixteen pixels at a time.
void blendRow(const uint8_t *a, const uint8_t *b, const uint16_t *w, uint8_t *out, int n);

// A grid row upsampled by r (1, 2 or 4) into out (r · gw samples), aligned as cv::resize's
// INTER_LINEAR aligns them: out[x] reads the grid at (x + 0.5) / r - 0.5, held at both ends.
// The r outputs between two grid samples are fixed fractions of the way, so each interval is
// one multiply-add on a short vector.
void upsampleRow(const float *g, int gw, int r, float *out, bool extrapolate);

// As upsampleRow (extrapolating), for coordinates already in 1/32 pixel, rounded to integers (as fixedRow
// rounds): the fixed-point coordinates of one row straight from the grid.
void upsampleFixedRow(const float *g, int gw, int r, int32_t *out);

} // namespace ivk
