// SPDX-License-Identifier: MIT
// change_stream: a sink wrapper that turns successive fits into retractions and insertions
// (a,b,time,diff), and a CSV writer for it.
#pragma once

#include <cerrno>       // errno
#include <charconv>     // std::to_chars
#include <cstdio>       // std::FILE, std::fwrite, std::fflush
#include <cstring>      // std::strerror
#include <string>       // std::string
#include <type_traits>  // std::is_floating_point_v
#include <utility>      // std::move

#include "config.hpp"
#include "error.hpp"
#include "fit.hpp"
#include "sink.hpp"

namespace streamreg {

/// Sink wrapper producing a change stream: on each emitted fit, the previous fit (if any) is
/// retracted (diff −1) and the new one inserted (diff +1), both at the new event's time.
/// `Out` is a callable `void(const line_fit<T>&, double time, int diff)`.
template <class T, class Out>
class change_stream {
 public:
  explicit change_stream(Out out) : out_(std::move(out)) {}

  void operator()(const line_fit<T>& fit, const event& e) {
    if (has_previous_) out_(previous_, e.time, -1);
    out_(fit, e.time, +1);
    previous_ = fit;
    has_previous_ = true;
  }
  /// A fit of another precision (a precise state's) is rounded to T once, then emitted.
  template <class U, class = std::enable_if_t<!std::is_same_v<U, T>>>
  void operator()(const line_fit<U>& fit, const event& e) {
    (*this)(fit_cast<T>(fit), e);
  }

  /// Continues a change stream whose last insertion was `current` (after a restart from a
  /// checkpoint): the next emission first retracts it.
  void resume(const line_fit<T>& current) noexcept {
    previous_ = current;
    has_previous_ = true;
  }
  template <class U, class = std::enable_if_t<!std::is_same_v<U, T>>>
  void resume(const line_fit<U>& current) noexcept {
    resume(fit_cast<T>(current));
  }

  Out& output() noexcept { return out_; }
  /// The last inserted fit (meaningful once something was emitted).
  const line_fit<T>& current() const noexcept { return previous_; }
  bool has_current() const noexcept { return has_previous_; }

 private:
  Out out_;
  line_fit<T> previous_{};
  bool has_previous_ = false;
};

/// Builds a change_stream<T, Out>.
template <class T, class Out>
change_stream<T, Out> make_change_stream(Out out) {
  return change_stream<T, Out>(std::move(out));
}

/// Writes change rows as CSV `a,b,time,diff` to a C stream: a = intercept, b = slope, with 17
/// significant digits (round-trip exact for double), time in shortest form.
///
/// An undefined fit (status != ok) is written with empty a and b fields, or as `0,0` in
/// compatibility mode (what the reference workflow printed when its denominator was 0).
/// With `flush_each`, the stream is flushed after every row (for pipes and terminals).
///
/// Every write and flush is checked: a failure (a full disk, a closed pipe) throws io_error
/// naming the output (`name`, "output" by default). Rows handed to the C stream's buffer can
/// still fail when it is flushed later: whoever owns the stream checks that (io::output_file).
template <class T>
class csv_change_writer {
  static_assert(std::is_floating_point_v<T>, "csv_change_writer writes floating-point fits");

 public:
  struct options {
    bool compat = false;
    bool flush_each = false;
    bool header = true;
  };

  explicit csv_change_writer(std::FILE* out) : csv_change_writer(out, options{}) {}
  csv_change_writer(std::FILE* out, options opt, std::string name = "output")
      : out_(out), opt_(opt), name_(std::move(name)) {
    if (opt_.header) write("a,b,time,diff\n", 14);
  }

  void operator()(const line_fit<T>& fit, double time, int diff) {
    // The longest row (two 17-digit long doubles of 25 characters, a time of 24, an int of
    // 11 and 4 separators) fits the buffer with room to spare. The checks in `put` are for
    // the compiler: without them g++ -O2 cannot see that and warns (-Wstringop-overflow).
    char buf[160];
    char* p = buf;
    char* const end = buf + sizeof buf;
    const auto put = [&p, end](char c) noexcept {
      if (p != end) *p++ = c;
    };
    if (fit) {
      p = std::to_chars(p, end, fit.intercept, std::chars_format::general, 17).ptr;
      put(',');
      p = std::to_chars(p, end, fit.slope, std::chars_format::general, 17).ptr;
    } else if (opt_.compat) {
      put('0');
      put(',');
      put('0');
    } else {
      put(',');
    }
    put(',');
    p = write_time(p, end, time);
    put(',');
    p = std::to_chars(p, end, diff).ptr;
    put('\n');
    write(buf, static_cast<std::size_t>(p - buf));
  }

 private:
  /// Whole times (record indices, epoch seconds) as integers, others in shortest form.
  static char* write_time(char* p, char* end, double time) noexcept {
    constexpr double exact = 9007199254740992.0;  // 2^53
    if (time > -exact && time < exact) {
      const auto whole = static_cast<long long>(time);
      if (static_cast<double>(whole) == time) return std::to_chars(p, end, whole).ptr;
    }
    return std::to_chars(p, end, time).ptr;
  }

  void write(const char* s, std::size_t n) {
    errno = 0;
    if (std::fwrite(s, 1, n, out_) != n || (opt_.flush_each && std::fflush(out_) != 0))
      STREAMREG_THROW(io_error(name_, "cannot write '" + printable(name_) + "': " +
                                          std::strerror(errno != 0 ? errno : EIO)));
  }
  std::FILE* out_;
  options opt_;
  std::string name_;
};

}  // namespace streamreg
