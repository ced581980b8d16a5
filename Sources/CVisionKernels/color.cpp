// RGB ↔ YUV 4:2:0 (BT.709, limited range).
#include "ivk_color.h"

#include "plumbing.hpp"

#include <opencv2/imgproc.hpp>

using namespace ivk;

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

} // extern "C"
