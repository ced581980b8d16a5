// The frame renderer: map grids composed from the camera path, the global motion and the
// splatted local motion, drawn row by row through the remap family's kernels and blended.
#include "ivk_render.h"

#include "blend.hpp"
#include "field.hpp"
#include "plumbing.hpp"
#include "remap.hpp"
#include "splat.hpp"

#include <opencv2/imgproc.hpp>

#include <cmath>
#include <limits>
#include <vector>

using namespace ivk;

namespace {

// Planes of one frame drawn row by row from the frame's map grid (five gh × gw float maps:
// start x, y, end x, y in luma pixels, and the end's blend weight): for each output row the
// grid is interpolated to the row (by r each way), the coordinates turned to the planes' own
// (× scale + offset), both sources resampled and blended, all in row buffers that stay in
// cache. With our fixed-point kernels the coordinates go from the grid straight to fixed
// point. `planes` planes (luma; or chroma's two, which share the maps) of the same size,
// r · gw × r · gh.
// `interleavedA`, `interleavedB`, when both are given, hold two planes' samples interleaved
// (chroma as u0 v0 u1 v1 ...) for the AVX2 path, which resamples both planes with one fetch.
void drawPlanes(const cv::Mat *sourcesA, const cv::Mat *sourcesB, cv::Mat *targets, int planes, const cv::Mat *grid, int r, float scale, float offset,
                int modeA, int modeB, const cv::Mat *interleavedA = nullptr, const cv::Mat *interleavedB = nullptr) {
    const int n = targets[0].cols, gw = grid[0].cols, gh = grid[0].rows;
    auto ours = [](int mode) { return mode == cv::INTER_LINEAR || mode == cv::INTER_CUBIC; };
    const bool fixedPoint = ours(modeA) && ours(modeB);
    const bool pairs = pairedBilinearAvailable() && planes == 2 && interleavedA != nullptr && interleavedB != nullptr && modeA == cv::INTER_LINEAR &&
                       modeB == cv::INTER_LINEAR;
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
            // Coordinates go on straight past the outermost grid rows (an identity map stays
            // one to the frame's edges); the blend weight is held there.
            const float gy = (y + 0.5f) / r - 0.5f;
            const int j0 = std::clamp(static_cast<int>(std::floor(gy)), 0, std::max(gh - 2, 0));
            const int j1 = std::min(j0 + 1, gh - 1);
            const float fyLine = gh > 1 ? gy - j0 : 0.0f, fyHeld = std::clamp(fyLine, 0.0f, 1.0f);
            for (int k = 0; k < 5; ++k) {
                const float *r0 = grid[k].ptr<float>(j0), *r1 = grid[k].ptr<float>(j1);
                float *v = vertical + k * gw;
                if (k < 4) {
                    const float s = scale * unit, o = offset * unit;
                    for (int i = 0; i < gw; ++i) v[i] = std::min(std::max((r0[i] + fyLine * (r1[i] - r0[i])) * s + o, -limit), limit);
                    if (fixedPoint) {
                        upsampleFixedRow(v, gw, r, fixed.data() + static_cast<size_t>(k) * n);
                        continue;
                    }
                } else {
                    for (int i = 0; i < gw; ++i) v[i] = r0[i] + fyHeld * (r1[i] - r0[i]);
                }
                upsampleRow(v, gw, r, up + k * n, k < 4);
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
            if (pairs) {
                bilinearPairsRow(*interleavedA, ax + a0, ay + a0, warpA + a0, secondA + a0, a1 - a0);
                bilinearPairsRow(*interleavedB, bx + b0, by + b0, warpB + b0, secondB + b0, b1 - b0);
                blendRow(warpA, warpB, w16, targets[0].ptr<uint8_t>(y), n);
                blendRow(secondA, secondB, w16, targets[1].ptr<uint8_t>(y), n);
                continue;
            }
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

} // namespace

extern "C" {

int32_t ivk_render_yuv(const IVKPlanes *a, const IVKPlanes *b, const IVKFrameMotion *m, IVKPlanes *dst) {
    if (!validPlanes(a) || !validPlanes(b) || !validPlanes(dst) || m == nullptr || a->width != dst->width || a->height != dst->height ||
        b->width != dst->width || b->height != dst->height) {
        return IVK_EINVAL;
    }
    if (m->map_step != 2 && !(m->map_step == 4 && dst->width % 4 == 0 && dst->height % 4 == 0)) return IVK_EINVAL;
    const bool hasFlow = m->flow_forward != nullptr && m->flow_backward != nullptr && m->confidence_forward != nullptr &&
                         m->confidence_backward != nullptr && m->flow_width > 1 && m->flow_height > 1;
    return guarded([&] {
        const int w = dst->width, h = dst->height;
        // Maps and weights are smooth, so they are computed on a grid of one sample per
        // step × step luma block (at its centre) and interpolated row by row as the planes are
        // drawn. Scratch is reused across frames and named through references, because the
        // parallel loops run on other threads where a thread_local name would mean another object.
        const int step = m->map_step;
        const int gw = w / step, gh = h / step;
        thread_local cv::Mat grid[5];
        cv::Mat &gax = grid[0], &gay = grid[1], &gbx = grid[2], &gby = grid[3], &gweight = grid[4];
        for (cv::Mat &mat : grid) mat.create(gh, gw, CV_32FC1);
        // The local motion at this frame's time, in this thread's scratch.
        thread_local std::vector<float> motionField;
        if (hasFlow) {
            motionField.resize(splatChannels * static_cast<size_t>(m->flow_width) * m->flow_height);
            splatMotion(m->flow_forward, m->flow_backward, m->confidence_forward, m->confidence_backward, m->flow_width, m->flow_height, m->flow_time,
                        m->splat_depth, motionField.data());
        }
        const float *motion = motionField.data();
        const float back = -m->flow_time, on = 1 - m->flow_time;
        const cv::Matx33d g(m->to_start), hm(m->start_to_end);
        const float blend = m->blend;
        const float motionEdge = m->motion_edge;
        const float fa = std::max(m->feather, 1e-3f);
        const float sx = hasFlow ? static_cast<float>(w) / m->flow_width : 1.0f;
        const float sy = hasFlow ? static_cast<float>(h) / m->flow_height : 1.0f;
        const float inverseSx = 1.0f / sx, inverseSy = 1.0f / sy;
        const float inverseFeather = 1.0f / fa;

        const double centre = (step - 1) / 2.0;
        const double g00 = g(0, 0), g01 = g(0, 1), g02 = g(0, 2), g10 = g(1, 0), g11 = g(1, 1), g12 = g(1, 2), g20 = g(2, 0), g21 = g(2, 1),
                     g22 = g(2, 2);
        const double h00 = hm(0, 0), h01 = hm(0, 1), h02 = hm(0, 2), h10 = hm(1, 0), h11 = hm(1, 1), h12 = hm(1, 2), h20 = hm(2, 0), h21 = hm(2, 1),
                     h22 = hm(2, 2);
        const float right = static_cast<float>(w - 1), bottom = static_cast<float>(h - 1);
        // Row by row in three passes, so that the homographies (and their divisions) run as
        // vector loops instead of one long dependency chain per sample: the camera's
        // position, then the local motion there (a gather), then the end's position and the
        // weights.
        cv::parallel_for_(cv::Range(0, gh), [&](const cv::Range &rows) {
            thread_local std::vector<double> positions;
            thread_local std::vector<float> motions;
            positions.resize(2 * static_cast<size_t>(gw));
            motions.resize(8 * static_cast<size_t>(gw));
            double *__restrict cx = positions.data(), *__restrict cy = cx + gw;
            float *__restrict m0x = motions.data(), *__restrict m0y = m0x + gw, *__restrict m1x = m0y + gw, *__restrict m1y = m1x + gw;
            // 1 where the sample is in front of each source's camera, 0 behind it.
            float *__restrict frontA = m1y + gw, *__restrict frontB = frontA + gw;
            // How much each source counts where the local motion is trusted: whether it sees the
            // spot at this time (1 where the motion is not trusted, or there is none).
            float *__restrict seenA = frontB + gw, *__restrict seenB = seenA + gw;
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
                        float f[splatChannels];
                        if (motionEdge > 0) {
                            sampleMotionFront<splatChannels>(motion, m->flow_width, m->flow_height, static_cast<float>(cx[i]) * inverseSx,
                                                             static_cast<float>(cy[i]) * inverseSy, motionEdge, f);
                        } else {
                            sampleChannels<splatChannels>(motion, m->flow_width, m->flow_height, static_cast<float>(cx[i]) * inverseSx,
                                                          static_cast<float>(cy[i]) * inverseSy, f);
                        }
                        const float dx = f[2] * sx * f[0], dy = f[2] * sy * f[1];
                        m0x[i] = back * dx;
                        m0y[i] = back * dy;
                        m1x[i] = on * dx;
                        m1y[i] = on * dy;
                        seenA[i] = 1 - f[2] * (1 - f[3]);
                        seenB[i] = 1 - f[2] * (1 - f[4]);
                    }
                } else {
                    std::fill(m0x, m0x + 4 * static_cast<size_t>(gw), 0.0f);
                    std::fill(seenA, seenA + 2 * static_cast<size_t>(gw), 1.0f);
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
                    // A floor keeps a spot that neither source is known to see on the dissolve.
                    const float wa = (1 - blend) * va * std::max(seenA[i], 1e-3f), wb = blend * vb * std::max(seenB[i], 1e-3f);
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
        const int interpA = cvInterpolation(m->interpolation_start), interpB = cvInterpolation(m->interpolation_end);
        const int interpChroma = cvInterpolation(m->interpolation_chroma);
        // Grid sample j sits at luma step·j + (step - 1) / 2, and chroma sample j at luma
        // 2j + 0.5: the grid is upsampled by step for luma and by step / 2 for chroma, whose
        // coordinates are the luma ones moved: luma position p is chroma position (p - 0.5) / 2.
        drawPlanes(&pa.y, &pb.y, &out.y, 1, grid, step, 1.0f, 0.0f, interpA, interpB);
        const cv::Mat chromaA[2] = {pa.u, pa.v}, chromaB[2] = {pb.u, pb.v};
        cv::Mat chromaOut[2] = {out.u, out.v};
        if (m->chroma_a != nullptr && m->chroma_b != nullptr) {
            const cv::Mat pairsA(h / 2, w / 2, CV_8UC2, const_cast<uint8_t *>(m->chroma_a)),
                pairsB(h / 2, w / 2, CV_8UC2, const_cast<uint8_t *>(m->chroma_b));
            drawPlanes(chromaA, chromaB, chromaOut, 2, grid, step / 2, 0.5f, -0.25f, interpChroma, interpChroma, &pairsA, &pairsB);
        } else {
            drawPlanes(chromaA, chromaB, chromaOut, 2, grid, step / 2, 0.5f, -0.25f, interpChroma, interpChroma);
        }
        return static_cast<int32_t>(IVK_OK);
    });
}

int32_t ivk_render_yuv_batch(const IVKPlanes *a, const IVKPlanes *b, const IVKFrameMotion *motions, int32_t count, IVKPlanes *dsts) {
    if (motions == nullptr || dsts == nullptr || count < 0) return IVK_EINVAL;
    std::vector<int32_t> results(static_cast<size_t>(count), IVK_OK);
    // OpenCV runs parallel regions nested in a parallel_for_ serially, so each frame is drawn
    // on one thread: no per-stage synchronisation, and no straggler waits when the encoder
    // shares the cores.
    cv::parallel_for_(cv::Range(0, count), [&](const cv::Range &range) {
        for (int i = range.start; i < range.end; ++i) {
            results[static_cast<size_t>(i)] = ivk_render_yuv(a, b, &motions[i], &dsts[i]);
        }
    });
    for (int32_t result : results) {
        if (result != IVK_OK) return result;
    }
    return IVK_OK;
}

} // extern "C"
