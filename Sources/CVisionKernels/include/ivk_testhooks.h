#ifndef IVK_TESTHOOKS_H
#define IVK_TESTHOOKS_H

// Entry points that exist for the tests.
#include "ivk_common.h"

#ifdef __cplusplus
extern "C" {
#endif

/// Resamples the one-channel `src` into `dst` through per-pixel maps (dst pixel → src x, y,
/// `dst` width × height floats each), BORDER_REPLICATE. `reference` 0 uses the renderer's own
/// fixed-point kernels (bilinear and bicubic; others go to OpenCV) with the widest vectors the
/// CPU has (AVX2 for bilinear), 2 the same kernels with baseline (SSE2) vectors only, 1
/// OpenCV's cv::remap, so tests can hold each against the other.
int32_t ivk_remap_gray(const IVKImage *src, const float *map_x, const float *map_y, IVKInterpolation interpolation, int32_t reference, IVKImage *dst);

#ifdef __cplusplus
}
#endif

#endif
