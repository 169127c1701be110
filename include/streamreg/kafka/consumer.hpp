// SPDX-License-Identifier: MIT
// consumer: records from a Kafka topic (librdkafka): partitions assigned by a consumer group
// (or given), message formats csv (a header message first in each partition), json (through a
// decoder) and raw, key and timestamp as columns, offsets tracked per partition and committed
// when the caller says the state that includes them is safe.
#pragma once

#include <cstdint>     // std::int32_t, std::int64_t, std::uint64_t
#include <exception>   // std::exception_ptr
#include <functional>  // std::function
#include <map>         // std::map
#include <memory>      // std::unique_ptr
#include <string>      // std::string
#include <string_view> // std::string_view
#include <system_error> // std::errc
#include <utility>     // std::move
#include <vector>      // std::vector

#include "../detail/scalar.hpp"
#include "../error.hpp"
#include "../io/csv.hpp"
#include "producer.hpp"

#include <librdkafka/rdkafkacpp.h>

namespace streamreg::kafka {

/// Where a partition starts when no checkpoint says otherwise.
enum class start_position {
  earliest,   ///< the beginning of every partition, whatever the group committed
  latest,     ///< only messages written after the assignment
  committed,  ///< the group's committed offsets; the beginning where there are none
};

/// How a message's value is read.
enum class message_format {
  csv,   ///< a CSV line; the first message of each partition is the header (or names given)
  json,  ///< a JSON object, fields by name (decoder from options::decoder)
  raw,   ///< one number per message: the payload column `value`
};

/// Reads the payload columns of a message (for message_format::json: json::message_parser,
/// wrapped by make_decoder). values() are in the order of the names it was made for.
class message_decoder {
 public:
  virtual ~message_decoder() = default;
  /// False for a bad message; error() then says why (its field, text and reason are kept,
  /// its location is replaced by the partition and offset).
  virtual bool decode(std::string_view value) = 0;
  virtual const std::vector<double>& values() const = 0;
  virtual const parse_error& error() const = 0;
};

/// Wraps a parser with `bool parse(std::string_view, std::uint64_t)`, `values()` and
/// `error()` (json::message_parser<double>) as a message_decoder.
template <class Parser>
std::unique_ptr<message_decoder> make_decoder(Parser parser) {
  struct wrapped final : message_decoder {
    explicit wrapped(Parser p) : parser(std::move(p)) {}
    bool decode(std::string_view value) override { return parser.parse(value, 0); }
    const std::vector<double>& values() const override { return parser.values(); }
    const parse_error& error() const override { return parser.error(); }
    Parser parser;
  };
  return std::make_unique<wrapped>(std::move(parser));
}

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
  /// Makes the decoder of message_format::json for the payload fields.
  std::function<std::unique_ptr<message_decoder>(const std::vector<std::string>&)> decoder;
  /// Transient errors (broker down, retries), reported and then retried by librdkafka.
  std::function<void(const std::string&)> on_warning;
  /// Called before partitions are taken away in a rebalance (and before close): the place
  /// to save state and commit, so that the next owner starts where this one stopped.
  std::function<void()> on_revoke;
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
  explicit consumer(consumer_options opt) : opt_(std::move(opt)), rebalance_(this), events_(this) {
    if (opt_.topic.empty()) throw config_error("Kafka: no topic");
    if (opt_.brokers.empty()) throw config_error("Kafka: no brokers");
    setup_columns();
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

  const std::vector<double>& values() const noexcept { return values_; }
  const double& operator[](std::size_t i) const noexcept { return values_[i]; }
  const parse_error& error() const noexcept { return *error_; }
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
  enum class kind { payload, key, timestamp, partition, offset };
  struct slot {
    kind k = kind::payload;
    std::size_t payload = 0;  // index among the payload columns
  };
  struct partition_state {
    std::unique_ptr<io::csv_row_parser<double>> csv;  // csv with header messages: per partition
    std::int64_t skip_below = -1;                      // messages before it are passed over
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
      last = RdKafka::err2str(e.err()) + ": " + e.str();
      if (self->consumer_) self->warn("Kafka: " + last);
    }
    consumer* self;
    std::string last;
  };

