// SPDX-License-Identifier: MIT
// message: the record in one Kafka message, without a Kafka client: formats csv (a header
// message first in each partition), json (through a decoder) and raw, key, timestamp,
// partition and offset as columns, errors naming the partition and offset.
#pragma once

#include <cstdint>       // std::int32_t, std::int64_t, std::uint64_t
#include <functional>    // std::function
#include <map>           // std::map
#include <memory>        // std::unique_ptr, std::make_unique
#include <optional>      // std::optional
#include <string>        // std::string, std::to_string
#include <string_view>   // std::string_view
#include <system_error>  // std::errc
#include <utility>       // std::move
#include <vector>        // std::vector

#include "../detail/scalar.hpp"
#include "../error.hpp"
#include "../io/csv.hpp"

namespace streamreg::kafka {

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

/// How messages are read (the fields of consumer_options with the same names).
struct message_options {
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
  /// Makes the decoder of message_format::json for the payload fields.
  std::function<std::unique_ptr<message_decoder>(const std::vector<std::string>&)> decoder;
};

/// Reads the selected columns of one message at a time: what kafka::consumer does with each
/// message it receives, usable on messages from anywhere (a test, a file, a fuzzer).
///
/// ```
/// kafka::message_reader in({});  // csv, columns x, y, a header message per partition
/// in.read(0, 0, -1, std::nullopt, "x,y");  // passed_over: partition 0's header
/// if (in.read(0, 1, -1, std::nullopt, "1,2") == kafka::message_reader::result::record)
///   reg.push(in[0], in[1]);
/// ```
/// With message_format::csv and header messages, the first message read from each partition
/// is its header; reset(partition) forgets it (a partition read again from its beginning).
/// Throws config_error from the constructor for a bad column selection, and from read() for
/// a header that lacks a selected column.
class message_reader {
 public:
  enum class result {
    record,       ///< values() holds the message's record
    error,        ///< a bad message: error() names partition, offset, field or column
    passed_over,  ///< a header message
  };

  explicit message_reader(message_options opt) : opt_(std::move(opt)) { setup_columns(); }

  /// Reads the message at `offset` (>= 0) of `partition`; `timestamp` in ms since the epoch
  /// (negative: none), `key` (none: std::nullopt), `value` the payload. An error leaves
  /// values() partly overwritten; a config_error (a header) leaves the partition expecting
  /// its header.
  result read(std::int32_t partition, std::int64_t offset, std::int64_t timestamp,
              std::optional<std::string_view> key, std::string_view value);

  /// True when the next message of `partition` is read as its header.
  bool expects_header(std::int32_t partition) const {
    return header_messages() && headers_.count(partition) == 0;
  }
  /// True when each partition starts with a header message (csv, no names given up front).
  bool header_messages() const noexcept {
    return opt_.format == message_format::csv && !shared_csv_;
  }
  /// Forgets the header of `partition`: its next message is read as its header.
  void reset(std::int32_t partition) { headers_.erase(partition); }

  const std::vector<double>& values() const noexcept { return values_; }
  const double& operator[](std::size_t i) const noexcept { return values_[i]; }
  /// The last error. Requires: read() returned result::error.
  const parse_error& error() const noexcept { return *error_; }
  /// The selected columns' names.
  const std::vector<std::string>& columns() const noexcept { return opt_.columns; }
  /// Partition, offset and timestamp (ms, or -1) of the last message.
  std::int32_t partition() const noexcept { return partition_; }
  std::int64_t offset() const noexcept { return offset_; }
  std::int64_t timestamp() const noexcept { return timestamp_; }

  /// An error about the i-th selected column of the last message.
  parse_error field_error(std::size_t i, std::string text, const std::string& reason) const {
    return parse_error(location() + ", field '" + opt_.columns[i] + "'",
                       static_cast<std::uint64_t>(offset_), opt_.columns[i], std::move(text),
                       reason);
  }

 private:
  enum class kind { payload, key, timestamp, partition, offset };
  struct slot {
    kind k = kind::payload;
    std::size_t payload = 0;  // index among the payload columns
  };

