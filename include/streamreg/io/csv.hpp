// SPDX-License-Identifier: MIT
// CSV (and whitespace-separated) numeric input: header, columns by name or 1-based index,
// std::from_chars, CRLF, quoted fields, blank and comment lines, errors with line and column.
#pragma once

#include <charconv>      // std::from_chars
#include <cstdint>       // std::uint64_t
#include <cstring>       // std::memchr
#include <memory>        // std::unique_ptr
#include <string>        // std::string
#include <string_view>   // std::string_view
#include <system_error>  // std::errc
#include <type_traits>   // std::is_floating_point_v
#include <utility>       // std::forward, std::pair
#include <vector>        // std::vector

#include "../config.hpp"
#include "../detail/scalar.hpp"
#include "../error.hpp"
#include "column.hpp"
#include "line_reader.hpp"

namespace streamreg::io {

/// What an adapter does with a record it cannot read.
enum class error_policy {
  fail,  ///< raise the parse_error (STREAMREG_THROW)
  skip,  ///< count it, report it to a callback, go on
  stop,  ///< end the input there, as if it were the end of the stream
};

/// The textual format of the input.
struct csv_format {
  char delimiter = ',';     ///< field separator when not `whitespace`
  bool whitespace = false;  ///< fields separated by runs of blanks and tabs instead
  bool header = true;       ///< the first data-bearing line names the columns
  char comment = '#';       ///< lines whose first non-blank character is this are skipped ('\0': none)
  /// Data start after the last line beginning with "Data:" (NIST StRD files); that line's
  /// remaining words name the columns. Reads the whole input before the first record.
  bool skip_to_data = false;
  /// Decide from the first line the delimiter (',' or ';' if the line has one, else runs of
  /// blanks), overriding `delimiter` and `whitespace`; and, if `header` is true, whether the
  /// line is a header: it is unless every field is a number (then it is the first record).
  bool detect = false;
};

namespace detail {

inline bool is_blank(char c) noexcept { return c == ' ' || c == '\t'; }

inline std::string_view trim(std::string_view s) noexcept {
  while (!s.empty() && is_blank(s.front())) s.remove_prefix(1);
  while (!s.empty() && (is_blank(s.back()) || s.back() == '\r')) s.remove_suffix(1);
  return s;
}

/// Shortens text for an error message (a bad field may be a megabyte long).
inline std::string excerpt(std::string_view s) {
  constexpr std::size_t max = 64;
  if (s.size() <= max) return std::string(s);
  return std::string(s.substr(0, max)) + "...";
}

/// A malformed field found while splitting: its 0-based position and what is wrong.
struct split_error {
  const char* reason = nullptr;  ///< nullptr: the line split cleanly
  std::size_t field = 0;
  explicit operator bool() const noexcept { return reason != nullptr; }
};

/// Splits one line into fields, calling `f(position, field)` for positions 0, 1, ... until
/// `f` returns false or the line ends. Quoted fields ("...", with "" for a quote) are returned
/// without their quotes (a doubled quote stays doubled in the view). An unterminated quote or
/// text after a closing quote is reported, naming the field.
template <class F>
split_error split_fields(std::string_view line, const csv_format& fmt, F&& f) {
  std::size_t pos = 0;
  const std::size_t n = line.size();
  std::size_t index = 0;
  if (fmt.whitespace) {
    for (;;) {
      while (pos < n && is_blank(line[pos])) ++pos;
      if (pos == n) return {};
      std::size_t start = pos;
      while (pos < n && !is_blank(line[pos])) ++pos;
      if (!f(index++, line.substr(start, pos - start))) return {};
    }
  }
  for (;;) {
    while (pos < n && is_blank(line[pos])) ++pos;
    std::string_view field;
    if (pos < n && line[pos] == '"') {
      const std::size_t start = ++pos;
      for (;;) {
        if (pos >= n) return {"unterminated quote", index};
        if (line[pos] == '"') {
          if (pos + 1 < n && line[pos + 1] == '"') {
            pos += 2;
            continue;
          }
          break;
        }
        ++pos;
      }
      field = line.substr(start, pos - start);
      ++pos;  // closing quote
      while (pos < n && is_blank(line[pos])) ++pos;
      if (pos < n && line[pos] != fmt.delimiter) return {"text after a closing quote", index};
    } else {
      const std::size_t start = pos;
      while (pos < n && line[pos] != fmt.delimiter) ++pos;
      field = trim(line.substr(start, pos - start));
    }
    if (!f(index++, field)) return {};
    if (pos >= n) return {};
    ++pos;  // delimiter
  }
}

/// A header name: quotes removed by split_fields, doubled quotes made single.
inline std::string unescape(std::string_view field) {
  std::string s(field);
  for (std::size_t i = s.find("\"\""); i != std::string::npos; i = s.find("\"\"", i + 1))
    s.erase(i, 1);
  return s;
}

/// Parses a whole field as a floating-point number. Accepts a leading '+' (but not "+-1").
template <class T>
std::errc parse_number(std::string_view s, T& out) noexcept {
  static_assert(std::is_floating_point_v<T>, "CSV fields are parsed into floating point");
  const char* first = s.data();
  const char* last = first + s.size();
  if (first != last && *first == '+') {
    ++first;
    // from_chars accepts a '-' of its own: one sign only.
    if (first != last && *first == '-') return std::errc::invalid_argument;
  }
  if (first == last) return std::errc::invalid_argument;
  const auto r = std::from_chars(first, last, out);
  if (r.ec != std::errc()) return r.ec;
  if (r.ptr != last) return std::errc::invalid_argument;
  return std::errc();
}

inline bool is_skippable(std::string_view line, const csv_format& fmt) noexcept {
  // Usually the first character is neither blank nor CR, so trim would keep it: decide on it.
  if (!line.empty() && !is_blank(line.front()) && line.front() != '\r')
    return fmt.comment != '\0' && line.front() == fmt.comment;
  const std::string_view t = trim(line);
  return t.empty() || (fmt.comment != '\0' && t.front() == fmt.comment);
}

}  // namespace detail

/// The header of an input and the positions of the selected columns in it.
class csv_schema {
 public:
  /// Columns by 1-based position only (no header).
  explicit csv_schema(const std::vector<column>& columns) { resolve(columns); }

