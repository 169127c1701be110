// SPDX-License-Identifier: MIT
// Filling a topic of the mock cluster the way the reference workflow's producer does: the CSV
// header message first in every partition, then one row per message.
#pragma once

#include <streamreg/kafka/producer.hpp>

#include <cstddef>
#include <cstdint>
#include <string>
#include <vector>

#include "format.hpp"

namespace streamreg_test {

/// Produces `rows` to `topic` (which must exist), row i to partition i mod `partitions`,
/// after `header` in every partition; returns once every message is acknowledged.
inline void produce_rows(const std::string& bootstraps, const std::string& topic,
                         const std::string& header, const std::vector<std::string>& rows,
                         int partitions) {
  streamreg::kafka::producer prod(bootstraps);
  prod.send_header(topic, header);
  for (std::size_t i = 0; i < rows.size(); ++i)
    prod.send(topic, rows[i], static_cast<std::int32_t>(i % static_cast<std::size_t>(partitions)));
  prod.flush();
}

/// produce_rows of points (anything with .x and .y) as `x,y` rows with 17 digits.
template <class Points>
void produce_points(const std::string& bootstraps, const std::string& topic, const Points& data,
                    int partitions) {
  std::vector<std::string> rows;
  rows.reserve(data.size());
  for (const auto& p : data) rows.push_back(g17(p.x) + "," + g17(p.y));
  produce_rows(bootstraps, topic, "x,y", rows, partitions);
}

}  // namespace streamreg_test
