// The OpenCV side of CVisionKernels.h. Each function wraps one OpenCV call (or one tight
// pixel loop) and converts exceptions into error codes; no policy lives here.

#include "CVisionKernels.h"

#include <opencv2/calib3d.hpp>
#include <opencv2/core.hpp>
#include <opencv2/core/hal/intrin.hpp>
#include <opencv2/features2d.hpp>
#include <opencv2/imgproc.hpp>

#include <algorithm>
#if defined(__x86_64__)
#include <immintrin.h>
#endif
#include <cmath>
#include <cstring>
#include <limits>
#include <string>
#include <vector>

namespace {

thread_local std::string lastError;

cv::Mat wrap(const IVKImage *image) {
    int type = CV_8UC(image->channels);
    return cv::Mat(image->height, image->width, type, image->data, static_cast<size_t>(image->stride));
}

bool valid(const IVKImage *image, int channels) {
    return image != nullptr && image->data != nullptr && image->width > 0 && image->height > 0 &&
           (channels == 0 || image->channels == channels) && image->channels > 0 && image->channels <= 4 &&
           image->stride >= image->width * image->channels;
}

int cvInterpolation(IVKInterpolation interpolation) {
    switch (interpolation) {
    case IVK_INTERP_NEAREST: return cv::INTER_NEAREST;
    case IVK_INTERP_BILINEAR: return cv::INTER_LINEAR;
    case IVK_INTERP_BICUBIC: return cv::INTER_CUBIC;
    case IVK_INTERP_AREA: return cv::INTER_AREA;
    case IVK_INTERP_LANCZOS: return cv::INTER_LANCZOS4;
    }
    return cv::INTER_LINEAR;
}

template <typename Body> int32_t guarded(Body body) {
    try {
        lastError.clear();
        return body();
    } catch (const cv::Exception &error) {
        lastError = error.what();
        return IVK_EOPENCV;
    } catch (const std::exception &error) {
        lastError = error.what();
        return IVK_EOPENCV;
    }
}

// Mutual nearest neighbours that also pass the ratio test, from a to b.
void ratioMatches(const cv::Mat &from, const cv::Mat &to, float ratio, std::vector<int> &best) {
    cv::BFMatcher matcher(cv::NORM_HAMMING);
    std::vector<std::vector<cv::DMatch>> knn;
    matcher.knnMatch(from, to, knn, 2);
    best.assign(from.rows, -1);
    for (const auto &pair : knn) {
        if (pair.size() == 2 && pair[0].distance < ratio * pair[1].distance) {
            best[pair[0].queryIdx] = pair[0].trainIdx;
        } else if (pair.size() == 1) {
            best[pair[0].queryIdx] = pair[0].trainIdx;
        }
    }
}

} // namespace

extern "C" {

int32_t ivk_gray_resized(const IVKImage *src, IVKImage *dst) {
    if (!valid(src, 3) || !valid(dst, 1)) return IVK_EINVAL;
    return guarded([&] {
        cv::Mat gray;
        cv::cvtColor(wrap(src), gray, cv::COLOR_RGB2GRAY);
        cv::Mat out = wrap(dst);
        if (gray.cols == out.cols && gray.rows == out.rows) {
            gray.copyTo(out);
        } else {
            bool shrinking = out.cols < gray.cols;
            cv::resize(gray, out, out.size(), 0, 0, shrinking ? cv::INTER_AREA : cv::INTER_LINEAR);
        }
        return IVK_OK;
    });
}

int32_t ivk_match_features(const IVKImage *gray_a, const IVKImage *gray_b, int32_t max_features,
                           float ratio, float *points_a, float *points_b, int32_t capacity,
                           int32_t *count) {
    if (!valid(gray_a, 1) || !valid(gray_b, 1) || points_a == nullptr || points_b == nullptr ||
        count == nullptr || capacity < 0 || max_features <= 0) {
        return IVK_EINVAL;
    }
    return guarded([&] {
        *count = 0;
        auto orb = cv::ORB::create(max_features, 1.2f, 8, 31, 0, 2, cv::ORB::HARRIS_SCORE, 31, 12);
        std::vector<cv::KeyPoint> keysA, keysB;
        cv::Mat descA, descB;
        orb->detectAndCompute(wrap(gray_a), cv::noArray(), keysA, descA);
        orb->detectAndCompute(wrap(gray_b), cv::noArray(), keysB, descB);
        if (descA.rows < 2 || descB.rows < 2) return IVK_OK;
        std::vector<int> forward, backward;
        ratioMatches(descA, descB, ratio, forward);
        ratioMatches(descB, descA, ratio, backward);
        int32_t n = 0;
        for (size_t i = 0; i < forward.size() && n < capacity; ++i) {
            int j = forward[i];
            if (j < 0 || backward[j] != static_cast<int>(i)) continue;
            points_a[2 * n] = keysA[i].pt.x;
            points_a[2 * n + 1] = keysA[i].pt.y;
            points_b[2 * n] = keysB[j].pt.x;
            points_b[2 * n + 1] = keysB[j].pt.y;
            ++n;
        }
        *count = n;
        return IVK_OK;
    });
}

int32_t ivk_estimate_transform(const float *points_a, const float *points_b, int32_t count,
                               IVKTransformModel model, double reprojection_threshold,
                               int32_t max_iterations, double matrix[9], uint8_t *inliers,
                               int32_t *inlier_count) {
    if (points_a == nullptr || points_b == nullptr || matrix == nullptr || inlier_count == nullptr ||
        count < 0) {
        return IVK_EINVAL;
    }
    return guarded([&] {
        *inlier_count = 0;
        int needed = model == IVK_MODEL_HOMOGRAPHY ? 4 : (model == IVK_MODEL_AFFINE ? 3 : 2);
        if (count < needed) return IVK_OK;
        std::vector<cv::Point2f> a(count), b(count);
        for (int32_t i = 0; i < count; ++i) {
            a[i] = cv::Point2f(points_a[2 * i], points_a[2 * i + 1]);
            b[i] = cv::Point2f(points_b[2 * i], points_b[2 * i + 1]);
        }
        cv::Mat mask, m;
        switch (model) {
        case IVK_MODEL_HOMOGRAPHY:
            // USAC with MAGSAC++ scoring; its random state is fixed, so results repeat.
            m = cv::findHomography(a, b, cv::USAC_MAGSAC, reprojection_threshold, mask, max_iterations, 0.999);
            break;
        case IVK_MODEL_AFFINE:
            m = cv::estimateAffine2D(a, b, mask, cv::RANSAC, reprojection_threshold, max_iterations, 0.999, 10);
            break;
        case IVK_MODEL_SIMILARITY:
            m = cv::estimateAffinePartial2D(a, b, mask, cv::RANSAC, reprojection_threshold, max_iterations, 0.999, 10);
            break;
        }
        if (m.empty()) return IVK_OK;
        m.convertTo(m, CV_64F);
        for (int r = 0; r < 3; ++r) {
            for (int c = 0; c < 3; ++c) {
                matrix[3 * r + c] = r < m.rows ? m.at<double>(r, c) : (r == c ? 1.0 : 0.0);
            }
        }
        int32_t n = 0;
        for (int32_t i = 0; i < count; ++i) {
            uint8_t in = (!mask.empty() && mask.at<uchar>(i) != 0) ? 1 : 0;
            if (inliers != nullptr) inliers[i] = in;
            n += in;
        }
        *inlier_count = n;
        return IVK_OK;
    });
}

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

int32_t ivk_render_yuv_batch(const IVKPlanes *a, const IVKPlanes *b, const IVKFrameMotion *motions, int32_t count,
                             IVKInterpolation interpolation, IVKPlanes *dsts) {
    if (motions == nullptr || dsts == nullptr || count < 0) return IVK_EINVAL;
    std::vector<int32_t> results(static_cast<size_t>(count), IVK_OK);
    // OpenCV runs parallel regions nested in a parallel_for_ serially, so each frame is drawn
    // on one thread: no per-stage synchronisation, and no straggler waits when the encoder
    // shares the cores.
    cv::parallel_for_(cv::Range(0, count), [&](const cv::Range &range) {
        for (int i = range.start; i < range.end; ++i) {
            results[static_cast<size_t>(i)] = ivk_render_yuv(a, b, &motions[i], interpolation, &dsts[i]);
        }
    });
    for (int32_t result : results) {
        if (result != IVK_OK) return result;
    }
    return IVK_OK;
}

const char *ivk_last_error(void) { return lastError.c_str(); }

} // extern "C"