  /// Columns resolved against a header line.
  csv_schema(std::string_view header_line, const csv_format& fmt,
             const std::vector<column>& columns) {
    const detail::split_error bad =
        detail::split_fields(header_line, fmt, [this](std::size_t, std::string_view f) {
          names_.push_back(detail::unescape(detail::trim(f)));
          return true;
        });
    if (bad)
      STREAMREG_THROW(config_error("header, column " + std::to_string(bad.field + 1) + ": " +
                                   bad.reason));
    resolve(columns);
  }

  const std::vector<std::string>& names() const noexcept { return names_; }
  /// 0-based positions of the selected columns, in the order they were given.
  const std::vector<std::size_t>& positions() const noexcept { return positions_; }
  /// Display name of the i-th selected column (header name or its number).
  const std::string& label(std::size_t i) const noexcept { return labels_[i]; }

 private:
  void resolve(const std::vector<column>& columns) {
    for (const column& c : columns) {
      std::size_t pos = names_.size();
      if (!c.name.empty()) {
        for (std::size_t i = 0; i < names_.size(); ++i) {
          if (names_[i] != c.name) continue;
          if (pos != names_.size())  // a name selected twice over would be a silent choice
            STREAMREG_THROW(config_error("column '" + c.name + "' appears twice in the header "
                                         "(columns " + std::to_string(pos + 1) + " and " +
                                         std::to_string(i + 1) + ")"));
          pos = i;
        }
      }
      if (pos == names_.size()) {
        if (c.index == 0) {
          std::string known;
          bool cr = false;
          for (const auto& n : names_) {
            known += (known.empty() ? "" : ", ") + detail::excerpt(n);
            cr = cr || n.find('\r') != std::string::npos;
          }
          // A carriage return inside the header: the lines end with CR only, which the line
          // reader does not split (and which would garble the message on a terminal).
          if (cr)
            STREAMREG_THROW(config_error(
                "unknown column '" + c.name +
                "': the header holds a carriage return (do the lines end with CR only? "
                "LF or CRLF line ends are expected)"));
          STREAMREG_THROW(config_error(
              "unknown column '" + c.name + "'" +
              (names_.empty() ? std::string(" (the input has no header: select columns by "
                                            "1-based number)")
                              : " (the header has: " + known + ")")));
        }
        pos = c.index - 1;
        if (!names_.empty() && pos >= names_.size())
          STREAMREG_THROW(config_error("column " + std::to_string(c.index) +
                                       " is beyond the header's " +
                                       std::to_string(names_.size()) + " columns"));
      }
      positions_.push_back(pos);
      labels_.push_back(pos < names_.size() ? names_[pos] : std::to_string(pos + 1));
    }
  }

