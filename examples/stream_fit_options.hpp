// SPDX-License-Identifier: MIT
// stream_fit's options: what they hold, and what the output depends on (a checkpoint written
// with other values is refused).
#pragma once

#include "cli_common.hpp"

#include <cstdint>
#include <string>
#include <vector>

namespace stream_fit {

constexpr const char* program = "stream_fit";

struct options {
  std::string input = "-";
  std::string y;
  std::vector<std::string> x;
  bool skip_to_data = false;
  bool no_header = false;
  std::string emit = "every";
  std::string format = "csv";
  std::string input_format = "csv";
  std::string output;
  streamreg::io::error_policy on_error = streamreg::io::error_policy::fail;
  cli::model_options model;
  std::size_t max_line = cli::default_max_line;
  int degree = 0;
  bool no_intercept = false;
  double ridge = 0;
  bool penalize_intercept = false;
  bool precise = false;
  std::string solver = "auto";
  std::string predict;  ///< CSV file of inputs to predict at (--predict)
  double level = 0.95;  ///< level of the prediction intervals (--level)
  double max_rate = 0;  ///< records per second at most (--max-rate; 0: no limit)
  std::uint64_t max_records = 0;  ///< stop after this many data records (0: no limit)
  std::string checkpoint;         ///< resumable runs (--checkpoint)
  std::uint64_t checkpoint_every = 1000;

  /// stream_fit reads files and standard input (Kafka: realtime_regression).
  bool kafka() const noexcept { return false; }

  /// What the output depends on: a checkpoint written with other values is refused.
  std::string describe() const {
    std::string d = input + '|' + y;
    for (const auto& c : x) d += "|x " + c;
    d += fmt::format("|{}|{}|{}|{}|{}|{}|{}|{}|{}|{}|{}|{}|{}|{}", model.describe(), degree,
                     no_intercept, ridge, penalize_intercept, precise, solver, skip_to_data,
                     no_header, emit, format, input_format, predict, level);
    return d;
  }

  /// One x, none of the several-predictor options: the scalar fit (line_fit).
  bool scalar() const {
    return x.size() == 1 && degree == 0 && !no_intercept && ridge == 0 && !precise &&
           solver == "auto";
  }
};

}  // namespace stream_fit
