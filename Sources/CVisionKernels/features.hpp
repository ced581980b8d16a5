// Feature matching shared by the features family and flow seeding.
#pragma once

#include <opencv2/core.hpp>

#include <vector>

namespace ivk {

/// Nearest neighbours of each descriptor row of `from` among the rows of `to` (Hamming),
/// kept where best / second best < `ratio`: `best[i]` is the match of row i, or -1.
void ratioMatches(const cv::Mat &from, const cv::Mat &to, float ratio, std::vector<int> &best);

} // namespace ivk
