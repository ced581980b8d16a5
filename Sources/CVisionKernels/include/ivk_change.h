#ifndef IVK_CHANGE_H
#define IVK_CHANGE_H

// What changed between two aligned images, and where a changed region went: the kernels
// behind tracking small and fast things explicitly.
#include "ivk_common.h"

#ifdef __cplusplus
extern "C" {
#endif

/// Where two same-size gray images differ: both Gaussian-blurred over `blur` × `blur` pixels
/// (odd; 0 or 1 for none), 255 where |a - b| > `threshold` and 0 elsewhere, then closed with a
/// `close` × `close` ellipse and opened with an `open` × `open` one (0 skips either), into
/// `mask` (1 channel, same size).
int32_t ivk_change_mask(const IVKImage *a, const IVKImage *b, int32_t blur, int32_t threshold, int32_t close, int32_t open, IVKImage *mask);

/// `src` (1 or 3 channels) Gaussian-blurred with standard deviation `sigma` pixels (> 0) each way,
/// edges replicated, into `dst` (same size and channels; may be `src`): OpenCV's GaussianBlur.
int32_t ivk_gaussian_blur(const IVKImage *src, double sigma, IVKImage *dst);

/// Connected components (8-connected) of the nonzero pixels of `mask`: `labels` (width ×
/// height) receives 0 for the background and 1...count for the components, `stats` five
/// int32 per component (x, y, width, height of its bounding box, and its area in pixels), for
/// at most `capacity` components; `count` receives how many there are (it may exceed capacity,
/// and then labels past it have no stats).
int32_t ivk_connected_components(const IVKImage *mask, int32_t *labels, int32_t *stats, int32_t capacity, int32_t *count);

/// Where `templ` fits best inside `search` (at least as large, both 1 channel), counting only
/// the pixels where `mask` (templ's size) is nonzero: the top-left offset in `search` of the
/// lowest sum of squared differences (OpenCV's masked TM_SQDIFF) into `best_x`, `best_y`, and
/// that sum over the mask's pixel count (a mean squared difference, in levels²) into `score`.
/// With `templ_colour` and `search_colour` (3 channels, the sizes of templ and search; both
/// NULL for none), the `candidates` (≥ 1) best offsets on `templ`, each at least half the
/// template's width or height from the others, are compared again in colour and the best of
/// them there wins; `score` is then its mean squared difference per channel in colour.
int32_t ivk_match_template(const IVKImage *templ, const IVKImage *mask, const IVKImage *search, const IVKImage *templ_colour,
                           const IVKImage *search_colour, int32_t candidates, int32_t *best_x, int32_t *best_y, double *score);

#ifdef __cplusplus
}
#endif

#endif
