// SPDX-License-Identifier: MIT
// Kafka crash drill (opt-in, never in the default suite): this process hosts librdkafka's mock
// cluster, produces a held stream into a topic (the header x,y first in every partition), and
// runs realtime_regression --kafka --checkpoint as a consumer-group member, killing it with
// SIGKILL at pseudo-random moments (fixed seed) and restarting it with the same arguments
// until it exits 0. Every restart rejoins the group while the killed member is still in it
// (until session.timeout.ms expires), so kills land in group joins, in rebalances and
// mid-stream.
//
//   cmake --build <build dir> --target kafka_crash_drill
//   <build dir>/tests/long/kafka_crash_drill [kills]
//
// One partition: the final output and checkpoint must equal an uninterrupted run's, byte for
// byte. Three partitions (the order across partitions is not deterministic): the last fit of
// the output must equal the exact least-squares fit of the produced records (GMP rationals,
// 1e-12 relative), and the checkpoint must count every record exactly once. Prints one line
// per drill (kills, the records the killed runs had reached, time, verdict) and exits 0 when
// both pass.
#include <streamreg/kafka/mock_cluster.hpp>
#include <streamreg/kafka/producer.hpp>

#include <gmpxx.h>

#include <fcntl.h>
#include <signal.h>
#include <spawn.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <map>
#include <sstream>
#include <string>
#include <thread>
#include <vector>

extern char** environ;

#include "drill_support.hpp"
#include "support/kafka_support.hpp"

