// Forward splatting of the flows both ways to an intermediate time.
#pragma once

namespace ivk {

/// Channels per flow pixel of the field splatMotion writes.
constexpr int splatChannels = 5;

// The local motion at time t per flow pixel, splatting both flows: a start pixel x is at
// x + t·F01 at time t, so back to the start is -t·F01 and on to the end (1 - t)·F01; an end
// pixel y is at y + (1 - t)·F10, back to the start t·F10, on to the end -(1 - t)·F10. Both
// splats carry one displacement, d = F01 = -F10, so the field holds a weighted mean d and the
// motion is to_start = -t·d, to_end = (1 - t)·d. Each pixel lands bilinearly, weighted by its
// confidence and, for d, by how near in time its source is and by exp(depth · |d|) (softmax
// splatting with the flow's length as the depth proxy: where a moving thing and what it covers
// land on one spot, the one that moves more is in front; depth 0 averages them).
// `packed` receives splatChannels floats per pixel: d (x, y); the trust 0...1, full once the
// splats carry about one confident sample's weight, whichever source it comes from (near the
// start, background a thing uncovers is known from the end alone); and how much each source sees of the
// spot, 0...1 (the start pixels, then end pixels, that land there): where one source
// sees it and the other does not (a thing moved away, or has not arrived yet) the frame takes
// it from the one that sees it. Every pixel counts there, landing where its motion scaled by
// its confidence takes it, so only motion known to have taken a source's pixels elsewhere
// hides that source.
void splatMotion(const float *forward, const float *backward, const float *confidenceForward, const float *confidenceBackward, int width, int height,
                 float t, float depth, float *packed);

} // namespace ivk