  void setup_columns() {
    if (opt_.columns.empty()) throw config_error("Kafka: no column selected");
    std::vector<std::string> payload;
    for (const std::string& c : opt_.columns) {
      slot s;
      if (c == "@key") s.k = kind::key;
      else if (c == "@timestamp") s.k = kind::timestamp;
      else if (c == "@partition") s.k = kind::partition;
      else if (c == "@offset") s.k = kind::offset;
      else if (!c.empty() && c[0] == '@')
        throw config_error("Kafka: unknown message column '" + c +
                           "' (@key, @timestamp, @partition, @offset)");
      else {
        s.payload = payload.size();
        payload.push_back(c);
      }
      slots_.push_back(s);
    }
    values_.assign(slots_.size(), 0.0);
    fmt_.delimiter = opt_.delimiter;
    fmt_.comment = '\0';
    for (const std::string& c : payload) payload_columns_.push_back(io::column::parse(c));
    switch (opt_.format) {
      case message_format::csv:
        if (!opt_.header_message || !opt_.header.empty()) {
          for (std::size_t i = 0; i < opt_.header.size(); ++i)
            header_text_ += (i ? std::string(1, opt_.delimiter) : std::string()) + opt_.header[i];
          shared_csv_ = std::make_unique<io::csv_row_parser<double>>(
              opt_.header.empty() ? io::csv_schema(payload_columns_)
                                  : io::csv_schema(header_text_, fmt_, payload_columns_),
              fmt_);
        }
        break;
      case message_format::json:
        if (!opt_.decoder) throw config_error("Kafka: format json needs a decoder");
        if (!payload.empty()) decoder_ = opt_.decoder(payload);
        break;
      case message_format::raw:
        for (const std::string& c : payload)
          if (c != "value" && c != "1")
            throw config_error("Kafka: format raw has one payload column, 'value' (not '" + c + "')");
        break;
    }
  }

