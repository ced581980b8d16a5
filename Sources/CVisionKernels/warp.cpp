// Whole-image perspective warps (cv::warpPerspective).
#include "ivk_remap.h"

#include "plumbing.hpp"

#include <opencv2/imgproc.hpp>

using namespace ivk;

extern "C" {

int32_t ivk_warp_perspective(const IVKImage *src, const double map[9], IVKInterpolation interpolation, IVKImage *dst) {
    if (!valid(src, 0) || !valid(dst, src->channels) || map == nullptr) return IVK_EINVAL;
    return guarded([&] {
        cv::Mat out = wrap(dst);
        cv::warpPerspective(wrap(src), out, cv::Mat(cv::Matx33d(map)), out.size(), cvInterpolation(interpolation) | cv::WARP_INVERSE_MAP,
                            cv::BORDER_REPLICATE);
        return IVK_OK;
    });
}

} // extern "C"
