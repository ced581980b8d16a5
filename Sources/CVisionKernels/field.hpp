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

// The splatted motion (d x, d y, trust, ... as splatMotion writes them) at (x, y), clamped to its
// edges: bilinear where the four pixels around move alike, and across a motion boundary (their
// trusted motions differ by more than `edge` flow pixels) the channels of the one that moves
// most, which splatting keeps in front. Blending across the boundary would hand the pixels
// along it motions between the two, sampling neither the thing nor what it covers but whatever
// lies between: a smeared, dotted outline around everything that moves on its own.
template <int N> inline void sampleMotionFront(const float *field, int w, int h, float x, float y, float edge, float out[N]) {
    x = std::clamp(x, 0.0f, static_cast<float>(w - 1));
    y = std::clamp(y, 0.0f, static_cast<float>(h - 1));
    const int x0 = static_cast<int>(x), y0 = static_cast<int>(y);
    const int dx = x0 < w - 1 ? N : 0;
    const size_t dy = y0 < h - 1 ? static_cast<size_t>(N) * w : 0;
    const float *p00 = field + N * (static_cast<size_t>(y0) * w + x0);
    const float *corner[4] = {p00, p00 + dx, p00 + dy, p00 + dy + dx};
    float lowX = corner[0][2] * corner[0][0], highX = lowX, lowY = corner[0][2] * corner[0][1], highY = lowY;
    int front = 0;
    float frontLength = lowX * lowX + lowY * lowY;
    for (int k = 1; k < 4; ++k) {
        const float mx = corner[k][2] * corner[k][0], my = corner[k][2] * corner[k][1];
        lowX = std::min(lowX, mx);
        highX = std::max(highX, mx);
        lowY = std::min(lowY, my);
        highY = std::max(highY, my);
        const float length = mx * mx + my * my;
        if (length > frontLength) {
            frontLength = length;
            front = k;
        }
    }
    if (highX - lowX <= edge && highY - lowY <= edge) {
        sampleChannels<N>(field, w, h, x, y, out);
        return;
    }
    for (int k = 0; k < N; ++k) out[k] = corner[front][k];
}

} // namespace ivk
