// Image quality metrics.
#include "ivk_metrics.h"

#include "plumbing.hpp"

#include <opencv2/imgproc.hpp>

using namespace ivk;

extern "C" {

int32_t ivk_ssim(const IVKImage *a, const IVKImage *b, double *ssim) {
    if (!valid(a, 1) || !valid(b, 1) || ssim == nullptr || a->width != b->width || a->height != b->height) return IVK_EINVAL;
    return guarded([&] {
        const double c1 = 6.5025, c2 = 58.5225; // (0.01·255)², (0.03·255)²
        cv::Mat x, y;
        wrap(a).convertTo(x, CV_32F);
        wrap(b).convertTo(y, CV_32F);
        cv::Mat mx, my, sxx, syy, sxy;
        const cv::Size window(11, 11);
        cv::GaussianBlur(x, mx, window, 1.5);
        cv::GaussianBlur(y, my, window, 1.5);
        cv::GaussianBlur(x.mul(x), sxx, window, 1.5);
        cv::GaussianBlur(y.mul(y), syy, window, 1.5);
        cv::GaussianBlur(x.mul(y), sxy, window, 1.5);
        cv::Mat mxx = mx.mul(mx), myy = my.mul(my), mxy = mx.mul(my);
        sxx -= mxx;
        syy -= myy;
        sxy -= mxy;
        cv::Mat numerator = (2 * mxy + c1).mul(2 * sxy + c2);
        cv::Mat denominator = (mxx + myy + c1).mul(sxx + syy + c2);
        cv::Mat map;
        cv::divide(numerator, denominator, map);
        *ssim = cv::mean(map)[0];
        return IVK_OK;
    });
}

} // extern "C"
