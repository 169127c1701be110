// SPDX-License-Identifier: MIT
// scale_out: realtime_regression scaled out over a Kafka consumer group, measured as separate
// processes (so not a Google Benchmark). This process hosts librdkafka's mock cluster and
// produces N records into a topic of P partitions (record i to partition i mod P, the header
// x,y first in each); then, for each k of --members, it starts k `realtime_regression
// --publish-state` processes at the same moment (a fresh group and state topic per run), waits
// for all of them and runs the merger (`--merge-states`) once over their state topic. Each
// round also runs one plain consumer (no --publish-state) as the reference. Prints markdown
// tables of medians over --repeat rounds (benchmarks/README.md, "Scale-out: consumer
// processes").
//
//   scale_out [--records N] [--partitions P] [--repeat R] [--members 1,2,4]
//             [--checkpoint-every C] [-X key=value ...] [--kafka-produce] [--trace FILE]
//             [--verbose]
//
// Exits 0 only if every run ended with the merger's n = N, each partition's records and next
// offset as produced, and the merged fit equal (to 1e-12) to the one computed here from the
// same text; the plain consumer must have committed the end of every partition.
#include <streamreg/io/generator.hpp>
#include <streamreg/kafka/mock_cluster.hpp>
#include <streamreg/kafka/producer.hpp>
#include <streamreg/moments.hpp>
#include <streamreg/solve.hpp>

#include <fcntl.h>         // O_WRONLY, O_CREAT, O_TRUNC
#include <spawn.h>         // posix_spawn
#include <sys/resource.h>  // getrusage, struct rusage
#include <sys/wait.h>      // wait4
#include <unistd.h>        // getpid

#include <algorithm>  // std::sort, std::max
#include <chrono>     // std::chrono::steady_clock
#include <cmath>      // std::abs
#include <csignal>    // kill, SIGKILL
#include <cstdint>    // std::uint64_t, std::int64_t
#include <cstdio>     // std::printf, std::snprintf, std::remove
#include <cstdlib>    // std::strtod, std::strtoull, std::exit, std::getenv
#include <cstring>    // std::strerror
#include <fstream>    // std::ifstream
#include <map>        // std::map
#include <memory>     // std::unique_ptr
#include <regex>      // std::regex (the summary lines)
#include <sstream>    // std::ostringstream
#include <stdexcept>  // std::runtime_error
#include <string>     // std::string
#include <thread>     // std::this_thread::sleep_for
#include <vector>     // std::vector

#include <librdkafka/rdkafkacpp.h>

extern char** environ;  // posix_spawn passes it on

namespace {

using clock_type = std::chrono::steady_clock;

const std::string realtime_regression = REALTIME_REGRESSION;
const std::string kafka_produce = KAFKA_PRODUCE;

struct options {
  std::uint64_t records = 800000;
  int partitions = 4;
  int repeat = 3;
  std::vector<int> members{1, 2, 4};
  std::uint64_t checkpoint_every = 1000;
  bool use_kafka_produce = false;  // produce with the kafka_produce binary instead of in-process
  bool verbose = false;            // print every run's summary lines
  std::vector<std::string> properties;  // -X key=value for every consumer (members, plain)
  std::string trace;                    // --trace FILE: bytes written by each process over time
};

/// The group settings the mock needs (its rebalance waits session.timeout.ms - 1000).
const std::vector<std::string> group_properties{"-X", "session.timeout.ms=4000", "-X",
                                                "heartbeat.interval.ms=500"};

double seconds(const timeval& tv) {
  return static_cast<double>(tv.tv_sec) + static_cast<double>(tv.tv_usec) * 1e-6;
}

double cpu_seconds(const rusage& ru) { return seconds(ru.ru_utime) + seconds(ru.ru_stime); }

double self_cpu_seconds() {
  rusage ru{};
  getrusage(RUSAGE_SELF, &ru);
  return cpu_seconds(ru);
}

std::string slurp(const std::string& path) {
  std::ifstream f(path, std::ios::binary);
  std::ostringstream s;
  s << f.rdbuf();
  return s.str();
}

std::string temp_path(const std::string& name) {
  const char* dir = std::getenv("TMPDIR");
  return std::string(dir != nullptr ? dir : "/tmp") + "/streamreg_scale_out_" +
         std::to_string(::getpid()) + "_" + name;
}

double median(std::vector<double> v) {
  if (v.empty()) return 0;
  std::sort(v.begin(), v.end());
  const std::size_t m = v.size() / 2;
  return v.size() % 2 == 1 ? v[m] : (v[m - 1] + v[m]) / 2;
}

/// Bytes the process has passed to write() so far (/proc/PID/io, all threads); 0 when gone.
std::uint64_t written_bytes(pid_t pid) {
  std::ifstream f("/proc/" + std::to_string(pid) + "/io");
  std::string key;
  std::uint64_t value = 0;
  while (f >> key >> value)
    if (key == "wchar:") return value;
  return 0;
}

// ---------------------------------------------------------------------------------------------
// Processes

struct process {
  std::vector<std::string> args;
  std::string err_path;
  pid_t pid = -1;
  bool done = false;
  int status = -1;            // exit status, -1 when killed by a signal
  double wall = 0;            // seconds from the common start to its exit
  double cpu = 0;             // user + system seconds, all threads
  std::uint64_t written = 0;  // bytes written (its output: --output /dev/null)
  std::string err;            // what it wrote on stderr
};

/// Bytes written by a set of processes over time (seconds since their common start), sampled
/// every 2 ms. Their output is the change stream, a row pair per record, so the bytes
/// written follow the records read (to within the stdio buffer and a few percent of row
/// length); librdkafka's own writes (wake-up pipes) are a few bytes.
struct write_trace {
  static constexpr std::size_t all = static_cast<std::size_t>(-1);
  std::vector<double> times;
  std::vector<std::vector<std::uint64_t>> each;  // per sample, the bytes of every process

