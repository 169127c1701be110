// SPDX-License-Identifier: MIT
// state_topic: scale-out over a Kafka consumer group. Each member of the group fits the
// partitions the group gives it, one state per input partition, and publishes those states
// (with the offset each covers) to a state topic keyed by input partition; a merger reads the
// state topic and merges the latest state of every partition into the global fit. A member
// that takes a partition over restores that partition's state from the state topic and
// continues at its offset, so a rebalance neither loses nor double-counts a record.
#pragma once

#include <charconv>      // std::from_chars
#include <chrono>        // std::chrono::steady_clock
#include <cstdint>       // std::int32_t, std::int64_t, std::uint64_t
#include <map>           // std::map
#include <memory>        // std::unique_ptr
#include <optional>      // std::optional
#include <string>        // std::string
#include <set>           // std::set
#include <string_view>   // std::string_view
#include <system_error>  // std::errc
#include <utility>       // std::move, std::pair
#include <vector>        // std::vector

#include "../checkpoint.hpp"
#include "../error.hpp"
#include "consumer.hpp"
#include "producer.hpp"

#include <librdkafka/rdkafkacpp.h>

namespace streamreg::kafka {

/// One input partition's share of a fit: the state of the records read from the partition
/// up to `next_offset`, published as a checkpoint (checkpoint.hpp) in a state message.
/// `State`: any mergeable state with checkpoint support (moments, raw_sums,
/// multivariate::regression with a shared origin, ...).
template <class State>
struct partition_share {
  std::int32_t partition = 0;
  std::int64_t next_offset = 0;  ///< offset after the last message the state covers
  std::uint64_t records = 0;     ///< records in the state
  std::uint64_t skipped = 0;     ///< bad records passed over
  /// A hash of what shapes the state (columns, options): shares with another configuration
  /// are refused by the merger rather than merged.
  std::uint64_t config = 0;
  State state{};

  static std::string checkpoint_type() {
    return "partition_share<" + State::checkpoint_type() + ">";
  }
  template <class Archive>
  void serialize(Archive& ar) {
    ar.field("partition", partition);
    ar.field("next_offset", next_offset);
    ar.field("records", records);
    ar.field("skipped", skipped);
    ar.field("config", config);
    state.serialize(ar);
  }
};

/// The key of a state message: `<input topic>/<partition>`, e.g. "linear-regression/2".
inline std::string share_key(const std::string& topic, std::int32_t partition) {
  return topic + '/' + std::to_string(partition);
}

/// The input topic and partition of a state message's key; nothing for another key.
inline std::optional<std::pair<std::string, std::int32_t>> parse_share_key(std::string_view key) {
  const auto slash = key.rfind('/');
  if (slash == std::string_view::npos || slash == 0 || slash + 1 == key.size()) return std::nullopt;
  std::int32_t p = 0;
  const char* first = key.data() + slash + 1;
  const char* last = key.data() + key.size();
  const auto [end, ec] = std::from_chars(first, last, p);
  if (ec != std::errc() || end != last || p < 0) return std::nullopt;
  return std::pair<std::string, std::int32_t>(std::string(key.substr(0, slash)), p);
}

/// The merge of the states of `shares` (a map from partition to share), in partition order:
/// the same shares give the same bits. Nothing for no shares.
template <class State>
std::optional<State> merge_shares(const std::map<std::int32_t, partition_share<State>>& shares) {
  std::optional<State> total;
  for (const auto& kv : shares) {
    if (!total) total = kv.second.state;
    else total->merge(kv.second.state);
  }
  return total;
}

/// The latest share of every partition of one input topic, and their merge.
///
/// A share replaces the one held for its partition only if it covers at least as much of the
/// partition (`next_offset` not smaller). Every published share is the exact state of a prefix
/// of its partition, so the table holds a prefix of every partition whatever order state
/// messages arrive in: a late message from a member that has lost the partition (or a retried
/// send) can hold the fit back, never count a record twice.
template <class State>
class share_table {
 public:
  using share_type = partition_share<State>;

