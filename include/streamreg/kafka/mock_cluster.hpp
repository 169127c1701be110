// SPDX-License-Identifier: MIT
// mock_cluster: librdkafka's in-process mock Kafka cluster (a real Kafka protocol broker on
// 127.0.0.1, no server to install), for demos and tests.
#pragma once

#include <cstdint>  // std::int16_t, std::int32_t
#include <string>   // std::string
#include <vector>   // std::vector

#include "../error.hpp"

#include <librdkafka/rdkafka.h>
#include <librdkafka/rdkafka_mock.h>  // must follow rdkafka.h

namespace streamreg::kafka {

/// An in-process mock cluster of `brokers` brokers listening on ephemeral ports of 127.0.0.1.
/// Clients connect with bootstraps() as `bootstrap.servers` (plaintext only).
///
/// Create topics with create_topic() before any client asks for them: the mock creates an
/// unknown topic with 4 partitions on the first metadata request. Destroy every client of
/// the cluster before the cluster. Group rebalances wait session.timeout.ms - 1000 ms in the
/// mock: give consumers session.timeout.ms of about 4000 (not below 3500).
/// The mock keeps at most 5 MiB (or 100000 batches) per partition.
class mock_cluster {
 public:
  explicit mock_cluster(int brokers = 1) {
    char err[512];
    rd_kafka_conf_t* conf = rd_kafka_conf_new();
    rd_kafka_conf_set(conf, "log_level", "4", nullptr, 0);  // no CONFWARN for the host handle
    host_ = rd_kafka_new(RD_KAFKA_PRODUCER, conf, err, sizeof err);  // never produces
    if (host_ == nullptr) {
      rd_kafka_conf_destroy(conf);
      throw error(std::string("mock cluster: ") + err);
    }
    cluster_ = rd_kafka_mock_cluster_new(host_, brokers);
    if (cluster_ == nullptr) {
      rd_kafka_destroy(host_);
      throw error("mock cluster: cannot start " + std::to_string(brokers) + " brokers");
    }
    bootstraps_ = rd_kafka_mock_cluster_bootstraps(cluster_);
  }
  ~mock_cluster() {
    rd_kafka_mock_cluster_destroy(cluster_);  // the cluster before its host handle
    rd_kafka_destroy(host_);
  }
  mock_cluster(const mock_cluster&) = delete;
  mock_cluster& operator=(const mock_cluster&) = delete;

  /// The `bootstrap.servers` string, e.g. "127.0.0.1:40527,127.0.0.1:37411".
  const std::string& bootstraps() const noexcept { return bootstraps_; }

  /// Creates a topic (synchronous). Throws streamreg::error if it exists or cannot be made.
  void create_topic(const std::string& topic, int partitions) {
    const rd_kafka_resp_err_t e = rd_kafka_mock_topic_create(cluster_, topic.c_str(), partitions, 1);
    if (e != RD_KAFKA_RESP_ERR_NO_ERROR)
      throw error("mock cluster: cannot create topic '" + topic + "': " + rd_kafka_err2str(e));
  }

  /// Takes broker `id` (1-based) down: connections are closed and refused until set_up.
  void set_down(std::int32_t id) { rd_kafka_mock_broker_set_down(cluster_, id); }
  void set_up(std::int32_t id) { rd_kafka_mock_broker_set_up(cluster_, id); }

  /// Kafka protocol request types (ApiKey), for push_request_errors.
  enum class request : std::int16_t {
    produce = 0,
    fetch = 1,
    list_offsets = 2,
    metadata = 3,
    offset_commit = 8,
    offset_fetch = 9,
    find_coordinator = 10,
    join_group = 11,
    heartbeat = 12,
    leave_group = 13,
    sync_group = 14,
  };

  /// Makes the next requests of type `r`, to any broker, fail with `errors` in turn (one
  /// request each), e.g. push_request_errors(request::offset_commit,
  /// {RD_KAFKA_RESP_ERR_REBALANCE_IN_PROGRESS}). Errors librdkafka deems retriable are
  /// retried by the client, the others reach the caller.
  void push_request_errors(request r, const std::vector<rd_kafka_resp_err_t>& errors) {
    rd_kafka_mock_push_request_errors_array(cluster_, static_cast<std::int16_t>(r),
                                            errors.size(), errors.data());
  }
  /// Drops the errors still waiting for requests of type `r`.
  void clear_request_errors(request r) {
    rd_kafka_mock_clear_request_errors(cluster_, static_cast<std::int16_t>(r));
  }

  /// The C handle, for the rest of rdkafka_mock.h (error injection, round-trip times).
  rd_kafka_mock_cluster_t* handle() const noexcept { return cluster_; }

 private:
  rd_kafka_t* host_ = nullptr;
  rd_kafka_mock_cluster_t* cluster_ = nullptr;
  std::string bootstraps_;
};

}  // namespace streamreg::kafka
