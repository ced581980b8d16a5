// Forward splatting of the flows both ways to an intermediate time (see splat.hpp).
#include "ivk_splat.h"

#include "plumbing.hpp"
#include "splat.hpp"

#include <vector>

using namespace ivk;

namespace ivk {

void splatMotion(const float *forward, const float *backward, const float *confidenceForward, const float *confidenceBackward, int width, int height,
                 float t, float *packed) {
    const size_t n = static_cast<size_t>(width) * height;
    std::fill(packed, packed + 3 * n, 0.0f);
    auto splat = [&](const float *flow, const float *confidence, float along, float sign, float timeWeight) {
        for (int y = 0; y < height; ++y) {
            for (int x = 0; x < width; ++x) {
                const size_t i = static_cast<size_t>(y) * width + x;
                const float c = confidence[i] * timeWeight;
                if (c < 1e-3f) continue;
                const float fx = flow[2 * i], fy = flow[2 * i + 1];
                const float qx = x + along * fx, qy = y + along * fy;
                int x0 = static_cast<int>(qx), y0 = static_cast<int>(qy);
                x0 -= static_cast<float>(x0) > qx;
                y0 -= static_cast<float>(y0) > qy;
                const float ax = qx - x0, ay = qy - y0, dx = sign * fx, dy = sign * fy;
                const float weights[4] = {c * (1 - ax) * (1 - ay), c * ax * (1 - ay), c * (1 - ax) * ay, c * ax * ay};
                if (x0 >= 0 && y0 >= 0 && x0 < width - 1 && y0 < height - 1) {
                    float *p = packed + 3 * (static_cast<size_t>(y0) * width + x0), *q = p + 3 * static_cast<size_t>(width);
                    float *targets[4] = {p, p + 3, q, q + 3};
                    for (int k = 0; k < 4; ++k) {
                        targets[k][0] += weights[k] * dx;
                        targets[k][1] += weights[k] * dy;
                        targets[k][2] += weights[k];
                    }
                    continue;
                }
                for (int k = 0; k < 4; ++k) {
                    const int tx = x0 + (k & 1), ty = y0 + (k >> 1);
                    if (tx < 0 || ty < 0 || tx >= width || ty >= height) continue;
                    float *target = packed + 3 * (static_cast<size_t>(ty) * width + tx);
                    target[0] += weights[k] * dx;
                    target[1] += weights[k] * dy;
                    target[2] += weights[k];
                }
            }
        }
    };
    splat(forward, confidenceForward, t, 1.0f, 1 - t + 1e-3f);
    splat(backward, confidenceBackward, 1 - t, -1.0f, t + 1e-3f);
    for (size_t j = 0; j < n; ++j) {
        float *p = packed + 3 * j;
        const float w = p[2];
        if (w > 1e-4f) {
            p[0] /= w;
            p[1] /= w;
        }
        const float r = std::clamp((w - 0.15f) / 0.35f, 0.0f, 1.0f);
        p[2] = r * r * (3 - 2 * r);
    }
}

} // namespace ivk

extern "C" {

int32_t ivk_intermediate_flow(const float *forward, const float *backward, const float *confidence_forward, const float *confidence_backward,
                              int32_t width, int32_t height, float t, float *to_start, float *to_end, float *trust) {
    if (forward == nullptr || backward == nullptr || confidence_forward == nullptr || confidence_backward == nullptr || to_start == nullptr ||
        to_end == nullptr || trust == nullptr || width <= 1 || height <= 1) {
        return IVK_EINVAL;
    }
    return guarded([&] {
        const size_t n = static_cast<size_t>(width) * height;
        std::vector<float> packed(3 * n);
        splatMotion(forward, backward, confidence_forward, confidence_backward, width, height, t, packed.data());
        for (size_t j = 0; j < n; ++j) {
            const float dx = packed[3 * j], dy = packed[3 * j + 1];
            to_start[2 * j] = -t * dx;
            to_start[2 * j + 1] = -t * dy;
            to_end[2 * j] = (1 - t) * dx;
            to_end[2 * j + 1] = (1 - t) * dy;
            trust[j] = packed[3 * j + 2];
        }
        return IVK_OK;
    });
}

} // extern "C"