  std::vector<std::string> names_;
  std::vector<std::size_t> positions_;
  std::vector<std::string> labels_;
};

/// Parses the selected columns of one data line into numbers.
template <class T = double>
class csv_row_parser {
 public:
  csv_row_parser(csv_schema schema, csv_format fmt)
      : schema_(std::move(schema)),
        fmt_(fmt),
        values_(schema_.positions().size()),
        plain_(!fmt.whitespace && (fmt.delimiter == ',' || fmt.delimiter == ';' ||
                                   fmt.delimiter == '|' || fmt.delimiter == ':')) {
    for (std::size_t p : schema_.positions()) width_ = p + 1 > width_ ? p + 1 : width_;
    slot_.assign(width_, npos);
    for (std::size_t i = 0; i < schema_.positions().size(); ++i) {
      std::size_t& s = slot_[schema_.positions()[i]];
      if (s == npos) s = i;
      else copies_.push_back({i, s});  // a column selected again: a copy of the first
    }
  }

  /// Parses `line` (number `line_no`, for messages). On success the values are in values()
  /// (a column selected several times in each of its places). On failure returns false and
  /// error() describes the first bad field. Non-finite values (nan, inf, 1e400) are errors:
  /// they must never reach a state.
  bool parse(std::string_view line, std::uint64_t line_no) {
    if (!(plain_ && parse_plain(line)) && !parse_general(line, line_no)) return false;
    for (const auto& [to, from] : copies_) values_[to] = values_[from];
    return true;
  }

  const std::vector<T>& values() const noexcept { return values_; }
  const T& operator[](std::size_t i) const noexcept { return values_[i]; }
  const parse_error& error() const noexcept { return *error_; }
  const csv_schema& schema() const noexcept { return schema_; }

 private:
  static constexpr std::size_t npos = static_cast<std::size_t>(-1);

  /// Any line: fields split by split_fields, then each selected one parsed.
  bool parse_general(std::string_view line, std::uint64_t line_no) {
    std::size_t found = 0;
    std::size_t bad = npos;
    std::string_view bad_text;
    const char* reason = nullptr;
    const detail::split_error split =
        detail::split_fields(line, fmt_, [&](std::size_t pos, std::string_view f) {
      if (pos >= width_) return false;
      const std::size_t i = slot_[pos];
      if (i == npos) return true;
      ++found;
      const std::errc ec = detail::parse_number(f, values_[i]);
      if (ec != std::errc() || !streamreg::detail::is_finite(values_[i])) {
        bad = i;
        bad_text = f;
        reason = ec == std::errc::result_out_of_range ? "number out of range"
                 : ec != std::errc()                  ? "not a number"
                                                      : "not a finite number";
        return false;
      }
      return true;
    });
    if (split) {
      const std::size_t i = split.field < width_ ? slot_[split.field] : npos;
      return fail(line_no, split.field + 1, i == npos ? std::string() : schema_.label(i),
                  detail::excerpt(line), split.reason);
    }
    if (bad != npos)
      return fail(line_no, schema_.positions()[bad] + 1, schema_.label(bad),
                  detail::excerpt(bad_text), reason);
    if (found + copies_.size() < values_.size()) {
      std::size_t count = 0;
      detail::split_fields(line, fmt_, [&count](std::size_t, std::string_view) {
        ++count;
        return true;
      });
      for (std::size_t i = 0; i < values_.size(); ++i)
        if (schema_.positions()[i] >= count)
          return fail(line_no, schema_.positions()[i] + 1, schema_.label(i), "",
                      "missing field (the line has " + std::to_string(count) + ")");
    }
    return true;
  }

