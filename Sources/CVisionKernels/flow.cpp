// Dense optical flow: DIS both ways, seeded EpicFlow's way, and its forward–backward confidence.
#include "ivk_flow.h"

#include "features.hpp"
#include "field.hpp"
#include "plumbing.hpp"

#include <opencv2/features2d.hpp>
#include <opencv2/imgproc.hpp>
#include <opencv2/video/tracking.hpp>

#include <cmath>
#include <vector>

using namespace ivk;

namespace {

// Sparse matches from `a` to `b` for seeding dense flow, EpicFlow's way: corners tracked by
// pyramidal Lucas–Kanade and kept when they track back to where they started, plus mutual ORB
// matches passing a ratio test (Lucas–Kanade loses a small thing that moves further than its
// window at the coarse levels, where the background fills the window; descriptors do not).
void seedMatches(const cv::Mat &a, const cv::Mat &b, std::vector<cv::Point2f> &from, std::vector<cv::Point2f> &to) {
    std::vector<cv::Point2f> corners, forward, back;
    cv::goodFeaturesToTrack(a, corners, 1500, 0.005, 4);
    if (corners.size() >= 8) {
        std::vector<uchar> found, foundBack;
        std::vector<float> error;
        const cv::Size window(21, 21);
        cv::calcOpticalFlowPyrLK(a, b, corners, forward, found, error, window, 4);
        cv::calcOpticalFlowPyrLK(b, a, forward, back, foundBack, error, window, 4);
        for (size_t i = 0; i < corners.size(); ++i) {
            if (!found[i] || !foundBack[i]) continue;
            const cv::Point2f d = back[i] - corners[i];
            if (d.dot(d) > 0.25f) continue;
            if (forward[i].x < 0 || forward[i].y < 0 || forward[i].x > b.cols - 1 || forward[i].y > b.rows - 1) continue;
            from.push_back(corners[i]);
            to.push_back(forward[i]);
        }
    }
    auto orb = cv::ORB::create(1000, 1.2f, 6, 15, 0, 2, cv::ORB::HARRIS_SCORE, 15, 10);
    std::vector<cv::KeyPoint> keysA, keysB;
    cv::Mat descA, descB;
    orb->detectAndCompute(a, cv::noArray(), keysA, descA);
    orb->detectAndCompute(b, cv::noArray(), keysB, descB);
    if (descA.rows < 2 || descB.rows < 2) return;
    std::vector<int> there, backThere;
    ratioMatches(descA, descB, 0.7f, there);
    ratioMatches(descB, descA, 0.7f, backThere);
    for (size_t i = 0; i < there.size(); ++i) {
        const int j = there[i];
        if (j < 0 || backThere[j] != static_cast<int>(i)) continue;
        from.push_back(keysA[i].pt);
        to.push_back(keysB[j].pt);
    }
}

// The matches spread over `a` as a dense first guess for DIS: each match's displacement
// is dropped into a grid of 8 × 8 pixel cells and the grid filled by normalized convolution
// (Gaussian sums of displacements over Gaussian sums of weights), at a fine scale where
// matches are dense and a coarse one where they are not, then resized to `a`. Not edge-aware
// as EpicFlow's interpolator is: DIS sharpens motion edges from there. Empty when there are
// too few matches.
cv::Mat spreadMatches(const cv::Mat &a, const std::vector<cv::Point2f> &from, const std::vector<cv::Point2f> &to) {
    if (from.size() < 32) return cv::Mat();
    const int cell = 8;
    const int gw = (a.cols + cell - 1) / cell, gh = (a.rows + cell - 1) / cell;
    cv::Mat sumX = cv::Mat::zeros(gh, gw, CV_32F), sumY = cv::Mat::zeros(gh, gw, CV_32F), weight = cv::Mat::zeros(gh, gw, CV_32F);
    for (size_t i = 0; i < from.size(); ++i) {
        const int x = std::clamp(static_cast<int>(from[i].x) / cell, 0, gw - 1), y = std::clamp(static_cast<int>(from[i].y) / cell, 0, gh - 1);
        sumX.at<float>(y, x) += to[i].x - from[i].x;
        sumY.at<float>(y, x) += to[i].y - from[i].y;
        weight.at<float>(y, x) += 1;
    }
    auto smooth = [&](double sigma, cv::Mat &dx, cv::Mat &dy, cv::Mat &w) {
        cv::GaussianBlur(sumX, dx, cv::Size(), sigma, sigma, cv::BORDER_CONSTANT);
        cv::GaussianBlur(sumY, dy, cv::Size(), sigma, sigma, cv::BORDER_CONSTANT);
        cv::GaussianBlur(weight, w, cv::Size(), sigma, sigma, cv::BORDER_CONSTANT);
    };
    cv::Mat fineX, fineY, fineW, coarseX, coarseY, coarseW;
    smooth(1.0, fineX, fineY, fineW);
    smooth(6.0, coarseX, coarseY, coarseW);
    cv::Mat grid(gh, gw, CV_32FC2);
    for (int y = 0; y < gh; ++y) {
        for (int x = 0; x < gw; ++x) {
            const float fw = fineW.at<float>(y, x), cw = coarseW.at<float>(y, x);
            // Where fine support is thin, lean on the coarse estimate.
            const float trust = std::min(1.0f, fw / 0.5f);
            const float cx = cw > 1e-4f ? coarseX.at<float>(y, x) / cw : 0, cy = cw > 1e-4f ? coarseY.at<float>(y, x) / cw : 0;
            const float ux = fw > 1e-4f ? fineX.at<float>(y, x) / fw : cx, uy = fw > 1e-4f ? fineY.at<float>(y, x) / fw : cy;
            grid.at<cv::Vec2f>(y, x) = cv::Vec2f(trust * ux + (1 - trust) * cx, trust * uy + (1 - trust) * cy);
        }
    }
    cv::Mat dense;
    cv::resize(grid, dense, a.size(), 0, 0, cv::INTER_LINEAR);
    return dense;
}

// DIS from `a` to `b` into `flow`, starting from `seed` when it is not empty.
void disInto(const cv::Mat &a, const cv::Mat &b, int preset, cv::Mat seed, float *flow) {
    auto dis = cv::DISOpticalFlow::create(preset);
    // DIS starts from a flow it is given (same size, two float channels).
    cv::Mat result = seed;
    dis->calc(a, b, result);
    cv::Mat out(a.rows, a.cols, CV_32FC2, flow);
    result.copyTo(out);
}

} // namespace

