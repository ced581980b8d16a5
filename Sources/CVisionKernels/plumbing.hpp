// Plumbing every kernel family shares: borrowed views of the caller's pixels, argument checks,
// and the exception guard that turns OpenCV's errors into IVK_E* codes (the message is kept
// per thread for ivk_last_error).
#pragma once

#include "ivk_common.h"

#include <opencv2/core.hpp>

#include <algorithm>
#include <cstdint>
#include <exception>
#include <string>

namespace ivk {

/// The message of the last error raised on this thread ("" after a call that succeeded).
extern thread_local std::string lastError;

inline cv::Mat wrap(const IVKImage *image) {
    int type = CV_8UC(image->channels);
    return cv::Mat(image->height, image->width, type, image->data, static_cast<size_t>(image->stride));
}

inline bool valid(const IVKImage *image, int channels) {
    return image != nullptr && image->data != nullptr && image->width > 0 && image->height > 0 && (channels == 0 || image->channels == channels) &&
           image->channels > 0 && image->channels <= 4 && image->stride >= image->width * image->channels;
}

inline bool validPlanes(const IVKPlanes *p) {
    return p != nullptr && p->y != nullptr && p->u != nullptr && p->v != nullptr && p->width > 1 && p->height > 1 && p->width % 2 == 0 &&
           p->height % 2 == 0;
}

/// The three planes of an IVKPlanes as borrowed OpenCV matrices.
struct PlaneMats {
    cv::Mat y, u, v;
    explicit PlaneMats(const IVKPlanes *p)
        : y(p->height, p->width, CV_8UC1, p->y), u(p->height / 2, p->width / 2, CV_8UC1, p->u), v(p->height / 2, p->width / 2, CV_8UC1, p->v) {}
};

/// OpenCV's interpolation flag for ours.
int cvInterpolation(IVKInterpolation interpolation);

inline uint8_t clampByte(float value) { return static_cast<uint8_t>(std::clamp(value + 0.5f, 0.0f, 255.0f)); }

// Runs `body`, turning an exception into IVK_EOPENCV and keeping its message.
template <typename Body> int32_t guarded(Body body) {
    try {
        lastError.clear();
        return body();
    } catch (const cv::Exception &error) {
        lastError = error.what();
        return IVK_EOPENCV;
    } catch (const std::exception &error) {
        lastError = error.what();
        return IVK_EOPENCV;
    }
}

} // namespace ivk
