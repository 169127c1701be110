// SPDX-License-Identifier: MIT
// column, column_list: the input columns a reader selects (CSV, JSON lines), by name or by
// 1-based position, written as strings: `{"x", "y"}`.
#pragma once

#include <charconv>          // std::from_chars
#include <cstddef>           // std::size_t
#include <initializer_list>  // std::initializer_list
#include <string>            // std::string, std::to_string
#include <string_view>       // std::string_view
#include <system_error>      // std::errc
#include <utility>           // std::move
#include <vector>            // std::vector

namespace streamreg::io {

/// A column chosen by header name (a JSON field's name) or by 1-based position.
///
/// A string converts implicitly, as column::parse reads it: `"y"` names a column, `"3"`
/// selects the third unless the header has a column named "3".
struct column {
  std::string name;       ///< header name, or empty
  std::size_t index = 0;  ///< 1-based position, or 0

  column() = default;
  column(std::string column_name, std::size_t one_based)
      : name(std::move(column_name)), index(one_based) {}
  /// As column::parse(spec).
  column(std::string_view spec) : column(parse(spec)) {}
  column(const std::string& spec) : column(parse(spec)) {}
  column(const char* spec) : column(parse(spec)) {}

  /// "3" selects the third column; anything else a name. A name that looks like a number is
  /// still matched against the header first.
  static column parse(std::string_view spec) {
    column c;
    c.name = std::string(spec);
    std::size_t v = 0;
    const auto r = std::from_chars(spec.data(), spec.data() + spec.size(), v);
    if (r.ec == std::errc() && r.ptr == spec.data() + spec.size() && v > 0) c.index = v;
    return c;
  }
  static column at(std::size_t one_based) { return column{std::to_string(one_based), one_based}; }
  static column named(std::string n) { return column{std::move(n), 0}; }

  friend bool operator==(const column& a, const column& b) noexcept {
    return a.name == b.name && a.index == b.index;
  }
  friend bool operator!=(const column& a, const column& b) noexcept { return !(a == b); }
};

/// The columns a reader selects, in the order it returns their values: what every reader
/// (io::csv_reader, json::jsonl_reader, json::message_parser) takes. Written as a list of
/// strings or columns, `{"x", "y"}`, `{io::column::at(2), "y"}`, or given as a
/// `std::vector<io::column>` or a `std::vector<std::string>` (each string as column::parse
/// reads it).
class column_list {
 public:
  column_list(std::initializer_list<column> columns) : columns_(columns) {}
  column_list(std::vector<column> columns) : columns_(std::move(columns)) {}
  column_list(const std::vector<std::string>& specs) : columns_(specs.begin(), specs.end()) {}

  const std::vector<column>& columns() const noexcept { return columns_; }
  operator const std::vector<column>&() const noexcept { return columns_; }
  std::size_t size() const noexcept { return columns_.size(); }
  bool empty() const noexcept { return columns_.empty(); }
  const column& operator[](std::size_t i) const noexcept { return columns_[i]; }

 private:
  std::vector<column> columns_;
};

}  // namespace streamreg::io
