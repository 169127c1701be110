// SPDX-License-Identifier: MIT
// Checkpoints: versioned text serialisation of states, windows and regressors. Floating-point
// values are written as hexadecimal floats, so a restore is bit-exact; a checksum guards the
// text against truncation and corruption.
#pragma once

#include <charconv>     // std::to_chars, std::from_chars
#include <cstdint>      // std::uint64_t
#include <string>       // std::string
#include <string_view>  // std::string_view
#include <system_error> // std::errc
#include <type_traits>  // std::is_floating_point_v

#include "config.hpp"
#include "detail/scalar.hpp"
#include "error.hpp"

namespace streamreg {

/// Thrown (through STREAMREG_THROW) for a checkpoint that cannot be restored: wrong format
/// or version, another type, truncated or corrupted text. The target is left unchanged.
class checkpoint_error : public error {
 public:
  using error::error;
};

/// Version of the checkpoint format written by this library.
inline constexpr int checkpoint_version = 1;

namespace detail {

/// FNV-1a, 64 bits: a cheap checksum that catches truncation and flipped bits.
inline std::uint64_t fnv1a(std::string_view s) noexcept {
  std::uint64_t h = 0xcbf29ce484222325ull;
  for (char c : s) {
    h ^= static_cast<unsigned char>(c);
    h *= 0x100000001b3ull;
  }
  return h;
}

/// The checksum as written after "checksum ": 16 lower-case hex digits and a newline.
inline std::string checksum_line(std::uint64_t h) {
  std::string s(17, '\n');
  for (int i = 15; i >= 0; --i) s[static_cast<std::size_t>(15 - i)] = "0123456789abcdef"[(h >> (4 * i)) & 0xF];
  return s;
}

/// Writes `name value` lines.
class checkpoint_writer {
 public:
  static constexpr bool loading = false;
  template <class T>
  void field(std::string_view name, const T& value) {
    static_assert(std::is_arithmetic_v<T>,
                  "checkpoints hold floating-point, integer and bool fields only");
    text_.append(name).push_back(' ');
    char buf[64];
    char* end;
    if constexpr (std::is_same_v<T, bool>) {
      end = std::to_chars(buf, buf + sizeof buf, value ? 1 : 0).ptr;
    } else if constexpr (std::is_floating_point_v<T>) {
      end = std::to_chars(buf, buf + sizeof buf, value, std::chars_format::hex).ptr;
    } else {
      end = std::to_chars(buf, buf + sizeof buf, value).ptr;
    }
    text_.append(buf, static_cast<std::size_t>(end - buf)).push_back('\n');
  }
  std::string& text() noexcept { return text_; }
  [[noreturn]] static void fail(const std::string& why) {
    STREAMREG_THROW(checkpoint_error("checkpoint: " + why));
  }

 private:
  std::string text_;
};

/// Reads `name value` lines in the order they were written, checking each name.
class checkpoint_reader {
 public:
  static constexpr bool loading = true;
  explicit checkpoint_reader(std::string_view body) : rest_(body) {}

  template <class T>
  void field(std::string_view name, T& value) {
    const std::size_t nl = rest_.find('\n');
    if (nl == std::string_view::npos) fail("ends before field '" + std::string(name) + "'");
    const std::string_view line = rest_.substr(0, nl);
    rest_.remove_prefix(nl + 1);
    if (line.size() <= name.size() || line.substr(0, name.size()) != name ||
        line[name.size()] != ' ')
      fail("expected field '" + std::string(name) + "', found '" + std::string(line) + "'");
    const std::string_view text = line.substr(name.size() + 1);
    const char* first = text.data();
    const char* last = first + text.size();
    std::from_chars_result r{};
    if constexpr (std::is_same_v<T, bool>) {
      int v = 0;
      r = std::from_chars(first, last, v);
      if (v != 0 && v != 1) r.ec = std::errc::invalid_argument;
      value = v == 1;
    } else if constexpr (std::is_floating_point_v<T>) {
      // from_chars in hex format takes the digits without the "0x" prefix.
      bool negative = false;
      if (first != last && *first == '-') {
        negative = true;
        ++first;
      }
      if (last - first >= 2 && first[0] == '0' && first[1] == 'x') first += 2;
      r = std::from_chars(first, last, value, std::chars_format::hex);
      if (negative) value = -value;
    } else {
      r = std::from_chars(first, last, value);
    }
    if (r.ec != std::errc() || r.ptr != last)
      fail("bad value for field '" + std::string(name) + "': '" + std::string(text) + "'");
  }

