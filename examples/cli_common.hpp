// SPDX-License-Identifier: MIT
// Pieces shared by the example binaries: input and output files, the error policy option,
// rate limiting, number formatting.
#pragma once

#include <streamreg/io/csv.hpp>
#include <streamreg/io/line_reader.hpp>

#include <CLI/CLI.hpp>
#include <fmt/format.h>

#include <cerrno>    // errno
#include <chrono>    // rate limiting
#include <cstdio>    // std::FILE
#include <cstring>   // std::strerror
#include <memory>    // std::unique_ptr
#include <string>    // std::string
#include <thread>    // std::this_thread::sleep_until

#include <fcntl.h>     // ::open
#include <sys/stat.h>  // ::fstat, S_ISFIFO
#include <unistd.h>    // ::read, ::close, ::isatty

namespace cli {

/// Exit codes: 0 success, 1 bad input (a record that cannot be read under --on-error fail),
/// 2 bad options or configuration, 3 an I/O failure.
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
  explicit output_file(const std::string& path) {
    if (path.empty() || path == "-") {
      f_ = stdout;
    } else {
      f_ = std::fopen(path.c_str(), "w");
      if (f_ == nullptr)
        throw streamreg::config_error("cannot write '" + path + "': " + std::strerror(errno));
      owned_ = true;
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

/// Reports a skipped record on stderr.
inline void report_skip(const char* program, const streamreg::parse_error& e) {
  fmt::print(stderr, "{}: skipped: {}\n", program, e.what());
}

}  // namespace cli
