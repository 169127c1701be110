// SPDX-License-Identifier: MIT
// Input adapters against their floors: Kafka (librdkafka's in-process mock cluster) and JSON
// lines (simdjson).
#include <streamreg/json/jsonl.hpp>
#include <streamreg/kafka/consumer.hpp>
#include <streamreg/kafka/mock_cluster.hpp>
#include <streamreg/kafka/producer.hpp>
#include <streamreg/regressor.hpp>

#include <benchmark/benchmark.h>
#include <fmt/format.h>

#include <chrono>
#include <cstdint>
#include <cstring>
#include <memory>
#include <string>
#include <vector>

#include "bench_support.hpp"

namespace {

using bench::keep_fit;
using bench::fit_slot;

/// The records: x uniform in [-500, 1500), y = 3 + 0.5 x + U(-10, 10), 17 significant digits.
std::vector<std::pair<std::string, std::string>> records(std::size_t n) {
  std::uint64_t s = 20240601;
  auto uniform = [&s] {
    std::uint64_t z = (s += 0x9e3779b97f4a7c15ULL);
    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
    z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
    return static_cast<double>((z ^ (z >> 31)) >> 11) * 0x1.0p-53;
  };
  std::vector<std::pair<std::string, std::string>> v;
  for (std::size_t i = 0; i < n; ++i) {
    const double x = -500 + 2000 * uniform();
    const double y = 3 + 0.5 * x + (-10 + 20 * uniform());
    v.emplace_back(fmt::format("{:.17g}", x), fmt::format("{:.17g}", y));
  }
  return v;
}

// ---------------------------------------------------------------------------------------------
// Kafka: 50,000 CSV messages (header x,y first) in one partition of a mock cluster (the mock
// keeps 5 MiB per partition). Timed from the first message to the last: the client's start-up
// (about 0.5 s before the first fetch) and the end-of-partition fetch wait are the same for
// both and are left out. Both consumers use fetch.wait.max.ms=10.

constexpr std::size_t kafka_records = 50000;

struct kafka_fixture {
  streamreg::kafka::mock_cluster mc{1};
  kafka_fixture() {
    mc.create_topic("bench", 1);
    // Large batches: the mock answers each fetch with one batch per partition.
    streamreg::kafka::producer prod(mc.bootstraps(),
                                    {{"linger.ms", "100"}, {"batch.num.messages", "10000"},
                                     {"batch.size", "1000000"}});
    prod.send("bench", "x,y", 0);
    for (const auto& [x, y] : records(kafka_records)) prod.send("bench", x + "," + y, 0);
    prod.flush(60000);
  }
};

kafka_fixture& kafka() {
  static kafka_fixture f;
  return f;
}

void BM_kafka_consume_floor(benchmark::State& state) {
  auto& k = kafka();
  for (auto _ : state) {
    std::string err;
    std::unique_ptr<RdKafka::Conf> conf(RdKafka::Conf::create(RdKafka::Conf::CONF_GLOBAL));
    conf->set("bootstrap.servers", k.mc.bootstraps(), err);
    conf->set("group.id", "floor", err);
    conf->set("enable.auto.commit", "false", err);
    conf->set("enable.partition.eof", "true", err);
    conf->set("fetch.wait.max.ms", "10", err);
    std::unique_ptr<RdKafka::KafkaConsumer> c(RdKafka::KafkaConsumer::create(conf.get(), err));
    std::vector<RdKafka::TopicPartition*> parts{
        RdKafka::TopicPartition::create("bench", 0, RdKafka::Topic::OFFSET_BEGINNING)};
    c->assign(parts);
    RdKafka::TopicPartition::destroy(parts);
    std::size_t n = 0, bytes = 0;
    std::chrono::steady_clock::time_point start, stop;
    while (n < kafka_records + 1) {
      std::unique_ptr<RdKafka::Message> m(c->consume(100));
      if (m->err() != RdKafka::ERR_NO_ERROR) continue;
      if (n++ == 0) start = std::chrono::steady_clock::now();
      bytes += m->len();
      benchmark::DoNotOptimize(m->payload());
    }
    stop = std::chrono::steady_clock::now();
    state.SetIterationTime(std::chrono::duration<double>(stop - start).count());
    benchmark::DoNotOptimize(bytes);
    if (n != kafka_records + 1) state.SkipWithError("not every message was read");
    c->close();
  }
  state.SetItemsProcessed(state.iterations() * static_cast<std::int64_t>(kafka_records));
}
BENCHMARK(BM_kafka_consume_floor)->UseManualTime()->Unit(benchmark::kMillisecond)->Iterations(5);

void BM_kafka_regressor(benchmark::State& state) {
  auto& k = kafka();
  fit_slot fit;
  for (auto _ : state) {
    streamreg::kafka::consumer_options o;
    o.brokers = k.mc.bootstraps();
    o.topic = "bench";
    o.group = "adapter";
    o.partitions = {0};
    o.start = streamreg::kafka::start_position::earliest;
    o.exit_on_eof = true;
    o.config = {{"fetch.wait.max.ms", "10"}};  // as the floor's
    streamreg::kafka::consumer in(o);
    streamreg::regressor<streamreg::moments<double>, keep_fit> reg(keep_fit{&fit});
    std::size_t n = 0;
    std::chrono::steady_clock::time_point start;
    while (n < kafka_records) {
      const auto r = in.next(100);
      if (r == streamreg::kafka::consumer::result::end) break;
      if (n == 0 && in.offset() == 0) start = std::chrono::steady_clock::now();  // the header
      if (r == streamreg::kafka::consumer::result::record) {
        reg.push(in.values()[0], in.values()[1]);
        benchmark::DoNotOptimize(fit);
        ++n;
      }
    }
    state.SetIterationTime(
        std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count());
    if (n != kafka_records) state.SkipWithError("not every record was read");
    in.close();
  }
  state.SetItemsProcessed(state.iterations() * static_cast<std::int64_t>(kafka_records));
}
BENCHMARK(BM_kafka_regressor)->UseManualTime()->Unit(benchmark::kMillisecond)->Iterations(5);

// ---------------------------------------------------------------------------------------------
// JSON lines: 1,000,000 lines {"x":...,"y":...} in memory.

const std::string& jsonl_text() {
  static const std::string text = [] {
    std::string t;
    for (const auto& [x, y] : records(1000000)) t += "{\"x\":" + x + ",\"y\":" + y + "}\n";
    return t;
  }();
  return text;
}

/// The floor: find each line, parse it with simdjson's DOM parser (into a padded buffer, as
/// the reader must), look up x and y.
void BM_jsonl_floor(benchmark::State& state) {
  const std::string& text = jsonl_text();
  simdjson::dom::parser parser;
  std::vector<char> buf(4096);
  for (auto _ : state) {
    std::size_t n = 0;
    for (std::size_t pos = 0; pos < text.size();) {
      const std::size_t nl = text.find('\n', pos);
      const std::size_t len = nl - pos;
      std::memcpy(buf.data(), text.data() + pos, len);
      simdjson::dom::element doc;
      double x = 0, y = 0;
      if (parser.parse(buf.data(), len, false).get(doc) || doc["x"].get_double().get(x) ||
          doc["y"].get_double().get(y)) {
        state.SkipWithError("parse");
        break;
      }
      bench::xy v{x, y};
      benchmark::DoNotOptimize(v);
      pos = nl + 1;
      ++n;
    }
    benchmark::DoNotOptimize(n);
  }
  state.SetItemsProcessed(static_cast<std::int64_t>(state.iterations() * 1000000));
}
BENCHMARK(BM_jsonl_floor)->Unit(benchmark::kMillisecond);

void BM_jsonl_regressor(benchmark::State& state) {
  const std::string& text = jsonl_text();
  fit_slot fit;
  for (auto _ : state) {
    streamreg::json::jsonl_reader<double> in(std::string_view(text), {"x", "y"});
    streamreg::regressor<streamreg::moments<double>, keep_fit> reg(keep_fit{&fit});
    while (in.next() == streamreg::json::jsonl_reader<double>::result::record) {
      reg.push(in[0], in[1]);
      benchmark::DoNotOptimize(fit);
    }
    if (reg.accepted() != 1000000) state.SkipWithError("not every record was read");
  }
  state.SetItemsProcessed(static_cast<std::int64_t>(state.iterations() * 1000000));
}
BENCHMARK(BM_jsonl_regressor)->Unit(benchmark::kMillisecond);

}  // namespace