  /// The usual line in one pass: unquoted fields, each selected one a finite number followed
  /// by blanks at most. Each number is read where its field starts and from_chars finds its
  /// end, instead of finding the field's end first and reading the field again. True when the
  /// line was read completely, with the values parse_general would give; false for anything
  /// else (quotes, a bad or missing field), which parse_general then reads from the start and
  /// reports (the values stored here by then are ones it stores too). Only for delimiters that
  /// cannot occur in a number and are neither blanks nor quotes (see plain_).
  bool parse_plain(std::string_view line) noexcept {
    const char* p = line.data();
    const char* const end = p + line.size();
    for (std::size_t pos = 0;; ++pos) {
      // A field usually starts with a digit, '-' or '.': one test excludes blanks, quotes,
      // '+' and the end of the line, all below '-'.
      const bool plain_start = p != end && static_cast<unsigned char>(*p) >= '-';
      if (!plain_start) {
        while (p != end && detail::is_blank(*p)) ++p;
        // A quoted field, even the one after the last selected (split_fields reads it too).
        if (p != end && *p == '"') return false;
      }
      if (pos == width_) return true;
      const std::size_t i = slot_[pos];
      if (i == npos) {  // not selected: skip to the next field
        const void* next = std::memchr(p, fmt_.delimiter, static_cast<std::size_t>(end - p));
        if (next == nullptr) return false;
        p = static_cast<const char*>(next) + 1;
        continue;
      }
      const char* first = p;
      if (!plain_start && first != end && *first == '+') {  // as parse_number
        ++first;
        if (first != end && *first == '-') return false;
      }
      T v{};
      const auto r = std::from_chars(first, end, v);
      if (r.ec != std::errc() || !streamreg::detail::is_finite(v)) return false;
      p = r.ptr;
      if (p != end && *p != fmt_.delimiter) {
        while (p != end && (detail::is_blank(*p) || *p == '\r')) ++p;  // what trim removes
        if (p != end && *p != fmt_.delimiter) return false;
      }
      values_[i] = v;
      if (p == end) return pos + 1 == width_;
      ++p;
    }
  }

  bool fail(std::uint64_t line, std::size_t col, std::string name, std::string text,
            const std::string& reason) {
    error_ = std::make_unique<parse_error>(line, col, std::move(name), std::move(text), reason);
    return false;
  }

  csv_schema schema_;
  csv_format fmt_;
  std::vector<T> values_;
  // The delimiter cannot be part of a number, a blank or a quote: parse_plain applies.
  bool plain_ = false;
  std::vector<std::size_t> slot_;  // position -> (first) selected index, or npos
  std::vector<std::pair<std::size_t, std::size_t>> copies_;  // selected again: (index, first)
  std::size_t width_ = 0;
  std::unique_ptr<parse_error> error_;
};

/// Reads records from CSV or whitespace-separated text: the header (unless
/// `format.header == false`), then data lines, skipping blank and comment lines.
///
/// ```
/// io::csv_reader<double> in(std::filesystem::path("data.csv"), {"x", "y"});  // or std::cin
/// for (auto r = in.next(); r != io::csv_reader<double>::result::end; r = in.next()) {
///   if (r == io::csv_reader<double>::result::error) {  // a bad line: not the end of input
///     report(in.error());                               // names the line, column and text
///     continue;                                         // (or stop)
///   }
///   reg.push(in.values()[0], in.values()[1]);
/// }
/// ```
/// The input: a `std::filesystem::path` (a missing or unreadable file is an io_error naming
/// it), `std::cin` or any std::istream, io::input_file's source(), or text in memory (see
/// line_reader). Each record is handed over as soon as its line has arrived (from a pipe,
/// within the latency of a read: measured about 0.1 ms), whatever the stream's buffering.
/// Columns: names or 1-based numbers as strings, `{"x", "y"}`, or io::column values
/// (column_list).
///
/// Complexity: one pass, no allocation per line (except to describe an error).
template <class T = double>
class csv_reader {
 public:
  enum class result { record, end, error };

  /// `source`: anything line_reader accepts (a std::filesystem::path, a std::istream&, a
  /// chunk callback, a string view).
  template <class Source>
  csv_reader(Source&& source, const column_list& columns, csv_format fmt = {})
      : lines_(std::make_unique<line_reader>(std::forward<Source>(source))),
        fmt_(fmt),
        parser_(make_parser(columns.columns())) {
    static_assert(!dangles<Source>,
                  "csv_reader reads a string in place: pass a std::string that outlives the "
                  "reader (an lvalue) or a std::string_view, not a temporary std::string");
  }

  /// Reads the next data line. `record`: values are in values(); `error`: error() says why
  /// (the reader stays usable: the next call reads the following line); `end`: no more input.
  result next() {
    if (pending_) {  // a detected header-less first line is the first record
      pending_ = false;
      return parser_.parse(first_, first_line_) ? result::record : result::error;
    }
    std::string_view line;
    for (;;) {
      if (!lines_->next(line)) return result::end;
      if (!detail::is_skippable(line, fmt_)) break;
    }
    return parser_.parse(line, lines_->line_number()) ? result::record : result::error;
  }

  /// Skips input up to and including line `line` without reading records from it (to
  /// resume after a checkpoint that recorded the last line read). Returns false if the input
  /// ends first.
  bool skip_through(std::uint64_t line) {
    if (pending_ && first_line_ <= line) pending_ = false;
    std::string_view ignored;
    while (lines_->line_number() < line)
      if (!lines_->next(ignored)) return false;
    return true;
  }

