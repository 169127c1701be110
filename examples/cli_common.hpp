// SPDX-License-Identifier: MIT
// Pieces shared by the example binaries: input and output files, the error policy option,
// rate limiting, number formatting.
#pragma once

#include <streamreg/checkpoint.hpp>
#include <streamreg/forgetting.hpp>
#include <streamreg/io/csv.hpp>
#include <streamreg/io/line_reader.hpp>
#include <streamreg/moments.hpp>
#include <streamreg/window.hpp>

#include <CLI/CLI.hpp>

#include "cli_parse.hpp"
#include <fmt/format.h>

#include <cerrno>    // errno
#include <chrono>    // rate limiting
#include <cstdio>    // std::FILE
#include <cstring>   // std::strerror
#include <fstream>   // reading checkpoints
#include <optional>  // std::optional
#include <sstream>   // std::ostringstream
#include <string>    // std::string
#include <thread>    // std::this_thread::sleep_until
#include <type_traits>  // std::void_t
#include <utility>   // std::move
#include <vector>    // std::vector

#include <fcntl.h>     // ::open
#include <sys/stat.h>  // ::fstat, S_ISFIFO
#include <unistd.h>    // ::read, ::close, ::isatty

namespace cli {

/// Exit codes: 0 success, 1 bad input (a record that cannot be read under --on-error fail),
/// 2 bad options, configuration or checkpoint, 3 an I/O failure.
enum exit_code : int { ok = 0, bad_input = 1, bad_config = 2, io_failure = 3 };

/// An input file descriptor read in chunks as data arrive: a pipe's lines are delivered as
/// soon as they are written, not when a buffer fills.
class input_file {
 public:
  /// `path` "-" is standard input.
  explicit input_file(const std::string& path) {
    if (path == "-") {
      fd_ = 0;
    } else {
      fd_ = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
      owned_ = true;
      if (fd_ < 0)
        throw streamreg::config_error("cannot open '" + path + "': " + std::strerror(errno));
    }
  }
  ~input_file() {
    if (owned_ && fd_ >= 0) ::close(fd_);
  }
  input_file(const input_file&) = delete;
  input_file& operator=(const input_file&) = delete;

  streamreg::io::line_reader::chunk_source source() const {
    const int fd = fd_;
    return [fd](char* buf, std::size_t n) -> std::size_t {
      for (;;) {
        const ssize_t got = ::read(fd, buf, n);
        if (got >= 0) return static_cast<std::size_t>(got);
        if (errno != EINTR)
          throw streamreg::error(std::string("read failed: ") + std::strerror(errno));
      }
    };
  }

 private:
  int fd_ = -1;
  bool owned_ = false;
};

/// The output stream: standard output or a file. Rows are flushed one by one when the output
/// is a terminal or a pipe, so a consumer sees every update as it happens.
class output_file {
 public:
  /// `resume_at` > 0: continue an existing file, cut back to that many bytes (what a
  /// checkpoint recorded), instead of starting it anew.
  explicit output_file(const std::string& path, std::uint64_t resume_at = 0) {
    if (path.empty() || path == "-") {
      f_ = stdout;
    } else {
      f_ = resume_at > 0 ? std::fopen(path.c_str(), "r+") : std::fopen(path.c_str(), "w");
      if (f_ == nullptr)
        throw streamreg::config_error("cannot write '" + path + "': " + std::strerror(errno));
      owned_ = true;
      if (resume_at > 0 &&
          (::ftruncate(fileno(f_), static_cast<off_t>(resume_at)) != 0 ||
           std::fseek(f_, 0, SEEK_END) != 0))
        throw streamreg::config_error("cannot continue '" + path + "': " + std::strerror(errno));
    }
    struct stat st {};
    const int fd = fileno(f_);
    interactive_ = ::isatty(fd) != 0 || (::fstat(fd, &st) == 0 && S_ISFIFO(st.st_mode));
  }
  ~output_file() {
    if (owned_) std::fclose(f_);
  }
  output_file(const output_file&) = delete;
  output_file& operator=(const output_file&) = delete;

