// SPDX-License-Identifier: MIT
// Full-disk drill (opt-in, never in the default suite): realtime_regression with --checkpoint
// on a file runs under a file size limit (setrlimit RLIMIT_FSIZE, SIGXFSZ ignored: a write
// past it fails with EFBIG, as on a full disk) and is killed with SIGKILL at pseudo-random
// moments (fixed seed); each restart gets more room. A run that hits the limit must end with
// exit 3, never 0 with a short output; the final run, with room, must end with output and
// checkpoint byte-identical to an uninterrupted run's.
//
//   cmake --build <build dir> --target disk_full_drill && <build dir>/tests/long/disk_full_drill [rounds]
#include <signal.h>
#include <sys/resource.h>
#include <unistd.h>

#include <chrono>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <string>
#include <thread>
#include <vector>

#include "drill_support.hpp"

namespace {

using drill_support::finish;
using drill_support::slurp;
using drill_support::splitmix;
using drill_support::start;

}  // namespace

int main(int argc, char** argv) {
  const int rounds = argc > 1 ? std::atoi(argv[1]) : 25;
  const std::string bin = REALTIME_REGRESSION;
  const std::string dir = std::string(std::getenv("TMPDIR") ? std::getenv("TMPDIR") : "/tmp") +
                          "/streamreg_disk_full_drill_" + std::to_string(::getpid());
  if (std::system(("mkdir -p " + dir).c_str()) != 0) return 2;
  const std::string input = dir + "/input.csv";
  {
    std::ofstream f(input);
    f << "x,y\n";
    std::uint64_t s = 17;
    for (int i = 0; i < 20000; ++i) {
      const double noise = static_cast<double>(splitmix(s) % 2001) / 1000.0 - 1.0;
      char line[96];
      std::snprintf(line, sizeof line, "%.17g,%.17g\n", 1.7e9 + 0.25 * i, 3 + 0.125 * i + noise);
      f << line;
    }
  }
  const std::string ref = dir + "/ref.csv", ref_ck = dir + "/ref.ck";
  const std::string out = dir + "/out.csv", ck = dir + "/run.ck";
  const std::vector<std::string> base = {bin, "--input", input, "--checkpoint-every", "97"};
  auto with = [&base](std::vector<std::string> more) {
    std::vector<std::string> a = base;
    a.insert(a.end(), more.begin(), more.end());
    return a;
  };
  if (finish(start(with({"--output", ref, "--checkpoint", ref_ck}))) != 0) {
    std::printf("reference run failed\n");
    return 2;
  }
  const std::uint64_t total = slurp(ref).size();
  std::uint64_t seed = 2026;
  int full = 0, killed = 0, finished = 0, bad = 0;
  std::uint64_t limit = 0;
  for (int k = 0; k < rounds && limit < total; ++k) {
    // Room for a few hundred to a few thousand more rows than the output holds.
    limit = slurp(out).size() + 20000 + splitmix(seed) % 200000;
    const pid_t pid = start(with({"--output", out, "--checkpoint", ck, "--max-rate", "5000"}),
                            static_cast<rlim_t>(limit));
    std::this_thread::sleep_for(std::chrono::milliseconds(50 + splitmix(seed) % 600));
    ::kill(pid, SIGKILL);
    const int status = finish(pid);
    const std::uint64_t size = slurp(out).size();
    if (status == 3) ++full;
    else if (status == -SIGKILL) ++killed;
    else if (status == 0 && limit >= total) ++finished;
    else ++bad;  // 0 below the limit would mean an output cut short went unnoticed
    std::printf("round %2d: limit %8llu bytes, output %8llu bytes, %s\n", k,
                static_cast<unsigned long long>(limit), static_cast<unsigned long long>(size),
                status == 3                        ? "exit 3 (file too large)"
                : status == -SIGKILL               ? "killed"
                : status == 0 && limit >= total    ? "finished (room for all)"
                                                   : ("UNEXPECTED status " + std::to_string(status)).c_str());
  }
  const int last = finish(start(with({"--output", out, "--checkpoint", ck})));
  const bool equal = last == 0 && slurp(out) == slurp(ref) && slurp(ck) == slurp(ref_ck);
  std::printf("%d runs hit the limit (exit 3), %d killed, %d finished, %d unexpected; final "
              "output %llu bytes: %s\n",
              full, killed, finished, bad, static_cast<unsigned long long>(slurp(out).size()),
              equal ? "identical to the uninterrupted run" : "DIFFERENT");
  std::system(("rm -rf " + dir).c_str());
  return equal && bad == 0 ? 0 : 1;
}
