// The remap family's portable kernels, in OpenCV's universal intrinsics (baseline SIMD).
#include "remap.hpp"

#include <opencv2/core/hal/intrin.hpp>

#include <cmath>
#include <cstring>

namespace ivk {

void fixedRow(const float *map, int32_t *out, int n) {
    int x = 0;
#if CV_SIMD128
    const cv::v_float32x4 scale = cv::v_setall_f32(32.0f), low = cv::v_setall_f32(-1.0e9f), high = cv::v_setall_f32(1.0e9f);
    for (; x + 4 <= n; x += 4) cv::v_store(out + x, cv::v_round(cv::v_min(cv::v_max(cv::v_load(map + x) * scale, low), high)));
#endif
    for (; x < n; ++x) out[x] = fixedCoordinate(map[x]);
}

// The bilinear row from pixel `x` on in baseline SIMD (see bilinearRow): runs of eight pixels
// whose neighbourhoods are all inside the source are weighted in vectors, the rest, at the
// borders, one by one.
void bilinearRowBaseline(const cv::Mat &src, const int32_t *mx, const int32_t *my, uint8_t *out, int n, int x) {
    const int w = src.cols, h = src.rows;
    const size_t stride = src.step;
    auto pixel = [&src](int32_t px, int32_t py) { return bilinearPixel(src, px, py); };
#if CV_SIMD128
    // Separably, in integers, which is exact: each row pair is weighted across by fx (in
    // 16 bits), then the two rows down by fy (in 32, one multiply-add per pixel).
    const cv::v_int32x4 lowest = cv::v_setall_s32(-1), rightmost = cv::v_setall_s32(w - 1), bottom = cv::v_setall_s32(h - 1);
    const cv::v_int32x4 fractionMask = cv::v_setall_s32(31), half = cv::v_setall_s32(512);
    const cv::v_int16x8 thirtyTwo = cv::v_setall_s16(32), byteMask = cv::v_setall_s16(255);
    for (; x + 8 <= n; x += 8) {
        const cv::v_int32x4 px0 = cv::v_load(mx + x), px1 = cv::v_load(mx + x + 4), py0 = cv::v_load(my + x), py1 = cv::v_load(my + x + 4);
        const cv::v_int32x4 sx0 = px0 >> 5, sx1 = px1 >> 5, sy0 = py0 >> 5, sy1 = py1 >> 5;
        if (!cv::v_check_all((sx0 > lowest) & (sx0 < rightmost) & (sx1 > lowest) & (sx1 < rightmost) & (sy0 > lowest) & (sy0 < bottom) &
                             (sy1 > lowest) & (sy1 < bottom))) {
            for (int k = 0; k < 8; ++k) out[x + k] = pixel(mx[x + k], my[x + k]);
            continue;
        }
        alignas(16) int32_t sxs[8], sys[8];
        cv::v_store_aligned(sxs, sx0);
        cv::v_store_aligned(sxs + 4, sx1);
        cv::v_store_aligned(sys, sy0);
        cv::v_store_aligned(sys + 4, sy1);
        uint16_t tops[8], bottoms[8];
        for (int k = 0; k < 8; ++k) {
            const uint8_t *p = src.data + static_cast<size_t>(sys[k]) * stride + sxs[k];
            std::memcpy(&tops[k], p, 2);
            std::memcpy(&bottoms[k], p + stride, 2);
        }
        const cv::v_int16x8 fx = cv::v_pack(px0 & fractionMask, px1 & fractionMask), fy = cv::v_pack(py0 & fractionMask, py1 & fractionMask);
        // Built in registers (a store and a wider reload would stall store forwarding).
        const cv::v_int16x8 top = cv::v_reinterpret_as_s16(cv::v_uint16x8(tops[0], tops[1], tops[2], tops[3], tops[4], tops[5], tops[6], tops[7]));
        const cv::v_int16x8 low =
            cv::v_reinterpret_as_s16(cv::v_uint16x8(bottoms[0], bottoms[1], bottoms[2], bottoms[3], bottoms[4], bottoms[5], bottoms[6], bottoms[7]));
        // Little-endian: the left pixel is the low byte.
        const cv::v_int16x8 topLeft = top & byteMask, topRight = cv::v_reinterpret_as_s16(cv::v_reinterpret_as_u16(top) >> 8);
        const cv::v_int16x8 lowLeft = low & byteMask, lowRight = cv::v_reinterpret_as_s16(cv::v_reinterpret_as_u16(low) >> 8);
        const cv::v_int16x8 across = thirtyTwo - fx;
        // At most 255 · 32 each, so 16 bits never wrap.
        const cv::v_int16x8 upper = cv::v_mul_wrap(topLeft, across) + cv::v_mul_wrap(topRight, fx);
        const cv::v_int16x8 lower = cv::v_mul_wrap(lowLeft, across) + cv::v_mul_wrap(lowRight, fx);
        cv::v_int16x8 rows0, rows1, weights0, weights1;
        cv::v_zip(upper, lower, rows0, rows1);
        cv::v_zip(thirtyTwo - fy, fy, weights0, weights1);
        const cv::v_int32x4 sum0 = (cv::v_dotprod(rows0, weights0) + half) >> 10, sum1 = (cv::v_dotprod(rows1, weights1) + half) >> 10;
        cv::v_pack_u_store(out + x, cv::v_pack(sum0, sum1));
    }
#endif
    for (; x < n; ++x) out[x] = pixel(mx[x], my[x]);
}

// Keys' cubic convolution (a = -0.75, as OpenCV's INTER_CUBIC) for each 1/32 of a pixel
// both ways: the 4 × 4 weights of each fraction pair, scaled to sum to 2^14.
struct BicubicTable {
    alignas(16) int16_t weights[32 * 32][16];