  std::FILE* get() const noexcept { return f_; }
  bool interactive() const noexcept { return interactive_; }
  void flush() const { std::fflush(f_); }
  /// Bytes written so far (after a flush); 0 where the output cannot tell (a pipe).
  std::uint64_t offset() const {
    std::fflush(f_);
    const long p = std::ftell(f_);
    return p < 0 ? 0 : static_cast<std::uint64_t>(p);
  }

 private:
  std::FILE* f_ = nullptr;
  bool owned_ = false;
  bool interactive_ = false;
};

/// `--on-error fail|skip|stop`.
inline void add_error_policy(CLI::App& app, streamreg::io::error_policy& policy) {
  app.add_option_function<std::string>(
         "--on-error",
         [&policy](const std::string& v) {
           policy = v == "skip"   ? streamreg::io::error_policy::skip
                    : v == "stop" ? streamreg::io::error_policy::stop
                                  : streamreg::io::error_policy::fail;
         },
         "What to do with a record that cannot be read: fail (exit 1 naming line, column and "
         "text; what was written before stays valid), skip (count, report on stderr, go on) or "
         "stop (end the input there)")
      ->check(CLI::IsMember({"fail", "skip", "stop"}))
      ->type_name("fail|skip|stop")
      ->default_str("fail");
}

/// Keeps a loop at or below `rate` iterations per second (0: unlimited).
class rate_limiter {
 public:
  explicit rate_limiter(double rate) : rate_(rate) {}
  void wait(std::uint64_t done) {
    if (rate_ <= 0) return;
    if (done == 0) start_ = std::chrono::steady_clock::now();
    const auto due = start_ + std::chrono::duration_cast<std::chrono::steady_clock::duration>(
                                  std::chrono::duration<double>(static_cast<double>(done) / rate_));
    std::this_thread::sleep_until(due);
  }

 private:
  double rate_;
  std::chrono::steady_clock::time_point start_{};
};

/// A number with 17 significant digits (round-trip exact for double).
inline std::string number(double v) { return fmt::format("{:.17g}", v); }

/// Runs a program's body, turning its exceptions into a message and an exit code: bad input
/// 1, bad options, configuration or checkpoint 2, anything else (I/O) 3.
template <class Body>
int guarded(const char* program, Body&& body) {
  try {
    return body();
  } catch (const streamreg::parse_error& e) {
    fmt::print(stderr, "{}: {}\n", program, e.what());
    return bad_input;
  } catch (const streamreg::config_error& e) {
    fmt::print(stderr, "{}: {}\n", program, e.what());
    return bad_config;
  } catch (const streamreg::checkpoint_error& e) {
    fmt::print(stderr, "{}: {}\n", program, e.what());
    return bad_config;
  } catch (const std::exception& e) {
    fmt::print(stderr, "{}: {}\n", program, e.what());
    return io_failure;
  }
}

/// Reports a skipped record on stderr.
inline void report_skip(const char* program, const streamreg::parse_error& e) {
  fmt::print(stderr, "{}: skipped: {}\n", program, e.what());
}

/// What is fitted: the whole stream, a window, or exponential forgetting.
struct model_options {
  std::uint64_t window = 0;
  double window_time = 0;
  double half_life = 0;
  double half_life_time = 0;
  std::string weight, time, diff;  // optional columns

  bool uses_time() const noexcept { return window_time > 0 || half_life_time > 0; }

