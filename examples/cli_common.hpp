// SPDX-License-Identifier: MIT
// Pieces shared by the example binaries: input and output files, the error policy option,
// rate limiting, number formatting.
#pragma once

#include <streamreg/checkpoint.hpp>
#include <streamreg/forgetting.hpp>
#include <streamreg/io/csv.hpp>
#include <streamreg/io/durable_file.hpp>
#include <streamreg/io/input_file.hpp>
#include <streamreg/io/line_reader.hpp>
#include <streamreg/moments.hpp>
#include <streamreg/window.hpp>

#include <CLI/CLI.hpp>

#include "cli_parse.hpp"
#include <fmt/format.h>

#include <algorithm>  // std::min
#include <chrono>    // rate limiting
#include <csignal>   // std::sig_atomic_t
#include <cmath>     // std::exp2
#include <cstdio>    // std::FILE
#include <new>       // std::bad_alloc
#include <optional>  // std::optional
#include <sstream>   // std::ostringstream
#include <string>    // std::string
#include <thread>    // std::this_thread::sleep_until
#include <type_traits>  // std::void_t
#include <utility>   // std::move
#include <vector>    // std::vector

#include <unistd.h>    // ::sysconf

namespace cli {

/// Exit codes: 0 success, 1 bad input (a record that cannot be read under --on-error fail),
/// 2 bad options, configuration or checkpoint, 3 an I/O failure.
enum exit_code : int { ok = 0, bad_input = 1, bad_config = 2, io_failure = 3 };

/// The binaries' input and output files are the library's (POSIX): lines handed over as they
/// arrive, bounded and identified; every write, flush, sync and close checked.
using streamreg::io::input_file;
using streamreg::io::output_file;

/// The longest input line (or Kafka message) by default, in bytes.
inline constexpr std::size_t default_max_line = std::size_t{1} << 20;

/// `--max-line N`: the longest line an input may have.
inline void add_max_line(CLI::App& app, std::size_t& max_line) {
  app.add_option("--max-line", max_line,
                 "Longest input line (or Kafka message) in bytes; a longer one is an error "
                 "naming it (exit 1)")
      ->check(at_least_one)
      ->capture_default_str();
}

/// Refuses an output that is the input or the checkpoint (the same file, also through a
/// link or a hard link), and a checkpoint that is the input: running would destroy one of
/// them. Standard output is compared too when it is a regular file.
inline void check_distinct(const std::string& input, const std::string& output,
                           const std::string& checkpoint) {
  const bool to_stdout = output.empty() || output == "-";
  const bool from_file = !input.empty() && input != "-";
  auto refuse = [](const std::string& what) {
    throw streamreg::config_error(what + ": refusing to overwrite it");
  };
  if (from_file && !to_stdout && streamreg::io::same_file(input, output))
    refuse("--output '" + streamreg::printable(output) + "' is the input file");
  if (from_file && to_stdout && streamreg::io::same_file(1, input))
    refuse("standard output is the input file '" + streamreg::printable(input) + "'");
  if (!checkpoint.empty()) {
    if (!to_stdout && streamreg::io::same_file(checkpoint, output))
      refuse("--output '" + streamreg::printable(output) + "' is the checkpoint file");
    if (to_stdout && streamreg::io::same_file(1, checkpoint))
      refuse("standard output is the checkpoint file '" + streamreg::printable(checkpoint) + "'");
    if (from_file && streamreg::io::same_file(checkpoint, input))
      refuse("--checkpoint '" + streamreg::printable(checkpoint) + "' is the input file");
    if (!to_stdout && checkpoint == output)
      refuse("--output and --checkpoint name the same file '" + streamreg::printable(output) + "'");
  }
}

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

/// Set by SIGINT and SIGTERM during a Kafka run: stop, checkpoint, commit, exit 0.
inline volatile std::sig_atomic_t stop_requested = 0;
extern "C" inline void request_stop(int) { stop_requested = 1; }

/// Keeps a loop at or below `rate` iterations per second (0: unlimited).
class rate_limiter {
 public:
  explicit rate_limiter(double rate) : rate_(rate) {}
  void wait(std::uint64_t done) {
    if (rate_ <= 0) return;
    if (done == 0) start_ = std::chrono::steady_clock::now();
    // In seconds as a double, saturated below what a steady_clock duration holds (a slow
    // rate over a long run must not overflow into the past).
    const double seconds = std::min(static_cast<double>(done) / rate_, 1e9);
    const auto due = start_ + std::chrono::duration_cast<std::chrono::steady_clock::duration>(
                                  std::chrono::duration<double>(seconds));
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
  } catch (const std::bad_alloc&) {
    fmt::print(stderr, "{}: out of memory\n", program);
    return io_failure;
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
    // A window holds its records: refuse one that cannot fit in this machine's memory
    // before allocating it, under the option's name.
    const double bytes = static_cast<double>(window) * sizeof(streamreg::detail::window_record<double>);
    const double memory = static_cast<double>(::sysconf(_SC_PHYS_PAGES)) *
                          static_cast<double>(::sysconf(_SC_PAGESIZE));
    if (window > 0 && memory > 0 && bytes > memory)
      throw streamreg::config_error(fmt::format(
          "--window {}: its records need {:.3g} GB, more than this machine's memory ({:.3g} GB)",
          window, bytes / 1e9, memory / 1e9));
    // The factor per record is 2^(-1/H): below H = 1/1074 it is 0 in double.
    if (half_life > 0 && !(std::exp2(-1.0 / half_life) > 0))
      throw streamreg::config_error(fmt::format(
          "--half-life {}: too short, the weight per record 2^(-1/H) is 0 in double precision "
          "(H must be at least 1/1074 records)",
          half_life));
    if (half_life_time > 0 && !std::isfinite(1.0 / half_life_time))
      throw streamreg::config_error(
          fmt::format("--half-life-time {}: too short, 1/H overflows", half_life_time));
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

/// Calls f with the state the options ask for (moments, a window or forgetting), over
/// moments<double> or, `precise`, precise_moments.
template <class Moments = streamreg::moments<double>, class F>
int with_state_of(const model_options& m, F&& f) {
  if (m.window > 0) return f(streamreg::count_window<Moments>(m.window));
  if (m.window_time > 0) return f(streamreg::time_window<Moments>(m.window_time));
  if constexpr (std::is_same_v<Moments, streamreg::moments<double>>) {
    if (m.half_life > 0) return f(streamreg::forgetting<>::half_life(m.half_life));
    if (m.half_life_time > 0) return f(streamreg::forgetting<>::half_life_time(m.half_life_time));
  } else if (m.half_life > 0 || m.half_life_time > 0) {
    throw streamreg::config_error(
        "--precise works with the plain fit and windows; forgetting (--half-life, "
        "--half-life-time) runs in double");
  }
  return f(Moments{});
}
template <class F>
int with_state(const model_options& m, F&& f, bool precise = false) {
  if (precise) return with_state_of<streamreg::precise_moments>(m, f);
  return with_state_of(m, f);
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

}  // namespace cli
