// The OpenCV side of CVisionKernels.h. Each function wraps one OpenCV call (or one tight
// pixel loop) and converts exceptions into error codes; no policy lives here.

#include "CVisionKernels.h"

#include <opencv2/calib3d.hpp>
#include <opencv2/core.hpp>
#include <opencv2/features2d.hpp>
#include <opencv2/imgproc.hpp>

#include <algorithm>
#include <cmath>
#include <cstring>
#include <string>
#include <vector>

namespace {

thread_local std::string lastError;

cv::Mat wrap(const IVKImage *image) {
    int type = CV_8UC(image->channels);
    return cv::Mat(image->height, image->width, type, image->data, static_cast<size_t>(image->stride));
}

bool valid(const IVKImage *image, int channels) {
    return image != nullptr && image->data != nullptr && image->width > 0 && image->height > 0 &&
           (channels == 0 || image->channels == channels) && image->channels > 0 && image->channels <= 4 &&
           image->stride >= image->width * image->channels;
}

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

// Mutual nearest neighbours that also pass the ratio test, from a to b.
void ratioMatches(const cv::Mat &from, const cv::Mat &to, float ratio, std::vector<int> &best) {
    cv::BFMatcher matcher(cv::NORM_HAMMING);
    std::vector<std::vector<cv::DMatch>> knn;
    matcher.knnMatch(from, to, knn, 2);
    best.assign(from.rows, -1);
    for (const auto &pair : knn) {
        if (pair.size() == 2 && pair[0].distance < ratio * pair[1].distance) {
            best[pair[0].queryIdx] = pair[0].trainIdx;
        } else if (pair.size() == 1) {
            best[pair[0].queryIdx] = pair[0].trainIdx;
        }
    }
}

} // namespace

