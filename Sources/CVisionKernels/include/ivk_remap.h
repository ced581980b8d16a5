#ifndef IVK_REMAP_H
#define IVK_REMAP_H

// Resampling whole images through geometric maps.
#include "ivk_common.h"

#ifdef __cplusplus
extern "C" {
#endif

/// Warps `src` into `dst` through `map` (a 3x3 projective map from dst to src pixel
/// coordinates), replicating the border. Any channel count; `src` and `dst` match in it.
int32_t ivk_warp_perspective(const IVKImage *src, const double map[9], IVKInterpolation interpolation, IVKImage *dst);

#ifdef __cplusplus
}
#endif

#endif
