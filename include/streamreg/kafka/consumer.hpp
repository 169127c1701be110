// SPDX-License-Identifier: MIT
// consumer: records from a Kafka topic (librdkafka): partitions assigned by a consumer group
// (or given), message formats csv (a header message first in each partition), json (through a
// decoder) and raw, key and timestamp as columns (each message read by message_reader,
// message.hpp), offsets tracked per partition and committed when the caller says the state
// that includes them is safe.
#pragma once

#include <chrono>      // std::chrono::steady_clock
#include <cstdint>     // std::int32_t, std::int64_t, std::uint64_t
#include <exception>   // std::exception_ptr
#include <functional>  // std::function
#include <map>         // std::map
#include <memory>      // std::unique_ptr
#include <optional>    // std::optional
#include <string>      // std::string
#include <string_view> // std::string_view
#include <utility>     // std::move
#include <vector>      // std::vector

#include "../error.hpp"
#include "message.hpp"
#include "producer.hpp"

#include <librdkafka/rdkafkacpp.h>

namespace streamreg::kafka {

/// Where a partition starts when no checkpoint says otherwise.
enum class start_position {
  earliest,   ///< the beginning of every partition, whatever the group committed
  latest,     ///< only messages written after the assignment
  committed,  ///< the group's committed offsets; the beginning where there are none
};

/// Where a partition's consumption stands: the offset of the next message to read.
struct position {
  std::int32_t partition = 0;
  std::int64_t offset = 0;
  friend bool operator==(const position& a, const position& b) noexcept {
    return a.partition == b.partition && a.offset == b.offset;
  }
};

/// What a consumer reads and how.
struct consumer_options {
  std::string brokers;                 ///< bootstrap.servers
  std::string topic;
  std::string group = "streamreg";     ///< group.id: partitions assigned by the group
  start_position start = start_position::committed;
  message_format format = message_format::csv;
  /// The selected columns, in the order values() returns them: payload columns (csv: header
  /// names or 1-based numbers; json: field names; raw: `value`) or message metadata:
  /// `@key` (the key, read as a number), `@timestamp` (milliseconds since the epoch),
  /// `@partition`, `@offset`.
  std::vector<std::string> columns{"x", "y"};
  /// csv: column names given up front. Then no header message is expected; a message equal
  /// to these names joined by the delimiter is taken as a header and passed over.
  std::vector<std::string> header;
  /// csv: false when there is no header at all (columns by 1-based number).
  bool header_message = true;
  char delimiter = ',';
  /// Assign these partitions directly (no group rebalancing; commits still use the group).
  std::vector<std::int32_t> partitions;
  /// librdkafka properties, applied after the defaults (`-X key=value`).
  properties config;
  /// Bound on the initial connection and on blocking queries (committed offsets, watermarks).
  int connect_timeout_ms = 10000;
  /// next() returns end once every assigned partition is at its end.
  bool exit_on_eof = false;
  /// > 0: next() throws unreachable_error once no broker has been reachable for this long
  /// (measured from the first "all brokers down" or transport error with no message or
  /// end-of-partition since). 0: wait for the brokers to come back, however long.
  int unreachable_timeout_ms = 0;
  /// > 0: a message longer than this many bytes is a bad message (result::error).
  std::size_t max_message = 0;
  /// Makes the decoder of message_format::json for the payload fields.
  std::function<std::unique_ptr<message_decoder>(const std::vector<std::string>&)> decoder;
  /// Transient errors (broker down, retries), reported and then retried by librdkafka.
  std::function<void(const std::string&)> on_warning;
  /// Called with the partitions about to be taken away in a rebalance (and before close):
  /// the place to save state and commit, so that the next owner starts where this one stopped.
  std::function<void(const std::vector<std::int32_t>&)> on_revoke;
  /// Called with newly assigned partitions before their start offsets are chosen: returns
  /// where some of them resume (a restored per-partition state), which overrides `start`
  /// and resume_from for those.
  std::function<std::vector<position>(const std::vector<std::int32_t>&)> on_assign;
};

/// No broker reachable for longer than consumer_options::unreachable_timeout_ms.
class unreachable_error : public streamreg::error {
 public:
  using error::error;
};

/// Reads records from a Kafka topic. One consumer is used from one thread.
///
/// ```
/// kafka::consumer in({.brokers = bs, .topic = "linear-regression"});  // csv, columns x, y
/// for (;;) {
///   const auto r = in.next(100);
///   if (r == kafka::consumer::result::record) reg.push(in.values()[0], in.values()[1]);
///   if (r == kafka::consumer::result::end) break;
/// }
/// ```
/// Offsets: positions() holds, per partition, the offset after the last message handled
/// (record, bad record or header). commit() commits them: call it after the state that
/// includes those messages is saved (a checkpoint), and resume_from(saved positions) at
/// restart, so that a restarted consumer neither loses nor repeats a record. Without
/// checkpoints, commit after processing: at-least-once.
class consumer {
 public:
  enum class result {
    record,  ///< values() holds a record
    error,   ///< a bad message: error() names partition, offset, field or column
    end,     ///< with exit_on_eof: every assigned partition is at its end
    idle,    ///< nothing within the timeout (or only headers, end-of-partition events)
  };

