// The remap family's run-time dispatch: AVX2 where the CPU has it, baseline SIMD elsewhere.
#include "remap.hpp"

#include <opencv2/imgproc.hpp>

namespace ivk {

namespace {
#if defined(__x86_64__)
const bool hasAVX2 = __builtin_cpu_supports("avx2");
#else
const bool hasAVX2 = false;
#endif
} // namespace

void bilinearRow(const cv::Mat &src, const int32_t *mx, const int32_t *my, uint8_t *out, int n, bool wide) {
    int x = 0;
#if defined(__x86_64__)
    if (hasAVX2 && wide) {
        x = bilinearRowAVX2(src, mx, my, out, n);
    }
#endif
    bilinearRowBaseline(src, mx, my, out, n, x);
}

bool pairedBilinearAvailable() { return hasAVX2; }

void bilinearPairsRow(const cv::Mat &uv, const int32_t *mx, const int32_t *my, uint8_t *outU, uint8_t *outV, int n) {
#if defined(__x86_64__)
    bilinearRowUVAVX2(uv, mx, my, outU, outV, n);
#else
    (void)uv, (void)mx, (void)my, (void)outU, (void)outV, (void)n;
#endif
}

void fixedKernelRow(const cv::Mat &source, int mode, const int32_t *fx, const int32_t *fy, uint8_t *out, int n, bool wide) {
    if (mode == cv::INTER_LINEAR) {
        bilinearRow(source, fx, fy, out, n, wide);
    } else {
        bicubicRow(source, fx, fy, out, n);
    }
}

void resampleRow(const cv::Mat &source, const float *mx, const float *my, int mode, int32_t *fx, int32_t *fy, uint8_t *out, int n, bool wide) {
    if (mode != cv::INTER_LINEAR && mode != cv::INTER_CUBIC) {
        cv::Mat target(1, n, CV_8UC1, out);
        cv::remap(source, target, cv::Mat(1, n, CV_32FC1, const_cast<float *>(mx)), cv::Mat(1, n, CV_32FC1, const_cast<float *>(my)), mode,
                  cv::BORDER_REPLICATE);
        return;
    }
    fixedRow(mx, fx, n);
    fixedRow(my, fy, n);
    fixedKernelRow(source, mode, fx, fy, out, n, wide);
}

} // namespace ivk
