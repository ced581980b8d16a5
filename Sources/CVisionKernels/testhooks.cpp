// Entry points that exist for the tests: the renderer's own row kernels on one plane, so a
// test can hold them to OpenCV's.
#include "ivk_testhooks.h"

#include "plumbing.hpp"
#include "remap.hpp"

#include <opencv2/imgproc.hpp>

#include <vector>

using namespace ivk;

extern "C" {

int32_t ivk_remap_gray(const IVKImage *src, const float *map_x, const float *map_y, IVKInterpolation interpolation, int32_t reference,
                       IVKImage *dst) {
    if (!valid(src, 1) || !valid(dst, 1) || map_x == nullptr || map_y == nullptr) return IVK_EINVAL;
    return guarded([&] {
        const cv::Mat mx(dst->height, dst->width, CV_32FC1, const_cast<float *>(map_x));
        const cv::Mat my(dst->height, dst->width, CV_32FC1, const_cast<float *>(map_y));
        cv::Mat source = wrap(src), target = wrap(dst);
        const int mode = cvInterpolation(interpolation);
        if (reference == 1) {
            cv::remap(source, target, mx, my, mode, cv::BORDER_REPLICATE);
        } else {
            // The renderer's own row kernels.
            std::vector<int32_t> fx(static_cast<size_t>(dst->width)), fy(static_cast<size_t>(dst->width));
            for (int y = 0; y < dst->height; ++y) {
                resampleRow(source, mx.ptr<float>(y), my.ptr<float>(y), mode, fx.data(), fy.data(), target.ptr<uint8_t>(y), dst->width,
                            reference == 0);
            }
        }
        return IVK_OK;
    });
}

} // extern "C"
