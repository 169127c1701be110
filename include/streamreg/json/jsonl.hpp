// SPDX-License-Identifier: MIT
// JSON lines input (simdjson): one object per line, the selected fields by name as numbers,
// errors naming the line, the field, the text and the reason.
#pragma once

#include <algorithm>    // std::fill
#include <cstdint>      // std::uint64_t
#include <cstring>      // std::memcpy
#include <memory>       // std::unique_ptr
#include <string>       // std::string
#include <string_view>  // std::string_view
#include <system_error> // std::errc
#include <type_traits>  // std::is_floating_point_v
#include <utility>      // std::move, std::forward
#include <vector>       // std::vector

#include "../config.hpp"
#include "../detail/scalar.hpp"
#include "../error.hpp"
#include "../io/column.hpp"
#include "../io/csv.hpp"
#include "../io/line_reader.hpp"

#include <simdjson.h>

namespace streamreg::json {

/// How values are read from an object.
struct format {
  /// Accept a number written as a JSON string ("3.5"), read like a CSV field (std::from_chars,
  /// finite only). Off by default: a string where a number is expected is a bad record.
  bool numeric_strings = false;
};

/// Reads the selected fields of one JSON object (a JSON lines line, a Kafka message) as
/// numbers of type `T`.
///
/// The whole text is validated (simdjson's DOM parser: one validating pass, then the fields
/// are looked up on the parsed object), so a malformed value in a field that is not selected
/// still makes the record bad. Numbers are JSON numbers, parsed as double (integers beyond
/// 2^53 round; beyond 2^64 and magnitudes beyond DBL_MAX are errors) and converted to `T`.
/// A record is bad (parse returns false, error() says why) when the text is not valid JSON or
/// not an object, a selected field is missing, appears twice, is not a number (string, null,
/// boolean, array, object; strings are numbers with format::numeric_strings), or is not
/// finite in `T`.
///
/// Complexity: linear in the text; no allocation per record once the buffers have grown to
/// the longest record (except to describe an error).
template <class T = double>
class message_parser {
  static_assert(std::is_floating_point_v<T>, "JSON fields are read into floating point");

 public:
  /// `fields`: the names to select, in the order values() returns them: `{"x", "y"}`, a
  /// std::vector<std::string> or io::column values (by name: a JSON object has no positions).
  explicit message_parser(const io::column_list& fields, format fmt = {})
      : fields_(names(fields)), fmt_(fmt), values_(fields_.size()), found_(fields_.size()) {
    if (fields_.empty()) STREAMREG_THROW(config_error("no JSON field selected"));
    for (std::size_t i = 0; i < fields_.size(); ++i)
      for (std::size_t j = 0; j < i; ++j)
        if (fields_[i] == fields_[j])
          STREAMREG_THROW(config_error("JSON field '" + fields_[i] + "' selected twice"));
  }

  /// Parses `text` (line `line_no`, for messages). True: the values are in values(). False:
  /// error() describes the record, located "line N[, field 'name']".
  bool parse(std::string_view text, std::uint64_t line_no) {
    line_ = line_no;
    if (buffer_.size() < text.size() + simdjson::SIMDJSON_PADDING)
      buffer_.resize(text.size() + simdjson::SIMDJSON_PADDING);
    if (!text.empty()) std::memcpy(buffer_.data(), text.data(), text.size());
    simdjson::dom::element doc;
    const simdjson::error_code err = parser_.parse(buffer_.data(), text.size(), false).get(doc);
    if (err) return fail_document(text, err);
    simdjson::dom::object object;
    if (doc.get_object().get(object)) return fail({}, io::detail::excerpt(text), "not a JSON object");
    std::fill(found_.begin(), found_.end(), '\0');
    for (const simdjson::dom::key_value_pair kv : object) {
      for (std::size_t i = 0; i < fields_.size(); ++i) {
        if (kv.key != fields_[i]) continue;
        if (found_[i]) return fail(fields_[i], value_text(kv.value), "duplicate field");
        found_[i] = 1;
        if (!read_value(i, kv.value)) return false;
        break;
      }
    }
    for (std::size_t i = 0; i < fields_.size(); ++i)
      if (!found_[i]) return fail(fields_[i], {}, "missing field");
    return true;
  }

  const std::vector<T>& values() const noexcept { return values_; }
  const T& operator[](std::size_t i) const noexcept { return values_[i]; }
  /// The last bad record's description (valid after parse returned false).
  const parse_error& error() const noexcept { return *error_; }
  const std::vector<std::string>& fields() const noexcept { return fields_; }
  const format& options() const noexcept { return fmt_; }
  /// Line number given to the last parse.
  std::uint64_t line() const noexcept { return line_; }