  void setup_columns();
  bool decode(std::string_view value, io::csv_row_parser<double>* csv);
  bool fail(const std::string& field, std::string text, const std::string& reason,
            std::string column = {});

  void copy_payload(const std::vector<double>& payload) {
    for (std::size_t i = 0; i < slots_.size(); ++i)
      if (slots_[i].k == kind::payload) values_[i] = payload[slots_[i].payload];
  }

  std::string location() const {
    return "partition " + std::to_string(partition_) + ", offset " + std::to_string(offset_);
  }

  message_options opt_;
  std::vector<slot> slots_;
  std::vector<io::column> payload_columns_;
  io::csv_format fmt_;
  std::string header_text_;
  std::unique_ptr<io::csv_row_parser<double>> shared_csv_;  // names given up front, or none
  std::map<std::int32_t, std::unique_ptr<io::csv_row_parser<double>>> headers_;  // per partition
  std::unique_ptr<message_decoder> decoder_;
  std::vector<double> values_;
  std::unique_ptr<parse_error> error_;
  std::int32_t partition_ = -1;
  std::int64_t offset_ = -1;
  std::int64_t timestamp_ = -1;
};

inline message_reader::result message_reader::read(std::int32_t partition, std::int64_t offset,
                                                   std::int64_t timestamp,
                                                   std::optional<std::string_view> key,
                                                   std::string_view value) {
  partition_ = partition;
  offset_ = offset;
  timestamp_ = timestamp < 0 ? -1 : timestamp;
  io::csv_row_parser<double>* csv = shared_csv_.get();
  if (header_messages()) {
    const auto it = headers_.find(partition);
    if (it == headers_.end()) {
      // The partition's first message: its header.
      std::unique_ptr<io::csv_row_parser<double>> header;
      try {
        header = std::make_unique<io::csv_row_parser<double>>(
            io::csv_schema(value, fmt_, payload_columns_), fmt_);
      } catch (const config_error& e) {
        throw config_error("Kafka " + location() + ": header '" + io::detail::excerpt(value) +
                           "': " + e.what());
      }
      headers_.emplace(partition, std::move(header));
      return result::passed_over;
    }
    csv = it->second.get();
  }
  if (!header_text_.empty() && value == header_text_) return result::passed_over;
  if (!decode(value, csv)) return result::error;
  for (std::size_t i = 0; i < slots_.size(); ++i) {
    switch (slots_[i].k) {
      case kind::payload:
        break;
      case kind::key: {
        const std::string_view k = key ? *key : std::string_view();
        double v = 0;
        if (io::detail::parse_number(io::detail::trim(k), v) != std::errc() ||
            !streamreg::detail::is_finite(v)) {
          fail(opt_.columns[i], io::detail::excerpt(k), k.empty() ? "no key" : "key is not a number");
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
        values_[i] = static_cast<double>(partition);
        break;
      case kind::offset:
        values_[i] = static_cast<double>(offset);
        break;
    }
  }
  return result::record;
}

inline void message_reader::setup_columns() {
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

/// Reads the payload columns into values_.
inline bool message_reader::decode(std::string_view value, io::csv_row_parser<double>* csv) {
  switch (opt_.format) {
    case message_format::csv: {
      if (!csv->parse(value, static_cast<std::uint64_t>(offset_))) {
        const parse_error& e = csv->error();
        return fail(e.column_name(), e.text(), e.reason(),
                    e.column() == 0 ? std::string()
                                    : ", column " + std::to_string(e.column()) +
                                          (e.column_name().empty() ? "" : " (" + e.column_name() + ")"));
      }
      copy_payload(csv->values());
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

inline bool message_reader::fail(const std::string& field, std::string text,
                                 const std::string& reason, std::string column) {
  std::string where = location();
  if (!column.empty()) where += column;
  else if (!field.empty()) where += ", field '" + field + "'";
  error_ = std::make_unique<parse_error>(std::move(where), static_cast<std::uint64_t>(offset_),
                                         field, std::move(text), reason);
  return false;
}

}  // namespace streamreg::kafka