  /// Keeps `s` if it is the furthest share of its partition so far; true when it was kept.
  bool offer(share_type s) {
    const auto it = shares_.find(s.partition);
    if (it != shares_.end() && it->second.next_offset > s.next_offset) return false;
    shares_[s.partition] = std::move(s);
    return true;
  }

  /// The share of `partition`, or null.
  const share_type* find(std::int32_t partition) const {
    const auto it = shares_.find(partition);
    return it == shares_.end() ? nullptr : &it->second;
  }

  /// The merge of every partition's state, in partition order (the same input gives the same
  /// bits); nothing while the table is empty.
  std::optional<State> merged() const { return merge_shares(shares_); }

  /// Records and skipped records over all partitions.
  std::uint64_t records() const noexcept {
    std::uint64_t n = 0;
    for (const auto& kv : shares_) n += kv.second.records;
    return n;
  }
  std::uint64_t skipped() const noexcept {
    std::uint64_t n = 0;
    for (const auto& kv : shares_) n += kv.second.skipped;
    return n;
  }
  const std::map<std::int32_t, share_type>& shares() const noexcept { return shares_; }
  bool empty() const noexcept { return shares_.empty(); }

 private:
  std::map<std::int32_t, share_type> shares_;
};

/// Publishes shares to a state topic, keyed by share_key (the producer's partitioner keeps
/// one key in one partition, in order). On a real cluster make the state topic compacted
/// (cleanup.policy=compact): only the latest share per partition is needed.
class state_publisher {
 public:
  state_publisher(const std::string& brokers, std::string state_topic, const properties& props = {})
      : topic_(std::move(state_topic)), producer_(brokers, props) {
    if (topic_.empty()) throw config_error("Kafka: no state topic");
    // The topic's metadata now, not with the first share: a missing state topic is an error
    // at start, and the first checkpoint does not wait for the lookup.
    producer_.partition_count(topic_);
  }

  /// Queues the share of `input_topic`'s partition; flush() waits for it.
  template <class State>
  void publish(const std::string& input_topic, const partition_share<State>& share) {
    producer_.send(topic_, save_checkpoint(share), producer::any_partition,
                   share_key(input_topic, share.partition));
    ++published_;
  }

  /// Waits until every share is written (throws streamreg::error when one could not be).
  void flush(int timeout_ms = 30000) { producer_.flush(timeout_ms); }

  const std::string& topic() const noexcept { return topic_; }
  std::uint64_t published() const noexcept { return published_; }

 private:
  std::string topic_;
  producer producer_;
  std::uint64_t published_ = 0;
};

/// Reads every partition of a state topic from its beginning (no consumer group, no commits):
/// the messages there are now, then new ones as they arrive.
class state_reader {
 public:
  enum class result {
    message,  ///< key(), value(), partition() and offset() describe a state message
    idle,     ///< nothing within the timeout
    end,      ///< every partition is at its end (nothing new since)
  };

  /// Connects within `timeout_ms` (else throws streamreg::error naming the brokers).
  state_reader(const std::string& brokers, std::string state_topic, const properties& props = {},
               int timeout_ms = 10000)
      : topic_(std::move(state_topic)) {
    if (topic_.empty()) throw config_error("Kafka: no state topic");
    std::unique_ptr<RdKafka::Conf> conf(RdKafka::Conf::create(RdKafka::Conf::CONF_GLOBAL));
    detail::configure(*conf, {{"bootstrap.servers", brokers},
                              {"group.id", "streamreg-state-reader"},
                              {"enable.auto.commit", "false"},
                              {"enable.auto.offset.store", "false"},
                              {"enable.partition.eof", "true"},
                              {"auto.offset.reset", "earliest"}});
    detail::configure(*conf, props);
    std::string err;
    consumer_.reset(RdKafka::KafkaConsumer::create(conf.get(), err));
    if (!consumer_) throw config_error("Kafka consumer: " + err);
    const int partitions = detail::partition_count(*consumer_, brokers, topic_, timeout_ms);
    std::vector<RdKafka::TopicPartition*> parts;
    for (std::int32_t p = 0; p < partitions; ++p) {
      parts.push_back(RdKafka::TopicPartition::create(topic_, p, RdKafka::Topic::OFFSET_BEGINNING));
      eof_[p] = false;
    }
    const RdKafka::ErrorCode e = consumer_->assign(parts);
    RdKafka::TopicPartition::destroy(parts);
    if (e != RdKafka::ERR_NO_ERROR)
      throw streamreg::error("Kafka: cannot read state topic '" + topic_ + "': " + RdKafka::err2str(e));
  }
  ~state_reader() {
    if (consumer_) consumer_->close();
  }
  state_reader(const state_reader&) = delete;
  state_reader& operator=(const state_reader&) = delete;