  /// An error about the i-th selected field of the last record (for checks made after
  /// parsing: a weight that must be positive, a time that must not go back).
  parse_error field_error(std::size_t i, std::string text, const std::string& reason) const {
    return parse_error(where(fields_[i]), line_, fields_[i], std::move(text), reason);
  }

 private:
  static std::vector<std::string> names(const io::column_list& fields) {
    std::vector<std::string> out;
    out.reserve(fields.size());
    for (const io::column& c : fields.columns()) {
      if (c.name.empty())
        STREAMREG_THROW(config_error("JSON fields are selected by name, not by position (" +
                                     std::to_string(c.index) + ")"));
      out.push_back(c.name);
    }
    return out;
  }

  std::string where(const std::string& field) const {
    std::string w = "line " + std::to_string(line_);
    if (!field.empty()) w += ", field '" + field + "'";
    return w;
  }

  bool fail(const std::string& field, std::string text, const std::string& reason) {
    error_ = std::make_unique<parse_error>(where(field), line_, field, std::move(text), reason);
    return false;
  }

  static std::string value_text(const simdjson::dom::element& v) {
    return io::detail::excerpt(simdjson::minify(v));
  }

  bool read_value(std::size_t i, const simdjson::dom::element& v) {
    double d = 0;
    switch (v.type()) {
      case simdjson::dom::element_type::DOUBLE:
      case simdjson::dom::element_type::INT64:
      case simdjson::dom::element_type::UINT64:
        if (v.get_double().get(d)) return fail(fields_[i], value_text(v), "not a number");
        return store(i, d, v);
      case simdjson::dom::element_type::STRING: {
        if (!fmt_.numeric_strings)
          return fail(fields_[i], value_text(v), "a string, not a number");
        std::string_view s;
        if (v.get_string().get(s)) return fail(fields_[i], value_text(v), "not a number");
        const std::errc ec = io::detail::parse_number(s, d);
        if (ec == std::errc::result_out_of_range)
          return fail(fields_[i], value_text(v), "number out of range");
        if (ec != std::errc()) return fail(fields_[i], value_text(v), "a string that is not a number");
        return store(i, d, v);
      }
      case simdjson::dom::element_type::NULL_VALUE:
        return fail(fields_[i], "null", "null, not a number");
      case simdjson::dom::element_type::BOOL:
        return fail(fields_[i], value_text(v), "a boolean, not a number");
      case simdjson::dom::element_type::ARRAY:
        return fail(fields_[i], value_text(v), "an array, not a number");
      case simdjson::dom::element_type::OBJECT:
        return fail(fields_[i], value_text(v), "an object, not a number");
    }
    return fail(fields_[i], value_text(v), "not a number");
  }

  bool store(std::size_t i, double d, const simdjson::dom::element& v) {
    const T t = static_cast<T>(d);
    if (!streamreg::detail::is_finite(d) || !streamreg::detail::is_finite(t))
      return fail(fields_[i], value_text(v), "not a finite number");
    values_[i] = t;
    return true;
  }

  /// The DOM parser refuses a whole document for a number it cannot read (1e400, 01, an
  /// integer beyond 2^64). When that number is a selected field's value, name the field:
  /// walk the object again with the on-demand API, which reads one value at a time. (An
  /// integer beyond 2^64 without exponent or fraction, which on-demand reads as a double,
  /// stays a whole-record error.)
  bool fail_document(std::string_view text, simdjson::error_code err) {
    if (err == simdjson::EMPTY) return fail({}, {}, "empty record: no JSON object");
    if (err == simdjson::NUMBER_ERROR) {
      simdjson::ondemand::document doc;
      simdjson::ondemand::object object;
      if (!ondemand_
               .iterate(simdjson::padded_string_view(buffer_.data(), text.size(), buffer_.size()))
               .get(doc) &&
          !doc.get_object().get(object)) {
        for (auto field : object) {
          std::string_view key;
          if (field.unescaped_key().get(key)) break;
          for (const std::string& name : fields_) {
            if (key != name) continue;
            simdjson::ondemand::value value;
            if (field.value().get(value)) break;
            const std::string_view raw = value.raw_json_token();
            double d = 0;
            if (!value.get_double().get(d)) break;
            // from_chars accepts what JSON forbids (leading zeros) and tells range errors.
            const std::string_view token = io::detail::trim(raw);
            const bool range = io::detail::parse_number(token, d) == std::errc::result_out_of_range;
            return fail(name, io::detail::excerpt(token),
                        range ? "number out of range" : "malformed number");
          }
        }
      }
    }
    return fail({}, io::detail::excerpt(text),
                std::string("not valid JSON: ") + simdjson::error_message(err));
  }

