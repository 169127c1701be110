// SPDX-License-Identifier: MIT
// Checkpoints: versioned text serialisation of states, windows and regressors. Floating-point
// values are written as hexadecimal floats, so a restore is bit-exact; a checksum guards the
// text against truncation and corruption.
#pragma once

#include <charconv>     // std::to_chars, std::from_chars
#include <cmath>        // std::isfinite
#include <cstdint>      // std::uint64_t
#include <string>       // std::string
#include <string_view>  // std::string_view
#include <system_error> // std::errc
#include <type_traits>  // std::is_floating_point_v, std::void_t
#include <utility>      // std::move, std::declval

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

/// The FNV-1a hash of nothing (its offset basis).
inline constexpr std::uint64_t fnv1a_empty = 0xcbf29ce484222325ull;

/// FNV-1a, 64 bits (Fowler, Noll, Vo; the public-domain reference parameters): a cheap
/// checksum that catches truncation and flipped bits. Not cryptographic. Incremental:
/// `fnv1a(b, fnv1a(a)) == fnv1a(a + b)`, so a file can be hashed as it is written or read.
/// (The std-only core cannot use a hash library; this one is a few lines and documented.)
inline std::uint64_t fnv1a(std::string_view s, std::uint64_t h = fnv1a_empty) noexcept {
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
      fail("bad value for field '" + std::string(name) + "': '" + printable(text) + "'");
    validate(name, value, text);
    previous_ = name;
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
  /// What a restored value may be, so that a well-formed but impossible checkpoint (its
  /// checksum recomputed by hand, or written by a faulty program) is refused with the field
  /// named instead of fitting garbage: every floating-point value finite; the weight sums and
  /// the sums of squares (`w`, `weight_sq_sum`, `sxx`, `syy`, `sse`, `peak_sxx`, `peak_sse`)
  /// >= 0, and `w` > 0
  /// exactly when the count `n` before it is > 0; a record's weight (`w` after `y`) > 0; a
  /// forgetting `factor` in (0, 1]; a window `span` > 0; `capacity` and `emit_every` >= 1;
  /// `since_emit` < `emit_every`.
  template <class T>
  void validate(std::string_view name, T value, std::string_view text) {
    auto refuse = [&](const std::string& rule) {
      fail("field '" + std::string(name) + "' " + rule + ", not '" + printable(text) + "'");
    };
    if constexpr (std::is_floating_point_v<T>) {
      if (!std::isfinite(value)) refuse("must be finite");
      if (name == "w" && previous_ == "y") {
        if (!(value > 0)) refuse("(a record's weight) must be > 0");
      } else if (name == "w" || name == "weight_sq_sum" || name == "sxx" || name == "syy" ||
                 name == "sse" || name == "peak_sxx" || name == "peak_sse") {
        if (!(value >= 0)) refuse("must be >= 0");
        if (name == "w" && previous_ == "n" && (last_n_ > 0) != (value > 0))
          refuse(last_n_ > 0 ? "must be > 0 when n > 0" : "must be 0 when n is 0");
      } else if (name == "factor") {
        if (!(value > 0 && value <= 1)) refuse("must be in (0, 1]");
      } else if (name == "span") {
        if (!(value > 0)) refuse("must be > 0");
      }
    } else if constexpr (std::is_integral_v<T> && !std::is_same_v<T, bool>) {
      if (name == "n") last_n_ = static_cast<std::uint64_t>(value);
      if ((name == "capacity" || name == "emit_every") && value < 1) refuse("must be >= 1");
      if (name == "emit_every") every_ = static_cast<std::uint64_t>(value);
      if (name == "since_emit" && static_cast<std::uint64_t>(value) >= every_)
        refuse("must be < emit_every (" + std::to_string(every_) + ")");
    }
  }

  std::string_view rest_;
  std::string previous_;       // the field read last
  std::uint64_t last_n_ = 0;   // the last count `n`
  std::uint64_t every_ = 1;    // the last `emit_every`
};

/// Whether T takes a restored copy's saved parts through restore_saved(T&&).
template <class T, class = void>
struct has_restore_saved : std::false_type {};
template <class T>
struct has_restore_saved<T, std::void_t<decltype(std::declval<T&>().restore_saved(std::declval<T&&>()))>>
    : std::true_type {};

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
/// field; `object` is then unchanged. A type with `restore_saved(T&&)` (regressor: its sink,
/// a lambda perhaps, is neither saved nor assignable) takes the restored parts through it;
/// any other type is move-assigned.
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
  if constexpr (detail::has_restore_saved<T>::value) {
    object.restore_saved(std::move(copy));
  } else {
    object = std::move(copy);
  }
}

}  // namespace streamreg