// ---------------------------------------------------------------------------------------
// YUV, flow and the frame renderer.

#include <opencv2/video/tracking.hpp>

namespace {

bool validPlanes(const IVKPlanes *p) {
    return p != nullptr && p->y != nullptr && p->u != nullptr && p->v != nullptr && p->width > 1 && p->height > 1 &&
           p->width % 2 == 0 && p->height % 2 == 0;
}

struct PlaneMats {
    cv::Mat y, u, v;
    explicit PlaneMats(const IVKPlanes *p)
        : y(p->height, p->width, CV_8UC1, p->y), u(p->height / 2, p->width / 2, CV_8UC1, p->u),
          v(p->height / 2, p->width / 2, CV_8UC1, p->v) {}
};

inline uint8_t clampByte(float value) { return static_cast<uint8_t>(std::clamp(value + 0.5f, 0.0f, 255.0f)); }

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

// A row of float map coordinates in 1/32 pixel (see fixedCoordinate), four at a time.
void fixedRow(const float *map, int32_t *out, int n) {
    int x = 0;
#if CV_SIMD128
    const cv::v_float32x4 scale = cv::v_setall_f32(32.0f), low = cv::v_setall_f32(-1.0e9f), high = cv::v_setall_f32(1.0e9f);
    for (; x + 4 <= n; x += 4) cv::v_store(out + x, cv::v_round(cv::v_min(cv::v_max(cv::v_load(map + x) * scale, low), high)));
#endif
    for (; x < n; ++x) out[x] = fixedCoordinate(map[x]);
}

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

#if defined(__x86_64__)
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
    const __m256i outside =
        _mm256_or_si256(_mm256_or_si256(_mm256_cmpgt_epi32(zero, sx), _mm256_cmpgt_epi32(sx, _mm256_set1_epi32(lastX))),
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
__attribute__((target("avx2"))) void bilinearRowUVAVX2(const cv::Mat &uv, const int32_t *mx, const int32_t *my, uint8_t *outU, uint8_t *outV,
                                                       int n) {
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
        _mm_storel_epi64(
            reinterpret_cast<__m128i *>(outV + x),
            bilinearLanes(_mm256_and_si256(_mm256_srli_epi32(top, 8), evenBytes), _mm256_and_si256(_mm256_srli_epi32(bottom, 8), evenBytes),
                          across, down));
    }
    for (; x < n; ++x) {
        outU[x] = pixel(mx[x], my[x], 0);
        outV[x] = pixel(mx[x], my[x], 1);
    }
}

const bool hasAVX2 = __builtin_cpu_supports("avx2");
#endif

// One row of cv::remap with INTER_LINEAR and BORDER_REPLICATE, for a one-channel 8-bit plane,
// at coordinates in 1/32 pixel (as cv::convertMaps makes them); the same results, several
// times as fast. Runs of eight pixels whose neighbourhoods are all inside the source are
// weighted in vectors (AVX2 where the CPU has it and `wide` allows, else baseline SIMD); the
// rest, at the borders, one by one.
void bilinearRow(const cv::Mat &src, const int32_t *mx, const int32_t *my, uint8_t *out, int n, bool wide = true) {
    const int w = src.cols, h = src.rows;
    const size_t stride = src.step;
    auto pixel = [&src](int32_t px, int32_t py) { return bilinearPixel(src, px, py); };
    int x = 0;
#if defined(__x86_64__)
    if (hasAVX2 && wide) {
        x = bilinearRowAVX2(src, mx, my, out, n);
    }
#endif
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
        const cv::v_int16x8 top = cv::v_reinterpret_as_s16(
            cv::v_uint16x8(tops[0], tops[1], tops[2], tops[3], tops[4], tops[5], tops[6], tops[7]));
        const cv::v_int16x8 low = cv::v_reinterpret_as_s16(
            cv::v_uint16x8(bottoms[0], bottoms[1], bottoms[2], bottoms[3], bottoms[4], bottoms[5], bottoms[6], bottoms[7]));
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

// One row of cv::remap with INTER_CUBIC and BORDER_REPLICATE, for a one-channel 8-bit plane,
// at coordinates in 1/32 pixel, within one step of rounding of it: each pixel's 4 × 4
// neighbourhood is weighted with two multiply-add instructions when it is inside the source.
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

// One row of `source` resampled by our fixed-point kernels at coordinates in 1/32 pixel:
// bilinear (`wide` lets it use AVX2 where the CPU has it) or bicubic.
void fixedKernelRow(const cv::Mat &source, int mode, const int32_t *fx, const int32_t *fy, uint8_t *out, int n, bool wide = true) {
    if (mode == cv::INTER_LINEAR) {
        bilinearRow(source, fx, fy, out, n, wide);
    } else {
        bicubicRow(source, fx, fy, out, n);
    }
}

// One row of `source` resampled at float map coordinates `mx`, `my` (BORDER_REPLICATE):
// bilinear and bicubic by our fixed-point kernels (the coordinates rounded into `fx`, `fy`,
// scratch of n each; `wide` lets bilinear use AVX2 where the CPU has it), anything else by
// cv::remap.
void resampleRow(const cv::Mat &source, const float *mx, const float *my, int mode, int32_t *fx, int32_t *fy, uint8_t *out, int n,
                 bool wide = true) {
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

// Blend weights 0...1 in 1/256, rounded.
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

// out = (a·(256 - w) + b·w + 128) / 256, w the end's weight in 1/256 (see weightRow): a convex
// blend, at most 255 · 256 + 128, so unsigned 16-bit lanes hold it, sixteen pixels at a time.
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

// A grid row upsampled by r (1, 2 or 4) into out (r · gw samples), aligned as cv::resize's
// INTER_LINEAR aligns them: out[x] reads the grid at (x + 0.5) / r - 0.5, held at both ends.
// The r outputs between two grid samples are fixed fractions of the way, so each interval is
// one multiply-add on a short vector.
void upsampleRow(const float *g, int gw, int r, float *out) {
    if (r == 1) {
        std::memcpy(out, g, sizeof(float) * static_cast<size_t>(gw));
        return;
    }
    const int half = r / 2;
    for (int x = 0; x < half; ++x) out[x] = g[0];
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
    for (int x = 0; x < half; ++x) o[x] = g[gw - 1];
}

// As upsampleRow, for coordinates already in 1/32 pixel, rounded to integers (as fixedRow
// rounds): the fixed-point coordinates of one row straight from the grid.
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
    for (int x = 0; x < half; ++x) out[x] = cvRound(g[0]);
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
    for (int x = 0; x < half; ++x) o[x] = cvRound(g[gw - 1]);
}

// Planes of one frame drawn row by row from the frame's map grid (five gh × gw float maps:
// start x, y, end x, y in luma pixels, and the end's blend weight): for each output row the
// grid is interpolated to the row (by r each way), the coordinates turned to the planes' own
// (× scale + offset), both sources resampled and blended, all in row buffers that stay in
// cache. With our fixed-point kernels the coordinates go from the grid straight to fixed
// point. `planes` planes (luma; or chroma's two, which share the maps) of the same size,
// r · gw × r · gh.
// `interleavedA`, `interleavedB`, when both are given, hold two planes' samples interleaved
// (chroma as u0 v0 u1 v1 ...) for the AVX2 path, which resamples both planes with one fetch.
void drawPlanes(const cv::Mat *sourcesA, const cv::Mat *sourcesB, cv::Mat *targets, int planes, const cv::Mat *grid, int r, float scale,
                float offset, int modeA, int modeB, const cv::Mat *interleavedA = nullptr, const cv::Mat *interleavedB = nullptr) {
    const int n = targets[0].cols, gw = grid[0].cols, gh = grid[0].rows;
    auto ours = [](int mode) { return mode == cv::INTER_LINEAR || mode == cv::INTER_CUBIC; };
    const bool fixedPoint = ours(modeA) && ours(modeB);
#if defined(__x86_64__)
    const bool pairs = hasAVX2 && planes == 2 && interleavedA != nullptr && interleavedB != nullptr && modeA == cv::INTER_LINEAR &&
                       modeB == cv::INTER_LINEAR;
#else
    [[maybe_unused]] const bool pairs = false;
#endif
    // In 1/32 pixel for the fixed-point kernels; far-off values held as fixedCoordinate does.
    const float unit = fixedPoint ? 32.0f : 1.0f, limit = fixedPoint ? 1.0e9f : std::numeric_limits<float>::max();
    cv::parallel_for_(cv::Range(0, targets[0].rows), [&](const cv::Range &rows) {
        thread_local std::vector<float> floats;
        thread_local std::vector<int32_t> fixed;
        thread_local std::vector<uint8_t> bytes;
        thread_local std::vector<uint16_t> weights;
        weights.resize(static_cast<size_t>(n));
        floats.resize(5 * static_cast<size_t>(gw + n));
        fixed.resize(4 * static_cast<size_t>(n));
        bytes.resize(4 * static_cast<size_t>(n));
        float *vertical = floats.data(), *up = vertical + 5 * gw;
        int32_t *ax = fixed.data(), *ay = ax + n, *bx = ay + n, *by = bx + n;
        // Each source's samples for the first plane and, with interleaved planes, the second.
        uint8_t *warpA = bytes.data(), *warpB = warpA + n, *secondA = warpB + n, *secondB = secondA + n;
        for (int y = rows.start; y < rows.end; ++y) {
            const float gy = (y + 0.5f) / r - 0.5f;
            int j0 = static_cast<int>(std::floor(gy));
            float fy = gy - j0;
            if (j0 < 0) j0 = 0, fy = 0;
            if (j0 >= gh - 1) j0 = gh - 1, fy = 0;
            const int j1 = std::min(j0 + 1, gh - 1);
            for (int k = 0; k < 5; ++k) {
                const float *r0 = grid[k].ptr<float>(j0), *r1 = grid[k].ptr<float>(j1);
                float *v = vertical + k * gw;
                if (k < 4) {
                    const float s = scale * unit, o = offset * unit;
                    for (int i = 0; i < gw; ++i) v[i] = std::min(std::max((r0[i] + fy * (r1[i] - r0[i])) * s + o, -limit), limit);
                    if (fixedPoint) {
                        upsampleFixedRow(v, gw, r, fixed.data() + static_cast<size_t>(k) * n);
                        continue;
                    }
                } else {
                    for (int i = 0; i < gw; ++i) v[i] = r0[i] + fy * (r1[i] - r0[i]);
                }
                upsampleRow(v, gw, r, up + k * n);
            }
            const uint16_t *w16 = weights.data();
            weightRow(up + 4 * n, weights.data(), n);
            // Each source is resampled only over the stretch of the row where it has weight
            // (where it has none, off its edge or fully covered, the blend never reads it): a
            // source's visible part of a row is one interval.
            int a0 = 0, a1 = n, b0 = 0, b1 = n;
            while (a0 < a1 && w16[a0] == 256) ++a0;
            while (a1 > a0 && w16[a1 - 1] == 256) --a1;
            while (b0 < b1 && w16[b0] == 0) ++b0;
            while (b1 > b0 && w16[b1 - 1] == 0) --b1;
#if defined(__x86_64__)
            if (pairs) {
                bilinearRowUVAVX2(*interleavedA, ax + a0, ay + a0, warpA + a0, secondA + a0, a1 - a0);
                bilinearRowUVAVX2(*interleavedB, bx + b0, by + b0, warpB + b0, secondB + b0, b1 - b0);
                blendRow(warpA, warpB, w16, targets[0].ptr<uint8_t>(y), n);
                blendRow(secondA, secondB, w16, targets[1].ptr<uint8_t>(y), n);
                continue;
            }
#endif
            for (int p = 0; p < planes; ++p) {
                if (fixedPoint) {
                    fixedKernelRow(sourcesA[p], modeA, ax + a0, ay + a0, warpA + a0, a1 - a0);
                    fixedKernelRow(sourcesB[p], modeB, bx + b0, by + b0, warpB + b0, b1 - b0);
                } else {
                    resampleRow(sourcesA[p], up + a0, up + n + a0, modeA, ax + a0, ay + a0, warpA + a0, a1 - a0);
                    resampleRow(sourcesB[p], up + 2 * n + b0, up + 3 * n + b0, modeB, bx + b0, by + b0, warpB + b0, b1 - b0);
                }
                blendRow(warpA, warpB, w16, targets[p].ptr<uint8_t>(y), n);
            }
        }
    });
}

// The local motion at time t as (dx, dy, trust) per flow pixel, splatting both flows: a start
// pixel x is at x + t·F01 at time t, so back to the start is -t·F01 and on to the end
// (1 - t)·F01; an end pixel y is at y + (1 - t)·F10, back to the start t·F10, on to the end
// -(1 - t)·F10. Both splats carry one displacement, d = F01 = -F10, so the field holds the
// weighted mean d and the motion is to_start = -t·d, to_end = (1 - t)·d. Each pixel lands
// bilinearly, weighted by its confidence and by how near in time its source is; trust is full
// once the splats carry about one confident sample's weight.
void splatMotion(const float *forward, const float *backward, const float *confidenceForward, const float *confidenceBackward, int width,
                 int height, float t, float *packed) {
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

// Bilinear sample of the three interleaved channels of `field` (the motion d and its trust,
// from splatMotion) at (x, y), clamped to its edges: one set of weights for all three.
inline void sample3(const float *field, int w, int h, float x, float y, float out[3]) {
    x = std::clamp(x, 0.0f, static_cast<float>(w - 1));
    y = std::clamp(y, 0.0f, static_cast<float>(h - 1));
    const int x0 = static_cast<int>(x), y0 = static_cast<int>(y);
    const int dx = x0 < w - 1 ? 3 : 0;
    const size_t dy = y0 < h - 1 ? static_cast<size_t>(3) * w : 0;
    const float fx = x - x0, fy = y - y0;
    const float w00 = (1 - fx) * (1 - fy), w10 = fx * (1 - fy), w01 = (1 - fx) * fy, w11 = fx * fy;
    const float *p00 = field + 3 * (static_cast<size_t>(y0) * w + x0);
    const float *p10 = p00 + dx, *p01 = p00 + dy, *p11 = p01 + dx;
    for (int k = 0; k < 3; ++k) out[k] = w00 * p00[k] + w10 * p10[k] + w01 * p01[k] + w11 * p11[k];
}



// Sparse matches from `a` to `b` for seeding dense flow, EpicFlow's way: corners tracked by
// pyramidal Lucas–Kanade and kept when they track back to where they started, plus mutual ORB
// matches passing a ratio test (Lucas–Kanade loses a small thing that moves further than its
// window at the coarse levels, where the background fills the window; descriptors do not).
void seedMatches(const cv::Mat &a, const cv::Mat &b, std::vector<cv::Point2f> &from, std::vector<cv::Point2f> &to) {
    std::vector<cv::Point2f> corners, forward, back;
    cv::goodFeaturesToTrack(a, corners, 1500, 0.005, 4);
    if (corners.size() >= 8) {
        std::vector<uchar> found, foundBack;
        std::vector<float> error;
        const cv::Size window(21, 21);
        cv::calcOpticalFlowPyrLK(a, b, corners, forward, found, error, window, 4);
        cv::calcOpticalFlowPyrLK(b, a, forward, back, foundBack, error, window, 4);
        for (size_t i = 0; i < corners.size(); ++i) {
            if (!found[i] || !foundBack[i]) continue;
            const cv::Point2f d = back[i] - corners[i];
            if (d.dot(d) > 0.25f) continue;
            if (forward[i].x < 0 || forward[i].y < 0 || forward[i].x > b.cols - 1 || forward[i].y > b.rows - 1) continue;
            from.push_back(corners[i]);
            to.push_back(forward[i]);
        }
    }
    auto orb = cv::ORB::create(1000, 1.2f, 6, 15, 0, 2, cv::ORB::HARRIS_SCORE, 15, 10);
    std::vector<cv::KeyPoint> keysA, keysB;
    cv::Mat descA, descB;
    orb->detectAndCompute(a, cv::noArray(), keysA, descA);
    orb->detectAndCompute(b, cv::noArray(), keysB, descB);
    if (descA.rows < 2 || descB.rows < 2) return;
    std::vector<int> there, backThere;
    ratioMatches(descA, descB, 0.7f, there);
    ratioMatches(descB, descA, 0.7f, backThere);
    for (size_t i = 0; i < there.size(); ++i) {
        const int j = there[i];
        if (j < 0 || backThere[j] != static_cast<int>(i)) continue;
        from.push_back(keysA[i].pt);
        to.push_back(keysB[j].pt);
    }
}

// The matches spread over `a` as a dense first guess for DIS: each match's displacement
// is dropped into a grid of 8 × 8 pixel cells and the grid filled by normalized convolution
// (Gaussian sums of displacements over Gaussian sums of weights), at a fine scale where
// matches are dense and a coarse one where they are not, then resized to `a`. Not edge-aware
// as EpicFlow's interpolator is: DIS sharpens motion edges from there. Empty when there are
// too few matches.
cv::Mat spreadMatches(const cv::Mat &a, const std::vector<cv::Point2f> &from, const std::vector<cv::Point2f> &to) {
    if (from.size() < 32) return cv::Mat();
    const int cell = 8;
    const int gw = (a.cols + cell - 1) / cell, gh = (a.rows + cell - 1) / cell;
    cv::Mat sumX = cv::Mat::zeros(gh, gw, CV_32F), sumY = cv::Mat::zeros(gh, gw, CV_32F), weight = cv::Mat::zeros(gh, gw, CV_32F);
    for (size_t i = 0; i < from.size(); ++i) {
        const int x = std::clamp(static_cast<int>(from[i].x) / cell, 0, gw - 1), y = std::clamp(static_cast<int>(from[i].y) / cell, 0, gh - 1);
        sumX.at<float>(y, x) += to[i].x - from[i].x;
        sumY.at<float>(y, x) += to[i].y - from[i].y;
        weight.at<float>(y, x) += 1;
    }
    auto smooth = [&](double sigma, cv::Mat &dx, cv::Mat &dy, cv::Mat &w) {
        cv::GaussianBlur(sumX, dx, cv::Size(), sigma, sigma, cv::BORDER_CONSTANT);
        cv::GaussianBlur(sumY, dy, cv::Size(), sigma, sigma, cv::BORDER_CONSTANT);
        cv::GaussianBlur(weight, w, cv::Size(), sigma, sigma, cv::BORDER_CONSTANT);
    };
    cv::Mat fineX, fineY, fineW, coarseX, coarseY, coarseW;
    smooth(1.0, fineX, fineY, fineW);
    smooth(6.0, coarseX, coarseY, coarseW);
    cv::Mat grid(gh, gw, CV_32FC2);
    for (int y = 0; y < gh; ++y) {
        for (int x = 0; x < gw; ++x) {
            const float fw = fineW.at<float>(y, x), cw = coarseW.at<float>(y, x);
            // Where fine support is thin, lean on the coarse estimate.
            const float trust = std::min(1.0f, fw / 0.5f);
            const float cx = cw > 1e-4f ? coarseX.at<float>(y, x) / cw : 0, cy = cw > 1e-4f ? coarseY.at<float>(y, x) / cw : 0;
            const float ux = fw > 1e-4f ? fineX.at<float>(y, x) / fw : cx, uy = fw > 1e-4f ? fineY.at<float>(y, x) / fw : cy;
            grid.at<cv::Vec2f>(y, x) = cv::Vec2f(trust * ux + (1 - trust) * cx, trust * uy + (1 - trust) * cy);
        }
    }
    cv::Mat dense;
    cv::resize(grid, dense, a.size(), 0, 0, cv::INTER_LINEAR);
    return dense;
}

// DIS from `a` to `b` into `flow`, starting from `seed` when it is not empty.
void disInto(const cv::Mat &a, const cv::Mat &b, int preset, cv::Mat seed, float *flow) {
    auto dis = cv::DISOpticalFlow::create(preset);
    // DIS starts from a flow it is given (same size, two float channels).
    cv::Mat result = seed;
    dis->calc(a, b, result);
    cv::Mat out(a.rows, a.cols, CV_32FC2, flow);
    result.copyTo(out);
}

} // namespace

extern "C" {

int32_t ivk_rgb_to_yuv420(const IVKImage *rgb, IVKPlanes *dst) {
    if (!valid(rgb, 3) || !validPlanes(dst) || rgb->width != dst->width || rgb->height != dst->height) return IVK_EINVAL;
    return guarded([&] {
        const int w = dst->width, h = dst->height;
        // BT.709 luma weights; limited range: Y in 16...235, chroma in 16...240.
        const float kr = 0.2126f, kg = 0.7152f, kb = 0.0722f;
        const float ys = 219.0f / 255.0f, cs = 224.0f / 255.0f;
        cv::parallel_for_(cv::Range(0, h / 2), [&](const cv::Range &rows) {
            for (int cy = rows.start; cy < rows.end; ++cy) {
                for (int cx = 0; cx < w / 2; ++cx) {
                    float sr = 0, sg = 0, sb = 0;
                    for (int dy = 0; dy < 2; ++dy) {
                        const uint8_t *row = rgb->data + static_cast<size_t>(2 * cy + dy) * rgb->stride;
                        for (int dx = 0; dx < 2; ++dx) {
                            const uint8_t *p = row + 3 * (2 * cx + dx);
                            float luma = kr * p[0] + kg * p[1] + kb * p[2];
                            dst->y[(2 * cy + dy) * w + 2 * cx + dx] = clampByte(16.0f + ys * luma);
                            sr += p[0];
                            sg += p[1];
                            sb += p[2];
                        }
                    }
                    sr *= 0.25f;
                    sg *= 0.25f;
                    sb *= 0.25f;
                    float luma = kr * sr + kg * sg + kb * sb;
                    dst->u[cy * (w / 2) + cx] = clampByte(128.0f + cs * (sb - luma) / 1.8556f);
                    dst->v[cy * (w / 2) + cx] = clampByte(128.0f + cs * (sr - luma) / 1.5748f);
                }
            }
        });
        return IVK_OK;
    });
}

int32_t ivk_yuv420_to_rgb(const IVKPlanes *src, IVKImage *rgb) {
    if (!validPlanes(src) || !valid(rgb, 3) || rgb->width != src->width || rgb->height != src->height) return IVK_EINVAL;
    return guarded([&] {
        PlaneMats planes(src);
        cv::Mat u, v;
        // Chroma sample (i, j) sits at luma (2i + 0.5, 2j + 0.5).
        cv::resize(planes.u, u, planes.y.size(), 0, 0, cv::INTER_LINEAR);
        cv::resize(planes.v, v, planes.y.size(), 0, 0, cv::INTER_LINEAR);
        const int w = src->width;
        cv::parallel_for_(cv::Range(0, src->height), [&](const cv::Range &rows) {
            for (int y = rows.start; y < rows.end; ++y) {
                uint8_t *out = rgb->data + static_cast<size_t>(y) * rgb->stride;
                const uint8_t *py = planes.y.ptr<uint8_t>(y), *pu = u.ptr<uint8_t>(y), *pv = v.ptr<uint8_t>(y);
                for (int x = 0; x < w; ++x) {
                    float luma = (py[x] - 16.0f) * (255.0f / 219.0f);
                    float cb = (pu[x] - 128.0f) * (255.0f / 224.0f);
                    float cr = (pv[x] - 128.0f) * (255.0f / 224.0f);
                    out[3 * x] = clampByte(luma + 1.5748f * cr);
                    out[3 * x + 1] = clampByte(luma - 0.18733f * cb - 0.46812f * cr);
                    out[3 * x + 2] = clampByte(luma + 1.8556f * cb);
                }
            }
        });
        return IVK_OK;
    });
}

int32_t ivk_warp_perspective(const IVKImage *src, const double map[9], IVKInterpolation interpolation,
                             IVKImage *dst) {
    if (!valid(src, 0) || !valid(dst, src->channels) || map == nullptr) return IVK_EINVAL;
    return guarded([&] {
        cv::Mat out = wrap(dst);
        cv::warpPerspective(wrap(src), out, cv::Mat(cv::Matx33d(map)), out.size(),
                            cvInterpolation(interpolation) | cv::WARP_INVERSE_MAP, cv::BORDER_REPLICATE);
        return IVK_OK;
    });
}

int32_t ivk_dis_flow_pair(const IVKImage *a, const IVKImage *b, int32_t preset, int32_t seeded, float *forward, float *backward) {
    if (!valid(a, 1) || !valid(b, 1) || forward == nullptr || backward == nullptr || a->width != b->width ||
        a->height != b->height || preset < 0 || preset > 2) {
        return IVK_EINVAL;
    }
    return guarded([&] {
        const cv::Mat ma = wrap(a), mb = wrap(b);
        std::vector<cv::Point2f> from, to;
        if (seeded != 0) seedMatches(ma, mb, from, to);
        // The two directions at once, one per thread (DIS's own parallel loops then run
        // inside each serially); the matches serve both, turned around for the way back.
        cv::parallel_for_(cv::Range(0, 2), [&](const cv::Range &range) {
            for (int direction = range.start; direction < range.end; ++direction) {
                if (direction == 0) {
                    disInto(ma, mb, preset, seeded != 0 ? spreadMatches(ma, from, to) : cv::Mat(), forward);
                } else {
                    disInto(mb, ma, preset, seeded != 0 ? spreadMatches(mb, to, from) : cv::Mat(), backward);
                }
            }
        });
        return IVK_OK;
    });
}

int32_t ivk_flow_confidence(const float *forward, const float *backward, int32_t width, int32_t height,
                            float tolerance, int32_t blur, float *confidence) {
    if (forward == nullptr || backward == nullptr || confidence == nullptr || width <= 0 || height <= 0 ||
        tolerance <= 0) {
        return IVK_EINVAL;
    }
    return guarded([&] {
        cv::Mat conf(height, width, CV_32FC1, confidence);
        const float tol2 = tolerance * tolerance;
        cv::parallel_for_(cv::Range(0, height), [&](const cv::Range &rows) {
            for (int y = rows.start; y < rows.end; ++y) {
                float *out = conf.ptr<float>(y);
                for (int x = 0; x < width; ++x) {
                    const float *f = forward + 2 * (y * width + x);
                    float tx = x + f[0], ty = y + f[1];
                    if (tx < 0 || ty < 0 || tx > width - 1 || ty > height - 1) {
                        out[x] = 0;
                        continue;
                    }
                    float bx, by;
                    sample2(backward, width, height, tx, ty, bx, by);
                    float ex = f[0] + bx, ey = f[1] + by;
                    float err = ex * ex + ey * ey;
                    float allowed = 0.01f * (f[0] * f[0] + f[1] * f[1] + bx * bx + by * by) + tol2;
                    out[x] = err <= allowed ? 1.0f : std::exp(-(err - allowed) / tol2);
                }
            }
        });
        if (blur > 1) cv::blur(conf, conf, cv::Size(blur, blur), cv::Point(-1, -1), cv::BORDER_REPLICATE);
        cv::max(conf, 0.0, conf);
        return IVK_OK;
    });
}

int32_t ivk_intermediate_flow(const float *forward, const float *backward, const float *confidence_forward,
                              const float *confidence_backward, int32_t width, int32_t height, float t, float *to_start,
                              float *to_end, float *trust) {
    if (forward == nullptr || backward == nullptr || confidence_forward == nullptr || confidence_backward == nullptr ||
        to_start == nullptr || to_end == nullptr || trust == nullptr || width <= 1 || height <= 1) {
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

int32_t ivk_render_yuv(const IVKPlanes *a, const IVKPlanes *b, const IVKFrameMotion *m,
                       IVKInterpolation interpolation, IVKPlanes *dst) {
    if (!validPlanes(a) || !validPlanes(b) || !validPlanes(dst) || m == nullptr || a->width != dst->width ||
        a->height != dst->height || b->width != dst->width || b->height != dst->height) {
        return IVK_EINVAL;
    }
    const bool hasFlow = m->flow_forward != nullptr && m->flow_backward != nullptr && m->confidence_forward != nullptr &&
                         m->confidence_backward != nullptr && m->flow_width > 1 && m->flow_height > 1;
    return guarded([&] {
        const int w = dst->width, h = dst->height;
        // Maps and weights are smooth, so they are computed on a grid of one sample per
        // step × step luma block (at its centre) and interpolated row by row as the planes are
        // drawn. Scratch is reused across frames and named through references, because the
        // parallel loops run on other threads where a thread_local name would mean another object.
        const int step = (m->map_step == 4 && w % 4 == 0 && h % 4 == 0) ? 4 : 2;
        const int gw = w / step, gh = h / step;
        thread_local cv::Mat grid[5];
        cv::Mat &gax = grid[0], &gay = grid[1], &gbx = grid[2], &gby = grid[3], &gweight = grid[4];
        for (cv::Mat &mat : grid) mat.create(gh, gw, CV_32FC1);
        // The local motion at this frame's time, in this thread's scratch.
        thread_local std::vector<float> motionField;
        if (hasFlow) {
            motionField.resize(3 * static_cast<size_t>(m->flow_width) * m->flow_height);
            splatMotion(m->flow_forward, m->flow_backward, m->confidence_forward, m->confidence_backward, m->flow_width, m->flow_height,
                        m->flow_time, motionField.data());
        }
        const float *motion = motionField.data();
        const float back = -m->flow_time, on = 1 - m->flow_time;
        const cv::Matx33d g(m->to_start), hm(m->start_to_end);
        const float blend = m->blend;
        const float fa = std::max(m->feather, 1e-3f);
        const float sx = hasFlow ? static_cast<float>(w) / m->flow_width : 1.0f;
        const float sy = hasFlow ? static_cast<float>(h) / m->flow_height : 1.0f;
        const float inverseSx = 1.0f / sx, inverseSy = 1.0f / sy;
        const float inverseFeather = 1.0f / fa;

        const double centre = (step - 1) / 2.0;
        const double g00 = g(0, 0), g01 = g(0, 1), g02 = g(0, 2), g10 = g(1, 0), g11 = g(1, 1), g12 = g(1, 2), g20 = g(2, 0), g21 = g(2, 1),
                     g22 = g(2, 2);
        const double h00 = hm(0, 0), h01 = hm(0, 1), h02 = hm(0, 2), h10 = hm(1, 0), h11 = hm(1, 1), h12 = hm(1, 2), h20 = hm(2, 0),
                     h21 = hm(2, 1), h22 = hm(2, 2);
        const float right = static_cast<float>(w - 1), bottom = static_cast<float>(h - 1);
        // Row by row in three passes, so that the homographies (and their divisions) run as
        // vector loops instead of one long dependency chain per sample: the camera's
        // position, then the local motion there (a gather), then the end's position and the
        // weights.
        cv::parallel_for_(cv::Range(0, gh), [&](const cv::Range &rows) {
            thread_local std::vector<double> positions;
            thread_local std::vector<float> motions;
            positions.resize(2 * static_cast<size_t>(gw));
            motions.resize(6 * static_cast<size_t>(gw));
            double *__restrict cx = positions.data(), *__restrict cy = cx + gw;
            float *__restrict m0x = motions.data(), *__restrict m0y = m0x + gw, *__restrict m1x = m0y + gw, *__restrict m1y = m1x + gw;
            // 1 where the sample is in front of each source's camera, 0 behind it.
            float *__restrict frontA = m1y + gw, *__restrict frontB = frontA + gw;
            for (int j = rows.start; j < rows.end; ++j) {
                float *__restrict pax = gax.ptr<float>(j), *__restrict pay = gay.ptr<float>(j), *__restrict pbx = gbx.ptr<float>(j),
                                  *__restrict pby = gby.ptr<float>(j), *__restrict pw = gweight.ptr<float>(j);
                const double y = static_cast<double>(step) * j + centre;
                for (int i = 0; i < gw; ++i) {
                    const double x = static_cast<double>(step) * i + centre;
                    // One division per homography: the reciprocal serves both coordinates.
                    const double z = g20 * x + g21 * y + g22, iz = 1.0 / z;
                    cx[i] = (g00 * x + g01 * y + g02) * iz;
                    cy[i] = (g10 * x + g11 * y + g12) * iz;
                    frontA[i] = z > 1e-9 ? 1.0f : 0.0f;
                }
                if (hasFlow) {
                    for (int i = 0; i < gw; ++i) {
                        float f[3];
                        sample3(motion, m->flow_width, m->flow_height, static_cast<float>(cx[i]) * inverseSx,
                                static_cast<float>(cy[i]) * inverseSy, f);
                        const float dx = f[2] * sx * f[0], dy = f[2] * sy * f[1];
                        m0x[i] = back * dx;
                        m0y[i] = back * dy;
                        m1x[i] = on * dx;
                        m1y[i] = on * dy;
                    }
                } else {
                    std::fill(m0x, m0x + 4 * static_cast<size_t>(gw), 0.0f);
                }
                // The end's position, where the local motion moves the sample on to; in place
                // of that motion.
                for (int i = 0; i < gw; ++i) {
                    const double qx = cx[i] + m1x[i], qy = cy[i] + m1y[i];
                    const double qz = h20 * qx + h21 * qy + h22, iqz = 1.0 / qz;
                    m1x[i] = static_cast<float>((h00 * qx + h01 * qy + h02) * iqz);
                    m1y[i] = static_cast<float>((h10 * qx + h11 * qy + h12) * iqz);
                    frontB[i] = qz > 1e-9 ? 1.0f : 0.0f;
                }
                for (int i = 0; i < gw; ++i) {
                    const float sax = static_cast<float>(cx[i]) + m0x[i], say = static_cast<float>(cy[i]) + m0y[i];
                    const float sbx = m1x[i], sby = m1y[i];
                    const bool inFrontA = frontA[i] > 0, inFrontB = frontB[i] > 0;
                    // Full weight inside the source, fading to none `feather` pixels outside.
                    const float insideA = std::min(std::min(sax, right - sax), std::min(say, bottom - say));
                    const float insideB = std::min(std::min(sbx, right - sbx), std::min(sby, bottom - sby));
                    const float va = frontA[i] * std::clamp(1.0f + insideA * inverseFeather, 0.0f, 1.0f);
                    const float vb = frontB[i] * std::clamp(1.0f + insideB * inverseFeather, 0.0f, 1.0f);
                    const float wa = (1 - blend) * va, wb = blend * vb;
                    const float sum = wa + wb;
                    pw[i] = sum < 1e-6f ? blend : wb / sum;
                    pax[i] = inFrontA ? sax : -1e6f;
                    pay[i] = inFrontA ? say : -1e6f;
                    pbx[i] = inFrontB ? sbx : -1e6f;
                    pby[i] = inFrontB ? sby : -1e6f;
                }
            }
        });

        PlaneMats pa(a), pb(b), out(dst);
        const int interp = cvInterpolation(interpolation);
        // The requested interpolation is spent on the source that dominates this frame's
        // blend; the other, weighted under a half, is resampled bilinearly at a third of the cost.
        const int interpA = blend <= 0.5f ? interp : cv::INTER_LINEAR;
        const int interpB = blend > 0.5f ? interp : cv::INTER_LINEAR;
        // Grid sample j sits at luma step·j + (step - 1) / 2, and chroma sample j at luma
        // 2j + 0.5: the grid is upsampled by step for luma and by step / 2 for chroma, whose
        // coordinates are the luma ones moved: luma position p is chroma position (p - 0.5) / 2.
        drawPlanes(&pa.y, &pb.y, &out.y, 1, grid, step, 1.0f, 0.0f, interpA, interpB);
        // Chroma is a quarter of the samples and carries little detail: bilinear is enough
        // there, whatever the luma uses.
        const cv::Mat chromaA[2] = {pa.u, pa.v}, chromaB[2] = {pb.u, pb.v};
        cv::Mat chromaOut[2] = {out.u, out.v};
        if (m->chroma_a != nullptr && m->chroma_b != nullptr) {
            const cv::Mat pairsA(h / 2, w / 2, CV_8UC2, const_cast<uint8_t *>(m->chroma_a)), pairsB(h / 2, w / 2, CV_8UC2, const_cast<uint8_t *>(m->chroma_b));
            drawPlanes(chromaA, chromaB, chromaOut, 2, grid, step / 2, 0.5f, -0.25f, cv::INTER_LINEAR, cv::INTER_LINEAR, &pairsA, &pairsB);
        } else {
            drawPlanes(chromaA, chromaB, chromaOut, 2, grid, step / 2, 0.5f, -0.25f, cv::INTER_LINEAR, cv::INTER_LINEAR);
        }
        return static_cast<int32_t>(IVK_OK);
    });
}

int32_t ivk_remap_gray(const IVKImage *src, const float *map_x, const float *map_y, IVKInterpolation interpolation, int32_t reference,
                       IVKImage *dst) {
    if (!valid(src, 1) || !valid(dst, 1) || map_x == nullptr || map_y == nullptr) return IVK_EINVAL;
    return guarded([&] {
        const cv::Mat mx(dst->height, dst->width, CV_32FC1, const_cast<float *>(map_x));
        const cv::Mat my(dst->height, dst->width, CV_32FC1, const_cast<float *>(map_y));
        cv::Mat source = wrap(src), target = wrap(dst);
        const int mode = cvInterpolation(interpolation);
        if (reference == 1) {
            cv::remap(source, target, mx, my, mode, cv::BORDER_REPLICATE);
        } else {
            // The renderer's own row kernels.
            std::vector<int32_t> fx(static_cast<size_t>(dst->width)), fy(static_cast<size_t>(dst->width));
            for (int y = 0; y < dst->height; ++y) {
                resampleRow(source, mx.ptr<float>(y), my.ptr<float>(y), mode, fx.data(), fy.data(), target.ptr<uint8_t>(y), dst->width,
                            reference == 0);
            }
        }
        return IVK_OK;
    });
}

} // extern "C"
