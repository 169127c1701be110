// SPDX-License-Identifier: MIT
// Fuzz target: a sequence of Kafka messages through kafka::message_reader (the consumer's
// decoder, no broker) into a regressor. The first byte chooses the format (csv with a header
// message per partition, csv with names given or none, json, raw), the selected columns
// (payload and @key/@timestamp/@partition/@offset, one selected twice), the delimiter and
// json's numeric strings; then
// each message is a flags byte (partition 0-3, key, timestamp, forget the partition's
// header), a value length byte, for a key its length byte and bytes, and the value bytes.
// Offsets count up per partition. A record's values must be finite and its metadata columns
// those of the message; an error must name the message's partition and offset; a header is
// passed over only where one is due; the state must survive a checkpoint round trip.
#include <streamreg/checkpoint.hpp>
#include <streamreg/json/jsonl.hpp>
#include <streamreg/kafka/message.hpp>
#include <streamreg/regressor.hpp>

#include <cmath>
#include <cstdint>
#include <cstdlib>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace {

namespace kafka = streamreg::kafka;

/// Column selections, chosen by bits 2-4 of the first byte (payload names become `value`
/// for raw messages).
const std::vector<std::vector<std::string>> selections = {
    {"x", "y"},
    {"x", "y", "@key"},
    {"@offset", "y"},
    {"x", "y", "@partition", "@timestamp"},
    {"@key", "x", "@offset"},
    {"1", "2"},
    {"x", "@timestamp", "x"},  // a payload column twice
    {"y", "x", "@partition", "@offset", "@key", "@timestamp"},
};

struct input {
  const std::uint8_t* p;
  const std::uint8_t* end;
  bool empty() const { return p == end; }
  std::uint8_t byte() { return p == end ? 0 : *p++; }
  std::string_view bytes(std::size_t n) {
    if (n > static_cast<std::size_t>(end - p)) n = static_cast<std::size_t>(end - p);
    const std::string_view s(reinterpret_cast<const char*>(p), n);
    p += n;
    return s;
  }
};

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  if (size == 0) return 0;
  input in{data, data + size};
  const unsigned mode = in.byte();
  kafka::message_options o;
  const unsigned format = mode & 3u;
  o.format = format <= 1 ? kafka::message_format::csv
             : format == 2 ? kafka::message_format::json
                           : kafka::message_format::raw;
  o.columns = selections[(mode >> 2) & 7u];
  o.delimiter = (mode & 32u) != 0 ? ';' : ',';
  if (format == 1) {
    if ((mode & 64u) != 0) o.header = {"x", "y"};
    else o.header_message = false;
  }
  for (std::string& c : o.columns) {
    if (c[0] == '@') continue;
    if (o.format == kafka::message_format::raw) c = "value";
    else if (!o.header_message) c = c == "x" ? "1" : c == "y" ? "2" : c;  // no header: numbers
  }
  streamreg::json::format json_format;
  json_format.numeric_strings = (mode & 128u) != 0;
  o.decoder = [json_format](const std::vector<std::string>& fields) {
    return kafka::make_decoder(streamreg::json::message_parser<double>(fields, json_format));
  };
  std::optional<kafka::message_reader> reader;
  try {
    reader.emplace(o);
  } catch (const streamreg::config_error&) {
    return 0;  // a selection the format refuses (a JSON field twice, columns by name, no header)
  }
  const std::string header_text =
      o.header.empty() ? std::string() : o.header[0] + o.delimiter + o.header[1];

  streamreg::regressor<> reg;
  std::map<std::int32_t, std::int64_t> next_offset;
  std::uint64_t records = 0;
  while (!in.empty()) {
    const unsigned flags = in.byte();
    const auto partition = static_cast<std::int32_t>(flags & 3u);
    const std::size_t value_len = in.byte();
    std::optional<std::string_view> key;
    if ((flags & 4u) != 0) key = in.bytes(in.byte());
    const std::string_view value = in.bytes(value_len);
    const std::int64_t offset = next_offset[partition]++;
    const std::int64_t timestamp = (flags & 8u) != 0 ? 1700000000000 + offset : -1;
    if ((flags & 16u) != 0) reader->reset(partition);

    const bool header_due = reader->expects_header(partition);
    kafka::message_reader::result r{};
    try {
      r = reader->read(partition, offset, timestamp, key, value);
    } catch (const streamreg::config_error& e) {
      // Only a header may be refused, and then the next message is its header again.
      if (!header_due || !reader->expects_header(partition)) std::abort();
      if (std::string_view(e.what()).find("partition " + std::to_string(partition) + ", offset " +
                                          std::to_string(offset)) == std::string_view::npos)
        std::abort();
      continue;
    }
    if (reader->partition() != partition || reader->offset() != offset) std::abort();
    switch (r) {
      case kafka::message_reader::result::passed_over:
        if (!header_due && (header_text.empty() || value != header_text)) std::abort();
        if (reader->expects_header(partition)) std::abort();
        break;
      case kafka::message_reader::result::error: {
        if (header_due) std::abort();
        const streamreg::parse_error& e = reader->error();
        const std::string where =
            "partition " + std::to_string(partition) + ", offset " + std::to_string(offset);
        const std::string_view what(e.what());
        if (what.substr(0, where.size()) != where || what.size() <= where.size() ||
            e.reason().empty() || e.line() != static_cast<std::uint64_t>(offset))
          std::abort();
        break;
      }
      case kafka::message_reader::result::record: {
        if (header_due) std::abort();
        const std::vector<double>& v = reader->values();
        if (v.size() != o.columns.size()) std::abort();
        for (std::size_t i = 0; i < v.size(); ++i) {
          if (!std::isfinite(v[i])) std::abort();
          const std::string& c = o.columns[i];
          if ((c == "@partition" && v[i] != static_cast<double>(partition)) ||
              (c == "@offset" && v[i] != static_cast<double>(offset)) ||
              (c == "@timestamp" && v[i] != static_cast<double>(timestamp)))
            std::abort();
          for (std::size_t j = 0; j < i; ++j)  // the same payload column read twice
            if (o.columns[j] == c && c[0] != '@' && v[j] != v[i]) std::abort();
        }
        if (!reg.push(v[0], v[1])) std::abort();
        ++records;
        break;
      }
    }
  }
  if (reg.accepted() != records) std::abort();
  const std::string saved = streamreg::save_checkpoint(reg);
  streamreg::regressor<> back;
  streamreg::restore_checkpoint(saved, back);
  if (streamreg::save_checkpoint(back) != saved) std::abort();
  (void)reg.fit();
  return 0;
}
