// Features and fits: grey conversion, ORB matching, robust geometric models.
#include "ivk_features.h"

#include "features.hpp"
#include "plumbing.hpp"

#include <opencv2/calib3d.hpp>
#include <opencv2/features2d.hpp>
#include <opencv2/imgproc.hpp>

using namespace ivk;

namespace ivk {

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

} // namespace ivk

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

int32_t ivk_match_features(const IVKImage *gray_a, const IVKImage *gray_b, int32_t max_features, float ratio, float *points_a, float *points_b,
                           int32_t capacity, int32_t *count) {
    if (!valid(gray_a, 1) || !valid(gray_b, 1) || points_a == nullptr || points_b == nullptr || count == nullptr || capacity < 0 ||
        max_features <= 0) {
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

int32_t ivk_estimate_transform(const float *points_a, const float *points_b, int32_t count, IVKTransformModel model, double reprojection_threshold,
                               int32_t max_iterations, double matrix[9], uint8_t *inliers, int32_t *inlier_count) {
    if (points_a == nullptr || points_b == nullptr || matrix == nullptr || inlier_count == nullptr || count < 0) {
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
        case IVK_MODEL_AFFINE: m = cv::estimateAffine2D(a, b, mask, cv::RANSAC, reprojection_threshold, max_iterations, 0.999, 10); break;
        case IVK_MODEL_SIMILARITY: m = cv::estimateAffinePartial2D(a, b, mask, cv::RANSAC, reprojection_threshold, max_iterations, 0.999, 10); break;
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

} // extern "C"
