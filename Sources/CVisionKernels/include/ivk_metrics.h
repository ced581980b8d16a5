#ifndef IVK_METRICS_H
#define IVK_METRICS_H

// Image quality metrics.
#include "ivk_common.h"

#ifdef __cplusplus
extern "C" {
#endif

/// Structural similarity of two same-size gray images (Wang et al. 2004: 11×11 Gaussian
/// window, σ 1.5, K1 0.01, K2 0.03), averaged over the image, into `ssim`.
int32_t ivk_ssim(const IVKImage *a, const IVKImage *b, double *ssim);

#ifdef __cplusplus
}
#endif

#endif
