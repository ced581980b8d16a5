#ifndef CVISIONKERNELS_H
#define CVISIONKERNELS_H

// The thin C API over OpenCV that the Swift engine calls, one header per kernel family (laid
// out as OpenCV's imgproc lays out its own). Each function is one pixel or geometry kernel;
// every decision (thresholds, fall backs, schedules, which interpolation where) is made in
// Swift and handed in.

#include "ivk_change.h"
#include "ivk_color.h"
#include "ivk_common.h"
#include "ivk_features.h"
#include "ivk_flow.h"
#include "ivk_metrics.h"
#include "ivk_remap.h"
#include "ivk_render.h"
#include "ivk_splat.h"
#include "ivk_testhooks.h"

#endif