  /// Checks the combination; throws config_error naming the conflict.
  void validate() const {
    const int models = (window > 0) + (window_time > 0) + (half_life > 0) + (half_life_time > 0);
    if (models > 1)
      throw streamreg::config_error(
          "--window, --window-time, --half-life and --half-life-time exclude each other");
    if (uses_time() && time.empty())
      throw streamreg::config_error("--window-time and --half-life-time need --time COL");
    if (!diff.empty() && models > 0)
      throw streamreg::config_error(
          "--diff (retractions) cannot be combined with a window or forgetting");
  }
  /// A description for checkpoint compatibility checks.
  std::string describe() const {
    std::ostringstream s;
    s << window << '/' << window_time << '/' << half_life << '/' << half_life_time << '/'
      << weight << '/' << time << '/' << diff;
    return s.str();
  }
};

inline void add_model_options(CLI::App& app, model_options& m, bool with_diff) {
  app.add_option("--weight", m.weight,
                 "Column of record weights (> 0; reliability weights, as R's lm)");
  app.add_option("--window", m.window, "Fit only the last N records")->check(at_least_one);
  app.add_option("--window-time", m.window_time,
                 "Fit only the records of the last D units of event time (needs --time; records "
                 "in time order, a late one is a bad record)")
      ->check(positive_finite);
  app.add_option("--half-life", m.half_life,
                 "Exponential forgetting: a record H records old weighs 1/2")
      ->check(positive_finite);
  app.add_option("--half-life-time", m.half_life_time,
                 "Exponential forgetting in event time (needs --time): a record H time units "
                 "older weighs 1/2")
      ->check(positive_finite);
  if (with_diff)
    app.add_option("--diff", m.diff,
                   "Column of +1 (insert) / -1 (retract), as in a change stream: -1 removes an "
                   "earlier record with the same values");
}

/// Calls f with the state the options ask for (moments, a window or forgetting).
template <class F>
int with_state(const model_options& m, F&& f) {
  if (m.window > 0) return f(streamreg::count_window<>(m.window));
  if (m.window_time > 0) return f(streamreg::time_window<>(m.window_time));
  if (m.half_life > 0) return f(streamreg::forgetting<>::half_life(m.half_life));
  if (m.half_life_time > 0) return f(streamreg::forgetting<>::half_life_time(m.half_life_time));
  return f(streamreg::moments<double>{});
}

/// Where the optional columns are among the reader's selected columns (x and y are 0, 1).
struct record_layout {
  int w = -1, t = -1, diff = -1;
  bool ordered_time = false;  // late records are bad records

