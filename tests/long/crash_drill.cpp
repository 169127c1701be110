// SPDX-License-Identifier: MIT
// Crash drill (opt-in, never in the default suite): realtime_regression with --checkpoint on a
// file is killed with SIGKILL at pseudo-random moments (fixed seed) and restarted with the same
// arguments, again and again; the final output and checkpoint must equal an uninterrupted
// run's, byte for byte, every time.
//
//   cmake --build <build dir> --target crash_drill && <build dir>/tests/long/crash_drill [kills]
//
// Prints one line per configuration (kills, the records the killed runs had reached) and
// exits 0 when every configuration ended identical to its uninterrupted run.
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <cinttypes>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <sstream>
#include <string>
#include <thread>
#include <vector>

#include "drill_support.hpp"

namespace {

using drill_support::finish;
using drill_support::slurp;
using drill_support::splitmix;
using drill_support::start;

std::size_t lines_in(const std::string& path) {
  const std::string t = slurp(path);
  std::size_t n = 0;
  for (char c : t) n += c == '\n';
  return n;
}

}  // namespace

int main(int argc, char** argv) {
  const int kills = argc > 1 ? std::atoi(argv[1]) : 25;
  const std::string bin = REALTIME_REGRESSION;
  const std::string dir = std::string(std::getenv("TMPDIR") ? std::getenv("TMPDIR") : "/tmp") +
                          "/streamreg_crash_drill_" + std::to_string(::getpid());
  if (std::system(("mkdir -p " + dir).c_str()) != 0) return 2;
  // 20 000 records with an offset x, a few bad rows (skipped and counted) and a weight column.
  const std::string input = dir + "/input.csv";
  {
    std::ofstream f(input);
    f << "x,y,w\n";
    std::uint64_t s = 2026;
    for (int i = 0; i < 20000; ++i) {
      const double x = 1.7e9 + 0.25 * i;
      const double noise = static_cast<double>(splitmix(s) % 2001) / 1000.0 - 1.0;
      if (i % 4999 == 17) {
        f << x << ",oops,1\n";
        continue;
      }
      char line[96];
      std::snprintf(line, sizeof line, "%.17g,%.17g,%g\n", x, 3 + 0.5 * (x - 1.7e9) + noise,
                    1 + static_cast<double>(i % 3));
      f << line;
    }
  }
  struct config {
    const char* name;
    std::vector<std::string> args;
  };
  const std::vector<config> configs = {
      {"moments", {}},
      {"window 500", {"--window", "500"}},
      {"half-life 300", {"--half-life", "300"}},
      {"weighted", {"--weight", "w"}},
  };
  std::uint64_t seed = 42;
  bool all_equal = true;
  for (const auto& c : configs) {
    const std::string ref = dir + "/ref.csv", ref_ck = dir + "/ref.ck";
    const std::string out = dir + "/out.csv", ck = dir + "/run.ck";
    for (const auto& p : {ref, ref_ck, out, ck}) std::remove(p.c_str());
    std::vector<std::string> base = {bin, "--input", input, "--on-error", "skip",
                                     "--checkpoint-every", "97"};
    base.insert(base.end(), c.args.begin(), c.args.end());
    auto with = [&base](std::vector<std::string> more) {
      std::vector<std::string> a = base;
      a.insert(a.end(), more.begin(), more.end());
      return a;
    };
    if (finish(start(with({"--output", ref, "--checkpoint", ref_ck}))) != 0) {
      std::printf("%-14s reference run failed\n", c.name);
      return 2;
    }
    std::vector<std::size_t> reached;
    for (int k = 0; k < kills; ++k) {
      const pid_t pid = start(with({"--output", out, "--checkpoint", ck, "--max-rate", "2500"}));
      const auto delay = std::chrono::milliseconds(20 + splitmix(seed) % 280);
      std::this_thread::sleep_for(delay);
      ::kill(pid, SIGKILL);
      finish(pid);
      reached.push_back(lines_in(out));
    }
    const int last = finish(start(with({"--output", out, "--checkpoint", ck})));
    const bool equal = last == 0 && slurp(out) == slurp(ref) && slurp(ck) == slurp(ref_ck);
    all_equal = all_equal && equal;
    std::printf("%-14s %d kills, output lines at each kill:", c.name, kills);
    for (std::size_t r : reached) std::printf(" %zu", r);
    std::printf("\n%-14s final output %zu lines, checkpoint %zu bytes: %s\n", c.name,
                lines_in(out), slurp(ck).size(),
                equal ? "identical to the uninterrupted run" : "DIFFERENT");
  }
  std::system(("rm -rf " + dir).c_str());
  return all_equal ? 0 : 1;
}
