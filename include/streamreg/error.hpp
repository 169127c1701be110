// SPDX-License-Identifier: MIT
// Exception hierarchy for bad input (parse_error) and bad configuration (config_error).
#pragma once

#include <cstdint>    // std::uint64_t
#include <stdexcept>  // std::runtime_error
#include <string>     // std::string, std::to_string

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

  std::uint64_t line() const noexcept { return line_; }
  std::size_t column() const noexcept { return column_; }
  const std::string& column_name() const noexcept { return column_name_; }
  const std::string& text() const noexcept { return text_; }
  const std::string& reason() const noexcept { return reason_; }

 private:
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
};

}  // namespace streamreg
