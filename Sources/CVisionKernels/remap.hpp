// The remap family's row kernels, shared by the renderer and the test hooks: one-channel 8-bit
// planes resampled at map coordinates in 1/32 pixel (as cv::convertMaps makes them),
// BORDER_REPLICATE. remap.simd.cpp holds the portable kernels (OpenCV's universal intrinsics),
// remap.avx2.cpp the AVX2 ones (the only file that includes the x86 intrinsics), and
// remap.dispatch.cpp picks between them at run time.
#pragma once

#include <opencv2/core.hpp>

#include <algorithm>
#include <cstdint>

namespace ivk {

// Bilinear weights for each 1/32 of a pixel both ways, summing to 2^10: top left, top right,
// bottom left, bottom right.
struct BilinearTable {
    alignas(16) int16_t weights[32 * 32][4];

    BilinearTable() {
        for (int fy = 0; fy < 32; ++fy) {
            for (int fx = 0; fx < 32; ++fx) {
                int16_t *w = weights[fy * 32 + fx];
                w[0] = static_cast<int16_t>((32 - fx) * (32 - fy));
                w[1] = static_cast<int16_t>(fx * (32 - fy));
                w[2] = static_cast<int16_t>((32 - fx) * fy);
                w[3] = static_cast<int16_t>(fx * fy);
            }
        }
    }
};

// Map coordinates in 1/32 pixel, rounded as cv::convertMaps rounds them. Values far outside
// any image (points behind the camera) are held where they cannot overflow: they only ever
// read the border.
inline int32_t fixedCoordinate(float v) { return cvRound(std::min(std::max(v * 32.0f, -1.0e9f), 1.0e9f)); }

// One bilinear sample at 1/32-pixel coordinates, BORDER_REPLICATE: the kernels' edge case.
inline uint8_t bilinearPixel(const cv::Mat &src, int32_t px, int32_t py) {
    static const BilinearTable table;
    const int w = src.cols, h = src.rows;
    const int16_t *weight = table.weights[((py & 31) << 5) | (px & 31)];
    const int sx = px >> 5, sy = py >> 5;
    const int x0 = std::clamp(sx, 0, w - 1), x1 = std::clamp(sx + 1, 0, w - 1);
    const uint8_t *r0 = src.ptr<uint8_t>(std::clamp(sy, 0, h - 1)), *r1 = src.ptr<uint8_t>(std::clamp(sy + 1, 0, h - 1));
    return static_cast<uint8_t>((weight[0] * r0[x0] + weight[1] * r0[x1] + weight[2] * r1[x0] + weight[3] * r1[x1] + 512) >> 10);
}

// A row of float map coordinates in 1/32 pixel (see fixedCoordinate), four at a time.
void fixedRow(const float *map, int32_t *out, int n);

// One row of cv::remap with INTER_LINEAR and BORDER_REPLICATE, for a one-channel 8-bit plane,
// at coordinates in 1/32 pixel (as cv::convertMaps makes them); the same results, several
// times as fast. Runs of eight pixels whose neighbourhoods are all inside the source are
// weighted in vectors (AVX2 where the CPU has it and `wide` allows, else baseline SIMD); the
// rest, at the borders, one by one.
void bilinearRow(const cv::Mat &src, const int32_t *mx, const int32_t *my, uint8_t *out, int n, bool wide = true);

// The portable part of bilinearRow, from pixel `x` on (the AVX2 kernel hands over where it stops).
void bilinearRowBaseline(const cv::Mat &src, const int32_t *mx, const int32_t *my, uint8_t *out, int n, int x);

// One row of cv::remap with INTER_CUBIC and BORDER_REPLICATE, for a one-channel 8-bit plane,
// at coordinates in 1/32 pixel, within one step of rounding of it: each pixel's 4 × 4
// neighbourhood is weighted with two multiply-add instructions when it is inside the source.
void bicubicRow(const cv::Mat &src, const int32_t *mx, const int32_t *my, uint8_t *out, int n);

// One row of `source` resampled by our fixed-point kernels at coordinates in 1/32 pixel:
// bilinear (`wide` lets it use AVX2 where the CPU has it) or bicubic.
void fixedKernelRow(const cv::Mat &source, int mode, const int32_t *fx, const int32_t *fy, uint8_t *out, int n, bool wide = true);

// One row of `source` resampled at float map coordinates `mx`, `my` (BORDER_REPLICATE):
// bilinear and bicubic by our fixed-point kernels (the coordinates rounded into `fx`, `fy`,
// scratch of n each; `wide` lets bilinear use AVX2 where the CPU has it), anything else by
// cv::remap.
void resampleRow(const cv::Mat &source, const float *mx, const float *my, int mode, int32_t *fx, int32_t *fy, uint8_t *out, int n, bool wide = true);

// Whether bilinearPairsRow can run on this CPU (AVX2).
bool pairedBilinearAvailable();

// Two interleaved planes (chroma as u0 v0 u1 v1 ..., `uv` is width × height pairs) resampled
// bilinearly with one fetch per pixel, exact as bilinearRow on each plane. Only where
// pairedBilinearAvailable() says so.
void bilinearPairsRow(const cv::Mat &uv, const int32_t *mx, const int32_t *my, uint8_t *outU, uint8_t *outV, int n);

#if defined(__x86_64__)
// The AVX2 kernels (remap.avx2.cpp): bilinearRow's vector part up to the last whole run of
// eight (returns where it stopped), and bilinearPairsRow.
__attribute__((target("avx2"))) int bilinearRowAVX2(const cv::Mat &src, const int32_t *mx, const int32_t *my, uint8_t *out, int n);
__attribute__((target("avx2"))) void bilinearRowUVAVX2(const cv::Mat &uv, const int32_t *mx, const int32_t *my, uint8_t *outU, uint8_t *outV, int n);
#endif

} // namespace ivk