  /// Connects (within connect_timeout_ms, else throws streamreg::error naming the brokers)
  /// and subscribes (or assigns options.partitions).
  explicit consumer(consumer_options opt)
      : opt_(std::move(opt)), rebalance_(this), events_(this), reader_(reader_options(opt_)) {
    std::unique_ptr<RdKafka::Conf> conf(RdKafka::Conf::create(RdKafka::Conf::CONF_GLOBAL));
    detail::configure(*conf, {{"bootstrap.servers", opt_.brokers},
                              {"group.id", opt_.group},
                              {"enable.auto.commit", "false"},
                              {"enable.partition.eof", "true"},
                              {"auto.offset.reset", "earliest"}});
    detail::configure(*conf, opt_.config);
    std::string err;
    if (conf->set("event_cb", static_cast<RdKafka::EventCb*>(&events_), err) !=
            RdKafka::Conf::CONF_OK ||
        conf->set("rebalance_cb", static_cast<RdKafka::RebalanceCb*>(&rebalance_), err) !=
            RdKafka::Conf::CONF_OK)
      throw streamreg::error("Kafka: " + err);
    consumer_.reset(RdKafka::KafkaConsumer::create(conf.get(), err));
    if (!consumer_) throw config_error("Kafka consumer: " + err);
    // A metadata request for no topic: answers once a broker is reached (and, unlike a topic
    // query, makes no broker create the topic).
    RdKafka::Metadata* raw = nullptr;
    const RdKafka::ErrorCode e = consumer_->metadata(false, nullptr, &raw, opt_.connect_timeout_ms);
    delete raw;
    if (e != RdKafka::ERR_NO_ERROR) {
      consumer_->close();
      throw streamreg::error("cannot reach the Kafka brokers '" + opt_.brokers + "' within " +
                  std::to_string(opt_.connect_timeout_ms) + " ms: " + RdKafka::err2str(e) +
                  (events_.last.empty() ? "" : " (" + events_.last + ")"));
    }
  }

  /// Closes without calling on_revoke (what it refers to may be gone): call close() first
  /// to save and commit on the way out.
  ~consumer() {
    opt_.on_revoke = nullptr;
    close();
  }
  consumer(const consumer&) = delete;
  consumer& operator=(const consumer&) = delete;

  /// Starts each listed partition at its offset when it is assigned (a checkpoint's
  /// positions), overriding the start position. Call before the first next().
  void resume_from(const std::vector<position>& saved) {
    for (const position& p : saved) {
      resume_[p.partition] = p.offset;
      next_[p.partition] = p.offset;
    }
  }