  std::vector<std::string> fields_;
  format fmt_;
  std::vector<T> values_;
  std::vector<char> found_;
  std::vector<char> buffer_;  // the text, padded as simdjson requires
  simdjson::dom::parser parser_;
  simdjson::ondemand::parser ondemand_;
  std::uint64_t line_ = 0;
  std::unique_ptr<parse_error> error_;
};

/// Reads one JSON object's selected fields; throws parse_error (located "line 1") when it is
/// a bad record. For many messages keep a message_parser: it reuses its buffers.
template <class T = double>
std::vector<T> parse_object(std::string_view text, const io::column_list& fields,
                            format fmt = {}) {
  message_parser<T> p(fields, fmt);
  if (!p.parse(text, 1)) STREAMREG_THROW(p.error());
  return p.values();
}

/// Reads records from JSON lines: one object per line; blank lines are skipped.
///
/// ```
/// json::jsonl_reader<double> in(std::filesystem::path("data.jsonl"), {"x", "y"});  // or std::cin
/// for (auto r = in.next(); r != json::jsonl_reader<double>::result::end; r = in.next()) {
///   if (r == json::jsonl_reader<double>::result::error) {  // a bad line: not the end of input
///     report(in.error());                                   // names the line and field
///     continue;                                             // (or stop)
///   }
///   reg.push(in[0], in[1]);
/// }
/// ```
/// Same shape as io::csv_reader: next() -> record, error (the reader stays usable) or end;
/// the same sources (a missing file is an io_error naming it; each record is handed over as
/// soon as its line has arrived) and the same column type (io::column_list, by name).
template <class T = double>
class jsonl_reader {
 public:
  enum class result { record, end, error };

  /// `source`: anything io::line_reader accepts (a std::filesystem::path, a std::istream&,
  /// a chunk callback, a string view).
  template <class Source>
  jsonl_reader(Source&& source, const io::column_list& fields, format fmt = {})
      : lines_(std::make_unique<io::line_reader>(std::forward<Source>(source))),
        parser_(fields, fmt) {
    static_assert(!(std::is_same_v<std::remove_cv_t<std::remove_reference_t<Source>>,
                                   std::string> &&
                    !std::is_lvalue_reference_v<Source>),
                  "jsonl_reader reads a string in place: pass a std::string that outlives the "
                  "reader (an lvalue) or a std::string_view, not a temporary std::string");
  }

  /// Reads the next non-blank line.
  result next() {
    std::string_view line;
    for (;;) {
      if (!lines_->next(line)) return result::end;
      if (!io::detail::trim(line).empty()) break;
    }
    return parser_.parse(line, lines_->line_number()) ? result::record : result::error;
  }

  /// Skips input up to and including line `line` (to resume after a checkpoint). False if
  /// the input ends first.
  bool skip_through(std::uint64_t line) {
    std::string_view ignored;
    while (lines_->line_number() < line)
      if (!lines_->next(ignored)) return false;
    return true;
  }

  const std::vector<T>& values() const noexcept { return parser_.values(); }
  const T& operator[](std::size_t i) const noexcept { return parser_[i]; }
  const parse_error& error() const noexcept { return parser_.error(); }
  const std::vector<std::string>& fields() const noexcept { return parser_.fields(); }
  /// 1-based number of the line last read.
  std::uint64_t line() const noexcept { return lines_->line_number(); }
  /// An error about the i-th selected field of the record last read.
  parse_error field_error(std::size_t i, std::string text, const std::string& reason) const {
    return parser_.field_error(i, std::move(text), reason);
  }

 private:
  std::unique_ptr<io::line_reader> lines_;
  message_parser<T> parser_;
};

/// Reads every record, applying the error policy, as io::read_all does for CSV.
template <class T, class OnRecord, class OnBad>
io::read_summary read_all(jsonl_reader<T>& in, io::error_policy policy, OnRecord&& on_record,
                          OnBad&& on_bad) {
  io::read_summary s;
  for (;;) {
    switch (in.next()) {
      case jsonl_reader<T>::result::end:
        return s;
      case jsonl_reader<T>::result::record:
        ++s.records;
        on_record(in.values(), in.line());
        break;
      case jsonl_reader<T>::result::error:
        if (policy == io::error_policy::fail) STREAMREG_THROW(in.error());
        on_bad(in.error());
        if (policy == io::error_policy::stop) {
          s.stopped = true;
          return s;
        }
        ++s.skipped;
        break;
    }
  }
}

}  // namespace streamreg::json
