// Row operations of the renderer (see blend.hpp), in OpenCV's universal intrinsics.
#include "blend.hpp"

#include <opencv2/core.hpp>
#include <opencv2/core/hal/intrin.hpp>

#include <algorithm>
#include <cstring>

namespace ivk {

void weightRow(const float *w, uint16_t *out, int n) {
    int x = 0;
#if CV_SIMD128
    const cv::v_float32x4 scale = cv::v_setall_f32(256.0f);
    for (; x + 8 <= n; x += 8) {
        cv::v_store(out + x, cv::v_pack_u(cv::v_round(cv::v_load(w + x) * scale), cv::v_round(cv::v_load(w + x + 4) * scale)));
    }
#endif
    for (; x < n; ++x) out[x] = static_cast<uint16_t>(cvRound(w[x] * 256.0f));
}

void blendRow(const uint8_t *a, const uint8_t *b, const uint16_t *w, uint8_t *out, int n) {
    int x = 0;
#if CV_SIMD128
    const cv::v_uint16x8 full = cv::v_setall_u16(256), half = cv::v_setall_u16(128);
    for (; x + 16 <= n; x += 16) {
        cv::v_uint16x8 a0, a1, b0, b1;
        cv::v_expand(cv::v_load(a + x), a0, a1);
        cv::v_expand(cv::v_load(b + x), b0, b1);
        const cv::v_uint16x8 w0 = cv::v_load(w + x), w1 = cv::v_load(w + x + 8);
        const cv::v_uint16x8 r0 = (cv::v_mul_wrap(a0, full - w0) + cv::v_mul_wrap(b0, w0) + half) >> 8;
        const cv::v_uint16x8 r1 = (cv::v_mul_wrap(a1, full - w1) + cv::v_mul_wrap(b1, w1) + half) >> 8;
        cv::v_store(out + x, cv::v_pack(r0, r1));
    }
#endif
    for (; x < n; ++x) out[x] = static_cast<uint8_t>((a[x] * (256 - w[x]) + b[x] * w[x] + 128) >> 8);
}

void upsampleRow(const float *g, int gw, int r, float *out, bool extrapolate) {
    if (r == 1) {
        std::memcpy(out, g, sizeof(float) * static_cast<size_t>(gw));
        return;
    }
    const int half = r / 2;
    const bool extend = extrapolate && gw > 1;
    for (int x = 0; x < half; ++x) out[x] = extend ? g[0] + ((x + 0.5f) / r - 0.5f) * (g[1] - g[0]) : g[0];
    float *o = out + half;
    if (r == 2) {
        for (int i = 0; i + 1 < gw; ++i, o += 2) {
            const float a = g[i], d = g[i + 1] - a;
            o[0] = a + 0.25f * d;
            o[1] = a + 0.75f * d;
        }
    } else {
        for (int i = 0; i + 1 < gw; ++i, o += 4) {
            const float a = g[i], d = g[i + 1] - a;
            o[0] = a + 0.125f * d;
            o[1] = a + 0.375f * d;
            o[2] = a + 0.625f * d;
            o[3] = a + 0.875f * d;
        }
    }
    for (int x = 0; x < half; ++x) o[x] = extend ? g[gw - 1] + ((half + x + 0.5f) / r - 0.5f) * (g[gw - 1] - g[gw - 2]) : g[gw - 1];
}

void upsampleFixedRow(const float *g, int gw, int r, int32_t *out) {
    if (r == 1) {
        int x = 0;
#if CV_SIMD128
        for (; x + 4 <= gw; x += 4) cv::v_store(out + x, cv::v_round(cv::v_load(g + x)));
#endif
        for (; x < gw; ++x) out[x] = cvRound(g[x]);
        return;
    }
    const int half = r / 2;
    // Past the outermost grid samples the row goes on straight (so an identity map stays one
    // to the frame's edges), held where it cannot overflow as fixedCoordinate holds it.
    auto beyond = [](float value) { return cvRound(std::min(std::max(value, -1.0e9f), 1.0e9f)); };
    const float first = gw > 1 ? g[1] - g[0] : 0.0f, last = gw > 1 ? g[gw - 1] - g[gw - 2] : 0.0f;
    for (int x = 0; x < half; ++x) out[x] = beyond(g[0] + ((x + 0.5f) / r - 0.5f) * first);
    int32_t *o = out + half;
    int i = 0;
#if CV_SIMD128
    if (r == 4) {
        const cv::v_float32x4 f(0.125f, 0.375f, 0.625f, 0.875f);
        for (; i + 1 < gw; ++i, o += 4) {
            cv::v_store(o, cv::v_round(cv::v_muladd(f, cv::v_setall_f32(g[i + 1] - g[i]), cv::v_setall_f32(g[i]))));
        }
    } else {
        const cv::v_float32x4 f(0.25f, 0.75f, 0.25f, 0.75f);
        for (; i + 2 < gw; i += 2, o += 4) {
            const float d0 = g[i + 1] - g[i], d1 = g[i + 2] - g[i + 1];
            cv::v_store(o, cv::v_round(cv::v_muladd(f, cv::v_float32x4(d0, d0, d1, d1), cv::v_float32x4(g[i], g[i], g[i + 1], g[i + 1]))));
        }
    }
#endif
    for (; i + 1 < gw; ++i) {
        for (int k = 0; k < r; ++k) *o++ = cvRound(g[i] + (k + 0.5f) / r * (g[i + 1] - g[i]));
    }
    for (int x = 0; x < half; ++x) o[x] = beyond(g[gw - 1] + ((half + x + 0.5f) / r - 0.5f) * last);
}

} // namespace ivk
