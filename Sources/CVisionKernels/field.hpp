// Bilinear sampling of interleaved float fields (flows, splatted motion), clamped to their edges.
#pragma once

#include <algorithm>
#include <cstddef>

namespace ivk {

// Bilinear sample of a two-channel float field at (x, y), clamped to its edges.
inline void sample2(const float *field, int w, int h, float x, float y, float &outX, float &outY) {
    x = std::clamp(x, 0.0f, static_cast<float>(w - 1));
    y = std::clamp(y, 0.0f, static_cast<float>(h - 1));
    int x0 = static_cast<int>(x), y0 = static_cast<int>(y);
    int x1 = std::min(x0 + 1, w - 1), y1 = std::min(y0 + 1, h - 1);
    float fx = x - x0, fy = y - y0;
    const float *p00 = field + 2 * (y0 * w + x0), *p10 = field + 2 * (y0 * w + x1);
    const float *p01 = field + 2 * (y1 * w + x0), *p11 = field + 2 * (y1 * w + x1);
    outX = (1 - fy) * ((1 - fx) * p00[0] + fx * p10[0]) + fy * ((1 - fx) * p01[0] + fx * p11[0]);
    outY = (1 - fy) * ((1 - fx) * p00[1] + fx * p10[1]) + fy * ((1 - fx) * p01[1] + fx * p11[1]);
}

// Bilinear sample of the `N` interleaved channels of `field` (as splatMotion writes them) at
// (x, y), clamped to its edges: one set of weights for all channels.
template <int N> inline void sampleChannels(const float *field, int w, int h, float x, float y, float out[N]) {
    x = std::clamp(x, 0.0f, static_cast<float>(w - 1));
    y = std::clamp(y, 0.0f, static_cast<float>(h - 1));
    const int x0 = static_cast<int>(x), y0 = static_cast<int>(y);
    const int dx = x0 < w - 1 ? N : 0;
    const size_t dy = y0 < h - 1 ? static_cast<size_t>(N) * w : 0;
    const float fx = x - x0, fy = y - y0;
    const float w00 = (1 - fx) * (1 - fy), w10 = fx * (1 - fy), w01 = (1 - fx) * fy, w11 = fx * fy;
    const float *p00 = field + N * (static_cast<size_t>(y0) * w + x0);
    const float *p10 = p00 + dx, *p01 = p00 + dy, *p11 = p01 + dx;
    for (int k = 0; k < N; ++k) out[k] = w00 * p00[k] + w10 * p10[k] + w01 * p01[k] + w11 * p11[k];
}

} // namespace ivk
