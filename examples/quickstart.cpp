// SPDX-License-Identifier: MIT
// The README's example: fit a line after every record. Needs only streamreg::streamreg.
#include <streamreg/streamreg.hpp>

#include <cstdio>

int main() {
  // Print intercept and slope after every record.
  auto print = [](const streamreg::line_fit<double>& fit, const streamreg::event& at) {
    if (fit) std::printf("%llu: y = %.6f + %.6f x\n", static_cast<unsigned long long>(at.index),
                         fit.intercept, fit.slope);
    else std::printf("%llu: %s\n", static_cast<unsigned long long>(at.index), to_string(fit.status));
  };
  auto reg = streamreg::make_regressor(print);  // moments<double>: stable centred state
  for (auto [x, y] : {std::pair{1.0, 2.1}, {2.0, 3.9}, {3.0, 6.2}, {4.0, 7.8}}) reg.push(x, y);

  const auto summary = reg.inference();  // residual SD, R², standard errors
  std::printf("R^2 = %.6f, se(slope) = %.6f\n", summary.r_squared, summary.se_slope);
}
