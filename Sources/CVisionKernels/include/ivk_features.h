#ifndef IVK_FEATURES_H
#define IVK_FEATURES_H

// Features and fits: grey images, ORB matches, robust geometric models. Matrices are 3x3,
// row-major doubles.
#include "ivk_common.h"

#ifdef __cplusplus
extern "C" {
#endif

/// Geometric models that `ivk_estimate_transform` can fit.
typedef enum IVKTransformModel {
    IVK_MODEL_HOMOGRAPHY = 0, // 8 dof, USAC (MAGSAC++)
    IVK_MODEL_AFFINE = 1,     // 6 dof, RANSAC
    IVK_MODEL_SIMILARITY = 2, // 4 dof (rotation, uniform scale, translation), RANSAC
} IVKTransformModel;

/// Converts an RGB image to grayscale and resizes it to `dst` (1 channel) in one pass.
int32_t ivk_gray_resized(const IVKImage *src, IVKImage *dst);

/// Detects ORB features in two grayscale images and matches them with Lowe's ratio test
/// (best / second best < `ratio`) in both directions, keeping mutual best matches.
/// Writes up to `capacity` pairs as x,y floats into `points_a` and `points_b`
/// (each 2 * capacity floats) and the count into `count`.
int32_t ivk_match_features(const IVKImage *gray_a, const IVKImage *gray_b, int32_t max_features, float ratio, float *points_a, float *points_b,
                           int32_t capacity, int32_t *count);

/// Fits `model` mapping points_a -> points_b robustly. Writes the 3x3 matrix to `matrix`
/// and 1 / 0 per pair into `inliers` (may be null). `inlier_count` receives the number of
/// inliers; 0 with IVK_OK means no model was found.
int32_t ivk_estimate_transform(const float *points_a, const float *points_b, int32_t count, IVKTransformModel model, double reprojection_threshold,
                               int32_t max_iterations, double matrix[9], uint8_t *inliers, int32_t *inlier_count);

#ifdef __cplusplus
}
#endif

#endif
