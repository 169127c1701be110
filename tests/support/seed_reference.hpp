// SPDX-License-Identifier: MIT
// The reference workflow's own output for tests/data/seed_stream.csv (DESIGN.md section 7):
// the inserted intercept a and slope b at record times 1..9. Time 0 (one point) is
// undefined; its row holds the reference's --compat 0, 0.
#pragma once

namespace streamreg_test {

inline constexpr double seed_reference[10][2] = {{0, 0},
                                                 {0.06888437030500971, 0.9827065102830508},
                                                 {0.07724821608916699, 0.9576149729305795},
                                                 {0.0769101730536299, 0.9581220374838857},
                                                 {0.05833884879671927, 0.9766933617407955},
                                                 {0.05087576879874134, 0.9822906717392795},
                                                 {0.03085078333935821, 0.9943056630149089},
                                                 {0.03590542987734715, 0.9917783397459139},
                                                 {0.03198741430177742, 0.9934574892783012},
                                                 {0.025649728471303895, 0.9958341214647295}};

}  // namespace streamreg_test