  /// Waits up to `timeout_ms` for the next state message.
  result next(int timeout_ms) {
    std::unique_ptr<RdKafka::Message> m(consumer_->consume(timeout_ms));
    switch (m->err()) {
      case RdKafka::ERR_NO_ERROR:
        eof_[m->partition()] = false;
        partition_ = m->partition();
        offset_ = m->offset();
        key_.assign(m->key_pointer() == nullptr ? "" : static_cast<const char*>(m->key_pointer()),
                    m->key_pointer() == nullptr ? 0 : m->key_len());
        value_.assign(static_cast<const char*>(m->payload()), m->len());
        return result::message;
      case RdKafka::ERR__PARTITION_EOF:
        eof_[m->partition()] = true;
        return at_end() ? result::end : result::idle;
      case RdKafka::ERR__TIMED_OUT:
        return at_end() ? result::end : result::idle;
      default: {
        std::string fatal;
        if (m->err() == RdKafka::ERR__FATAL || consumer_->fatal_error(fatal) != RdKafka::ERR_NO_ERROR)
          throw streamreg::error("Kafka: fatal error: " + (fatal.empty() ? m->errstr() : fatal));
        ++warnings_;
        return result::idle;
      }
    }
  }

  const std::string& key() const noexcept { return key_; }
  const std::string& value() const noexcept { return value_; }
  std::int32_t partition() const noexcept { return partition_; }
  std::int64_t offset() const noexcept { return offset_; }
  const std::string& topic() const noexcept { return topic_; }
  std::uint64_t warnings() const noexcept { return warnings_; }

 private:
  bool at_end() const noexcept {
    for (const auto& kv : eof_)
      if (!kv.second) return false;
    return true;
  }

