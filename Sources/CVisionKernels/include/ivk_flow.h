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

/// Fills the untrusted holes of a flow field from its trusted surroundings by normalized
/// convolution: where `confidence` is under `trusted`, `flow` (width*height (dx, dy) pairs)
/// becomes the confidence-weighted Gaussian mean (σ = `sigma` px) of the flow around, and the
/// confidence rises to 2·c̄ − 0.5 (c̄ the Gaussian mean of the confidence there, clamped to
/// 0...1) where that is higher: a hole inside a trusted moving thing (an eye that blinked, a
/// mouth that opened) moves with the thing, while a wide untrusted area stays untrusted.
int32_t ivk_fill_flow(float *flow, float *confidence, int32_t width, int32_t height, float sigma, float trusted);

/// Sums of `values` (width*height floats) over the (2·`radius` + 1)² box around each pixel,
/// into `sums`; pixels outside the image count as 0 (cv::boxFilter, unnormalised, constant
/// border).
int32_t ivk_box_sums(const float *values, int32_t width, int32_t height, int32_t radius, float *sums);

#ifdef __cplusplus
}
#endif

#endif
