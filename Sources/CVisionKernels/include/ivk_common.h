#ifndef IVK_COMMON_H
#define IVK_COMMON_H

// What every kernel family shares: error codes, borrowed image views, interpolation kinds.
// Images are interleaved 8-bit, row-major, `stride` bytes per row. Functions return 0 on
// success and a negative IVK_E* code on failure; ivk_last_error says why.
#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

enum {
    IVK_OK = 0,
    IVK_EINVAL = -1,  // a bad argument (size, null pointer)
    IVK_EOPENCV = -2, // OpenCV raised an exception
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

/// A planar YUV 4:2:0 image (I420): a full-size Y plane, then U and V at half width and
/// height. Width and height are even; each plane's stride is its width.
typedef struct IVKPlanes {
    uint8_t *y;
    uint8_t *u;
    uint8_t *v;
    int32_t width;
    int32_t height;
} IVKPlanes;

/// The last error message raised by OpenCV on this thread ("" if none).
const char *ivk_last_error(void);

#ifdef __cplusplus
}
#endif

#endif
