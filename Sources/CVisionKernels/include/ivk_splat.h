#ifndef IVK_SPLAT_H
#define IVK_SPLAT_H

// The local motion at an intermediate time, splatted forward from the flows both ways.
#include "ivk_common.h"

#ifdef __cplusplus
extern "C" {
#endif

/// The local motion at time `t` from the flows both ways and their confidences: each source's
/// pixels are splatted to where they are at `t`, weighted by confidence and nearness in time,
/// and by exp(`depth` · flow length) so that what moves more stays in front where two things
/// land on one spot (0 averages them); giving per pixel the displacement back to the start
/// (`to_start`), on to the end (`to_end`), both as (dx, dy) pairs, and a trust 0...1 (0 where
/// nothing confident lands: a hole or an occlusion, where the frame falls back to the global
/// motion and the dissolve).
int32_t ivk_intermediate_flow(const float *forward, const float *backward, const float *confidence_forward, const float *confidence_backward,
                              int32_t width, int32_t height, float t, float depth, float *to_start, float *to_end, float *trust);

#ifdef __cplusplus
}
#endif

#endif
