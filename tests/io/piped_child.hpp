// SPDX-License-Identifier: MIT
// A child process reading its standard input from a pipe that the test writes records into
// one at a time, with pauses; the child reports each record it reads on a second pipe and the
// test times each report against the write of its record (POSIX: fork, pipe, poll).
#pragma once

#include <chrono>       // std::chrono::steady_clock
#include <csignal>      // std::signal, SIGPIPE
#include <cstdio>       // std::fflush
#include <exception>    // std::exception
#include <iostream>     // std::cout
#include <limits>       // std::numeric_limits
#include <string>       // std::string
#include <thread>       // std::this_thread::sleep_for
#include <vector>       // std::vector

#include <poll.h>      // ::poll
#include <sys/wait.h>  // ::waitpid
#include <unistd.h>    // ::fork, ::pipe, ::dup2, ::read, ::write, ::close, ::_exit

namespace streamreg_test {

/// What the parent saw: one report line per record written, and the delay from writing the
/// record to reading its report (infinity when none came within the wait).
struct piped_run {
  std::vector<std::string> reports;
  std::vector<double> latency_ms;
  std::vector<std::string> after_end;  ///< reports that came only after the input ended
  int exit_status = -1;                ///< the child's exit status (-1: killed by a signal)
};

/// Writes `text` then a line end to `fd` (the child's report): one write, so it arrives whole.
inline void report_line(int fd, std::string text) {
  text += '\n';
  const char* p = text.data();
  std::size_t left = text.size();
  while (left > 0) {
    const ssize_t n = ::write(fd, p, left);
    if (n <= 0) return;
    p += n;
    left -= static_cast<std::size_t>(n);
  }
}

namespace detail {

/// Reads one line from `fd` into `line` within `wait`; false on timeout or end.
inline bool read_line(int fd, std::string& pending, std::string& line,
                      std::chrono::milliseconds wait) {
  const auto deadline = std::chrono::steady_clock::now() + wait;
  for (;;) {
    const std::size_t nl = pending.find('\n');
    if (nl != std::string::npos) {
      line = pending.substr(0, nl);
      pending.erase(0, nl + 1);
      return true;
    }
    const auto left = std::chrono::duration_cast<std::chrono::milliseconds>(
        deadline - std::chrono::steady_clock::now());
    if (left.count() <= 0) return false;
    pollfd p{fd, POLLIN, 0};
    if (::poll(&p, 1, static_cast<int>(left.count())) <= 0) continue;
    char buf[256];
    const ssize_t n = ::read(fd, buf, sizeof buf);
    if (n <= 0) return false;
    pending.append(buf, static_cast<std::size_t>(n));
  }
}

}  // namespace detail

/// Runs `child(report_fd)` in a child process whose standard input is a pipe, and returns
/// its exit code there. The parent writes `preamble` (a header, or nothing), then each of
/// `records` as a line after a pause of `pause`, and after each waits up to `wait` for the
/// child's report line. Then it closes the pipe (the child's end of input) and collects the
/// exit status. The child must report each record with report_line(report_fd, ...).
template <class Child>
piped_run run_piped(const std::string& preamble, const std::vector<std::string>& records,
                    std::chrono::milliseconds pause, std::chrono::milliseconds wait,
                    Child child) {
  piped_run run;
  int in[2], out[2];
  if (::pipe(in) != 0) return run;
  if (::pipe(out) != 0) {
    ::close(in[0]);
    ::close(in[1]);
    return run;
  }
  std::cout.flush();  // nothing buffered may be written twice, by the child too
  std::fflush(nullptr);
  const pid_t pid = ::fork();
  if (pid == 0) {  // the child: standard input is the pipe
    ::close(in[1]);
    ::close(out[0]);
    if (::dup2(in[0], 0) < 0) ::_exit(126);
    ::close(in[0]);
    int code = 125;
    try {
      code = child(out[1]);
    } catch (const std::exception& e) {
      report_line(out[1], std::string("exception: ") + e.what());
    }
    ::close(out[1]);
    ::_exit(code);
  }
  ::close(in[0]);
  ::close(out[1]);
  const auto old_sigpipe = std::signal(SIGPIPE, SIG_IGN);  // a child that died early
  if (pid > 0) {
    std::string pending;
    const auto write_all = [&](std::string text) {
      const char* p = text.data();
      std::size_t left = text.size();
      while (left > 0) {
        const ssize_t n = ::write(in[1], p, left);
        if (n <= 0) return;
        p += n;
        left -= static_cast<std::size_t>(n);
      }
    };
    write_all(preamble);
    for (const std::string& r : records) {
      std::this_thread::sleep_for(pause);
      const auto written = std::chrono::steady_clock::now();
      write_all(r + "\n");
      std::string line;
      if (detail::read_line(out[0], pending, line, wait)) {
        run.latency_ms.push_back(std::chrono::duration<double, std::milli>(
                                     std::chrono::steady_clock::now() - written)
                                     .count());
        run.reports.push_back(line);
      } else {
        run.latency_ms.push_back(std::numeric_limits<double>::infinity());
        run.reports.emplace_back();
      }
    }
    ::close(in[1]);
    std::string line;
    while (detail::read_line(out[0], pending, line, std::chrono::milliseconds(10000)))
      run.after_end.push_back(line);
    int status = 0;
    if (::waitpid(pid, &status, 0) == pid && WIFEXITED(status))
      run.exit_status = WEXITSTATUS(status);
  } else {
    ::close(in[1]);
  }
  ::close(out[0]);
  std::signal(SIGPIPE, old_sigpipe);
  return run;
}

}  // namespace streamreg_test