  bool done() const noexcept { return rest_.empty(); }
  /// True if the next field is called `name` (for states that read an older layout).
  bool next_is(std::string_view name) const noexcept {
    return rest_.size() > name.size() && rest_.substr(0, name.size()) == name &&
           rest_[name.size()] == ' ';
  }

  [[noreturn]] static void fail(const std::string& why) {
    STREAMREG_THROW(checkpoint_error("checkpoint: " + why));
  }

 private:
  std::string_view rest_;
};

}  // namespace detail

/// Serialises `object` (anything with `serialize(Archive&)`: moments, raw_sums, forgetting,
/// windows, regressor) as text:
/// ```
/// streamreg-checkpoint 1 <type>
/// <name> <value>            one line per field, floating point in hexadecimal
/// ...
/// checksum <16 hex digits>  FNV-1a of everything above
/// ```
/// `type` names what was saved (checkpoint_type<T>()); restore refuses another type.
template <class T>
std::string save_checkpoint(const T& object) {
  detail::checkpoint_writer w;
  w.text() = "streamreg-checkpoint " + std::to_string(checkpoint_version) + " " +
             std::string(T::checkpoint_type()) + "\n";
  const_cast<T&>(object).serialize(w);  // the writer only reads
  std::string& text = w.text();
  const std::string sum = detail::checksum_line(detail::fnv1a(text));
  text.append("checksum ").append(sum);
  return std::move(text);
}

/// Restores what save_checkpoint wrote into `object` (constructed with the same
/// configuration: window size, forgetting factor). Bit-exact. Throws checkpoint_error for a
/// wrong header, version or type, a bad checksum (truncation, corruption) or a malformed
/// field; `object` is then unchanged.
template <class T>
void restore_checkpoint(std::string_view text, T& object) {
  const std::size_t tail = text.rfind("checksum ");
  const std::string_view magic = "streamreg-checkpoint ";
  if (text.substr(0, magic.size()) != magic)
    detail::checkpoint_reader::fail("not a streamreg checkpoint");
  const std::size_t header_end = text.find('\n');
  const std::string_view header = text.substr(magic.size(), header_end - magic.size());
  const std::string expected =
      std::to_string(checkpoint_version) + " " + std::string(T::checkpoint_type());
  const std::size_t space = header.find(' ');
  if (header.substr(0, space) != std::to_string(checkpoint_version))
    detail::checkpoint_reader::fail("format version " + std::string(header.substr(0, space)) +
                                    ", this library reads version " +
                                    std::to_string(checkpoint_version));
  if (header != expected)
    detail::checkpoint_reader::fail("holds '" + std::string(header.substr(space + 1)) +
                                    "', not '" + std::string(T::checkpoint_type()) + "'");
  if (tail == std::string_view::npos || header_end == std::string_view::npos ||
      tail < header_end)
    detail::checkpoint_reader::fail("truncated (no checksum line)");
  // The checksum line, compared as text: exactly what save_checkpoint writes, lower case.
  if (text.substr(tail + 9) != detail::checksum_line(detail::fnv1a(text.substr(0, tail))))
    detail::checkpoint_reader::fail("checksum mismatch (corrupted or truncated)");
  detail::checkpoint_reader reader(text.substr(header_end + 1, tail - header_end - 1));
  T copy = object;
  copy.serialize(reader);
  if (!reader.done()) detail::checkpoint_reader::fail("unexpected fields after the last one");
  object = std::move(copy);
}

}  // namespace streamreg
