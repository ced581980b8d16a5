#ifndef IVK_COLOR_H
#define IVK_COLOR_H

// Colour conversion between interleaved RGB and planar YUV 4:2:0.
#include "ivk_common.h"

#ifdef __cplusplus
extern "C" {
#endif

/// RGB → YUV 4:2:0, BT.709 matrix, limited (TV) range; chroma is the 2×2 box average.
int32_t ivk_rgb_to_yuv420(const IVKImage *rgb, IVKPlanes *dst);

/// YUV 4:2:0 (BT.709, limited range) → RGB, chroma upsampled bilinearly.
int32_t ivk_yuv420_to_rgb(const IVKPlanes *src, IVKImage *rgb);

#ifdef __cplusplus
}
#endif

#endif
