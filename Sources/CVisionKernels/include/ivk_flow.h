#ifndef IVK_FLOW_H
#define IVK_FLOW_H

// Dense optical flow both ways and its forward–backward confidence.
#include "ivk_common.h"

#ifdef __cplusplus
extern "C" {
#endif

/// Dense optical flow both ways between gray `a` and `b` (same size) with OpenCV's DIS, preset
/// 0 ultrafast, 1 fast, 2 medium: `a` → `b` into `forward`, `b` → `a` into `backward`, each
/// width*height (dx, dy) float pairs, the two directions on two threads. With `seeded` set,
/// DIS starts from sparse matches spread over the image, as EpicFlow seeds its flow: corners
/// tracked by pyramidal Lucas–Kanade and checked both ways plus mutual ORB matches, filled in
/// by normalized convolution; one set of matches serves both directions. That lets it follow
/// motion larger than its coarsest scale sees.
int32_t ivk_dis_flow_pair(const IVKImage *a, const IVKImage *b, int32_t preset, int32_t seeded, float *forward, float *backward);

/// Forward–backward consistency of `forward` (a→b) against `backward` (b→a), both
/// width*height (dx, dy) pairs: 1 where following the flow there and back returns to the
/// start (within 0.01·|flow|² + `tolerance`² px²), falling off as exp(-excess / tolerance²),
/// 0 where the flow leaves the image. The result is box-blurred over `blur` pixels.
int32_t ivk_flow_confidence(const float *forward, const float *backward, int32_t width, int32_t height, float tolerance, int32_t blur,
                            float *confidence);

#ifdef __cplusplus
}
#endif

#endif