  std::uint64_t bytes(std::size_t sample, std::size_t i) const {
    if (i != all) return each[sample][i];
    std::uint64_t sum = 0;
    for (const std::uint64_t b : each[sample]) sum += b;
    return sum;
  }
  std::uint64_t final_bytes(std::size_t i) const {
    return times.empty() ? 0 : bytes(times.size() - 1, i);
  }
  /// When process `i` (`all`: all together) had first written `n` bytes; -1 if never.
  double reached_bytes(std::size_t i, double n) const {
    for (std::size_t k = 0; k < times.size(); ++k)
      if (static_cast<double>(bytes(k, i)) >= n) return times[k];
    return -1;
  }
  /// When process `i` had first written `fraction` of its final bytes; -1 if never.
  double reached(std::size_t i, double fraction) const {
    return reached_bytes(i, fraction * static_cast<double>(final_bytes(i)));
  }
  /// Seconds from 1% to 99% of the bytes of process `i` (`all`: all together).
  double steady_span(std::size_t i) const { return reached(i, 0.99) - reached(i, 0.01); }
  /// About when process `i` read its first record: its first stdio buffer (4 KiB, some 40
  /// records) was written; librdkafka writes a few bytes before.
  double first_record(std::size_t i) const { return reached_bytes(i, 4096); }
  /// About when it read its last record: all but the last 16 KiB, written as it exits.
  double last_record(std::size_t i) const {
    return reached_bytes(i, static_cast<double>(final_bytes(i)) - 16384);
  }
  /// Seconds process `i` wrote nothing, in stretches of at least `min_s`, between its first
  /// and its last record: the pauses inside its first-to-last span (group rebalances).
  double pauses(std::size_t i, double min_s) const {
    const double from = first_record(i), to = last_record(i);
    double paused = 0, since = -1;
    std::uint64_t last = 0;
    for (std::size_t k = 0; k < times.size(); ++k) {
      if (times[k] < from || times[k] > to) continue;
      if (since < 0 || each[k][i] != last) {
        if (since >= 0 && times[k] - since >= min_s) paused += times[k] - since;
        since = times[k];
        last = each[k][i];
      }
    }
    return paused;
  }
};

pid_t spawn(const std::vector<std::string>& args, const std::string& err_path) {
  posix_spawn_file_actions_t fa;
  posix_spawn_file_actions_init(&fa);
  posix_spawn_file_actions_addopen(&fa, 0, "/dev/null", O_RDONLY, 0);
  posix_spawn_file_actions_addopen(&fa, 1, "/dev/null", O_WRONLY, 0);
  posix_spawn_file_actions_addopen(&fa, 2, err_path.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0644);
  std::vector<char*> argv;
  for (const std::string& a : args) argv.push_back(const_cast<char*>(a.c_str()));
  argv.push_back(nullptr);
  pid_t pid = -1;
  const int e = posix_spawn(&pid, argv[0], &fa, nullptr, argv.data(), environ);
  posix_spawn_file_actions_destroy(&fa);
  if (e != 0) throw std::runtime_error("cannot start " + args[0] + ": " + std::strerror(e));
  return pid;
}

/// Starts every process at once (back to back), samples the bytes they write every 2 ms and
/// waits for all of them; kills them (SIGKILL, by pid) after `timeout_s`.
void run_together(std::vector<process>& procs, double timeout_s, write_trace* trace) {
  static int serial = 0;
  for (process& p : procs) p.err_path = temp_path(std::to_string(serial++) + ".err");
  const auto start = clock_type::now();
  for (process& p : procs) p.pid = spawn(p.args, p.err_path);
  std::size_t live = procs.size();
  bool killed = false;
  while (live > 0) {
    const auto now = clock_type::now();
    const double t = std::chrono::duration<double>(now - start).count();
    for (process& p : procs)
      if (!p.done) p.written = std::max(p.written, written_bytes(p.pid));
    if (trace != nullptr) {
      trace->times.push_back(t);
      trace->each.emplace_back();
      for (const process& p : procs) trace->each.back().push_back(p.written);
    }
    for (process& p : procs) {
      if (p.done) continue;
      int status = 0;
      rusage ru{};
      if (wait4(p.pid, &status, WNOHANG, &ru) == p.pid) {
        p.done = true;
        --live;
        p.wall = t;
        p.cpu = cpu_seconds(ru);
        p.status = WIFEXITED(status) ? WEXITSTATUS(status) : -1;
      }
    }
    if (!killed && t > timeout_s) {
      for (const process& p : procs)
        if (!p.done) kill(p.pid, SIGKILL);
      killed = true;
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(2));
  }
  for (process& p : procs) {
    p.err = slurp(p.err_path);
    std::remove(p.err_path.c_str());
  }
}

// ---------------------------------------------------------------------------------------------
// The input: N records "x,y" (x uniform in [0, 1000), y = 3 + 0.5 x + U(-10, 10), two
// decimals: 11 to 13 bytes, so 200k fit in the mock's 5 MiB per partition), record i in
// partition i mod P after the header "x,y". The fit of what the merger must end with is
// computed here from the same text: one state per partition, merged in partition order.

struct input_topic {
  std::string name = "scale-out-input";
  std::vector<std::uint64_t> records;  // per partition
  streamreg::line_fit<double> fit{};
};

std::string record_text(streamreg::io::splitmix64& rng) {
  const double x = 1000 * rng.uniform();
  const double y = 3 + 0.5 * x + (20 * rng.uniform() - 10);
  char buf[64];
  std::snprintf(buf, sizeof buf, "%.2f,%.2f", x, y);
  return buf;
}

input_topic produce(streamreg::kafka::mock_cluster& mc, const options& opt) {
  input_topic in;
  mc.create_topic(in.name, opt.partitions);
  const auto parts = static_cast<std::uint64_t>(opt.partitions);
  in.records.assign(parts, 0);
  std::vector<streamreg::moments<double>> states(parts);
  streamreg::io::splitmix64 rng(20261123);
  const std::string csv_path = temp_path("input.csv");
  std::unique_ptr<std::ofstream> csv;
  std::unique_ptr<streamreg::kafka::producer> prod;
  // Large batches, as a busy producer makes them (the mock answers a fetch with one batch per
  // partition).
  const streamreg::kafka::properties batching{{"linger.ms", "100"},
                                              {"batch.num.messages", "10000"}};
  if (opt.use_kafka_produce) {
    csv = std::make_unique<std::ofstream>(csv_path, std::ios::binary);
    *csv << "x,y\n";
  } else {
    prod = std::make_unique<streamreg::kafka::producer>(mc.bootstraps(), batching);
    for (int p = 0; p < opt.partitions; ++p) prod->send(in.name, "x,y", p);
  }
  const auto start = clock_type::now();
  for (std::uint64_t i = 0; i < opt.records; ++i) {
    const std::string text = record_text(rng);
    const std::uint64_t p = i % parts;
    const auto comma = text.find(',');
    states[p].push(std::strtod(text.c_str(), nullptr),
                   std::strtod(text.c_str() + comma + 1, nullptr));
    ++in.records[p];
    if (csv) *csv << text << '\n';
    else prod->send(in.name, text, static_cast<std::int32_t>(p));
  }
  if (csv) {
    csv.reset();
    std::vector<process> tool(1);
    tool[0].args = {kafka_produce, "--kafka", mc.bootstraps(), "--topic", in.name, "--spread",
                    "--input", csv_path, "-X", "linger.ms=100", "-X", "batch.num.messages=10000"};
    run_together(tool, 300, nullptr);
    std::remove(csv_path.c_str());
    if (tool[0].status != 0) throw std::runtime_error("kafka_produce failed:\n" + tool[0].err);
  } else {
    prod->flush(120000);
  }
  const double produce_s = std::chrono::duration<double>(clock_type::now() - start).count();
  streamreg::moments<double> total = states[0];
  for (std::size_t p = 1; p < states.size(); ++p) total.merge(states[p]);
  in.fit = streamreg::solve(total);

  // Everything must still be there: the mock drops the oldest messages beyond 5 MiB.
  streamreg::kafka::producer probe(mc.bootstraps());
  for (int p = 0; p < opt.partitions; ++p) {
    std::int64_t lo = -1, hi = -1;
    const RdKafka::ErrorCode e =
        probe.handle().query_watermark_offsets(in.name, p, &lo, &hi, 10000);
    const auto expected = static_cast<std::int64_t>(in.records[static_cast<std::size_t>(p)] + 1);
    if (e != RdKafka::ERR_NO_ERROR || lo != 0 || hi != expected)
      throw std::runtime_error("partition " + std::to_string(p) + " holds offsets " +
                               std::to_string(lo) + ".." + std::to_string(hi) + ", expected 0.." +
                               std::to_string(expected) + " (" + RdKafka::err2str(e) +
                               "): too many records per partition for the mock's 5 MiB?");
  }
  std::printf("produced %llu records into '%s' (%d partitions, header x,y first in each) in %.2f s "
              "(%s)\n",
              static_cast<unsigned long long>(opt.records), in.name.c_str(), opt.partitions,
              produce_s, opt.use_kafka_produce ? "kafka_produce --spread" : "in-process producer");
  return in;
}

/// The offsets group `group` has committed for the partitions of `topic`.
std::vector<std::int64_t> committed(const std::string& brokers, const std::string& group,
                                    const std::string& topic, int partitions) {
  std::unique_ptr<RdKafka::Conf> conf(RdKafka::Conf::create(RdKafka::Conf::CONF_GLOBAL));
  std::string err;
  conf->set("bootstrap.servers", brokers, err);
  conf->set("group.id", group, err);
  conf->set("enable.auto.commit", "false", err);
  std::unique_ptr<RdKafka::KafkaConsumer> c(RdKafka::KafkaConsumer::create(conf.get(), err));
  if (!c) throw std::runtime_error("Kafka consumer: " + err);
  std::vector<RdKafka::TopicPartition*> tps;
  for (int p = 0; p < partitions; ++p) tps.push_back(RdKafka::TopicPartition::create(topic, p));
  std::vector<std::int64_t> out;
  if (c->committed(tps, 10000) == RdKafka::ERR_NO_ERROR)
    for (const RdKafka::TopicPartition* tp : tps) out.push_back(tp->offset());
  RdKafka::TopicPartition::destroy(tps);
  c->close();
  return out;
}

/// --trace: appends "<label> <seconds> <bytes of process 1> <bytes of process 2> ..." lines.
void append_trace(const options& opt, const std::string& label, const write_trace& trace) {
  if (opt.trace.empty()) return;
  std::ofstream f(opt.trace, std::ios::app);
  for (std::size_t i = 0; i < trace.times.size(); ++i) {
    f << label << ' ' << trace.times[i];
    for (const std::uint64_t b : trace.each[i]) f << ' ' << b;
    f << '\n';
  }
}

// ---------------------------------------------------------------------------------------------
// One run

struct member_summary {
  std::uint64_t records = 0, skipped = 0, published = 0, restored = 0;
  double span = 0, rate = 0;
  std::string partitions;
};

struct run_result {
  int members = 0;  // 0: the plain consumer
  bool ok = true;
  std::string failure;
  // From the members' summary lines.
  double longest_span = 0;  // seconds, first to last record of the slowest member
  double total_rate = 0;    // N / longest_span
  double member_min = 0, member_median = 0, member_max = 0;  // their records/s
  std::uint64_t read = 0, published = 0, restored = 0;
  // From the bytes they wrote (write_trace).
  double output_rate = 0;         // 0.98 N / (1% to 99% of all the bytes written)
  double member_output_rate = 0;  // median over members of 0.98 records / (1% to 99% of its bytes)
  double skew = 0;                // seconds between the first and the last member's first record
  double paused = 0;              // the most any member paused (>= 1 s at a time) in its span
  double union_span = 0;          // from the first record of any member to the last of any
  double union_rate = 0;          // N / union_span
  // From the processes.
  double wall = 0;        // start to the last exit
  double cpu = 0;         // the consumers' CPU seconds (user + system), summed
  double broker_cpu = 0;  // this process's CPU seconds during the run (the mock broker)
  // The merger.
  std::uint64_t merger_n = 0, merger_messages = 0;
  double merger_rate = 0;
  bool fit_exact = false;  // the merged fit equals the one computed here bit for bit
  std::string merger_line;
};

void fail(run_result& r, const std::string& why) {
  r.ok = false;
  r.failure += why + "\n";
}

/// The rates that come from the bytes written (see write_trace).
void output_rates(const write_trace& trace, const std::vector<std::uint64_t>& records,
                  std::uint64_t total, run_result& r) {
  if (const double s = trace.steady_span(write_trace::all); s > 0)
    r.output_rate = 0.98 * static_cast<double>(total) / s;
  std::vector<double> rates;
  double first = 1e300, last = -1, begin = 1e300, end = -1;
  for (std::size_t i = 0; i < records.size(); ++i) {
    if (records[i] == 0) continue;  // nothing but librdkafka's own writes to go by
    const double start = trace.first_record(i);
    first = std::min(first, start);
    last = std::max(last, start);
    begin = std::min(begin, trace.first_record(i));
    end = std::max(end, trace.last_record(i));
    if (const double s = trace.steady_span(i); s > 0)
      rates.push_back(0.98 * static_cast<double>(records[i]) / s);
    r.paused = std::max(r.paused, trace.pauses(i, 1.0));
  }
  r.member_output_rate = median(rates);
  r.skew = last >= first ? last - first : 0;
  r.union_span = end > begin ? end - begin : 0;
  if (r.union_span > 0) r.union_rate = static_cast<double>(total) / r.union_span;
}

const std::regex member_line(
    R"(member: (\d+) records read, (\d+) skipped, in ([0-9.]+) s from the first to the last )"
    R"(\(([0-9.]+) records/s\); partitions held at the end \(partition:records\) ([^;]*); )"
    R"((\d+) states published to '[^']*', (\d+) restored)");
const std::regex merger_re(
    R"(merged (\d+) partitions of '[^']*': n = (\d+) records \((\d+) skipped\); )"
    R"(partition:records@next_offset ([^;]*); (\d+) state messages read \(([0-9.]+)/s\), )"
    R"((\d+) refused)");

std::uint64_t to_u64(const std::string& s) { return std::strtoull(s.c_str(), nullptr, 10); }

/// The last inserted row (a,b,time,1) of a change stream file.
std::vector<std::string> last_insertion(const std::string& path) {
  std::ifstream f(path);
  std::string line, last;
  while (std::getline(f, line))
    if (line.size() > 2 && line.compare(line.size() - 2, 2, ",1") == 0) last = line;
  std::vector<std::string> fields;
  std::istringstream s(last);
  for (std::string field; std::getline(s, field, ',');) fields.push_back(field);
  return fields;
}

void merge_and_check(const std::string& brokers, const input_topic& in, const options& opt,
                     const std::string& state_topic, run_result& r) {
  const std::string out = temp_path("merged.csv");
  std::vector<process> merger(1);
  merger[0].args = {realtime_regression, "--kafka", brokers, "--topic", in.name, "--merge-states",
                    state_topic, "--exit-on-eof", "--output", out};
  run_together(merger, 120, nullptr);
  const process& m = merger[0];
  std::smatch sm;
  if (m.status != 0 || !std::regex_search(m.err, sm, merger_re)) {
    fail(r, "merger exit " + std::to_string(m.status) + ", stderr:\n" + m.err);
    std::remove(out.c_str());
    return;
  }
  r.merger_line = m.err;
  r.merger_n = to_u64(sm[2]);
  r.merger_messages = to_u64(sm[5]);
  r.merger_rate = std::strtod(sm[6].str().c_str(), nullptr);
  if (r.merger_n != opt.records || to_u64(sm[1]) != in.records.size() || to_u64(sm[7]) != 0)
    fail(r, "merger: n = " + sm[2].str() + " (expected " + std::to_string(opt.records) +
                "), partitions " + sm[1].str() + ", refused " + sm[7].str() + ":\n" + m.err);
  std::string expected;  // partition:records@next_offset as produced (header at offset 0)
  for (std::size_t p = 0; p < in.records.size(); ++p)
    expected += (p == 0 ? "" : " ") + std::to_string(p) + ":" + std::to_string(in.records[p]) +
                "@" + std::to_string(in.records[p] + 1);
  if (sm[4].str() != expected)
    fail(r, "merger: partitions " + sm[4].str() + ", expected " + expected);
  const auto last = last_insertion(out);
  std::remove(out.c_str());
  if (last.size() != 4) {
    fail(r, "merger: no fit in its output");
    return;
  }
  const double a = std::strtod(last[0].c_str(), nullptr), b = std::strtod(last[1].c_str(), nullptr);
  r.fit_exact = a == in.fit.intercept && b == in.fit.slope;
  const auto rel = [](double got, double want) {
    return want == 0 ? std::abs(got) : std::abs(got - want) / std::abs(want);
  };
  if (rel(a, in.fit.intercept) > 1e-12 || rel(b, in.fit.slope) > 1e-12) {
    char buf[256];
    std::snprintf(buf, sizeof buf, "merger: fit a = %.17g, b = %.17g; expected %.17g, %.17g", a, b,
                  in.fit.intercept, in.fit.slope);
    fail(r, buf);
  }
}

run_result run_members(streamreg::kafka::mock_cluster& mc, const input_topic& in,
                       const options& opt, int k, int rep) {
  run_result r;
  r.members = k;
  const std::string tag = "k" + std::to_string(k) + "-r" + std::to_string(rep);
  const std::string group = "scale-out-" + tag, state_topic = "scale-out-state-" + tag;
  mc.create_topic(state_topic, 1);
  std::vector<process> procs(static_cast<std::size_t>(k));
  for (process& p : procs) {
    p.args = {realtime_regression, "--kafka", mc.bootstraps(), "--topic", in.name, "--group",
              group, "--publish-state", state_topic, "--checkpoint-every",
              std::to_string(opt.checkpoint_every), "--exit-on-eof", "--output", "/dev/null"};
    p.args.insert(p.args.end(), group_properties.begin(), group_properties.end());
    for (const std::string& kv : opt.properties) p.args.insert(p.args.end(), {"-X", kv});
  }
  write_trace trace;
  const double cpu0 = self_cpu_seconds();
  run_together(procs, 300, &trace);
  r.broker_cpu = self_cpu_seconds() - cpu0;
  append_trace(opt, tag, trace);
  std::vector<double> rates;
  std::vector<std::uint64_t> records;  // per process, for the output rates
  for (const process& p : procs) {
    r.wall = std::max(r.wall, p.wall);
    r.cpu += p.cpu;
    if (opt.verbose) std::printf("  %s", p.err.c_str());
    std::smatch sm;
    if (p.status != 0 || !std::regex_search(p.err, sm, member_line)) {
      fail(r, "member exit " + std::to_string(p.status) + ", stderr:\n" + p.err);
      records.push_back(0);
      continue;
    }
    member_summary s;
    s.records = to_u64(sm[1]);
    s.skipped = to_u64(sm[2]);
    s.span = std::strtod(sm[3].str().c_str(), nullptr);
    s.rate = std::strtod(sm[4].str().c_str(), nullptr);
    s.partitions = sm[5];
    s.published = to_u64(sm[6]);
    s.restored = to_u64(sm[7]);
    if (s.records == 0) fail(r, "a member read 0 records:\n" + p.err);
    r.longest_span = std::max(r.longest_span, s.span);
    r.read += s.records;
    r.published += s.published;
    r.restored += s.restored;
    rates.push_back(s.rate);
    records.push_back(s.records);
  }
  if (!rates.empty()) {
    std::sort(rates.begin(), rates.end());
    r.member_min = rates.front();
    r.member_median = median(rates);
    r.member_max = rates.back();
  }
  if (r.longest_span > 0) r.total_rate = static_cast<double>(opt.records) / r.longest_span;
  output_rates(trace, records, opt.records, r);
  merge_and_check(mc.bootstraps(), in, opt, state_topic, r);
  if (opt.verbose && !r.merger_line.empty()) std::printf("  %s", r.merger_line.c_str());
  return r;
}

run_result run_plain(streamreg::kafka::mock_cluster& mc, const input_topic& in,
                     const options& opt, int rep) {
  run_result r;
  const std::string group = "scale-out-plain-r" + std::to_string(rep);
  std::vector<process> procs(1);
  procs[0].args = {realtime_regression, "--kafka", mc.bootstraps(), "--topic", in.name, "--group",
                   group, "--exit-on-eof", "--output", "/dev/null"};
  procs[0].args.insert(procs[0].args.end(), group_properties.begin(), group_properties.end());
  for (const std::string& kv : opt.properties)
    procs[0].args.insert(procs[0].args.end(), {"-X", kv});
  write_trace trace;
  const double cpu0 = self_cpu_seconds();
  run_together(procs, 300, &trace);
  r.broker_cpu = self_cpu_seconds() - cpu0;
  append_trace(opt, "plain-r" + std::to_string(rep), trace);
  r.wall = procs[0].wall;
  r.cpu = procs[0].cpu;
  if (opt.verbose && !procs[0].err.empty()) std::printf("  %s", procs[0].err.c_str());
  if (procs[0].status != 0) fail(r, "plain consumer exit " + std::to_string(procs[0].status) +
                                        ", stderr:\n" + procs[0].err);
  output_rates(trace, {opt.records}, opt.records, r);
  // It prints no count: it commits the offsets of what it has read, which must be the end of
  // every partition.
  const auto offs = committed(mc.bootstraps(), group, in.name, opt.partitions);
  std::string got;
  bool all = offs.size() == in.records.size();
  for (std::size_t p = 0; p < offs.size(); ++p) {
    got += (p == 0 ? "" : " ") + std::to_string(p) + "@" + std::to_string(offs[p]);
    if (all && offs[p] != static_cast<std::int64_t>(in.records[p] + 1)) all = false;
  }
  if (!all) fail(r, "plain consumer committed " + got + ", not the end of every partition");
  r.read = all ? opt.records : 0;
  return r;
}

// ---------------------------------------------------------------------------------------------
// Report

std::string si(double v) {  // 1234567 -> "1.23 M", 45678 -> "45.7 k"
  char buf[32];
  if (v >= 1e6) std::snprintf(buf, sizeof buf, "%.2f M", v / 1e6);
  else if (v >= 1e4) std::snprintf(buf, sizeof buf, "%.0f k", v / 1e3);
  else if (v >= 1e3) std::snprintf(buf, sizeof buf, "%.1f k", v / 1e3);
  else std::snprintf(buf, sizeof buf, "%.0f", v);
  return buf;
}

std::string fixed(double v, int digits) {
  char buf[32];
  std::snprintf(buf, sizeof buf, "%.*f", digits, v);
  return buf;
}

void report(const options& opt, const std::map<int, std::vector<run_result>>& runs) {
  std::string props;
  for (const std::string& kv : opt.properties) props += " -X " + kv;
  std::printf("\nN = %llu records in %d partitions, --checkpoint-every %llu%s; medians of %d "
              "runs per row (runs interleaved: the plain consumer, then each k, repeated). The "
              "members of a run are started at the same moment.\n\n",
              static_cast<unsigned long long>(opt.records), opt.partitions,
              static_cast<unsigned long long>(opt.checkpoint_every),
              props.empty() ? "" : (", consumers with" + props).c_str(), opt.repeat);
  auto med = [](const std::vector<run_result>& rs, auto field) {
    std::vector<double> v;
    for (const run_result& r : rs) v.push_back(static_cast<double>(r.*field));
    return median(v);
  };
  auto rate = [&](const std::vector<run_result>& rs, auto field) { return si(med(rs, field)); };
  std::printf("| consumers | total records/s = N / longest member span | N / (first record of "
              "any member to the last of any) | records/s from the output, 1%%→99%% | per member "
              "records/s min / median / max | state messages published | merger n | merger "
              "state messages/s |\n"
              "|---|---:|---:|---:|---:|---:|---:|---:|\n");
  for (const auto& [k, rs] : runs) {
    if (k == 0) {
      std::printf("| 1 plain consumer (no states) | — | — | %s | — | — | — | — |\n",
                  rate(rs, &run_result::output_rate).c_str());
      continue;
    }
    std::string n = "N";
    for (const run_result& r : rs)
      if (r.merger_n != opt.records) n = "**not N**";
    std::printf("| %d member%s | %s | %s | %s | %s / %s / %s | %.0f | %s | %s |\n", k,
                k == 1 ? "" : "s", rate(rs, &run_result::total_rate).c_str(),
                rate(rs, &run_result::union_rate).c_str(),
                rate(rs, &run_result::output_rate).c_str(),
                rate(rs, &run_result::member_min).c_str(),
                rate(rs, &run_result::member_median).c_str(),
                rate(rs, &run_result::member_max).c_str(), med(rs, &run_result::published),
                n.c_str(), rate(rs, &run_result::merger_rate).c_str());
  }
  std::printf("\nWhere the time goes (from the output: records over the time from 1%% to 99%% of "
              "the bytes written; CPU: user + system of the whole process, all threads, start-up "
              "included):\n\n");
  std::printf("| consumers | per member records/s from the output (median) | longest span s | "
              "start skew s | pauses ≥ 1 s in a span, s | runs with a rebalance | wall s | "
              "consumer CPU s | CPU µs/record | broker CPU s | records read | shares restored |\n"
              "|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|\n");
  for (const auto& [k, rs] : runs) {
    const double cpu = med(rs, &run_result::cpu);
    const std::string who = k == 0 ? std::string("plain consumer")
                                   : std::to_string(k) + (k == 1 ? " member" : " members");
    int rebalanced = 0;
    for (const run_result& r : rs)
      if (r.restored > 0) ++rebalanced;
    const std::string dash = "—";
    std::printf("| %s | %s | %s | %s | %s | %s | %s | %s | %s | %s | %.0f | %s |\n", who.c_str(),
                k == 0 ? dash.c_str() : rate(rs, &run_result::member_output_rate).c_str(),
                k == 0 ? dash.c_str() : fixed(med(rs, &run_result::longest_span), 3).c_str(),
                k == 0 ? dash.c_str() : fixed(med(rs, &run_result::skew), 2).c_str(),
                fixed(med(rs, &run_result::paused), 2).c_str(),
                k == 0 ? dash.c_str()
                       : (std::to_string(rebalanced) + " of " + std::to_string(rs.size())).c_str(),
                fixed(med(rs, &run_result::wall), 2).c_str(), fixed(cpu, 2).c_str(),
                fixed(cpu / static_cast<double>(opt.records) * 1e6, 2).c_str(),
                fixed(med(rs, &run_result::broker_cpu), 2).c_str(), med(rs, &run_result::read),
                k == 0 ? dash.c_str() : fixed(med(rs, &run_result::restored), 0).c_str());
  }
  bool exact = true;
  for (const auto& [k, rs] : runs)
    for (const run_result& r : rs)
      if (k != 0 && !r.fit_exact) exact = false;
  std::printf("\nMerged fit: %s the fit computed here from the same text (one state per "
              "partition, merged in partition order).\n",
              exact ? "equal bit for bit in every run to" : "within 1e-12 (not bit for bit) of");
}

void usage() {
  std::printf(
      "usage: scale_out [--records N] [--partitions P] [--repeat R] [--members 1,2,4]\n"
      "                 [--checkpoint-every C] [-X key=value ...] [--kafka-produce]\n"
      "                 [--trace FILE] [--verbose]\n"
      "Hosts a mock Kafka cluster and produces N records (default 800000) into P partitions\n"
      "(default 4; at most 220000 records per partition fit the mock's 5 MiB). Then, R times\n"
      "(default 3): one plain consumer, and for each k of --members, k members of a fresh\n"
      "consumer group (realtime_regression --publish-state, every C records, default 1000)\n"
      "started at once, then the merger over their state topic, which must report n = N.\n"
      "  -X key=value     librdkafka property for every consumer (repeatable)\n"
      "  --kafka-produce  produce with the kafka_produce binary instead of in-process\n"
      "  --trace FILE     write the bytes each consumer had written, every 2 ms\n"
      "  --verbose        print the consumers' and the merger's summary lines\n");
}

options parse(int argc, char** argv) {
  options opt;
  for (int i = 1; i < argc; ++i) {
    const std::string a = argv[i];
    auto value = [&]() -> std::string {
      if (i + 1 >= argc) throw std::runtime_error(a + " needs a value");
      return argv[++i];
    };
    if (a == "--records") opt.records = to_u64(value());
    else if (a == "--repeat") opt.repeat = std::stoi(value());
    else if (a == "--partitions") opt.partitions = std::stoi(value());
    else if (a == "--checkpoint-every") opt.checkpoint_every = to_u64(value());
    else if (a == "--kafka-produce") opt.use_kafka_produce = true;
    else if (a == "--verbose") opt.verbose = true;
    else if (a == "-X") opt.properties.push_back(value());
    else if (a == "--trace") opt.trace = value();
    else if (a == "--members") {
      opt.members.clear();
      std::istringstream s(value());
      for (std::string k; std::getline(s, k, ',');) opt.members.push_back(std::stoi(k));
    } else if (a == "--help" || a == "-h") {
      usage();
      std::exit(0);
    } else {
      throw std::runtime_error("unknown option " + a);
    }
  }
  if (opt.records == 0 || opt.repeat < 1 || opt.partitions < 1 || opt.checkpoint_every == 0 ||
      opt.members.empty())
    throw std::runtime_error("--records, --repeat, --partitions, --checkpoint-every and "
                             "--members must be positive");
  for (const int k : opt.members)
    if (k < 1) throw std::runtime_error("--members: counts must be positive");
  if (opt.records / static_cast<std::uint64_t>(opt.partitions) > 220000)
    throw std::runtime_error("more than 220000 records per partition do not fit the mock's 5 MiB");
  return opt;
}

int run(const options& opt) {
  if (!opt.trace.empty()) std::ofstream(opt.trace, std::ios::trunc);  // start it empty
  streamreg::kafka::mock_cluster mc(1);
  const input_topic in = produce(mc, opt);
  std::map<int, std::vector<run_result>> runs;  // 0: the plain consumer
  bool ok = true;
  auto note = [&](const run_result& r, int rep) {
    if (r.members == 0)
      std::printf("run %d, plain consumer: %.0f records/s from the output, wall %.2f s, "
                  "CPU %.2f s\n",
                  rep + 1, r.output_rate, r.wall, r.cpu);
    else
      std::printf("run %d, %d member(s): %.0f records/s (longest span %.3f s), members %.0f..%.0f "
                  "records/s, %.0f records/s from the first record of any to the last of any "
                  "(%.3f s), start skew %.2f s, paused %.2f s, %llu read, %llu states published, "
                  "%llu restored; "
                  "merger n = %llu, %llu messages at %.0f/s\n",
                  rep + 1, r.members, r.total_rate, r.longest_span, r.member_min, r.member_max,
                  r.union_rate, r.union_span, r.skew, r.paused,
                  static_cast<unsigned long long>(r.read),
                  static_cast<unsigned long long>(r.published),
                  static_cast<unsigned long long>(r.restored),
                  static_cast<unsigned long long>(r.merger_n),
                  static_cast<unsigned long long>(r.merger_messages), r.merger_rate);
    if (!r.ok) {
      ok = false;
      std::printf("FAILED:\n%s", r.failure.c_str());
    }
    std::fflush(stdout);
  };
  for (int rep = 0; rep < opt.repeat; ++rep) {
    runs[0].push_back(run_plain(mc, in, opt, rep));
    note(runs[0].back(), rep);
    for (const int k : opt.members) {
      runs[k].push_back(run_members(mc, in, opt, k, rep));
      note(runs[k].back(), rep);
    }
  }
  report(opt, runs);
  if (!ok) std::printf("\nFAILED: see the runs above\n");
  return ok ? 0 : 1;
}

}  // namespace

int main(int argc, char** argv) {
  try {
    return run(parse(argc, argv));
  } catch (const std::exception& e) {
    std::fprintf(stderr, "scale_out: %s\n", e.what());
    return 2;
  }
}
