// SPDX-License-Identifier: MIT
// What the crash drills share: starting the binary and collecting its status, reading a file
// whole and their fixed-seed random numbers.
#pragma once

#include <signal.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <sstream>
#include <string>
#include <vector>

namespace drill_support {

inline std::string slurp(const std::string& path) {
  std::ifstream f(path, std::ios::binary);
  std::ostringstream s;
  s << f.rdbuf();
  return s.str();
}

/// splitmix64: the next number of the sequence whose state is `s`.
inline std::uint64_t splitmix(std::uint64_t& s) {
  std::uint64_t z = (s += 0x9e3779b97f4a7c15ULL);
  z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
  z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
  return z ^ (z >> 31);
}

/// Starts the binary with `args` (its stderr to /dev/null: the drills read only the files);
/// returns its pid. `file_limit` < RLIM_INFINITY: under that file size limit (RLIMIT_FSIZE)
/// with SIGXFSZ ignored, so a write past it fails with EFBIG, as on a full disk.
inline pid_t start(const std::vector<std::string>& args, rlim_t file_limit = RLIM_INFINITY) {
  const pid_t pid = ::fork();
  if (pid == 0) {
    std::vector<char*> argv;
    for (const auto& a : args) argv.push_back(const_cast<char*>(a.c_str()));
    argv.push_back(nullptr);
    std::freopen("/dev/null", "w", stderr);
    if (file_limit != RLIM_INFINITY) {
      ::signal(SIGXFSZ, SIG_IGN);  // kept across exec
      const struct rlimit rl = {file_limit, file_limit};
      ::setrlimit(RLIMIT_FSIZE, &rl);
    }
    ::execv(argv[0], argv.data());
    std::_Exit(127);
  }
  return pid;
}

/// Waits for `pid`: its exit status, or minus the signal that ended it.
inline int finish(pid_t pid) {
  int status = 0;
  ::waitpid(pid, &status, 0);
  return WIFEXITED(status) ? WEXITSTATUS(status) : -WTERMSIG(status);
}

}  // namespace drill_support