extern "C" {

int32_t ivk_dis_flow_pair(const IVKImage *a, const IVKImage *b, int32_t preset, int32_t seeded, float *forward, float *backward) {
    if (!valid(a, 1) || !valid(b, 1) || forward == nullptr || backward == nullptr || a->width != b->width || a->height != b->height || preset < 0 ||
        preset > 2) {
        return IVK_EINVAL;
    }
    return guarded([&] {
        const cv::Mat ma = wrap(a), mb = wrap(b);
        std::vector<cv::Point2f> from, to;
        if (seeded != 0) seedMatches(ma, mb, from, to);
        // The two directions at once, one per thread (DIS's own parallel loops then run
        // inside each serially); the matches serve both, turned around for the way back.
        cv::parallel_for_(cv::Range(0, 2), [&](const cv::Range &range) {
            for (int direction = range.start; direction < range.end; ++direction) {
                if (direction == 0) {
                    disInto(ma, mb, preset, seeded != 0 ? spreadMatches(ma, from, to) : cv::Mat(), forward);
                } else {
                    disInto(mb, ma, preset, seeded != 0 ? spreadMatches(mb, to, from) : cv::Mat(), backward);
                }
            }
        });
        return IVK_OK;
    });
}

int32_t ivk_flow_confidence(const float *forward, const float *backward, int32_t width, int32_t height, float tolerance, int32_t blur,
                            float *confidence) {
    if (forward == nullptr || backward == nullptr || confidence == nullptr || width <= 0 || height <= 0 || tolerance <= 0) {
        return IVK_EINVAL;
    }
    return guarded([&] {
        cv::Mat conf(height, width, CV_32FC1, confidence);
        const float tol2 = tolerance * tolerance;
        cv::parallel_for_(cv::Range(0, height), [&](const cv::Range &rows) {
            for (int y = rows.start; y < rows.end; ++y) {
                float *out = conf.ptr<float>(y);
                for (int x = 0; x < width; ++x) {
                    const float *f = forward + 2 * (y * width + x);
                    float tx = x + f[0], ty = y + f[1];
                    if (tx < 0 || ty < 0 || tx > width - 1 || ty > height - 1) {
                        out[x] = 0;
                        continue;
                    }
                    float bx, by;
                    sample2(backward, width, height, tx, ty, bx, by);
                    float ex = f[0] + bx, ey = f[1] + by;
                    float err = ex * ex + ey * ey;
                    float allowed = 0.01f * (f[0] * f[0] + f[1] * f[1] + bx * bx + by * by) + tol2;
                    out[x] = err <= allowed ? 1.0f : std::exp(-(err - allowed) / tol2);
                }
            }
        });
        if (blur > 1) cv::blur(conf, conf, cv::Size(blur, blur), cv::Point(-1, -1), cv::BORDER_REPLICATE);
        cv::max(conf, 0.0, conf);
        return IVK_OK;
    });
}

int32_t ivk_fill_flow(float *flow, float *confidence, int32_t width, int32_t height, float sigma, float trusted) {
    if (flow == nullptr || confidence == nullptr || width < 1 || height < 1 || !(sigma > 0)) return IVK_EINVAL;
    return guarded([&] {
        cv::Mat field(height, width, CV_32FC2, flow), trust(height, width, CV_32FC1, confidence);
        cv::Mat weighted, spread, weight;
        cv::Mat trust2;
        cv::merge(std::vector<cv::Mat>{trust, trust}, trust2);
        cv::multiply(field, trust2, weighted);
        cv::GaussianBlur(weighted, spread, cv::Size(), sigma, sigma, cv::BORDER_REPLICATE);
        cv::GaussianBlur(trust, weight, cv::Size(), sigma, sigma, cv::BORDER_REPLICATE);
        for (int y = 0; y < height; ++y) {
            cv::Vec2f *f = field.ptr<cv::Vec2f>(y);
            float *c = trust.ptr<float>(y);
            const cv::Vec2f *s = spread.ptr<cv::Vec2f>(y);
            const float *w = weight.ptr<float>(y);
            for (int x = 0; x < width; ++x) {
                if (c[x] >= trusted || w[x] < 1e-4f) continue;
                f[x] = s[x] / w[x];
                c[x] = std::max(c[x], std::clamp(2 * w[x] - 0.5f, 0.0f, 1.0f));
            }
        }
        return static_cast<int32_t>(IVK_OK);
    });
}

int32_t ivk_box_sums(const float *values, int32_t width, int32_t height, int32_t radius, float *sums) {
    if (values == nullptr || sums == nullptr || width < 1 || height < 1 || radius < 0) return IVK_EINVAL;
    return guarded([&] {
        const cv::Mat source(height, width, CV_32FC1, const_cast<float *>(values));
        cv::Mat target(height, width, CV_32FC1, sums);
        cv::boxFilter(source, target, CV_32F, cv::Size(2 * radius + 1, 2 * radius + 1), cv::Point(-1, -1), false, cv::BORDER_CONSTANT);
        return static_cast<int32_t>(IVK_OK);
    });
}

} // extern "C"
