// SPDX-License-Identifier: MIT
// Exception hierarchy for bad input (parse_error) and bad configuration (config_error).
#pragma once

#include <cstdint>    // std::uint64_t
#include <stdexcept>  // std::runtime_error
#include <string>     // std::string, std::to_string
#include <utility>    // std::move

namespace streamreg {

/// Base of every exception streamreg raises (through STREAMREG_THROW).
class error : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

/// Bad configuration: an unknown column, a window of size 0, a factor outside its range.
class config_error : public error {
 public:
  using error::error;
};

/// A record that cannot be read. Carries the 1-based line, the 1-based column (field number,
/// 0 when the whole line is at fault), the column's name when known, and the offending text.
/// Records that are not lines of text (a JSON object's field, a Kafka message) are located by
/// a description instead: `where()`, e.g. "line 4, field 'y'" or "partition 2, offset 17".
class parse_error : public error {
 public:
  parse_error(std::uint64_t line, std::size_t column, std::string column_name, std::string text,
              const std::string& reason)
      : error(describe(line, column, column_name, text, reason)),
        line_(line),
        column_(column),
        column_name_(std::move(column_name)),
        text_(std::move(text)),
        reason_(reason) {}

  /// A record located by `where` (what the message starts with). `line` is what line()
  /// returns (a line number or a message offset); `name` names the field at fault, if any.
  parse_error(std::string where, std::uint64_t line, std::string name, std::string text,
              const std::string& reason)
      : error(describe(where, text, reason)),
        line_(line),
        column_(0),
        column_name_(std::move(name)),
        text_(std::move(text)),
        reason_(reason),
        where_(std::move(where)) {}

  std::uint64_t line() const noexcept { return line_; }
  std::size_t column() const noexcept { return column_; }
  const std::string& column_name() const noexcept { return column_name_; }
  const std::string& text() const noexcept { return text_; }
  const std::string& reason() const noexcept { return reason_; }
  /// The location as written in the message ("line 4, column 2 (y)" style when empty).
  const std::string& where() const noexcept { return where_; }

 private:
  static std::string describe(const std::string& where, const std::string& text,
                              const std::string& reason) {
    std::string m = where + ": " + reason;
    if (!text.empty()) m += ": '" + text + "'";
    return m;
  }
  static std::string describe(std::uint64_t line, std::size_t column, const std::string& name,
                              const std::string& text, const std::string& reason) {
    std::string m = "line " + std::to_string(line);
    if (column != 0) {
      m += ", column " + std::to_string(column);
      if (!name.empty()) m += " (" + name + ")";
    }
    m += ": " + reason;
    if (!text.empty() || column != 0) m += ": '" + text + "'";
    return m;
  }

  std::uint64_t line_;
  std::size_t column_;
  std::string column_name_;
  std::string text_;
  std::string reason_;
  std::string where_;
};

}  // namespace streamreg