  /// Waits up to `timeout_ms` for the next record. Throws streamreg::error on a fatal
  /// client error; config_error when a partition's header lacks a selected column.
  result next(int timeout_ms) {
    if (!started_) start();
    rethrow();
    std::unique_ptr<RdKafka::Message> m(consumer_->consume(timeout_ms));
    rethrow();
    if (m->err() == RdKafka::ERR_NO_ERROR || m->err() == RdKafka::ERR__PARTITION_EOF)
      down_since_.reset();  // a broker answered
    else
      check_reachable();
    switch (m->err()) {
      case RdKafka::ERR_NO_ERROR:
        return handle(*m);
      case RdKafka::ERR__TIMED_OUT:
        return at_end() ? result::end : result::idle;
      case RdKafka::ERR__PARTITION_EOF: {
        const auto it = parts_.find(m->partition());
        if (it != parts_.end()) it->second.eof = true;
        return at_end() ? result::end : result::idle;
      }
      default: {
        std::string fatal;
        if (m->err() == RdKafka::ERR__FATAL || consumer_->fatal_error(fatal) != RdKafka::ERR_NO_ERROR)
          throw streamreg::error("Kafka: fatal error: " + (fatal.empty() ? m->errstr() : fatal));
        warn("Kafka: " + m->errstr());
        return result::idle;
      }
    }
  }

  const std::vector<double>& values() const noexcept { return reader_.values(); }
  const double& operator[](std::size_t i) const noexcept { return reader_[i]; }
  const parse_error& error() const noexcept { return too_long_ ? *too_long_ : reader_.error(); }
  /// The selected columns' names.
  const std::vector<std::string>& columns() const noexcept { return opt_.columns; }
  /// Partition, offset and timestamp (ms, or -1) of the last message.
  std::int32_t partition() const noexcept { return partition_; }
  std::int64_t offset() const noexcept { return offset_; }
  std::int64_t timestamp() const noexcept { return timestamp_; }
  /// The offset of the last message (what a CSV reader's line() is to a file).
  std::uint64_t line() const noexcept { return static_cast<std::uint64_t>(offset_); }

  /// An error about the i-th selected column of the last message.
  parse_error field_error(std::size_t i, std::string text, const std::string& reason) const {
    return parse_error(location() + ", field '" + opt_.columns[i] + "'",
                       static_cast<std::uint64_t>(offset_), opt_.columns[i], std::move(text),
                       reason);
  }

  /// Per partition, the offset after the last message handled (sorted by partition).
  std::vector<position> positions() const {
    std::vector<position> v;
    for (const auto& [p, o] : next_) v.push_back({p, o});
    return v;
  }

  /// The partitions assigned now.
  std::vector<std::int32_t> assignment() const {
    std::vector<std::int32_t> v;
    for (const auto& kv : parts_) v.push_back(kv.first);
    return v;
  }

  /// Commits positions() of the assigned partitions (synchronously). False, with a warning,
  /// when the group refuses (a rebalance in progress): a later commit covers them.
  bool commit() {
    if (!consumer_) return false;
    std::vector<RdKafka::TopicPartition*> offsets;
    for (const auto& [p, o] : next_)
      if (parts_.count(p) != 0) offsets.push_back(RdKafka::TopicPartition::create(opt_.topic, p, o));
    if (offsets.empty()) return true;
    const RdKafka::ErrorCode e = consumer_->commitSync(offsets);
    bool ok = e == RdKafka::ERR_NO_ERROR;
    for (RdKafka::TopicPartition* tp : offsets) {
      ok = ok && tp->err() == RdKafka::ERR_NO_ERROR;
      delete tp;
    }
    if (!ok) warn("Kafka: commit failed: " + RdKafka::err2str(e));
    return ok;
  }

  /// Leaves the group (on_revoke runs first when partitions are assigned) and closes.
  void close() {
    if (!consumer_) return;
    consumer_->close();
    consumer_.reset();
  }

