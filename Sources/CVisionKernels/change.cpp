// What changed between two aligned images and where a changed region went (see ivk_change.h).
#include "ivk_change.h"

#include "plumbing.hpp"

#include <opencv2/imgproc.hpp>

#include <vector>

using namespace ivk;

extern "C" {

int32_t ivk_change_mask(const IVKImage *a, const IVKImage *b, int32_t blur, int32_t threshold, int32_t close, int32_t open, IVKImage *mask) {
    if (!valid(a, 1) || !valid(b, 1) || !valid(mask, 1) || a->width != b->width || a->height != b->height || mask->width != a->width ||
        mask->height != a->height || blur < 0 || close < 0 || open < 0) {
        return IVK_EINVAL;
    }
    return guarded([&] {
        cv::Mat x, y, out = wrap(mask);
        if (blur > 1) {
            // Into matrices of their own: the inputs are the caller's, read only.
            const cv::Size window(blur | 1, blur | 1);
            cv::GaussianBlur(wrap(a), x, window, 0);
            cv::GaussianBlur(wrap(b), y, window, 0);
        } else {
            x = wrap(a);
            y = wrap(b);
        }
        cv::Mat difference;
        cv::absdiff(x, y, difference);
        cv::threshold(difference, out, threshold, 255, cv::THRESH_BINARY);
        if (close > 0) cv::morphologyEx(out, out, cv::MORPH_CLOSE, cv::getStructuringElement(cv::MORPH_ELLIPSE, cv::Size(close, close)));
        if (open > 0) cv::morphologyEx(out, out, cv::MORPH_OPEN, cv::getStructuringElement(cv::MORPH_ELLIPSE, cv::Size(open, open)));
        return IVK_OK;
    });
}

int32_t ivk_gaussian_blur(const IVKImage *src, double sigma, IVKImage *dst) {
    const int channels = src != nullptr && src->channels == 3 ? 3 : 1;
    if (!valid(src, channels) || !valid(dst, channels) || dst->width != src->width || dst->height != src->height || !(sigma > 0)) return IVK_EINVAL;
    return guarded([&] {
        cv::Mat out = wrap(dst);
        cv::GaussianBlur(wrap(src), out, cv::Size(), sigma, sigma, cv::BORDER_REPLICATE);
        return IVK_OK;
    });
}

int32_t ivk_connected_components(const IVKImage *mask, int32_t *labels, int32_t *stats, int32_t capacity, int32_t *count) {
    if (!valid(mask, 1) || labels == nullptr || count == nullptr || capacity < 0 || (capacity > 0 && stats == nullptr)) return IVK_EINVAL;
    return guarded([&] {
        cv::Mat out(mask->height, mask->width, CV_32SC1, labels), boxes, centroids;
        const int found = cv::connectedComponentsWithStats(wrap(mask), out, boxes, centroids, 8, CV_32S);
        *count = found - 1;
        for (int i = 1; i < found && i - 1 < capacity; ++i) {
            int32_t *s = stats + 5 * (i - 1);
            s[0] = boxes.at<int>(i, cv::CC_STAT_LEFT);
            s[1] = boxes.at<int>(i, cv::CC_STAT_TOP);
            s[2] = boxes.at<int>(i, cv::CC_STAT_WIDTH);
            s[3] = boxes.at<int>(i, cv::CC_STAT_HEIGHT);
            s[4] = boxes.at<int>(i, cv::CC_STAT_AREA);
        }
        return IVK_OK;
    });
}

int32_t ivk_match_template(const IVKImage *templ, const IVKImage *mask, const IVKImage *search, const IVKImage *templ_colour,
                           const IVKImage *search_colour, int32_t candidates, int32_t *best_x, int32_t *best_y, double *score) {
    const bool colour = templ_colour != nullptr || search_colour != nullptr;
    if (!valid(templ, 1) || !valid(mask, 1) || !valid(search, 1) || mask->width != templ->width || mask->height != templ->height ||
        search->width < templ->width || search->height < templ->height || best_x == nullptr || best_y == nullptr || score == nullptr ||
        (colour &&
         (!valid(templ_colour, 3) || !valid(search_colour, 3) || templ_colour->width != templ->width || templ_colour->height != templ->height ||
          search_colour->width != search->width || search_colour->height != search->height || candidates < 1))) {
        return IVK_EINVAL;
    }
    return guarded([&] {
        const cv::Mat weights = wrap(mask) != 0;
        const int pixels = cv::countNonZero(weights);
        if (pixels == 0) return static_cast<int32_t>(IVK_EINVAL);
        cv::Mat result;
        cv::matchTemplate(wrap(search), wrap(templ), result, cv::TM_SQDIFF, weights);
        double lowest = 0;
        cv::Point at;
        if (!colour) {
            cv::minMaxLoc(result, &lowest, nullptr, &at, nullptr);
            *best_x = at.x;
            *best_y = at.y;
            *score = lowest / pixels;
            return static_cast<int32_t>(IVK_OK);
        }
        // The best offsets on luma, each at least half the template's size from the others,
        // compared again in colour: a look-alike of the same luma loses there.
        const cv::Mat tc = wrap(templ_colour), sc = wrap(search_colour);
        cv::Mat allowed(result.rows, result.cols, CV_8U, cv::Scalar(255));
        double best = -1;
        for (int k = 0; k < candidates && cv::countNonZero(allowed) > 0; ++k) {
            cv::minMaxLoc(result, nullptr, nullptr, &at, nullptr, allowed);
            double sum = 0;
            for (int r = 0; r < templ->height; ++r) {
                const uint8_t *m = weights.ptr<uint8_t>(r);
                const cv::Vec3b *t = tc.ptr<cv::Vec3b>(r);
                const cv::Vec3b *s = sc.ptr<cv::Vec3b>(at.y + r) + at.x;
                for (int c = 0; c < templ->width; ++c) {
                    if (m[c] == 0) continue;
                    for (int ch = 0; ch < 3; ++ch) {
                        const double d = static_cast<double>(t[c][ch]) - static_cast<double>(s[c][ch]);
                        sum += d * d;
                    }
                }
            }
            const double mean = sum / (static_cast<double>(pixels) * 3);
            if (best < 0 || mean < best) {
                best = mean;
                *best_x = at.x;
                *best_y = at.y;
            }
            const cv::Rect near(at.x - templ->width / 2, at.y - templ->height / 2, templ->width + 1, templ->height + 1);
            allowed(near & cv::Rect(0, 0, allowed.cols, allowed.rows)).setTo(0);
        }
        *score = best;
        return static_cast<int32_t>(IVK_OK);
    });
}

} // extern "C"