    BicubicTable() {
        const float a = -0.75f;
        float taps[32][4];
        for (int i = 0; i < 32; ++i) {
            const float f = i / 32.0f, f1 = f + 1, g = 1 - f, g1 = 2 - f;
            taps[i][0] = ((a * f1 - 5 * a) * f1 + 8 * a) * f1 - 4 * a;
            taps[i][1] = ((a + 2) * f - (a + 3)) * f * f + 1;
            taps[i][2] = ((a + 2) * g - (a + 3)) * g * g + 1;
            taps[i][3] = ((a * g1 - 5 * a) * g1 + 8 * a) * g1 - 4 * a;
        }
        for (int fy = 0; fy < 32; ++fy) {
            for (int fx = 0; fx < 32; ++fx) {
                int16_t *w = weights[fy * 32 + fx];
                int sum = 0, largest = 0;
                for (int k = 0; k < 16; ++k) {
                    w[k] = static_cast<int16_t>(std::lrint(taps[fy][k / 4] * taps[fx][k % 4] * 16384.0f));
                    sum += w[k];
                    if (w[k] > w[largest]) largest = k;
                }
                w[largest] = static_cast<int16_t>(w[largest] + 16384 - sum);
            }
        }
    }
};

void bicubicRow(const cv::Mat &src, const int32_t *mx, const int32_t *my, uint8_t *out, int n) {
    static const BicubicTable table;
    const int w = src.cols, h = src.rows;
    const size_t stride = src.step;
    for (int x = 0; x < n; ++x) {
        const int sx = (mx[x] >> 5) - 1, sy = (my[x] >> 5) - 1;
        const int16_t *weight = table.weights[((my[x] & 31) << 5) | (mx[x] & 31)];
        int sum = 0;
#if CV_SIMD128
        if (static_cast<unsigned>(sx) < static_cast<unsigned>(w - 3) && static_cast<unsigned>(sy) < static_cast<unsigned>(h - 3)) {
            const uint8_t *p = src.data + static_cast<size_t>(sy) * stride + sx;
            uint32_t r0, r1, r2, r3;
            std::memcpy(&r0, p, 4);
            std::memcpy(&r1, p + stride, 4);
            std::memcpy(&r2, p + 2 * stride, 4);
            std::memcpy(&r3, p + 3 * stride, 4);
            cv::v_uint16x8 low, high;
            cv::v_expand(cv::v_reinterpret_as_u8(cv::v_uint32x4(r0, r1, r2, r3)), low, high);
            sum = cv::v_reduce_sum(cv::v_dotprod(cv::v_reinterpret_as_s16(low), cv::v_load(weight)) +
                                   cv::v_dotprod(cv::v_reinterpret_as_s16(high), cv::v_load(weight + 8)));
        } else
#endif
        {
            int xs[4];
            for (int k = 0; k < 4; ++k) xs[k] = std::clamp(sx + k, 0, w - 1);
            for (int r = 0; r < 4; ++r) {
                const uint8_t *row = src.ptr<uint8_t>(std::clamp(sy + r, 0, h - 1));
                for (int c = 0; c < 4; ++c) sum += weight[4 * r + c] * row[xs[c]];
            }
        }
        out[x] = static_cast<uint8_t>(std::clamp((sum + (1 << 13)) >> 14, 0, 255));
    }
}

} // namespace ivk
