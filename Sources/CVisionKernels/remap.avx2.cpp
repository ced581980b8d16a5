// The remap family's AVX2 kernels, compiled for AVX2 by target attribute and called only where
// the CPU has it (see remap.dispatch.cpp). The only file that includes the x86 intrinsics.
#if defined(__x86_64__)
#include "remap.hpp"

#include <immintrin.h>

namespace ivk {

// Eight bilinear samples from 32-bit lanes holding each top-left pixel and its right-hand
// neighbour (and the same one row down) as two 16-bit halves, with `across` = (32 - fx, fx)
// and `down` = (32 - fy, fy) in the same halves: across, then down, rounded, as bytes.
__attribute__((target("avx2"))) inline __m128i bilinearLanes(__m256i topPair, __m256i bottomPair, __m256i across, __m256i down) {
    // Across: at most 255 · 32 per row, so the two rows pair up again in 16-bit halves.
    const __m256i rows = _mm256_or_si256(_mm256_madd_epi16(topPair, across), _mm256_slli_epi32(_mm256_madd_epi16(bottomPair, across), 16));
    const __m256i sum = _mm256_srai_epi32(_mm256_add_epi32(_mm256_madd_epi16(rows, down), _mm256_set1_epi32(512)), 10);
    const __m128i words = _mm_packs_epi32(_mm256_castsi256_si128(sum), _mm256_extracti128_si256(sum, 1));
    return _mm_packus_epi16(words, words);
}

// Eight 1/32-pixel coordinates loaded for the AVX2 kernels: the whole pixels, the weights
// across (32 - fx, fx) and down (32 - fy, fy) as 16-bit halves of each lane, and whether every
// top-left lies in [0, lastX] × [0, lastY] (else the run takes the one-by-one path).
struct CoordinateLanes {
    __m256i sx, sy, across, down;
    bool inside;
};

__attribute__((target("avx2"))) inline CoordinateLanes coordinateLanes(const int32_t *mx, const int32_t *my, int lastX, int lastY) {
    const __m256i px = _mm256_loadu_si256(reinterpret_cast<const __m256i *>(mx));
    const __m256i py = _mm256_loadu_si256(reinterpret_cast<const __m256i *>(my));
    const __m256i sx = _mm256_srai_epi32(px, 5), sy = _mm256_srai_epi32(py, 5), zero = _mm256_setzero_si256();
    const __m256i outside = _mm256_or_si256(_mm256_or_si256(_mm256_cmpgt_epi32(zero, sx), _mm256_cmpgt_epi32(sx, _mm256_set1_epi32(lastX))),
                                            _mm256_or_si256(_mm256_cmpgt_epi32(zero, sy), _mm256_cmpgt_epi32(sy, _mm256_set1_epi32(lastY))));
    const __m256i fraction = _mm256_set1_epi32(31), thirtyTwo = _mm256_set1_epi32(32);
    const __m256i fx = _mm256_and_si256(px, fraction), fy = _mm256_and_si256(py, fraction);
    return {sx, sy, _mm256_or_si256(_mm256_sub_epi32(thirtyTwo, fx), _mm256_slli_epi32(fx, 16)),
            _mm256_or_si256(_mm256_sub_epi32(thirtyTwo, fy), _mm256_slli_epi32(fy, 16)), static_cast<bool>(_mm256_testz_si256(outside, outside))};
}

// The bilinear row for CPUs with AVX2 (see bilinearRow): eight pixels at a time, their 2 × 2
// neighbourhoods fetched by two gathers (four bytes at each top-left and below it) and
// weighted in 32-bit lanes, across then down, with one multiply-add each way; the same
// integers as bilinearRow, so the same results.
__attribute__((target("avx2"))) int bilinearRowAVX2(const cv::Mat &src, const int32_t *mx, const int32_t *my, uint8_t *out, int n) {
    const uint8_t *data = src.data;
    const size_t stride = src.step;
    const int w = src.cols, h = src.rows;
    const __m256i low = _mm256_set1_epi32(0xFF), high = _mm256_set1_epi32(0xFF00), step = _mm256_set1_epi32(static_cast<int>(stride));
    int x = 0;
    for (; x + 8 <= n; x += 8) {
        // Four bytes are read at each top-left and below it: all inside the plane.
        const CoordinateLanes lanes = coordinateLanes(mx + x, my + x, w - 4, h - 2);
        if (!lanes.inside) {
            for (int k = 0; k < 8; ++k) out[x + k] = bilinearPixel(src, mx[x + k], my[x + k]);
            continue;
        }
        const __m256i offset = _mm256_add_epi32(_mm256_mullo_epi32(lanes.sy, step), lanes.sx);
        const __m256i top = _mm256_i32gather_epi32(reinterpret_cast<const int *>(data), offset, 1);
        const __m256i bottom = _mm256_i32gather_epi32(reinterpret_cast<const int *>(data + stride), offset, 1);
        // Each lane's left and right pixels as two 16-bit halves.
        const __m256i topPair = _mm256_or_si256(_mm256_and_si256(top, low), _mm256_slli_epi32(_mm256_and_si256(top, high), 8));
        const __m256i bottomPair = _mm256_or_si256(_mm256_and_si256(bottom, low), _mm256_slli_epi32(_mm256_and_si256(bottom, high), 8));
        _mm_storel_epi64(reinterpret_cast<__m128i *>(out + x), bilinearLanes(topPair, bottomPair, lanes.across, lanes.down));
    }
    return x;
}

// The same for chroma stored interleaved (u0 v0 u1 v1 ..., `uv` is width × height pairs):
// one pair of gathers serves both channels. Exact as bilinearRow on each plane.
__attribute__((target("avx2"))) void bilinearRowUVAVX2(const cv::Mat &uv, const int32_t *mx, const int32_t *my, uint8_t *outU, uint8_t *outV, int n) {
    const uint8_t *data = uv.data;
    const size_t stride = uv.step;
    const int w = uv.cols, h = uv.rows;
    auto pixel = [&](int32_t px, int32_t py, int channel) {
        const int sx = px >> 5, sy = py >> 5, fx = px & 31, fy = py & 31;
        const int x0 = std::clamp(sx, 0, w - 1), x1 = std::clamp(sx + 1, 0, w - 1);
        const uint8_t *r0 = uv.ptr<uint8_t>(std::clamp(sy, 0, h - 1)) + channel, *r1 = uv.ptr<uint8_t>(std::clamp(sy + 1, 0, h - 1)) + channel;
        const int upper = r0[2 * x0] * (32 - fx) + r0[2 * x1] * fx, lower = r1[2 * x0] * (32 - fx) + r1[2 * x1] * fx;
        return static_cast<uint8_t>((upper * (32 - fy) + lower * fy + 512) >> 10);
    };
    const __m256i evenBytes = _mm256_set1_epi32(0x00FF00FF), step = _mm256_set1_epi32(static_cast<int>(stride));
    int x = 0;
    for (; x + 8 <= n; x += 8) {
        // Four bytes (two pairs) are read at each top-left and below it: all inside the plane.
        const CoordinateLanes lanes = coordinateLanes(mx + x, my + x, w - 2, h - 2);
        if (!lanes.inside) {
            for (int k = 0; k < 8; ++k) {
                outU[x + k] = pixel(mx[x + k], my[x + k], 0);
                outV[x + k] = pixel(mx[x + k], my[x + k], 1);
            }
            continue;
        }
        const __m256i offset = _mm256_add_epi32(_mm256_mullo_epi32(lanes.sy, step), _mm256_slli_epi32(lanes.sx, 1));
        const __m256i top = _mm256_i32gather_epi32(reinterpret_cast<const int *>(data), offset, 1);
        const __m256i bottom = _mm256_i32gather_epi32(reinterpret_cast<const int *>(data + stride), offset, 1);
        const __m256i across = lanes.across, down = lanes.down;
        // [u0 v0 u1 v1]: the even bytes are u0, u1 as two 16-bit halves, the odd ones v0, v1.
        _mm_storel_epi64(reinterpret_cast<__m128i *>(outU + x),
                         bilinearLanes(_mm256_and_si256(top, evenBytes), _mm256_and_si256(bottom, evenBytes), across, down));
        _mm_storel_epi64(reinterpret_cast<__m128i *>(outV + x),
                         bilinearLanes(_mm256_and_si256(_mm256_srli_epi32(top, 8), evenBytes),
                                       _mm256_and_si256(_mm256_srli_epi32(bottom, 8), evenBytes), across, down));
    }
    for (; x < n; ++x) {
        outU[x] = pixel(mx[x], my[x], 0);
        outV[x] = pixel(mx[x], my[x], 1);
    }
}

} // namespace ivk
#endif