  /// The format in use (after detection, when asked for).
  const csv_format& format() const noexcept { return fmt_; }
  const std::vector<T>& values() const noexcept { return parser_.values(); }
  const T& operator[](std::size_t i) const noexcept { return parser_[i]; }
  const parse_error& error() const noexcept { return parser_.error(); }
  const csv_schema& schema() const noexcept { return parser_.schema(); }
  /// 1-based line number of the line last read.
  std::uint64_t line() const noexcept { return pending_ ? first_line_ : lines_->line_number(); }

 private:
  template <class Source>
  static constexpr bool dangles =
      std::is_same_v<std::remove_cv_t<std::remove_reference_t<Source>>, std::string> &&
      !std::is_lvalue_reference_v<Source>;

  csv_row_parser<T> make_parser(const std::vector<column>& columns) {
    csv_schema schema = open(columns);
    return csv_row_parser<T>(std::move(schema), fmt_);
  }

  csv_schema open(const std::vector<column>& columns) {
    std::string_view line;
    if (fmt_.skip_to_data) {
      // Keep the whole input, find the last "Data:" line, continue reading after it.
      std::uint64_t data_line = 0;
      std::string names;
      while (lines_->next(line)) {
        text_.append(line.data(), line.size()).push_back('\n');
        if (line.substr(0, 5) == "Data:") {
          data_line = lines_->line_number();
          names = std::string(line.substr(5));
        }
      }
      if (data_line == 0)
        STREAMREG_THROW(config_error("no line beginning with 'Data:' in the input"));
      lines_ = std::make_unique<line_reader>(std::string_view(text_));
      for (std::uint64_t i = 0; i < data_line; ++i) lines_->next(line);
      fmt_.whitespace = true;
      return csv_schema(names, fmt_, columns);
    }
    if (!fmt_.header && !fmt_.detect) return csv_schema(columns);
    for (;;) {
      if (!lines_->next(line)) STREAMREG_THROW(config_error("the input is empty: no header line"));
      if (!detail::is_skippable(line, fmt_)) break;
    }
    if (fmt_.detect) {
      fmt_.whitespace = false;
      if (line.find(',') != std::string_view::npos) {
        fmt_.delimiter = ',';
      } else if (line.find(';') != std::string_view::npos) {
        fmt_.delimiter = ';';
      } else {
        fmt_.whitespace = true;
      }
      bool numeric = true;
      detail::split_fields(line, fmt_, [&numeric](std::size_t, std::string_view f) {
        double v = 0;
        numeric = detail::parse_number(f, v) == std::errc();
        return numeric;
      });
      fmt_.header = fmt_.header && !numeric;
      if (!fmt_.header) {
        first_.assign(line.data(), line.size());
        first_line_ = lines_->line_number();
        pending_ = true;
        return csv_schema(columns);
      }
    }
    return csv_schema(line, fmt_, columns);
  }

  std::string text_;  // whole input, with skip_to_data only
  std::unique_ptr<line_reader> lines_;
  csv_format fmt_;
  std::string first_;  // a detected header-less first line
  std::uint64_t first_line_ = 0;
  bool pending_ = false;
  csv_row_parser<T> parser_;
};

/// Counts of a read.
struct read_summary {
  std::uint64_t records = 0;  ///< records delivered
  std::uint64_t skipped = 0;  ///< bad records skipped (policy skip)
  bool stopped = false;       ///< ended early on a bad record (policy stop)
};

/// Reads every record, applying the error policy. `on_record(values, line)` receives each
/// good record; `on_bad(const parse_error&)` each bad one under skip and stop (under fail the
/// error is raised instead).
template <class T, class OnRecord, class OnBad>
read_summary read_all(csv_reader<T>& in, error_policy policy, OnRecord&& on_record,
                      OnBad&& on_bad) {
  read_summary s;
  for (;;) {
    switch (in.next()) {
      case csv_reader<T>::result::end:
        return s;
      case csv_reader<T>::result::record:
        ++s.records;
        on_record(in.values(), in.line());
        break;
      case csv_reader<T>::result::error:
        if (policy == error_policy::fail) STREAMREG_THROW(in.error());
        on_bad(in.error());
        if (policy == error_policy::stop) {
          s.stopped = true;
          return s;
        }
        ++s.skipped;
        break;
    }
  }
}

}  // namespace streamreg::io