  /// Appends the optional columns of `m` to `columns` and records where they are.
  static record_layout add(const model_options& m, std::vector<streamreg::io::column>& columns) {
    record_layout l;
    auto add_one = [&columns](const std::string& spec) {
      if (spec.empty()) return -1;
      columns.push_back(streamreg::io::column::parse(spec));
      return static_cast<int>(columns.size() - 1);
    };
    l.w = add_one(m.weight);
    l.t = add_one(m.time);
    l.diff = add_one(m.diff);
    l.ordered_time = m.uses_time();
    return l;
  }
};

template <class S, class = void>
struct has_pop : std::false_type {};
template <class S>
struct has_pop<S, std::void_t<decltype(std::declval<S&>().pop(0.0, 0.0, 1.0))>> : std::true_type {};

template <class R, class = void>
struct has_field_error : std::false_type {};
template <class R>
struct has_field_error<R, std::void_t<decltype(std::declval<const R&>().field_error(
                              std::size_t{}, std::string(), std::string()))>> : std::true_type {};

/// An error about the k-th selected column of the record `in` read last: readers with a
/// `field_error` (JSON lines, Kafka) say where themselves; a CSV reader names line and column.
template <class Reader>
streamreg::parse_error column_error(const Reader& in, std::size_t k, std::string text,
                                    const std::string& reason) {
  if constexpr (has_field_error<Reader>::value) {
    return in.field_error(k, std::move(text), reason);
  } else {
    return streamreg::parse_error(in.line(), in.schema().positions()[k] + 1, in.schema().label(k),
                                  std::move(text), reason);
  }
}

/// Applies one record to a regressor: push with its weight and time, or pop when its diff
/// is -1. Returns the error that makes it a bad record, if any. `Reader`: a CSV reader, or
/// any reader with `values()`, `line()` and `field_error(k, text, reason)` (JSON lines,
/// Kafka); x and y are its first two selected columns.
template <class Reg, class Reader>
std::optional<streamreg::parse_error> apply_record(Reg& reg, const Reader& in,
                                                   const record_layout& l, double& last_time) {
  const auto& v = in.values();
  auto bad = [&in, &v](int i, const std::string& reason) {
    const auto k = static_cast<std::size_t>(i);
    return column_error(in, k, fmt::format("{}", v[k]), reason);
  };
  const double w = l.w >= 0 ? v[static_cast<std::size_t>(l.w)] : 1.0;
  if (!(w > 0)) return bad(l.w, "weight must be positive");
  const double t =
      l.t >= 0 ? v[static_cast<std::size_t>(l.t)] : static_cast<double>(reg.accepted());
  if (l.ordered_time && reg.accepted() > 0 && t < last_time)
    return bad(l.t, fmt::format("time earlier than the previous record's ({})", last_time));
  bool retract = false;
  if (l.diff >= 0) {
    const double d = v[static_cast<std::size_t>(l.diff)];
    if (d != 1 && d != -1) return bad(l.diff, "diff must be 1 or -1");
    retract = d < 0;
  }
  if (retract) {
    if constexpr (has_pop<typename Reg::state_type>::value) {
      if (!reg.pop_at(t, v[0], v[1], w))
        return bad(l.diff, "retracts a record that is not in the fit");
    } else {
      return bad(l.diff, "this fit cannot retract records");
    }
  } else if (!reg.push_at(t, v[0], v[1], w)) {
    return bad(1, "record refused");
  }
  last_time = t;
  return std::nullopt;
}

/// What a read loop does after read_next.
enum class step {
  record,  ///< a record was read and applied
  skip,    ///< a bad record, reported on stderr (--on-error skip): count it, go on
  stop,    ///< a bad record, reported (--on-error stop): end the input here
  fail,    ///< a bad record, its message printed, output flushed: exit with bad_input
  end,     ///< no more input
};

/// Reads the next record and applies it to `reg` (apply_record), calling `before_apply()`
/// first for a record that parsed (rate limiting); a record that cannot be read or applied is
/// handled by the error policy. `Reader`: io::csv_reader<double>, or any reader of the same
/// shape (`next()` returning `Reader::result::{record, end, error}`, `values()`, `error()`,
/// `line()`, `field_error`): json::jsonl_reader<double>, a Kafka source.
template <class Reg, class BeforeApply, class Reader>
step read_next(const char* program, streamreg::io::error_policy policy, Reader& reader, Reg& reg,
               const record_layout& layout, double& last_time, const output_file& out,
               BeforeApply&& before_apply) {
  const auto r = reader.next();
  if (r == Reader::result::end) return step::end;
  std::optional<streamreg::parse_error> bad;
  if (r == Reader::result::error) {
    bad = reader.error();
  } else {
    before_apply();
    bad = apply_record(reg, reader, layout, last_time);
  }
  if (!bad) return step::record;
  if (policy == streamreg::io::error_policy::fail) {
    out.flush();
    fmt::print(stderr, "{}: {}\n", program, bad->what());
    return step::fail;
  }
  report_skip(program, *bad);
  return policy == streamreg::io::error_policy::stop ? step::stop : step::skip;
}

/// Writes `text` to `path` atomically: a temporary file beside it, synced, then renamed.
inline void write_atomically(const std::string& path, const std::string& text) {
  const std::string tmp = path + ".tmp";
  const int fd = ::open(tmp.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
  if (fd < 0) throw streamreg::error("cannot write '" + tmp + "': " + std::strerror(errno));
  std::size_t done = 0;
  while (done < text.size()) {
    const ssize_t n = ::write(fd, text.data() + done, text.size() - done);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) {
      ::close(fd);
      throw streamreg::error("cannot write '" + tmp + "': " + std::strerror(errno));
    }
    done += static_cast<std::size_t>(n);
  }
  if (::fsync(fd) != 0 || ::close(fd) != 0 || std::rename(tmp.c_str(), path.c_str()) != 0)
    throw streamreg::error("cannot write '" + path + "': " + std::strerror(errno));
}

/// The contents of a file, or nothing when it does not exist.
inline std::optional<std::string> read_if_exists(const std::string& path) {
  std::ifstream f(path, std::ios::binary);
  if (!f) return std::nullopt;
  std::ostringstream s;
  s << f.rdbuf();
  return s.str();
}

}  // namespace cli
