#ifndef CVISIONKERNELS_H
#define CVISIONKERNELS_H

// The thin C API over OpenCV that the Swift engine calls. Each function is one pixel or
// geometry kernel; every decision (thresholds, fall backs, schedules) is made in Swift.
// Images are interleaved 8-bit, row-major, `stride` bytes per row. Matrices are 3x3,
// row-major doubles. Functions return 0 on success and a negative IVK_E* code on failure.

#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

enum {
    IVK_OK = 0,
    IVK_EINVAL = -1,     // a bad argument (size, null pointer)
    IVK_EOPENCV = -2,    // OpenCV raised an exception
};

/// A borrowed view of an interleaved 8-bit image.
typedef struct IVKImage {
    uint8_t *data;
    int32_t width;
    int32_t height;
    int32_t stride;
    int32_t channels;
} IVKImage;

/// Interpolation used when resampling.
typedef enum IVKInterpolation {
    IVK_INTERP_NEAREST = 0,
    IVK_INTERP_BILINEAR = 1,
    IVK_INTERP_BICUBIC = 2,
    IVK_INTERP_AREA = 3,
    IVK_INTERP_LANCZOS = 4,
} IVKInterpolation;

/// Geometric models that `ivk_estimate_transform` can fit.
typedef enum IVKTransformModel {
    IVK_MODEL_HOMOGRAPHY = 0,   // 8 dof, USAC (MAGSAC++)
    IVK_MODEL_AFFINE = 1,       // 6 dof, RANSAC
    IVK_MODEL_SIMILARITY = 2,   // 4 dof (rotation, uniform scale, translation), RANSAC
} IVKTransformModel;

/// Converts an RGB image to grayscale and resizes it to `dst` (1 channel) in one pass.
int32_t ivk_gray_resized(const IVKImage *src, IVKImage *dst);

/// Detects ORB features in two grayscale images and matches them with Lowe's ratio test
/// (best / second best < `ratio`) in both directions, keeping mutual best matches.
/// Writes up to `capacity` pairs as x,y floats into `points_a` and `points_b`
/// (each 2 * capacity floats) and the count into `count`.
int32_t ivk_match_features(const IVKImage *gray_a, const IVKImage *gray_b, int32_t max_features,
                           float ratio, float *points_a, float *points_b, int32_t capacity,
                           int32_t *count);

/// Fits `model` mapping points_a -> points_b robustly. Writes the 3x3 matrix to `matrix`
/// and 1 / 0 per pair into `inliers` (may be null). `inlier_count` receives the number of
/// inliers; 0 with IVK_OK means no model was found.
int32_t ivk_estimate_transform(const float *points_a, const float *points_b, int32_t count,
                               IVKTransformModel model, double reprojection_threshold,
                               int32_t max_iterations, double matrix[9], uint8_t *inliers,
                               int32_t *inlier_count);

/// A planar YUV 4:2:0 image (I420): a full-size Y plane, then U and V at half width and
/// height. Width and height are even; each plane's stride is its width.
typedef struct IVKPlanes {
    uint8_t *y;
    uint8_t *u;
    uint8_t *v;
    int32_t width;
    int32_t height;
} IVKPlanes;

/// RGB → YUV 4:2:0, BT.709 matrix, limited (TV) range; chroma is the 2×2 box average.
int32_t ivk_rgb_to_yuv420(const IVKImage *rgb, IVKPlanes *dst);

/// YUV 4:2:0 (BT.709, limited range) → RGB, chroma upsampled bilinearly.
int32_t ivk_yuv420_to_rgb(const IVKPlanes *src, IVKImage *rgb);

/// Warps `src` into `dst` through `map` (a 3x3 projective map from dst to src pixel
/// coordinates), replicating the border. Any channel count; `src` and `dst` match in it.
int32_t ivk_warp_perspective(const IVKImage *src, const double map[9], IVKInterpolation interpolation,
                             IVKImage *dst);

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
int32_t ivk_flow_confidence(const float *forward, const float *backward, int32_t width, int32_t height,
                            float tolerance, int32_t blur, float *confidence);

/// The local motion at time `t` from the flows both ways and their confidences: each source's
/// pixels are splatted to where they are at `t`, weighted by confidence and nearness in time,
/// giving per pixel the displacement back to the start (`to_start`), on to the end (`to_end`),
/// both as (dx, dy) pairs, and a trust 0...1 (0 where nothing confident lands: a hole or an
/// occlusion, where the frame falls back to the global motion and the dissolve).
int32_t ivk_intermediate_flow(const float *forward, const float *backward, const float *confidence_forward,
                              const float *confidence_backward, int32_t width, int32_t height, float t, float *to_start,
                              float *to_end, float *trust);

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
    /// Weight of the end source in the blend, 0...1.
    float blend;
    /// Soft edge, in output pixels, where a source runs out.
    float feather;
    /// Maps are computed once per map_step × map_step luma block and interpolated:
    /// 2 (per chroma sample) or 4 (when both sides divide by 4). Anything else means 2.
    int32_t map_step;
    /// Optional: each source's chroma again, interleaved (u0 v0 u1 v1 ..., width/2 × height/2
    /// pairs), which lets the AVX2 path fetch both planes at once. Both or neither; the frame
    /// is the same either way.
    const uint8_t *chroma_a;
    const uint8_t *chroma_b;
} IVKFrameMotion;

/// Renders one output frame: each source is resampled once through a map that composes the
/// camera path, the global motion and the local flow scaled by confidence; the two are
/// blended by `blend`, each weighted by whether its sample lies inside its image.
int32_t ivk_render_yuv(const IVKPlanes *a, const IVKPlanes *b, const IVKFrameMotion *motion,
                       IVKInterpolation interpolation, IVKPlanes *dst);

/// Renders `count` frames at once, one per thread (each frame single-threaded inside), into
/// `dsts`. Same inputs as `ivk_render_yuv`, one motion per frame.
int32_t ivk_render_yuv_batch(const IVKPlanes *a, const IVKPlanes *b, const IVKFrameMotion *motions, int32_t count,
                             IVKInterpolation interpolation, IVKPlanes *dsts);

/// Resamples the one-channel `src` into `dst` through per-pixel maps (dst pixel → src x, y,
/// `dst` width × height floats each), BORDER_REPLICATE. `reference` 0 uses the renderer's own
/// fixed-point kernels (bilinear and bicubic; others go to OpenCV) with the widest vectors the
/// CPU has (AVX2 for bilinear), 2 the same kernels with baseline (SSE2) vectors only, 1
/// OpenCV's cv::remap, so tests can hold each against the other.
int32_t ivk_remap_gray(const IVKImage *src, const float *map_x, const float *map_y, IVKInterpolation interpolation, int32_t reference,
                       IVKImage *dst);

/// Structural similarity of two same-size gray images (Wang et al. 2004: 11×11 Gaussian
/// window, σ 1.5, K1 0.01, K2 0.03), averaged over the image, into `ssim`.
int32_t ivk_ssim(const IVKImage *a, const IVKImage *b, double *ssim);

/// The last error message raised by OpenCV on this thread ("" if none).
const char *ivk_last_error(void);

#ifdef __cplusplus
}
#endif

#endif
