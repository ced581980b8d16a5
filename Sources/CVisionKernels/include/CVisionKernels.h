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

/// Resizes `src` into `dst` (same channel count).
int32_t ivk_resize(const IVKImage *src, IVKImage *dst, IVKInterpolation interpolation);

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

/// Renders one blended frame: for each output pixel p, samples `a` at map_a(p) and `b` at
/// map_b(p) (3x3 projective maps from output to source pixel coordinates), and blends
/// them with weight `t` toward `b`. A sample that falls outside its source loses its weight
/// smoothly over `feather` pixels, so the other source fills the gap; where both fall
/// outside, the edge-replicated samples are blended with plain weights.
/// `a`, `b` and `dst` are 3-channel; `a` and `b` may differ in size from `dst`.
int32_t ivk_warp_blend(const IVKImage *a, const double map_a[9], const IVKImage *b,
                       const double map_b[9], float t, float feather,
                       IVKInterpolation interpolation, IVKImage *dst);

/// Number of threads OpenCV's parallel loops use (0 or negative: OpenCV's default).
void ivk_set_threads(int32_t threads);

/// The last error message raised by OpenCV on this thread ("" if none).
const char *ivk_last_error(void);

#ifdef __cplusplus
}
#endif

#endif
