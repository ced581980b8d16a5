#ifndef IVK_RENDER_H
#define IVK_RENDER_H

// The frame renderer: one resampling of each source per frame, blended, in YUV 4:2:0.
#include "ivk_common.h"

#ifdef __cplusplus
extern "C" {
#endif

/// How one output frame is drawn from two same-size YUV sources.
typedef struct IVKFrameMotion {
    /// Output pixel → start pixel along the camera path (before local motion).
    double to_start[9];
    /// Start pixel → end pixel (the global motion).
    double start_to_end[9];
    /// Optional dense flows of the globally aligned pair, in start coordinates, at
    /// flow_width × flow_height, in flow pixels: start → end and end → start with their
    /// confidences (0...1). All four, or none. The local motion at `flow_time` is derived
    /// from them per frame (see `ivk_intermediate_flow`).
    const float *flow_forward;
    const float *flow_backward;
    const float *confidence_forward;
    const float *confidence_backward;
    int32_t flow_width;
    int32_t flow_height;
    /// Time of this frame for the local motion, 0...1.
    float flow_time;
    /// Softmax splatting's depth weight per flow pixel of motion (see `ivk_intermediate_flow`):
    /// 0 averages what lands on one spot; larger keeps what moves more in front.
    float splat_depth;
    /// Motion boundary threshold, in flow pixels: where the trusted motions of the four flow
    /// pixels around a spot differ by more (per axis), the spot takes the motion of the one
    /// that moves most instead of their bilinear blend; 0 always blends.
    float motion_edge;
    /// Weight of the end source in the blend, 0...1.
    float blend;
    /// Soft edge, in output pixels, where a source runs out.
    float feather;
    /// Maps are computed once per map_step × map_step luma block and interpolated:
    /// 2 (per chroma sample) or 4 (only when both sides divide by 4); anything else is IVK_EINVAL.
    int32_t map_step;
    /// How each source's luma is resampled (bilinear and bicubic run our fixed-point kernels,
    /// others cv::remap), and how both sources' chroma is.
    IVKInterpolation interpolation_start;
    IVKInterpolation interpolation_end;
    IVKInterpolation interpolation_chroma;
    /// Optional: each source's chroma again, interleaved (u0 v0 u1 v1 ..., width/2 × height/2
    /// pairs), which lets the AVX2 path fetch both planes at once. Both or neither; the frame
    /// is the same either way.
    const uint8_t *chroma_a;
    const uint8_t *chroma_b;
} IVKFrameMotion;

/// Renders one output frame: each source is resampled once through a map that composes the
/// camera path, the global motion and the local flow scaled by its trust; the two are blended
/// by `blend`, each weighted by whether its sample lies inside its image and, where the local
/// motion is trusted, by whether that source sees the spot at this time (a thing that moved
/// away, or has not arrived yet, is taken from the other source). Where the motion is exactly
/// the identity, each source's pixels are copied as they are.
int32_t ivk_render_yuv(const IVKPlanes *a, const IVKPlanes *b, const IVKFrameMotion *motion, IVKPlanes *dst);

/// Renders `count` frames at once, one per thread (each frame single-threaded inside), into
/// `dsts`. Same inputs as `ivk_render_yuv`, one motion per frame.
int32_t ivk_render_yuv_batch(const IVKPlanes *a, const IVKPlanes *b, const IVKFrameMotion *motions, int32_t count, IVKPlanes *dsts);

#ifdef __cplusplus
}
#endif

#endif
