// Forward splatting of the flows both ways to an intermediate time.
#pragma once

namespace ivk {

// The local motion at time t as (dx, dy, trust) per flow pixel, splatting both flows: a start
// pixel x is at x + t·F01 at time t, so back to the start is -t·F01 and on to the end
// (1 - t)·F01; an end pixel y is at y + (1 - t)·F10, back to the start t·F10, on to the end
// -(1 - t)·F10. Both splats carry one displacement, d = F01 = -F10, so the field holds the
// weighted mean d and the motion is to_start = -t·d, to_end = (1 - t)·d. Each pixel lands
// bilinearly, weighted by its confidence and by how near in time its source is; trust is full
// once the splats carry about one confident sample's weight.
void splatMotion(const float *forward, const float *backward, const float *confidenceForward, const float *confidenceBackward, int width, int height,
                 float t, float *packed);

} // namespace ivk