  bool per_partition_header() const noexcept {
    return opt_.format == message_format::csv && !shared_csv_;
  }

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
    const bool header = per_partition_header();
    std::vector<RdKafka::TopicPartition*> committed;
    if (opt_.start == start_position::committed && header) {
      for (RdKafka::TopicPartition* tp : parts)
        if (resume_.count(tp->partition()) == 0)
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
      std::int64_t target = RdKafka::Topic::OFFSET_INVALID;  // the group's, else earliest
      if (const auto r = resume_.find(p); r != resume_.end()) {
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
        if (opt_.on_revoke && !parts.empty()) opt_.on_revoke();
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
    if (it == parts_.end()) it = parts_.emplace(p, partition_state{}).first;  // assigned by hand
    partition_state& st = it->second;
    st.eof = false;
    partition_ = p;
    offset_ = o;
    timestamp_ = m.timestamp().type == RdKafka::MessageTimestamp::MSG_TIMESTAMP_NOT_AVAILABLE
                     ? -1
                     : m.timestamp().timestamp;
    const std::string_view value(static_cast<const char*>(m.payload()), m.len());
    if (per_partition_header() && !st.csv) {
      // The partition's first message: its header.
      try {
        st.csv = std::make_unique<io::csv_row_parser<double>>(
            io::csv_schema(value, fmt_, payload_columns_), fmt_);
      } catch (const config_error& e) {
        throw config_error("Kafka " + location() + ": header '" + io::detail::excerpt(value) +
                           "': " + e.what());
      }
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
    if (!header_text_.empty() && value == header_text_) {
      ++passed_over_;
      return result::idle;
    }
    if (!decode(value, st)) return result::error;
    for (std::size_t i = 0; i < slots_.size(); ++i) {
      switch (slots_[i].k) {
        case kind::payload:
          break;
        case kind::key: {
          const std::string_view key = m.key_pointer() == nullptr
                                           ? std::string_view()
                                           : std::string_view(static_cast<const char*>(m.key_pointer()), m.key_len());
          double v = 0;
          if (io::detail::parse_number(io::detail::trim(key), v) != std::errc() ||
              !streamreg::detail::is_finite(v))
          {
            fail(opt_.columns[i], io::detail::excerpt(key),
                 key.empty() ? "no key" : "key is not a number");
            return result::error;
          }
          values_[i] = v;
          break;
        }
        case kind::timestamp:
          if (timestamp_ < 0) {
            fail(opt_.columns[i], "", "no timestamp");
            return result::error;
          }
          values_[i] = static_cast<double>(timestamp_);
          break;
        case kind::partition:
          values_[i] = static_cast<double>(p);
          break;
        case kind::offset:
          values_[i] = static_cast<double>(o);
          break;
      }
    }
    return result::record;
  }

  /// Reads the payload columns into values_.
  bool decode(std::string_view value, partition_state& st) {
    switch (opt_.format) {
      case message_format::csv: {
        io::csv_row_parser<double>& csv = shared_csv_ ? *shared_csv_ : *st.csv;
        if (!csv.parse(value, static_cast<std::uint64_t>(offset_))) {
          const parse_error& e = csv.error();
          return fail(e.column_name(), e.text(), e.reason(),
                      e.column() == 0 ? std::string()
                                      : ", column " + std::to_string(e.column()) +
                                            (e.column_name().empty() ? "" : " (" + e.column_name() + ")"));
        }
        copy_payload(csv.values());
        return true;
      }
      case message_format::json:
        if (!decoder_) return true;
        if (!decoder_->decode(value)) {
          const parse_error& e = decoder_->error();
          return fail(e.column_name(), e.text(), e.reason());
        }
        copy_payload(decoder_->values());
        return true;
      case message_format::raw: {
        const std::string_view t = io::detail::trim(value);
        double v = 0;
        const std::errc ec = io::detail::parse_number(t, v);
        if (ec != std::errc() || !streamreg::detail::is_finite(v))
          return fail("value", io::detail::excerpt(t),
                      ec == std::errc::result_out_of_range ? "number out of range"
                      : ec != std::errc()                  ? "not a number"
                                                           : "not a finite number");
        for (std::size_t i = 0; i < slots_.size(); ++i)
          if (slots_[i].k == kind::payload) values_[i] = v;
        return true;
      }
    }
    return true;
  }

  void copy_payload(const std::vector<double>& payload) {
    for (std::size_t i = 0; i < slots_.size(); ++i)
      if (slots_[i].k == kind::payload) values_[i] = payload[slots_[i].payload];
  }

  bool fail(const std::string& field, std::string text, const std::string& reason,
            std::string column = {}) {
    std::string where = location();
    if (!column.empty()) where += column;
    else if (!field.empty()) where += ", field '" + field + "'";
    error_ = std::make_unique<parse_error>(std::move(where), static_cast<std::uint64_t>(offset_),
                                           field, std::move(text), reason);
    return false;
  }

  consumer_options opt_;
  rebalancer rebalance_;
  event_handler events_;
  std::unique_ptr<RdKafka::KafkaConsumer> consumer_;
  bool started_ = false;
  std::vector<slot> slots_;
  std::vector<io::column> payload_columns_;
  io::csv_format fmt_;
  std::string header_text_;
  std::unique_ptr<io::csv_row_parser<double>> shared_csv_;
  std::unique_ptr<message_decoder> decoder_;
  std::map<std::int32_t, partition_state> parts_;  // assigned partitions
  std::map<std::int32_t, std::int64_t> next_;      // offset after the last message handled
  std::map<std::int32_t, std::int64_t> resume_;    // from a checkpoint
  std::vector<double> values_;
  std::unique_ptr<parse_error> error_;
  std::exception_ptr pending_;
  std::int32_t partition_ = -1;
  std::int64_t offset_ = -1;
  std::int64_t timestamp_ = -1;
  std::uint64_t warnings_ = 0;
  std::uint64_t passed_over_ = 0;
};

}  // namespace streamreg::kafka