extern "C" {

int32_t ivk_gray_resized(const IVKImage *src, IVKImage *dst) {
    if (!valid(src, 3) || !valid(dst, 1)) return IVK_EINVAL;
    return guarded([&] {
        cv::Mat gray;
        cv::cvtColor(wrap(src), gray, cv::COLOR_RGB2GRAY);
        cv::Mat out = wrap(dst);
        if (gray.cols == out.cols && gray.rows == out.rows) {
            gray.copyTo(out);
        } else {
            bool shrinking = out.cols < gray.cols;
            cv::resize(gray, out, out.size(), 0, 0, shrinking ? cv::INTER_AREA : cv::INTER_LINEAR);
        }
        return IVK_OK;
    });
}

int32_t ivk_resize(const IVKImage *src, IVKImage *dst, IVKInterpolation interpolation) {
    if (!valid(src, 0) || !valid(dst, src->channels)) return IVK_EINVAL;
    return guarded([&] {
        cv::Mat out = wrap(dst);
        cv::resize(wrap(src), out, out.size(), 0, 0, cvInterpolation(interpolation));
        return IVK_OK;
    });
}

int32_t ivk_match_features(const IVKImage *gray_a, const IVKImage *gray_b, int32_t max_features,
                           float ratio, float *points_a, float *points_b, int32_t capacity,
                           int32_t *count) {
    if (!valid(gray_a, 1) || !valid(gray_b, 1) || points_a == nullptr || points_b == nullptr ||
        count == nullptr || capacity < 0 || max_features <= 0) {
        return IVK_EINVAL;
    }
    return guarded([&] {
        *count = 0;
        auto orb = cv::ORB::create(max_features, 1.2f, 8, 31, 0, 2, cv::ORB::HARRIS_SCORE, 31, 12);
        std::vector<cv::KeyPoint> keysA, keysB;
        cv::Mat descA, descB;
        orb->detectAndCompute(wrap(gray_a), cv::noArray(), keysA, descA);
        orb->detectAndCompute(wrap(gray_b), cv::noArray(), keysB, descB);
        if (descA.rows < 2 || descB.rows < 2) return IVK_OK;
        std::vector<int> forward, backward;
        ratioMatches(descA, descB, ratio, forward);
        ratioMatches(descB, descA, ratio, backward);
        int32_t n = 0;
        for (size_t i = 0; i < forward.size() && n < capacity; ++i) {
            int j = forward[i];
            if (j < 0 || backward[j] != static_cast<int>(i)) continue;
            points_a[2 * n] = keysA[i].pt.x;
            points_a[2 * n + 1] = keysA[i].pt.y;
            points_b[2 * n] = keysB[j].pt.x;
            points_b[2 * n + 1] = keysB[j].pt.y;
            ++n;
        }
        *count = n;
        return IVK_OK;
    });
}

int32_t ivk_estimate_transform(const float *points_a, const float *points_b, int32_t count,
                               IVKTransformModel model, double reprojection_threshold,
                               int32_t max_iterations, double matrix[9], uint8_t *inliers,
                               int32_t *inlier_count) {
    if (points_a == nullptr || points_b == nullptr || matrix == nullptr || inlier_count == nullptr ||
        count < 0) {
        return IVK_EINVAL;
    }
    return guarded([&] {
        *inlier_count = 0;
        int needed = model == IVK_MODEL_HOMOGRAPHY ? 4 : (model == IVK_MODEL_AFFINE ? 3 : 2);
        if (count < needed) return IVK_OK;
        std::vector<cv::Point2f> a(count), b(count);
        for (int32_t i = 0; i < count; ++i) {
            a[i] = cv::Point2f(points_a[2 * i], points_a[2 * i + 1]);
            b[i] = cv::Point2f(points_b[2 * i], points_b[2 * i + 1]);
        }
        cv::Mat mask, m;
        switch (model) {
        case IVK_MODEL_HOMOGRAPHY:
            // USAC with MAGSAC++ scoring; its random state is fixed, so results repeat.
            m = cv::findHomography(a, b, cv::USAC_MAGSAC, reprojection_threshold, mask, max_iterations, 0.999);
            break;
        case IVK_MODEL_AFFINE:
            m = cv::estimateAffine2D(a, b, mask, cv::RANSAC, reprojection_threshold, max_iterations, 0.999, 10);
            break;
        case IVK_MODEL_SIMILARITY:
            m = cv::estimateAffinePartial2D(a, b, mask, cv::RANSAC, reprojection_threshold, max_iterations, 0.999, 10);
            break;
        }
        if (m.empty()) return IVK_OK;
        m.convertTo(m, CV_64F);
        for (int r = 0; r < 3; ++r) {
            for (int c = 0; c < 3; ++c) {
                matrix[3 * r + c] = r < m.rows ? m.at<double>(r, c) : (r == c ? 1.0 : 0.0);
            }
        }
        int32_t n = 0;
        for (int32_t i = 0; i < count; ++i) {
            uint8_t in = (!mask.empty() && mask.at<uchar>(i) != 0) ? 1 : 0;
            if (inliers != nullptr) inliers[i] = in;
            n += in;
        }
        *inlier_count = n;
        return IVK_OK;
    });
}

int32_t ivk_warp_blend(const IVKImage *a, const double map_a[9], const IVKImage *b,
                       const double map_b[9], float t, float feather,
                       IVKInterpolation interpolation, IVKImage *dst) {
    if (!valid(a, 3) || !valid(b, 3) || !valid(dst, 3) || map_a == nullptr || map_b == nullptr) {
        return IVK_EINVAL;
    }
    return guarded([&] {
        // Scratch buffers reused across calls on this thread. The parallel loop below runs on
        // other threads, so it must reach them through these references, not by name.
        thread_local cv::Mat scratchA, scratchB;
        cv::Mat &warpedA = scratchA, &warpedB = scratchB;
        const cv::Size size(dst->width, dst->height);
        const cv::Matx33d ma(map_a), mb(map_b);
        const int flags = cvInterpolation(interpolation) | cv::WARP_INVERSE_MAP;
        cv::warpPerspective(wrap(a), warpedA, cv::Mat(ma), size, flags, cv::BORDER_REPLICATE);
        cv::warpPerspective(wrap(b), warpedB, cv::Mat(mb), size, flags, cv::BORDER_REPLICATE);
        const float fa = std::max(feather, 1e-3f);
        const float wa0 = 1.0f - t, wb0 = t;
        const double awMax = a->width - 1, ahMax = a->height - 1, bwMax = b->width - 1, bhMax = b->height - 1;

        // How far inside its source a mapped point lands: 1 inside, falling to 0 `feather`
        // pixels outside, 0 behind the camera.
        auto visibility = [fa](const cv::Matx33d &m, double x, double y, double wMax, double hMax) {
            double z = m(2, 0) * x + m(2, 1) * y + m(2, 2);
            if (z <= 1e-9) return 0.0f;
            double sx = (m(0, 0) * x + m(0, 1) * y + m(0, 2)) / z;
            double sy = (m(1, 0) * x + m(1, 1) * y + m(1, 2)) / z;
            double inside = std::min(std::min(sx, wMax - sx), std::min(sy, hMax - sy));
            return static_cast<float>(std::clamp(1.0 + inside / fa, 0.0, 1.0));
        };

        cv::parallel_for_(cv::Range(0, size.height), [&](const cv::Range &rows) {
            for (int y = rows.start; y < rows.end; ++y) {
                const uint8_t *pa = warpedA.ptr<uint8_t>(y);
                const uint8_t *pb = warpedB.ptr<uint8_t>(y);
                uint8_t *out = dst->data + static_cast<size_t>(y) * dst->stride;
                for (int x = 0; x < size.width; ++x) {
                    float wa = wa0 * visibility(ma, x, y, awMax, ahMax);
                    float wb = wb0 * visibility(mb, x, y, bwMax, bhMax);
                    float sum = wa + wb;
                    if (sum < 1e-6f) {
                        wa = wa0;
                        wb = wb0;
                        sum = 1.0f;
                    }
                    wa /= sum;
                    wb /= sum;
                    for (int c = 0; c < 3; ++c) {
                        float v = wa * pa[3 * x + c] + wb * pb[3 * x + c];
                        out[3 * x + c] = static_cast<uint8_t>(std::clamp(v + 0.5f, 0.0f, 255.0f));
                    }
                }
            }
        });
        return IVK_OK;
    });
}

void ivk_set_threads(int32_t threads) { cv::setNumThreads(threads > 0 ? threads : -1); }

const char *ivk_last_error(void) { return lastError.c_str(); }

} // extern "C"