  std::string topic_;
  std::unique_ptr<RdKafka::KafkaConsumer> consumer_;
  std::map<std::int32_t, bool> eof_;
  std::string key_, value_;
  std::int32_t partition_ = -1;
  std::int64_t offset_ = -1;
  std::uint64_t warnings_ = 0;
};

/// Offers the share in the reader's current message to `table` if its key names a partition
/// of `input_topic`. Returns whether the table changed; throws checkpoint_error (naming the
/// state message) for a value that is not a share of this State, and streamreg::error for a
/// share written with another configuration than `config`.
template <class State>
bool offer_message(const state_reader& in, const std::string& input_topic, std::uint64_t config,
                   share_table<State>& table, const partition_share<State>& prototype = {}) {
  const auto key = parse_share_key(in.key());
  if (!key || key->first != input_topic) return false;
  const std::string where = "state topic '" + in.topic() + "' partition " +
                            std::to_string(in.partition()) + ", offset " +
                            std::to_string(in.offset()) + " (key '" + in.key() + "')";
  partition_share<State> share = prototype;
  try {
    restore_checkpoint(in.value(), share);
  } catch (const checkpoint_error& e) {
    throw checkpoint_error(where + ": " + e.what());
  }
  if (share.partition != key->second)
    throw checkpoint_error(where + ": holds partition " + std::to_string(share.partition));
  if (share.config != config)
    throw streamreg::error(where + ": written with another configuration (columns, options)");
  return table.offer(std::move(share));
}

/// Reads the state topic to its end and returns the latest share of every partition of
/// `input_topic` (what a member restores when it is given partitions). Throws
/// streamreg::error when the end is not reached within `timeout_ms` of idle waiting.
template <class State>
share_table<State> load_shares(const std::string& brokers, const std::string& state_topic,
                               const std::string& input_topic, std::uint64_t config,
                               const properties& props = {}, int timeout_ms = 10000,
                               const partition_share<State>& prototype = {}) {
  share_table<State> table;
  state_reader in(brokers, state_topic, props, timeout_ms);
  auto deadline = std::chrono::steady_clock::now() + std::chrono::milliseconds(timeout_ms);
  for (;;) {
    const auto r = in.next(200);
    if (r == state_reader::result::end) break;
    if (r == state_reader::result::message) {
      offer_message(in, input_topic, config, table, prototype);
      deadline = std::chrono::steady_clock::now() + std::chrono::milliseconds(timeout_ms);
    } else if (std::chrono::steady_clock::now() > deadline)
      throw streamreg::error("Kafka: state topic '" + state_topic + "' not read to its end within " +
                             std::to_string(timeout_ms) + " ms");
  }
  return table;
}

namespace detail {

/// The properties of `props` a producer can use: consumer-only ones (group and fetch
/// settings) are left out, so the state publisher of a member accepts the member's -X list
/// without warnings.
inline properties producer_properties(const properties& props) {
  static const std::set<std::string> consumer_only{
      "session.timeout.ms",   "heartbeat.interval.ms",    "max.poll.interval.ms",
      "auto.offset.reset",    "enable.auto.commit",       "auto.commit.interval.ms",
      "enable.partition.eof", "enable.auto.offset.store", "partition.assignment.strategy",
      "group.instance.id",    "group.protocol.type",      "isolation.level",
      "check.crcs",           "queued.min.messages",      "queued.max.messages.kbytes",
      "fetch.wait.max.ms",    "fetch.min.bytes",          "fetch.max.bytes",
      "fetch.message.max.bytes", "fetch.error.backoff.ms", "allow.auto.create.topics"};
  properties out;
  for (const auto& kv : props)
    if (consumer_only.count(kv.first) == 0) out.push_back(kv);
  return out;
}

}  // namespace detail

/// A member of a consumer group that fits its share of a topic: one state per assigned input
/// partition, published to a state topic (after each checkpoint() and before a partition is
/// taken away) and restored from it when a partition is assigned, so the partition's next
/// owner continues exactly where the published state stops. The global fit is the merge of
/// the latest share of every partition (share_table, or `realtime_regression
/// --merge-states`).
///
/// ```
/// kafka::group_member<moments<double>> m({input, "regression-state"});
/// for (;;) {
///   const auto r = m.input().next(100);
///   if (r == kafka::consumer::result::record) m.push(m.input()[0], m.input()[1]);
///   if (r == kafka::consumer::result::end) break;
///   if (++n % 1000 == 0) m.checkpoint();
/// }
/// m.close();
/// ```
/// Records read after the last published share of a partition are read again by its next
/// owner if this member dies: they were never in a published state, so nothing is counted
/// twice. Offsets are committed to the group after the shares are published (for tools that
/// watch the group's lag); where a partition starts is decided by its share.
template <class State>
class group_member {
 public:
  using share_type = partition_share<State>;
  struct options {
    consumer_options input;        ///< the input topic, group, format and columns
    std::string state_topic;       ///< where shares are published and restored from
    std::uint64_t config = 0;      ///< identifies the configuration (share_type::config)
    share_type prototype{};        ///< a new partition's share (an empty state with options)
  };

  explicit group_member(options opt)
      : opt_(std::move(opt)),
        publisher_(opt_.input.brokers, opt_.state_topic,
                   detail::producer_properties(opt_.input.config)) {
    opt_.prototype.config = opt_.config;
    consumer_options co = opt_.input;
    co.on_assign = [this](const std::vector<std::int32_t>& parts) { return restore(parts); };
    auto user_revoke = std::move(co.on_revoke);
    co.on_revoke = [this, user_revoke](const std::vector<std::int32_t>& parts) {
      if (user_revoke) user_revoke(parts);
      release(parts);
    };
    consumer_ = std::make_unique<consumer>(std::move(co));
  }
  group_member(const group_member&) = delete;
  group_member& operator=(const group_member&) = delete;

