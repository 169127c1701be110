// SPDX-License-Identifier: MIT
// kafka_produce: the reference workflow's producer. Writes a CSV file (its first line is the
// header) or the built-in demo producer's records to a Kafka topic: the header message first
// in every partition, then one message per record.
#include <streamreg/io/generator.hpp>
#include <streamreg/io/input_file.hpp>
#include <streamreg/io/line_reader.hpp>
#include <streamreg/kafka/producer.hpp>

#include <CLI/CLI.hpp>
#include <fmt/format.h>

#include "cli_parse.hpp"

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace {

constexpr const char* program = "kafka_produce";

struct options {
  std::string brokers, topic, input;
  std::int32_t partition = -1;
  bool spread = false;  // record i to partition i mod P
  std::uint64_t demo_records = 100;
  std::uint64_t seed = 42;
  std::vector<std::string> properties;
  std::size_t max_line = std::size_t{1} << 20;
};

int run(const options& opt) {
  // The input first (it exists, is UTF-8, has a header): nothing is sent before it is checked.
  std::optional<streamreg::io::input_file> in;
  std::optional<streamreg::io::line_reader> lines;
  std::string first;
  if (!opt.input.empty()) {
    in.emplace(opt.input, streamreg::io::input_file::options{opt.max_line, false, false});
    lines.emplace(in->source());
    std::string_view line;
    if (!lines->next(line)) throw streamreg::config_error("'" + opt.input + "' is empty");
    first = std::string(line);
  }
  streamreg::kafka::producer prod(opt.brokers, streamreg::kafka::parse_properties(opt.properties));
  auto header = [&](const std::string& h) {
    if (opt.partition >= 0) prod.send(opt.topic, h, opt.partition);
    else prod.send_header(opt.topic, h);
  };
  std::uint64_t sent = 0;
  const std::int32_t partitions = opt.spread ? prod.partition_count(opt.topic) : 0;
  auto target = [&] {
    return opt.spread ? static_cast<std::int32_t>(sent % static_cast<std::uint64_t>(partitions))
                      : opt.partition;
  };
  if (lines) {  // line_reader drops CRs before LFs; a failed read is an io_error (exit 3)
    header(first);
    for (std::string_view line; lines->next(line);) {
      if (line.empty()) continue;
      prod.send(opt.topic, std::string(line), target());
      ++sent;
    }
  } else {
    header("x,y");
    streamreg::io::generator gen({opt.demo_records, opt.seed, 0.0, 1.0, 0.0, 1.0, 0.1});
    double x = 0, y = 0;
    while (gen.next(x, y)) {
      prod.send(opt.topic, fmt::format("{:.17g},{:.17g}", x, y), target());
      ++sent;
    }
  }
  prod.flush();
  fmt::print(stderr, "{}: {} records sent to '{}'\n", program, sent, opt.topic);
  return 0;
}

}  // namespace

int main(int argc, char** argv) {
  streamreg::io::guard_standard_streams();
  CLI::App app{"Writes CSV records to a Kafka topic, the header message first in every "
               "partition: a file (--input; its first line is the header) or the built-in demo "
               "producer (x = 0, 1, 2, ..., y = x + uniform noise in (-0.1, 0.1)).",
               program};
  options opt;
  app.add_option("-b,--kafka", opt.brokers, "Bootstrap brokers host:port[,host:port...]")->required();
  app.add_option("-t,--topic", opt.topic, "Topic")->required();
  app.add_option("input,--input", opt.input,
                 "CSV file with a header line, or - for standard input (positional or --input; "
                 "default: the demo producer)");
  app.add_option("--partition", opt.partition,
                 "Write every message to this partition (default: the header to every "
                 "partition, records where librdkafka's partitioner puts them)");
  app.add_flag("--spread", opt.spread,
               "Write record i to partition i mod P (P: the topic's partitions), so every "
               "partition gets an equal share")
      ->excludes("--partition");
  app.add_option("--demo-records", opt.demo_records, "Records the demo producer writes")
      ->capture_default_str();
  app.add_option("--seed", opt.seed, "Seed of the demo producer's noise")->capture_default_str();
  app.add_option("-X", opt.properties, "librdkafka property key=value, repeatable");
  app.add_option("--max-line", opt.max_line,
                 "Longest input line in bytes; a longer one is an error naming it (exit 1)")
      ->check(cli::at_least_one)
      ->capture_default_str();
  if (const auto parsed = cli::parse(app, argc, argv)) return *parsed;
  try {
    return run(opt);
  } catch (const streamreg::parse_error& e) {
    fmt::print(stderr, "{}: {}\n", program, e.what());
    return 1;
  } catch (const streamreg::config_error& e) {
    fmt::print(stderr, "{}: {}\n", program, e.what());
    return 2;
  } catch (const std::exception& e) {
    fmt::print(stderr, "{}: {}\n", program, e.what());
    return 3;
  }
}
