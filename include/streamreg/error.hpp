// SPDX-License-Identifier: MIT
// Exception hierarchy for bad input (parse_error), bad configuration (config_error) and failed
// input/output (io_error); printable() for quoting user bytes in messages.
#pragma once

#include <cstdint>      // std::uint64_t
#include <stdexcept>    // std::runtime_error
#include <string>       // std::string, std::to_string
#include <string_view>  // std::string_view
#include <utility>      // std::move

namespace streamreg {

/// `text` as it can be shown in a message: valid UTF-8 is kept, a NUL byte, any other control
/// character and every byte that is not part of valid UTF-8 are written as `\xNN`
/// (a NUL byte would otherwise end a C string such as `what()`, and stray bytes would garble a
/// terminal). Complexity: linear.
inline std::string printable(std::string_view text) {
  static constexpr char hex[] = "0123456789abcdef";
  std::string out;
  out.reserve(text.size());
  auto escape = [&out](unsigned char c) {
    out += "\\x";
    out += hex[c >> 4];
    out += hex[c & 0xF];
  };
  const std::size_t n = text.size();
  for (std::size_t i = 0; i < n;) {
    const auto c = static_cast<unsigned char>(text[i]);
    if (c < 0x20 || c == 0x7F) {
      escape(c);
      ++i;
      continue;
    }
    if (c < 0x80) {
      out += static_cast<char>(c);
      ++i;
      continue;
    }
    // The length of a well-formed UTF-8 sequence starting with c (RFC 3629: no overlong
    // forms, no surrogates, nothing above U+10FFFF); 0 when c cannot start one.
    const std::size_t len = c >= 0xC2 && c <= 0xDF ? 2 : c >= 0xE0 && c <= 0xEF ? 3
                      : c >= 0xF0 && c <= 0xF4 ? 4 : 0;
    bool ok = len > 0 && i + len <= n;
    for (std::size_t k = 1; ok && k < len; ++k)
      ok = (static_cast<unsigned char>(text[i + k]) & 0xC0) == 0x80;
    if (ok) {
      const auto c1 = static_cast<unsigned char>(text[i + 1]);
      ok = !(c == 0xE0 && c1 < 0xA0) && !(c == 0xED && c1 > 0x9F) &&
           !(c == 0xF0 && c1 < 0x90) && !(c == 0xF4 && c1 > 0x8F);
    }
    if (!ok) {
      escape(c);
      ++i;
      continue;
    }
    out.append(text.substr(i, len));
    i += len;
  }
  return out;
}

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

/// An input or output operation that failed (a full disk, a closed pipe, a device error):
/// `path()` names the file, the message says what was done and why (strerror).
class io_error : public error {
 public:
  io_error(std::string path, const std::string& what)
      : error(what), path_(std::move(path)) {}
  const std::string& path() const noexcept { return path_; }

 private:
  std::string path_;
};

/// A record that cannot be read. Carries the 1-based line, the 1-based column (field number,
/// 0 when the whole line is at fault), the column's name when known, and the offending text.
/// Records that are not lines of text (a JSON object's field, a Kafka message) are located by
/// a description instead: `where()`, e.g. "line 4, field 'y'" or "partition 2, offset 17".
/// In the message the text and the column's name are shown through printable(): a NUL byte or
/// invalid UTF-8 appears as `\xNN`; `text()` keeps the bytes as they were.
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
    if (!text.empty()) m += ": '" + printable(text) + "'";
    return m;
  }
  static std::string describe(std::uint64_t line, std::size_t column, const std::string& name,
                              const std::string& text, const std::string& reason) {
    std::string m = "line " + std::to_string(line);
    if (column != 0) {
      m += ", column " + std::to_string(column);
      if (!name.empty()) m += " (" + printable(name) + ")";
    }
    m += ": " + reason;
    if (!text.empty() || column != 0) m += ": '" + printable(text) + "'";
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