  /// Transient errors seen so far (also passed to options.on_warning).
  std::uint64_t warnings() const noexcept { return warnings_; }
  /// Messages passed over: headers, and messages before a resume offset.
  std::uint64_t passed_over() const noexcept { return passed_over_; }

  RdKafka::KafkaConsumer& handle() noexcept { return *consumer_; }

 private:
  struct partition_state {
    std::int64_t skip_below = -1;  // messages before it are passed over
    bool eof = false;
  };

  struct rebalancer final : RdKafka::RebalanceCb {
    explicit rebalancer(consumer* c) : self(c) {}
    void rebalance_cb(RdKafka::KafkaConsumer* kc, RdKafka::ErrorCode err,
                      std::vector<RdKafka::TopicPartition*>& parts) override {
      self->rebalance(kc, err, parts);
    }
    consumer* self;
  };
  struct event_handler final : RdKafka::EventCb {
    explicit event_handler(consumer* c) : self(c) {}
    void event_cb(RdKafka::Event& e) override {
      if (e.type() != RdKafka::Event::EVENT_ERROR) return;
      if ((e.err() == RdKafka::ERR__ALL_BROKERS_DOWN || e.err() == RdKafka::ERR__TRANSPORT) &&
          !self->down_since_)
        self->down_since_ = std::chrono::steady_clock::now();
      last = RdKafka::err2str(e.err()) + ": " + e.str();
      if (self->consumer_) self->warn("Kafka: " + last);
    }
    consumer* self;
    std::string last;
  };

  /// The message part of the options, once topic and brokers are checked.
  static message_options reader_options(const consumer_options& o) {
    if (o.topic.empty()) throw config_error("Kafka: no topic");
    if (o.brokers.empty()) throw config_error("Kafka: no brokers");
    return {o.format, o.columns, o.header, o.header_message, o.delimiter, o.decoder};
  }

  bool per_partition_header() const noexcept { return reader_.header_messages(); }

  void start() {
    started_ = true;
    if (opt_.partitions.empty()) {
      const RdKafka::ErrorCode e = consumer_->subscribe({opt_.topic});
      if (e != RdKafka::ERR_NO_ERROR)
        throw streamreg::error("Kafka: cannot subscribe to '" + opt_.topic + "': " + RdKafka::err2str(e));
      return;
    }
    std::vector<RdKafka::TopicPartition*> parts;
    for (std::int32_t p : opt_.partitions) parts.push_back(RdKafka::TopicPartition::create(opt_.topic, p));
    set_start_offsets(parts);
    const RdKafka::ErrorCode e = consumer_->assign(parts);
    RdKafka::TopicPartition::destroy(parts);
    if (e != RdKafka::ERR_NO_ERROR)
      throw streamreg::error("Kafka: cannot assign partitions of '" + opt_.topic + "': " + RdKafka::err2str(e));
  }

