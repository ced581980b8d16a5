// Forward splatting of the flows both ways to an intermediate time (see splat.hpp).
#include "ivk_splat.h"

#include "plumbing.hpp"
#include "splat.hpp"

#include <algorithm>
#include <cmath>
#include <vector>

using namespace ivk;

namespace ivk {

namespace {

// Drops a sample that lands at (qx, qy) onto the four pixels around it, bilinearly: `add`
// receives each pixel inside the width × height field (its index) and its weight.
template <typename Add> inline void landBilinearly(float qx, float qy, int width, int height, Add add) {
    int x0 = static_cast<int>(qx), y0 = static_cast<int>(qy);
    x0 -= static_cast<float>(x0) > qx;
    y0 -= static_cast<float>(y0) > qy;
    const float ax = qx - x0, ay = qy - y0;
    const float bilinear[4] = {(1 - ax) * (1 - ay), ax * (1 - ay), (1 - ax) * ay, ax * ay};
    for (int k = 0; k < 4; ++k) {
        const int tx = x0 + (k & 1), ty = y0 + (k >> 1);
        if (tx < 0 || ty < 0 || tx >= width || ty >= height) continue;
        add(static_cast<size_t>(ty) * width + tx, bilinear[k]);
    }
}

} // namespace

void splatMotion(const float *forward, const float *backward, const float *confidenceForward, const float *confidenceBackward, int width, int height,
                 float t, float depth, float *packed) {
    const size_t n = static_cast<size_t>(width) * height;
    // Per pixel: the depth- and time-weighted sums of d and of the weights, the confident
    // weight from both sources (for the trust), and what each source sees.
    constexpr int sums = 6;
    thread_local std::vector<float> accumulator;
    accumulator.assign(sums * n, 0.0f);
    float *acc = accumulator.data();
    // exp(depth · |d|) with |d| held under 30 flow pixels, so the sums stay finite.
    const float lengthLimit = 30.0f;
    auto splat = [&](const float *flow, const float *confidence, float along, float sign, float timeWeight) {
        for (int y = 0; y < height; ++y) {
            for (int x = 0; x < width; ++x) {
                const size_t i = static_cast<size_t>(y) * width + x;
                const float c = confidence[i];
                if (c * timeWeight < 1e-3f) continue;
                const float fx = flow[2 * i], fy = flow[2 * i + 1], dx = sign * fx, dy = sign * fy;
                const float z = depth > 0 ? std::exp(depth * std::min(std::sqrt(fx * fx + fy * fy), lengthLimit)) : 1.0f;
                landBilinearly(x + along * fx, y + along * fy, width, height, [&](size_t j, float bilinear) {
                    float *target = acc + sums * j;
                    const float seen = c * bilinear, weight = seen * timeWeight * z;
                    target[0] += weight * dx;
                    target[1] += weight * dy;
                    target[2] += weight;
                    target[3] += seen;
                });
            }
        }
    };
    // What each source sees: every pixel counts, confident or not, landing where its motion
    // scaled by its confidence takes it, so a source is taken to miss a spot only where its
    // pixels are known to have gone elsewhere.
    auto see = [&](const float *flow, const float *confidence, float along, int side) {
        for (int y = 0; y < height; ++y) {
            for (int x = 0; x < width; ++x) {
                const size_t i = static_cast<size_t>(y) * width + x;
                const float step = along * confidence[i];
                landBilinearly(x + step * flow[2 * i], y + step * flow[2 * i + 1], width, height,
                               [&](size_t j, float bilinear) { acc[sums * j + 4 + side] += bilinear; });
            }
        }
    };
    splat(forward, confidenceForward, t, 1.0f, 1 - t + 1e-3f);
    splat(backward, confidenceBackward, 1 - t, -1.0f, t + 1e-3f);
    see(forward, confidenceForward, t, 0);
    see(backward, confidenceBackward, 1 - t, 1);
    for (size_t j = 0; j < n; ++j) {
        const float *a = acc + sums * j;
        float *p = packed + splatChannels * j;
        const float w = a[2];
        p[0] = w > 0 ? a[0] / w : 0.0f;
        p[1] = w > 0 ? a[1] / w : 0.0f;
        const float r = std::clamp((a[3] - 0.15f) / 0.35f, 0.0f, 1.0f);
        p[2] = r * r * (3 - 2 * r);
        p[3] = std::min(a[4], 1.0f);
        p[4] = std::min(a[5], 1.0f);
    }
}

} // namespace ivk

extern "C" {

int32_t ivk_intermediate_flow(const float *forward, const float *backward, const float *confidence_forward, const float *confidence_backward,
                              int32_t width, int32_t height, float t, float depth, float *to_start, float *to_end, float *trust) {
    if (forward == nullptr || backward == nullptr || confidence_forward == nullptr || confidence_backward == nullptr || to_start == nullptr ||
        to_end == nullptr || trust == nullptr || width <= 1 || height <= 1 || depth < 0) {
        return IVK_EINVAL;
    }
    return guarded([&] {
        const size_t n = static_cast<size_t>(width) * height;
        std::vector<float> packed(splatChannels * n);
        splatMotion(forward, backward, confidence_forward, confidence_backward, width, height, t, depth, packed.data());
        for (size_t j = 0; j < n; ++j) {
            const float dx = packed[splatChannels * j], dy = packed[splatChannels * j + 1];
            to_start[2 * j] = -t * dx;
            to_start[2 * j + 1] = -t * dy;
            to_end[2 * j] = (1 - t) * dx;
            to_end[2 * j + 1] = (1 - t) * dy;
            trust[j] = packed[splatChannels * j + 2];
        }
        return IVK_OK;
    });
}

} // extern "C"
