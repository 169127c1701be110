// SPDX-License-Identifier: MIT
// Package test: a consumer of the optional components (streamreg::eigen, streamreg::json,
// streamreg::kafka, streamreg::stats) uses each through its public header. Built with the components the
// package provides (STREAMREG_WITH_<NAME>).
#include <cmath>    // std::fabs
#include <cstdio>   // std::fprintf
#include <string>   // std::string
#include <utility>  // std::pair

#ifdef STREAMREG_WITH_EIGEN
#include <streamreg/multivariate.hpp>
#endif
#ifdef STREAMREG_WITH_JSON
#include <streamreg/json/jsonl.hpp>
#endif
#ifdef STREAMREG_WITH_KAFKA
#include <streamreg/kafka/mock_cluster.hpp>
#endif
#ifdef STREAMREG_WITH_STATS
#include <streamreg/moments.hpp>
#include <streamreg/student_t.hpp>
#endif

namespace {

int fail(const char* what) {
  std::fprintf(stderr, "components_consumer: %s\n", what);
  return 1;
}

}  // namespace

int main() {
  int failures = 0;
#ifdef STREAMREG_WITH_EIGEN
  {
    // y = 1 + 2a − 3b exactly: three records determine the plane.
    streamreg::multivariate::regression<double, 2> reg;
    reg.push(Eigen::Vector2d(0, 0), 1.0);
    reg.push(Eigen::Vector2d(1, 0), 3.0);
    reg.push(Eigen::Vector2d(0, 1), -2.0);
    const auto f = reg.fit();
    if (!f || std::fabs(f.coefficients(0) - 1) > 1e-14 || std::fabs(f.coefficients(1) - 2) > 1e-14 ||
        std::fabs(f.coefficients(2) + 3) > 1e-14)
      failures += fail("eigen: the plane through three records is not y = 1 + 2a - 3b");
  }
#endif
#ifdef STREAMREG_WITH_JSON
  {
    const auto v = streamreg::json::parse_object<double>(R"({"y": 2.5, "x": -1})", {"x", "y"});
    if (v.size() != 2 || v[0] != -1 || v[1] != 2.5)
      failures += fail("json: fields x and y not read by name");
  }
#endif
#ifdef STREAMREG_WITH_KAFKA
  {
    streamreg::kafka::mock_cluster cluster(1);
    if (cluster.bootstraps().find("127.0.0.1:") != 0)
      failures += fail("kafka: the mock cluster has no bootstrap address");
  }
#endif
#ifdef STREAMREG_WITH_STATS
  {
    // With 2 degrees of freedom the t quantile is (2p − 1) √(2 / (4p(1 − p))).
    if (std::fabs(streamreg::t_quantile(2, 0.975) - 0.95 * std::sqrt(2 / 0.0975)) > 1e-13)
      failures += fail("stats: t quantile with 2 df");
    streamreg::moments<double> s;
    for (int i = 0; i < 4; ++i) s.push(i, 2.0 * i + (i % 2 == 0 ? 1 : -1));
    const auto band = streamreg::prediction_interval(streamreg::predict(s, 1.5), 0.95);
    if (!(band.lower < 3 && band.upper > 3)) failures += fail("stats: prediction interval");
  }
#endif
  return failures == 0 ? 0 : 1;
}