  /// The input: next() reads the next record (of any assigned partition).
  consumer& input() noexcept { return *consumer_; }

  /// The share of the partition of the last message read: push the record into its state.
  share_type& share() {
    const auto it = shares_.find(consumer_->partition());
    if (it == shares_.end())
      throw streamreg::error("Kafka: a message of partition " +
                             std::to_string(consumer_->partition()) + ", which is not assigned");
    return it->second;
  }
  /// Pushes a record into the share of the last message's partition; false if refused.
  template <class... Args>
  bool push(const Args&... args) {
    share_type& s = share();
    if (!s.state.push(args...)) return false;
    ++s.records;
    return true;
  }
  /// Retracts a record from the share of the last message's partition; false if refused.
  template <class... Args>
  bool pop(const Args&... args) {
    share_type& s = share();
    if (!s.state.pop(args...)) return false;
    --s.records;
    return true;
  }
  /// Counts the last message as a bad record of its partition.
  void skip() { ++share().skipped; }

  /// Publishes the share of every assigned partition that moved since it was last published,
  /// waits until they are written, then commits the offsets they cover.
  void checkpoint() {
    std::vector<std::int32_t> parts;
    for (const auto& kv : shares_) parts.push_back(kv.first);
    publish(parts);
    consumer_->commit();
  }

  /// Checkpoints and leaves the group.
  void close() {
    if (!consumer_) return;
    checkpoint();
    consumer_->close();
  }

  /// The shares of the partitions assigned now.
  const std::map<std::int32_t, share_type>& shares() const noexcept { return shares_; }
  /// The merge of the assigned partitions' states (this member's part of the fit).
  std::optional<State> merged() const { return merge_shares(shares_); }
  /// Changes whenever partitions are assigned or taken away.
  std::uint64_t generation() const noexcept { return generation_; }
  /// Shares restored from the state topic, and published to it, so far.
  std::uint64_t restored() const noexcept { return restored_; }
  std::uint64_t published() const noexcept { return publisher_.published(); }

 private:
  std::vector<position> restore(const std::vector<std::int32_t>& parts) {
    const share_table<State> table =
        load_shares<State>(opt_.input.brokers, opt_.state_topic, opt_.input.topic, opt_.config,
                           opt_.input.config, opt_.input.connect_timeout_ms, opt_.prototype);
    std::vector<position> resume;
    for (const std::int32_t p : parts) {
      if (const share_type* s = table.find(p)) {
        shares_[p] = *s;
        published_[p] = s->next_offset;
        resume.push_back({p, s->next_offset});
        ++restored_;
      } else {
        share_type fresh = opt_.prototype;
        fresh.partition = p;
        shares_[p] = std::move(fresh);
        published_.erase(p);
      }
    }
    ++generation_;
    return resume;
  }

  void release(const std::vector<std::int32_t>& parts) {
    publish(parts);
    for (const std::int32_t p : parts) shares_.erase(p);
    ++generation_;
  }

  /// Publishes the listed partitions' shares that moved, then flushes.
  void publish(const std::vector<std::int32_t>& parts) {
    const std::vector<position> at = consumer_->positions();
    bool any = false;
    for (const std::int32_t p : parts) {
      const auto s = shares_.find(p);
      if (s == shares_.end()) continue;
      const position* pos = nullptr;
      for (const position& q : at)
        if (q.partition == p) pos = &q;
      if (pos == nullptr) continue;  // nothing read from it yet
      const auto done = published_.find(p);
      if (done != published_.end() && done->second == pos->offset) continue;
      s->second.next_offset = pos->offset;
      publisher_.publish(opt_.input.topic, s->second);
      published_[p] = pos->offset;
      any = true;
    }
    if (any) publisher_.flush();
  }

  options opt_;
  state_publisher publisher_;
  std::map<std::int32_t, share_type> shares_;
  std::map<std::int32_t, std::int64_t> published_;  // next_offset of the last published share
  std::uint64_t generation_ = 0;
  std::uint64_t restored_ = 0;
  std::unique_ptr<consumer> consumer_;  // last: its callbacks use the members above
};

}  // namespace streamreg::kafka
