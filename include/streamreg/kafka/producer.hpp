// SPDX-License-Identifier: MIT
// producer: writes records to a Kafka topic (the reference workflow's producer side): a CSV
// header message first in every partition, then one message per record.
#pragma once

#include <cstdint>  // std::int32_t, std::int64_t
#include <memory>   // std::unique_ptr
#include <string>   // std::string
#include <utility>  // std::pair
#include <vector>   // std::vector

#include "../error.hpp"

#include <librdkafka/rdkafkacpp.h>

namespace streamreg::kafka {

/// librdkafka properties, applied in order (`-X key=value` on the command line).
using properties = std::vector<std::pair<std::string, std::string>>;

/// Properties from `key=value` strings (a command line's `-X` options); throws config_error
/// naming one without `=` or with an empty key.
inline properties parse_properties(const std::vector<std::string>& pairs) {
  properties props;
  for (const std::string& kv : pairs) {
    const auto eq = kv.find('=');
    if (eq == std::string::npos || eq == 0)
      throw config_error("-X " + kv + ": expected key=value");
    props.emplace_back(kv.substr(0, eq), kv.substr(eq + 1));
  }
  return props;
}

namespace detail {

/// Sets every property; throws config_error naming the one librdkafka refuses.
inline void configure(RdKafka::Conf& conf, const properties& props) {
  std::string err;
  for (const auto& [key, value] : props)
    if (conf.set(key, value, err) != RdKafka::Conf::CONF_OK)
      throw config_error("Kafka property " + key + "=" + value + ": " + err);
}

/// The number of partitions of `topic`, asked of the cluster `brokers` through any client
/// handle; throws streamreg::error when no broker answers within `timeout_ms` or the cluster
/// does not know the topic.
inline int partition_count(RdKafka::Handle& handle, const std::string& brokers,
                           const std::string& topic, int timeout_ms) {
  std::string err;
  std::unique_ptr<RdKafka::Topic> t(RdKafka::Topic::create(&handle, topic, nullptr, err));
  if (!t) throw error("Kafka topic '" + topic + "': " + err);
  RdKafka::Metadata* raw = nullptr;
  const RdKafka::ErrorCode e = handle.metadata(false, t.get(), &raw, timeout_ms);
  std::unique_ptr<RdKafka::Metadata> md(raw);
  if (e != RdKafka::ERR_NO_ERROR)
    throw error("cannot reach the Kafka brokers '" + brokers + "' within " +
                std::to_string(timeout_ms) + " ms (metadata of '" + topic +
                "'): " + RdKafka::err2str(e));
  for (const RdKafka::TopicMetadata* tm : *md->topics())
    if (tm->topic() == topic) {
      if (tm->err() != RdKafka::ERR_NO_ERROR)
        throw error("Kafka topic '" + topic + "': " + RdKafka::err2str(tm->err()));
      return static_cast<int>(tm->partitions()->size());
    }
  throw error("Kafka topic '" + topic + "' not found");
}

}  // namespace detail

/// A Kafka producer for text messages. send() queues (copying the payload); flush() waits
/// until every queued message is acknowledged. Delivery errors are counted (failed()) and
/// flush() throws when any message could not be delivered.
class producer {
 public:
  /// Any partition (librdkafka's partitioner chooses).
  static constexpr std::int32_t any_partition = -1;

  explicit producer(const std::string& brokers, const properties& props = {}) : brokers_(brokers) {
    std::unique_ptr<RdKafka::Conf> conf(RdKafka::Conf::create(RdKafka::Conf::CONF_GLOBAL));
    detail::configure(*conf, {{"bootstrap.servers", brokers}, {"linger.ms", "5"}});
    detail::configure(*conf, props);
    std::string err;
    if (conf->set("dr_cb", &reports_, err) != RdKafka::Conf::CONF_OK) throw error(err);
    producer_.reset(RdKafka::Producer::create(conf.get(), err));
    if (!producer_) throw config_error("Kafka producer: " + err);
  }
  ~producer() {
    if (producer_) producer_->flush(5000);
  }
  producer(const producer&) = delete;
  producer& operator=(const producer&) = delete;

  /// Queues one message. `timestamp_ms` 0: now. Waits (serving delivery reports) while the
  /// local queue is full.
  void send(const std::string& topic, const std::string& value,
            std::int32_t partition = any_partition, const std::string& key = {},
            std::int64_t timestamp_ms = 0) {
    for (;;) {
      const RdKafka::ErrorCode e = producer_->produce(
          topic, partition, RdKafka::Producer::RK_MSG_COPY, const_cast<char*>(value.data()),
          value.size(), key.empty() ? nullptr : key.data(), key.size(), timestamp_ms, nullptr);
      if (e == RdKafka::ERR_NO_ERROR) break;
      if (e != RdKafka::ERR__QUEUE_FULL)
        throw error("Kafka produce to '" + topic + "': " + RdKafka::err2str(e));
      producer_->poll(100);
    }
    producer_->poll(0);
  }

  /// The number of partitions of `topic` (asks the cluster).
  int partition_count(const std::string& topic, int timeout_ms = 10000) {
    return detail::partition_count(*producer_, brokers_, topic, timeout_ms);
  }

  /// Sends `header` as the first message of every partition of `topic` (the CSV header the
  /// consumer expects first in each partition). Call before any record is sent.
  void send_header(const std::string& topic, const std::string& header) {
    const int n = partition_count(topic);
    for (int p = 0; p < n; ++p) send(topic, header, p);
  }

  /// Waits until every queued message is delivered; throws streamreg::error on a timeout or
  /// when a message failed.
  void flush(int timeout_ms = 30000) {
    const RdKafka::ErrorCode e = producer_->flush(timeout_ms);
    if (e != RdKafka::ERR_NO_ERROR || producer_->outq_len() != 0)
      throw error("Kafka flush: " + std::to_string(producer_->outq_len()) +
                  " messages not delivered: " + RdKafka::err2str(e));
    if (reports_.failed > 0)
      throw error("Kafka: " + std::to_string(reports_.failed) + " messages failed: " +
                  reports_.last_error);
  }

  std::uint64_t delivered() const noexcept { return reports_.delivered; }
  std::uint64_t failed() const noexcept { return reports_.failed; }
  RdKafka::Producer& handle() noexcept { return *producer_; }

 private:
  struct delivery_reports : RdKafka::DeliveryReportCb {
    void dr_cb(RdKafka::Message& m) override {
      if (m.err() == RdKafka::ERR_NO_ERROR) {
        ++delivered;
      } else {
        ++failed;
        last_error = m.errstr();
      }
    }
    std::uint64_t delivered = 0;
    std::uint64_t failed = 0;
    std::string last_error;
  };

  std::string brokers_;
  delivery_reports reports_;  // outlives producer_ (declared first)
  std::unique_ptr<RdKafka::Producer> producer_;
};

}  // namespace streamreg::kafka