  /// Chooses where each newly assigned partition starts, and sets up its state.
  void set_start_offsets(std::vector<RdKafka::TopicPartition*>& parts) {
    if (opt_.on_assign) {
      std::vector<std::int32_t> assigned;
      for (const RdKafka::TopicPartition* tp : parts) assigned.push_back(tp->partition());
      for (const position& p : opt_.on_assign(assigned)) {
        resume_[p.partition] = p.offset;
        next_[p.partition] = p.offset;
      }
    }
    // Without on_assign one state holds every message this consumer handled: a partition a
    // rebalance gives back continues after the last one handled (the group's committed
    // offset lags behind it when a commit was refused). With on_assign the handler decides.
    const std::map<std::int32_t, std::int64_t>& standing = opt_.on_assign ? resume_ : next_;
    const bool header = per_partition_header();
    std::vector<RdKafka::TopicPartition*> committed;
    if (opt_.start == start_position::committed && header) {
      for (RdKafka::TopicPartition* tp : parts)
        if (standing.count(tp->partition()) == 0)
          committed.push_back(RdKafka::TopicPartition::create(opt_.topic, tp->partition()));
      if (!committed.empty()) {
        const RdKafka::ErrorCode e = consumer_->committed(committed, opt_.connect_timeout_ms);
        if (e != RdKafka::ERR_NO_ERROR) warn("Kafka: committed offsets: " + RdKafka::err2str(e));
      }
    }
    for (RdKafka::TopicPartition* tp : parts) {
      const std::int32_t p = tp->partition();
      partition_state& st = parts_[p];
      st = partition_state{};
      reader_.reset(p);
      std::int64_t target = RdKafka::Topic::OFFSET_INVALID;  // the group's, else earliest
      if (const auto r = standing.find(p); r != standing.end()) {
        target = r->second;
      } else if (opt_.start == start_position::earliest) {
        target = RdKafka::Topic::OFFSET_BEGINNING;
      } else if (opt_.start == start_position::latest) {
        target = RdKafka::Topic::OFFSET_END;
        if (header) {
          std::int64_t low = 0, high = 0;
          const RdKafka::ErrorCode e = consumer_->query_watermark_offsets(
              opt_.topic, p, &low, &high, opt_.connect_timeout_ms);
          if (e == RdKafka::ERR_NO_ERROR) target = high;
          else warn("Kafka: end offset of partition " + std::to_string(p) + ": " + RdKafka::err2str(e));
        }
      } else if (header) {
        for (RdKafka::TopicPartition* c : committed)
          if (c->partition() == p && c->offset() >= 0) target = c->offset();
      }
      // Where this consumer starts is a position from the moment of the assignment, not from
      // its first message: a checkpoint saved before then must not leave the partition to the
      // group's committed offset, which another member may since have moved past records this
      // state never held.
      if (standing.count(p) == 0) {
        if (target >= 0)
          next_[p] = target;
        else if (header && target != RdKafka::Topic::OFFSET_END)
          next_[p] = 0;  // from the beginning: the header, then every record
      }
      if (header && target != RdKafka::Topic::OFFSET_END) {
        // The header is the partition's first message: read it, then go to the target.
        st.skip_below = target >= 0 ? target : -1;
        tp->set_offset(RdKafka::Topic::OFFSET_BEGINNING);
      } else {
        tp->set_offset(target);
      }
    }
    RdKafka::TopicPartition::destroy(committed);
  }

  void rebalance(RdKafka::KafkaConsumer* kc, RdKafka::ErrorCode err,
                 std::vector<RdKafka::TopicPartition*>& parts) {
    // Runs inside consume(): nothing may propagate into librdkafka's C code.
    try {
      const bool cooperative = kc->rebalance_protocol() == "COOPERATIVE";
      if (err == RdKafka::ERR__ASSIGN_PARTITIONS) {
        set_start_offsets(parts);
        if (cooperative) {
          RdKafka::Error* e = kc->incremental_assign(parts);
          if (e != nullptr) {
            warn("Kafka: assign: " + e->str());
            delete e;
          }
        } else {
          kc->assign(parts);
        }
      } else {
        if (opt_.on_revoke && !parts.empty()) {
          std::vector<std::int32_t> revoked;
          for (const RdKafka::TopicPartition* tp : parts) revoked.push_back(tp->partition());
          opt_.on_revoke(revoked);
        }
        for (RdKafka::TopicPartition* tp : parts) parts_.erase(tp->partition());
        if (cooperative) {
          RdKafka::Error* e = kc->incremental_unassign(parts);
          delete e;
        } else {
          kc->unassign();
        }
      }
    } catch (...) {
      pending_ = std::current_exception();
      if (err != RdKafka::ERR__ASSIGN_PARTITIONS) kc->unassign();
    }
  }

  void rethrow() {
    if (pending_) {
      std::exception_ptr e = pending_;
      pending_ = nullptr;
      std::rethrow_exception(e);
    }
  }

