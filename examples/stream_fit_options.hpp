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
  std::string family = "gaussian";  ///< --family: gaussian (least squares) or binomial (logistic)
  std::string predict;  ///< CSV file of inputs to predict at (--predict)
  double level = 0.95;  ///< level of the prediction intervals (--level)
  double max_rate = 0;  ///< records per second at most (--max-rate; 0: no limit)
  std::uint64_t max_records = 0;  ///< stop after this many data records (0: no limit)
  std::string checkpoint;         ///< resumable runs (--checkpoint)
  std::uint64_t checkpoint_every = 1000;
  // Kafka input (--kafka) and scale-out
  std::string brokers, topic, group = "streamreg";
  bool exit_on_eof = false;
  std::vector<std::string> properties;  ///< -X key=value
  int connect_timeout_ms = 10000;
  int broker_timeout_ms = 30000;
  std::string publish_state;  ///< a group member: per-partition states to this topic
  std::string merge_states;   ///< the merger: the global fit from this state topic

  /// Records from a Kafka topic (--kafka) instead of a file.
  bool kafka() const noexcept { return !brokers.empty(); }
  /// A member of a scale-out group or the merger (--publish-state, --merge-states).
  bool sharing() const noexcept { return !publish_state.empty() || !merge_states.empty(); }

  /// What the output depends on: a checkpoint written with other values is refused.
  std::string describe() const {
    std::string d = input + '|' + y;
    for (const auto& c : x) d += "|x " + c;
    d += fmt::format("|{}|{}|{}|{}|{}|{}|{}|{}|{}|{}|{}|{}|{}|{}", model.describe(), degree,
                     no_intercept, ridge, penalize_intercept, precise, solver, skip_to_data,
                     no_header, emit, format, input_format, predict, level);
    // The brokers may move (a mock cluster's ports do): the topic and group identify the input.
    if (kafka()) d += "|kafka " + topic + '|' + group;
    return d;
  }

  /// What the per-partition states of a group depend on: members and merger must agree.
  std::string describe_shares() const {
    std::string d = y;
    for (const auto& c : x) d += "|x " + c;
    return d + fmt::format("|{}|{}|{}|{}|{}|{}|{}", model.describe(), degree, no_intercept, ridge,
                           penalize_intercept, precise, solver);
  }

  /// One x, none of the several-predictor options: the scalar fit (line_fit).
  bool scalar() const {
    return x.size() == 1 && degree == 0 && !no_intercept && ridge == 0 && !precise &&
           solver == "auto";
  }
};

}  // namespace stream_fit
