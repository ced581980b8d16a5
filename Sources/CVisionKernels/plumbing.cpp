// The error state shared by every family, and ivk_last_error.
#include "plumbing.hpp"

#include <opencv2/imgproc.hpp>

namespace ivk {

thread_local std::string lastError;

int cvInterpolation(IVKInterpolation interpolation) {
    switch (interpolation) {
    case IVK_INTERP_NEAREST: return cv::INTER_NEAREST;
    case IVK_INTERP_BILINEAR: return cv::INTER_LINEAR;
    case IVK_INTERP_BICUBIC: return cv::INTER_CUBIC;
    case IVK_INTERP_AREA: return cv::INTER_AREA;
    case IVK_INTERP_LANCZOS: return cv::INTER_LANCZOS4;
    }
    return cv::INTER_LINEAR;
}

} // namespace ivk

extern "C" {

const char *ivk_last_error(void) { return ivk::lastError.c_str(); }

} // extern "C"