namespace {

using clock_type = std::chrono::steady_clock;

using drill_support::slurp;
using drill_support::splitmix;

using streamreg_test::g17;

long long file_size(const std::string& path) {
  struct stat st {};
  return ::stat(path.c_str(), &st) == 0 ? static_cast<long long>(st.st_size) : -1;
}

/// Records a change stream covers: the header, one insertion for the first record, a
/// retraction and an insertion for each later one.
std::size_t records_in(const std::string& path) {
  const std::string t = slurp(path);
  std::size_t lines = 0;
  for (char c : t) lines += c == '\n';
  return lines / 2;
}

/// The value of `name` in a checkpoint's text (its `name value` lines), or "".
std::string field(const std::string& checkpoint, const std::string& name) {
  std::istringstream s(checkpoint);
  for (std::string line; std::getline(s, line);)
    if (line.compare(0, name.size() + 1, name + " ") == 0) return line.substr(name.size() + 1);
  return {};
}

/// A child process: realtime_regression with its standard output discarded and its
/// standard error appended to `log` (posix_spawn: nothing runs between fork and exec in a
/// process whose librdkafka threads may hold locks).
pid_t start(const std::vector<std::string>& args, const std::string& log) {
  std::vector<char*> argv;
  for (const auto& a : args) argv.push_back(const_cast<char*>(a.c_str()));
  argv.push_back(nullptr);
  posix_spawn_file_actions_t actions;
  posix_spawn_file_actions_init(&actions);
  posix_spawn_file_actions_addopen(&actions, 0, "/dev/null", O_RDONLY, 0);
  posix_spawn_file_actions_addopen(&actions, 1, "/dev/null", O_WRONLY, 0);
  posix_spawn_file_actions_addopen(&actions, 2, log.c_str(), O_WRONLY | O_CREAT | O_APPEND, 0644);
  pid_t pid = -1;
  const int e = ::posix_spawn(&pid, argv[0], &actions, nullptr, argv.data(), environ);
  posix_spawn_file_actions_destroy(&actions);
  if (e != 0) {
    std::fprintf(stderr, "cannot start %s\n", argv[0]);
    std::exit(2);
  }
  return pid;
}

/// The exit status (or -signal); -1000 while it runs (`wait` false).
int status_of(pid_t pid, bool wait) {
  int status = 0;
  const pid_t r = ::waitpid(pid, &status, wait ? 0 : WNOHANG);
  if (r == 0) return -1000;
  return WIFEXITED(status) ? WEXITSTATUS(status) : -WTERMSIG(status);
}

/// Waits up to `limit` for the process to end; kills it after that.
int finish(pid_t pid, std::chrono::seconds limit) {
  const auto deadline = clock_type::now() + limit;
  for (;;) {
    const int s = status_of(pid, false);
    if (s != -1000) return s;
    if (clock_type::now() > deadline) {
      ::kill(pid, SIGKILL);
      status_of(pid, true);
      return -1001;  // hung
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
  }
}

struct point {
  double x, y;
};

/// The held stream: x an offset, time-like variable, y linear in x plus noise.
std::vector<point> make_stream(std::size_t n, std::uint64_t seed) {
  std::vector<point> d(n);
  for (std::size_t i = 0; i < n; ++i) {
    d[i].x = 1.7e9 + 0.25 * static_cast<double>(i);
    const double noise = static_cast<double>(splitmix(seed) % 2001) / 1000.0 - 1.0;
    d[i].y = 3 + 0.5 * (d[i].x - 1.7e9) + noise;
  }
  return d;
}

/// A cluster holding the stream in `partitions` partitions (record i in partition
/// i mod partitions, after a header message in each).
void fill(streamreg::kafka::mock_cluster& mc, const std::string& topic, int partitions,
          const std::vector<point>& data) {
  mc.create_topic(topic, partitions);
  streamreg_test::produce_points(mc.bootstraps(), topic, data, partitions);
}

/// |v - q| <= tol |q|, exactly.
bool within(double v, const mpq_class& q, double tol) {
  if (!std::isfinite(v)) return false;
  return abs(mpq_class(v) - q) <= mpq_class(tol) * abs(q);
}

double rel(double v, const mpq_class& q) {
  return mpq_class(abs(mpq_class(v) - q) / abs(q)).get_d();
}

struct drill {
  const char* name;
  int partitions;
  std::size_t records;
  int max_rate;  // records per second in every run
};

struct outcome {
  int kills = 0;
  std::vector<std::size_t> reached;  // records in the output when killed
  int restarts_to_finish = 0;        // runs after the last kill until one exited 0
  int failed_runs = 0;               // exits other than 0 that no kill caused
  double seconds = 0;
};

/// Kills and restarts realtime_regression `kills` times, then restarts it until it exits 0.
outcome run_drill(const std::vector<std::string>& args, const std::string& out,
                  const std::string& ck, const std::string& log, int kills, std::uint64_t& seed) {
  outcome o;
  const auto t0 = clock_type::now();
  while (o.kills < kills) {
    // Where the output stands before the start: beyond it, the new run is consuming.
    long long base = std::max(file_size(out), 0LL);
    const std::string saved = slurp(ck);
    if (!saved.empty()) base = std::max(base, std::atoll(field(saved, "output_offset").c_str()));
    const pid_t pid = start(args, log);
    int ended = -1000;
    if (splitmix(seed) % 4 == 0) {
      // While it connects and joins the group (about 3 to 4 s with the killed member
      // still registered).
      const auto until = clock_type::now() + std::chrono::milliseconds(splitmix(seed) % 4000);
      while (ended == -1000 && clock_type::now() < until) {
        std::this_thread::sleep_for(std::chrono::milliseconds(5));
        ended = status_of(pid, false);
      }
    } else {
      // Mid-stream: once it writes past what the runs before it wrote, 0 to 1.5 s later.
      const auto limit = clock_type::now() + std::chrono::seconds(60);
      while (ended == -1000 && file_size(out) <= base && clock_type::now() < limit) {
        std::this_thread::sleep_for(std::chrono::milliseconds(5));
        ended = status_of(pid, false);
      }
      const auto until = clock_type::now() + std::chrono::milliseconds(splitmix(seed) % 1500);
      while (ended == -1000 && clock_type::now() < until) {
        std::this_thread::sleep_for(std::chrono::milliseconds(5));
        ended = status_of(pid, false);
      }
    }
    if (ended != -1000) {  // it ended by itself
      if (ended == 0) break;  // the stream is consumed: fewer kills than asked
      ++o.failed_runs;
      continue;
    }
    ::kill(pid, SIGKILL);
    status_of(pid, true);
    ++o.kills;
    o.reached.push_back(records_in(out));
  }
  for (;;) {
    ++o.restarts_to_finish;
    const int s = finish(start(args, log), std::chrono::seconds(300));
    if (s == 0) break;
    ++o.failed_runs;
    if (o.restarts_to_finish >= 5) break;
  }
  o.seconds = std::chrono::duration<double>(clock_type::now() - t0).count();
  return o;
}

std::string reached_range(const std::vector<std::size_t>& r) {
  if (r.empty()) return "-";
  const auto [lo, hi] = std::minmax_element(r.begin(), r.end());
  return std::to_string(*lo) + ".." + std::to_string(*hi);
}

std::string reached_list(const std::vector<std::size_t>& r) {
  std::string s;
  for (std::size_t v : r) s += " " + std::to_string(v);
  return s;
}

}  // namespace

int main(int argc, char** argv) {
  const int kills = argc > 1 ? std::atoi(argv[1]) : 25;
  const std::string bin = REALTIME_REGRESSION;
  const std::string dir = std::string(std::getenv("TMPDIR") ? std::getenv("TMPDIR") : "/tmp") +
                          "/streamreg_kafka_crash_drill_" + std::to_string(::getpid());
  if (std::system(("mkdir -p " + dir).c_str()) != 0) return 2;
  const std::vector<drill> drills = {
      {"1 partition", 1, 10000, 400},
      {"3 partitions", 3, 12000, 600},
  };
  std::uint64_t seed = 2026;
  bool all_pass = true;
  for (const drill& d : drills) {
    const auto data = make_stream(d.records, 7 + static_cast<std::uint64_t>(d.partitions));
    const std::string topic = "drill", group = "drill";
    const std::string out = dir + "/out.csv", ck = dir + "/run.ck", log = dir + "/stderr.log";
    for (const auto& p : {out, ck, log}) std::remove(p.c_str());
    auto args_for = [&](const streamreg::kafka::mock_cluster& mc, const std::string& o,
                        const std::string& c) {
      return std::vector<std::string>{bin, "--kafka", mc.bootstraps(), "--topic", topic,
                                      "--group", group, "--checkpoint", c,
                                      "--checkpoint-every", "97", "--exit-on-eof", "--output", o,
                                      "-X", "session.timeout.ms=4000",
                                      "-X", "heartbeat.interval.ms=500",
                                      "--max-rate", std::to_string(d.max_rate)};
    };
    std::string verdict;
    bool pass = true;
    outcome o;
    {
      streamreg::kafka::mock_cluster mc(d.partitions == 1 ? 1 : 3);
      fill(mc, topic, d.partitions, data);
      o = run_drill(args_for(mc, out, ck), out, ck, log, kills, seed);
    }
    const std::string final_ck = slurp(ck);
    const std::size_t n = std::strtoull(field(final_ck, "n").c_str(), nullptr, 10);
    const std::size_t counted = std::strtoull(field(final_ck, "records").c_str(), nullptr, 10);
    if (o.kills < 20) {
      pass = false;
      verdict += " only " + std::to_string(o.kills) + " kills landed;";
    }
    if (o.failed_runs > 0) {
      pass = false;
      verdict += " " + std::to_string(o.failed_runs) + " runs failed (see " + log + ");";
    }
    if (d.partitions == 1) {
      // The same stream in a fresh cluster, the same topic and group, run once uninterrupted.
      const std::string ref = dir + "/ref.csv", ref_ck = dir + "/ref.ck";
      for (const auto& p : {ref, ref_ck}) std::remove(p.c_str());
      streamreg::kafka::mock_cluster mc(1);
      fill(mc, topic, d.partitions, data);
      if (finish(start(args_for(mc, ref, ref_ck), log), std::chrono::seconds(300)) != 0) {
        std::printf("kafka crash drill, %s: the uninterrupted run failed\n", d.name);
        return 2;
      }
      const bool same_out = slurp(out) == slurp(ref);
      const bool same_ck = final_ck == slurp(ref_ck);
      pass = pass && same_out && same_ck && n == d.records;
      verdict += same_out && same_ck ? " output and checkpoint identical to the uninterrupted run"
                                     : std::string(" DIFFERENT from the uninterrupted run:") +
                                           (same_out ? "" : " output") + (same_ck ? "" : " checkpoint");
    } else {
      // The exact least-squares fit of the produced records, in rationals.
      mpq_class sx, sy, sxy, sxx;
      for (const point& p : data) {
        const mpq_class x(p.x), y(p.y);
        sx += x;
        sy += y;
        sxy += x * y;
        sxx += x * x;
      }
      const mpq_class nq(static_cast<unsigned long>(data.size()));
      const mpq_class b = (nq * sxy - sx * sy) / (nq * sxx - sx * sx);
      const mpq_class a = (sy - b * sx) / nq;
      // The last insertion of the output: a,b,time,1.
      const std::string text = slurp(out);
      const auto end = text.rfind('\n', text.size() - 2);
      const std::string last = end == std::string::npos ? "" : text.substr(end + 1);
      double fa = std::nan(""), fb = std::nan("");
      std::sscanf(last.c_str(), "%lf,%lf", &fa, &fb);
      const bool fit_ok = within(fa, a, 1e-12) && within(fb, b, 1e-12);
      const bool count_ok = n == d.records && counted == d.records;
      pass = pass && fit_ok && count_ok;
      char buf[200];
      std::snprintf(buf, sizeof buf, " n = %zu of %zu, records = %zu; a, b within %.1e, %.1e of the exact fit",
                    n, d.records, counted, rel(fa, a), rel(fb, b));
      verdict += buf;
    }
    all_pass = all_pass && pass;
    std::printf("kafka crash drill, %s: %zu records, %d kills at records %s, %d restarts to "
                "finish, %.0f s:%s: %s\n",
                d.name, d.records, o.kills, reached_range(o.reached).c_str(),
                o.restarts_to_finish, o.seconds, verdict.c_str(), pass ? "PASS" : "FAIL");
    std::printf("  records at each kill:%s\n", reached_list(o.reached).c_str());
    std::fflush(stdout);
    if (!pass) return 1;  // keep the files for a look
  }
  std::system(("rm -rf " + dir).c_str());
  return all_pass ? 0 : 1;
}