  /// Throws unreachable_error when the brokers have been out of reach for too long.
  void check_reachable() {
    if (opt_.unreachable_timeout_ms <= 0 || !down_since_) return;
    const auto down = std::chrono::steady_clock::now() - *down_since_;
    if (down > std::chrono::milliseconds(opt_.unreachable_timeout_ms))
      throw unreachable_error("no Kafka broker of '" + opt_.brokers + "' reachable for " +
                              std::to_string(opt_.unreachable_timeout_ms) + " ms" +
                              (events_.last.empty() ? "" : " (" + events_.last + ")"));
  }

  bool at_end() const noexcept {
    if (!opt_.exit_on_eof || parts_.empty()) return false;
    for (const auto& kv : parts_)
      if (!kv.second.eof) return false;
    return true;
  }

  void warn(const std::string& what) {
    ++warnings_;
    if (opt_.on_warning) opt_.on_warning(what);
  }

  std::string location() const {
    return "partition " + std::to_string(partition_) + ", offset " + std::to_string(offset_);
  }

  result handle(RdKafka::Message& m) {
    const std::int32_t p = m.partition();
    const std::int64_t o = m.offset();
    auto it = parts_.find(p);
    if (it == parts_.end()) {  // assigned by hand
      it = parts_.emplace(p, partition_state{}).first;
      reader_.reset(p);
    }
    partition_state& st = it->second;
    st.eof = false;
    partition_ = p;
    offset_ = o;
    too_long_.reset();
    timestamp_ = m.timestamp().type == RdKafka::MessageTimestamp::MSG_TIMESTAMP_NOT_AVAILABLE
                     ? -1
                     : m.timestamp().timestamp;
    const std::string_view value(static_cast<const char*>(m.payload()), m.len());
    std::optional<std::string_view> key;
    if (m.key_pointer() != nullptr)
      key = std::string_view(static_cast<const char*>(m.key_pointer()), m.key_len());
    if (reader_.expects_header(p)) {
      // The partition's first message: its header.
      reader_.read(p, o, timestamp_, key, value);
      ++passed_over_;
      if (st.skip_below > o + 1) {
        next_[p] = st.skip_below;
        consumer_->seek(*std::unique_ptr<RdKafka::TopicPartition>(
                            RdKafka::TopicPartition::create(opt_.topic, p, st.skip_below)),
                        0);
      } else {
        next_[p] = o + 1;
      }
      return result::idle;
    }
    if (o < st.skip_below) {  // already in the state (read again after the header)
      ++passed_over_;
      return result::idle;
    }
    next_[p] = o + 1;
    if (opt_.max_message > 0 && m.len() > opt_.max_message) {
      too_long_.emplace(location(), static_cast<std::uint64_t>(o), "", "",
                        "message longer than the maximum of " + std::to_string(opt_.max_message) +
                            " bytes (" + std::to_string(m.len()) + ")");
      return result::error;
    }
    switch (reader_.read(p, o, timestamp_, key, value)) {
      case message_reader::result::record:
        return result::record;
      case message_reader::result::error:
        return result::error;
      case message_reader::result::passed_over:
        break;
    }
    ++passed_over_;
    return result::idle;
  }

  consumer_options opt_;
  rebalancer rebalance_;
  event_handler events_;
  std::unique_ptr<RdKafka::KafkaConsumer> consumer_;
  bool started_ = false;
  message_reader reader_;                          // decodes each message
  std::map<std::int32_t, partition_state> parts_;  // assigned partitions
  std::map<std::int32_t, std::int64_t> next_;      // offset after the last message handled
  std::map<std::int32_t, std::int64_t> resume_;    // from a checkpoint
  std::exception_ptr pending_;
  std::optional<parse_error> too_long_;  // the last message, when longer than max_message
  std::optional<std::chrono::steady_clock::time_point> down_since_;  // brokers out of reach
  std::int32_t partition_ = -1;
  std::int64_t offset_ = -1;
  std::int64_t timestamp_ = -1;
  std::uint64_t warnings_ = 0;
  std::uint64_t passed_over_ = 0;
};

}  // namespace streamreg::kafka
