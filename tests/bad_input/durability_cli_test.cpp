// SPDX-License-Identifier: MIT
// The fault catalogue, command line (issue 17, DESIGN.md section 9): realtime_regression and
// stream_fit against full disks (/dev/full, a file size limit through setrlimit with SIGXFSZ
// ignored), closed outputs and pipes, outputs that are their input or checkpoint, rotated,
// shortened or changed outputs, swapped inputs, a growing file, concurrent runs, unreadable and
// impossible checkpoints, overlong lines and options outside what the machine can do. Each run
// either ends with the output of an uninterrupted run or exits non-zero naming the cause with
// every file as it was.
#include <catch2/catch.hpp>

#include "cli/checkpoint_fields.hpp"
#include "cli/run_support.hpp"

#include <sys/stat.h>
#include <unistd.h>

#include <cstdint>
#include <cstdio>
#include <string>
#include <vector>

namespace {

using Catch::Matchers::Contains;
using cli_test::run;
using cli_test::slurp;
using cli_test::temp_path;
using cli_test::write_temp;

const std::string rr = REALTIME_REGRESSION;
const std::string sf = STREAM_FIT;

/// `n` records x = i, y = 2 + 0.5 i + a fixed wiggle, with a header.
std::string records(int n) {
  std::string t = "x,y\n";
  for (int i = 0; i < n; ++i)
    t += std::to_string(i) + "," + std::to_string(2 + 0.5 * i + (i % 7) * 0.125) + "\n";
  return t;
}

/// The checkpoint `text` with the first `name` field set to `value` and its checksum
/// recomputed (FNV-1a, as the format documents): well-formed, but impossible.
std::string forged(const std::string& text, const std::string& name, const std::string& value) {
  if (text.find("\n" + name + " ") == std::string::npos) return "no field " + name;
  const std::size_t at = text.find("\n" + name + " ") + 1;
  const std::size_t end = text.find('\n', at);
  std::string body = text.substr(0, text.rfind("checksum "));
  body.replace(at, end - at, name + " " + value);
  std::uint64_t h = 0xcbf29ce484222325ull;
  for (char c : body) h = (h ^ static_cast<unsigned char>(c)) * 0x100000001b3ull;
  char sum[32];
  std::snprintf(sum, sizeof sum, "checksum %016llx\n", static_cast<unsigned long long>(h));
  return body + sum;
}

/// Files of one scenario, removed at the end (with the checkpoint's lock file).
struct scene {
  std::string in, out, ck, ref;
  explicit scene(const std::string& name, const std::string& input)
      : in(write_temp(name + "_in.csv", input)),
        out(temp_path(name + "_out.csv")),
        ck(temp_path(name + ".ck")),
        ref(temp_path(name + "_ref.csv")) {
    for (const auto& p : {out, ck, ck + ".lock", ref}) std::remove(p.c_str());
  }
  ~scene() {
    for (const auto& p : {in, out, ck, ck + ".lock", ref}) std::remove(p.c_str());
  }
  std::string run_args() const { return rr + " --input " + in + " --output " + out + " --checkpoint " + ck; }
};

}  // namespace

TEST_CASE("durability cli: a failed write ends the run with exit 3 naming the output",
          "[durability][cli]") {
  const std::string in = write_temp("dur_full_in.csv", records(200));
  struct fault {
    const char* name;
    std::string command;
    std::string names;
  };
  const std::vector<fault> faults = {
      {"--output /dev/full", rr + " --input " + in + " --output /dev/full", "'/dev/full'"},
      {"stdout on /dev/full", rr + " --input " + in + " >/dev/full", "'standard output'"},
      {"stdout closed", rr + " --input " + in + " >&-", "'standard output'"},
      {"demo producer to /dev/full", rr + " --output /dev/full", "'/dev/full'"},
      {"stream_fit --emit final to /dev/full",
       sf + " " + in + " --y y --x x --emit final --output /dev/full", "'/dev/full'"},
      {"stream_fit --emit final on stdout /dev/full",
       sf + " " + in + " --y y --x x --emit final >/dev/full", "'standard output'"},
      {"stream_fit several predictors to /dev/full",
       sf + " " + in + " --y y --x x --degree 2 --emit final --output /dev/full", "'/dev/full'"},
  };
  for (const fault& f : faults) {
    INFO(f.name);
    const auto r = run(f.command);
    CHECK(r.status == 3);
    CHECK_THAT(r.err, Contains("cannot write " + f.names));
  }
  // A reader that goes away after one byte of a change stream far larger than a pipe's
  // buffer: with SIGPIPE at its default the writer dies of it (status 128 + 13 from the
  // shell); with SIGPIPE ignored the write fails with EPIPE and the run ends with exit 3.
  const std::string big = write_temp("dur_pipe_in.csv", records(5000));
  const std::string status_file = temp_path("dur_pipe_status");
  run("{ " + rr + " --input " + big + "; echo $? >" + status_file + "; } | head -c 1 >/dev/null");
  CHECK(slurp(status_file) == "141\n");
  run("trap '' PIPE; { " + rr + " --input " + big + " 2>" + status_file + ".err; echo $? >" +
      status_file + "; } | head -c 1 >/dev/null");
  CHECK(slurp(status_file) == "3\n");
  CHECK_THAT(slurp(status_file + ".err"), Contains("cannot write 'standard output': Broken pipe"));
  for (const auto& p : {in, big, status_file, status_file + ".err"}) std::remove(p.c_str());
}

TEST_CASE("durability cli: a full disk in a checkpointed run, then room again, ends identical",
          "[durability][cli][checkpoint]") {
  scene s("dur_fsize", records(3000));
  REQUIRE(run(rr + " --input " + s.in + " --output " + s.ref).status == 0);
  const std::string ref = slurp(s.ref);
  REQUIRE(ref.size() > 60000);
  // RLIMIT_FSIZE of 40 blocks of 512 bytes (ulimit -f), SIGXFSZ ignored: writes past 20 480
  // bytes fail with EFBIG, as on a full disk.
  const auto full = run("trap '' XFSZ; ulimit -f 40; " + s.run_args() + " --checkpoint-every 50");
  CHECK(full.status == 3);
  CHECK_THAT(full.err, Contains("'" + s.out + "'"));
  CHECK_THAT(full.err, Contains("File too large"));
  // The checkpoint claims no more than the output holds, and exactly what an uninterrupted run
  // wrote up to there.
  const std::string ck = slurp(s.ck);
  const std::string out = slurp(s.out);
  REQUIRE(!ck.empty());
  const auto covered = std::stoull(cli_test::checkpoint_field(ck, "output_offset"));
  CHECK(covered > 0);
  CHECK(covered <= out.size());
  CHECK(out.substr(0, covered) == ref.substr(0, covered));
  // Room again: the same command finishes the run, byte-identical to the uninterrupted one.
  const auto again = run(s.run_args() + " --checkpoint-every 50");
  CHECK(again.status == 0);
  CHECK(slurp(s.out) == ref);
}

TEST_CASE("durability cli: nothing is written before options, columns, input and checkpoint "
          "are checked", "[durability][cli]") {
  scene s("dur_validate", records(50));
  const std::string previous = "a,b,time,diff\n1,2,0,1\n";
  struct refused {
    const char* name;
    std::string command;
    std::string message;
  };
  const std::string hard = temp_path("dur_validate_hard.csv");
  const std::string link = temp_path("dur_validate_link.csv");
  std::remove(hard.c_str());
  std::remove(link.c_str());
  REQUIRE(::link(s.in.c_str(), hard.c_str()) == 0);
  REQUIRE(::symlink(s.in.c_str(), link.c_str()) == 0);
  const std::vector<refused> table = {
      {"typo in --y", rr + " --input " + s.in + " --y yy --output " + s.out, "unknown column 'yy'"},
      {"missing input", rr + " --input " + s.in + ".missing --output " + s.out, "cannot open"},
      {"stream_fit typo in --y", sf + " " + s.in + " --y yy --x x --output " + s.out, "yy"},
      {"stream_fit missing input", sf + " " + s.in + ".missing --y y --x x --output " + s.out,
       "cannot open"},
      {"checkpoint written with other arguments",
       rr + " --input " + s.in + " --compat --output " + s.out + " --checkpoint " + s.ck,
       "other arguments"},
  };
  // A checkpoint of another configuration, so that the last row is refused.
  REQUIRE(run(rr + " --input " + s.in + " --output " + s.ref + " --checkpoint " + s.ck).status == 0);
  for (const refused& c : table) {
    INFO(c.name);
    cli_test::write_temp("dur_validate_out.csv", previous);
    const auto r = run(c.command);
    CHECK(r.status == 2);
    CHECK_THAT(r.err, Contains(c.message));
    CHECK(slurp(s.out) == previous);  // the previous output is untouched
  }
  // An output that is the input (by name, hard link or symbolic link) or the checkpoint.
  const std::string input = slurp(s.in);
  for (const std::string& target : {s.in, hard, link}) {
    INFO("output " << target);
    const auto r = run(rr + " --input " + s.in + " --output " + target);
    CHECK(r.status == 2);
    CHECK_THAT(r.err, Contains("is the input file"));
    CHECK(slurp(s.in) == input);
    const auto f = run(sf + " " + s.in + " --y y --x x --output " + target);
    CHECK(f.status == 2);
    CHECK(slurp(s.in) == input);
  }
  const auto shell = run(rr + " --input " + s.in + " >>" + s.in);
  CHECK(shell.status == 2);
  CHECK_THAT(shell.err, Contains("standard output is the input file"));
  CHECK(slurp(s.in) == input);
  const std::string ck = slurp(s.ck);
  const auto same = run(rr + " --input " + s.in + " --output " + s.ck + " --checkpoint " + s.ck);
  CHECK(same.status == 2);
  CHECK(slurp(s.ck) == ck);
  // No header before a configuration error.
  const auto header = run(rr + " --input " + s.in + " --x nope");
  CHECK(header.status == 2);
  CHECK(header.out.empty());
  for (const auto& p : {hard, link}) std::remove(p.c_str());
}

TEST_CASE("durability cli: a resume verifies the output and the input, never trusts them",
          "[durability][cli][checkpoint]") {
  scene s("dur_resume", records(600));
  REQUIRE(run(rr + " --input " + s.in + " --output " + s.ref).status == 0);
  const std::string ref = slurp(s.ref);
  const std::string first = s.run_args() + " --checkpoint-every 40 --max-records 300";
  auto start = [&] {
    std::remove(s.ck.c_str());
    REQUIRE(run(first).status == 0);
  };
  struct change {
    const char* name;
    std::string output;  ///< what the output holds at the restart
    std::string message;
  };
  start();
  const std::string out = slurp(s.out), ck = slurp(s.ck);
  const std::vector<change> changes = {
      {"rotated (emptied, copytruncate)", "", "has 0 bytes, fewer than the"},
      {"shortened", out.substr(0, out.size() / 2), "fewer than the"},
      {"a byte changed", out.substr(0, 100) + "9" + out.substr(101), "differ from those the checkpoint covers"},
  };
  for (const change& c : changes) {
    INFO(c.name);
    write_temp("dur_resume_out.csv", c.output);
    const auto r = run(s.run_args());
    CHECK(r.status == 2);
    CHECK_THAT(r.err, Contains(c.message));
    CHECK(slurp(s.out) == c.output);
    CHECK(slurp(s.ck) == ck);
  }
  {
    INFO("missing output");
    std::remove(s.out.c_str());
    const auto r = run(s.run_args());
    CHECK(r.status == 2);
    CHECK_THAT(r.err, Contains("is missing"));
  }
  {
    INFO("another input under the same name");
    write_temp("dur_resume_out.csv", out);
    const std::string input = slurp(s.in);
    std::string other = input;
    other[40] = other[40] == '1' ? '2' : '1';
    write_temp("dur_resume_in.csv", other);
    const auto r = run(s.run_args());
    CHECK(r.status == 2);
    CHECK_THAT(r.err, Contains("lines of the input"));
    CHECK(slurp(s.out) == out);
    write_temp("dur_resume_in.csv", input.substr(0, 200));
    const auto shorter = run(s.run_args());
    CHECK(shorter.status == 2);
    CHECK_THAT(shorter.err, Contains("has fewer lines than the"));
    write_temp("dur_resume_in.csv", input);
  }
  {
    INFO("longer: rows written after the checkpoint by a run that stopped are cut and rewritten");
    write_temp("dur_resume_out.csv", out + "1,2,300,1\n9,9,3");
    const auto r = run(s.run_args());
    CHECK(r.status == 0);
    CHECK(slurp(s.out) == ref);
  }
}

TEST_CASE("durability cli: a growing file's unfinished last line is not a record",
          "[durability][cli][checkpoint]") {
  const std::string all = records(20);
  const std::size_t cut = all.find("\n15,") + 4;  // "15," written, the rest not yet
  scene s("dur_grow", all.substr(0, cut));
  const std::string ref = temp_path("dur_grow_all.csv");
  const std::string ref_in = write_temp("dur_grow_all_in.csv", all);
  REQUIRE(run(rr + " --input " + ref_in + " --output " + ref).status == 0);
  const auto part = run(s.run_args());
  CHECK(part.status == 0);
  CHECK_THAT(part.err, Contains("has no line end yet"));
  CHECK(cli_test::checkpoint_field(slurp(s.ck), "records") == "15");
  write_temp("dur_grow_in.csv", all);  // the line is finished, more follow
  const auto rest = run(s.run_args());
  CHECK(rest.status == 0);
  CHECK(slurp(s.out) == slurp(ref));
  for (const auto& p : {ref, ref_in}) std::remove(p.c_str());
}

TEST_CASE("durability cli: one run per checkpoint, unreadable is an error, links are kept",
          "[durability][cli][checkpoint]") {
  scene s("dur_lock", records(4000));
  const std::string other = temp_path("dur_lock_other.csv");
  const auto both = run(s.run_args() + " --max-rate 4000 2>/dev/null & first=$!; sleep 0.4; " + rr +
                        " --input " + s.in + " --output " + other + " --checkpoint " + s.ck +
                        "; echo status $?; echo pid $first; kill $first; wait $first");
  CHECK_THAT(both.out, Contains("status 2"));
  const std::string pid = both.out.substr(both.out.find("pid ") + 4, both.out.find('\n', both.out.find("pid ")) - both.out.find("pid ") - 4);
  CHECK_THAT(both.err, Contains("checkpoint '" + s.ck + "' is in use by process " + pid));
  CHECK(slurp(other).empty());  // refused before its output was opened
  std::remove(other.c_str());

  // A checkpoint that exists but cannot be read is an error, not a fresh start.
  std::remove(s.ck.c_str());
  REQUIRE(::mkdir(s.ck.c_str(), 0755) == 0);
  write_temp("dur_lock_out.csv", "keep\n");
  const auto dir = run(s.run_args());
  CHECK(dir.status == 2);
  CHECK_THAT(dir.err, Contains("cannot read '" + s.ck + "'"));
  CHECK(slurp(s.out) == "keep\n");
  ::rmdir(s.ck.c_str());
  if (::geteuid() != 0) {
    write_temp("dur_lock.ck", "streamreg-checkpoint 1 x\n");
    ::chmod(s.ck.c_str(), 0);
    const auto denied = run(s.run_args());
    CHECK(denied.status == 2);
    CHECK_THAT(denied.err, Contains("Permission denied"));
    CHECK(slurp(s.out) == "keep\n");
    std::remove(s.ck.c_str());
  } else {
    WARN("running as root: EACCES on the checkpoint cannot be provoked (the directory case ran)");
  }

  // A symbolic link to the checkpoint is followed: the target is replaced, the link kept.
  const std::string target = temp_path("dur_lock_target.ck");
  std::remove(target.c_str());
  REQUIRE(::symlink(target.c_str(), s.ck.c_str()) == 0);
  CHECK(run(s.run_args() + " --max-records 100").status == 0);
  struct stat st {};
  REQUIRE(::lstat(s.ck.c_str(), &st) == 0);
  CHECK(S_ISLNK(st.st_mode));
  CHECK(cli_test::checkpoint_field(slurp(target), "records") == "100");
  CHECK(run(s.run_args()).status == 0);
  CHECK(cli_test::checkpoint_field(slurp(target), "records") == "4000");
  for (const auto& p : {target, target + ".lock", target + ".tmp"}) std::remove(p.c_str());
}

TEST_CASE("durability cli: impossible restored values are refused with the field named",
          "[durability][cli][checkpoint]") {
  scene s("dur_values", records(60));
  REQUIRE(run(s.run_args() + " --max-records 30 --weight y").status == 0);
  const std::string ck = slurp(s.ck), out = slurp(s.out);
  struct value_case {
    std::string name, value, message;
  };
  const std::vector<value_case> table = {
      {"sxx", "-0x1p+0", "field 'sxx' must be >= 0"},
      {"sse", "nan", "field 'sse' must be finite"},
      {"sse", "-0x1p-3", "field 'sse' must be >= 0"},
      {"mx", "inf", "field 'mx' must be finite"},
      {"w", "-0x1p+0", "field 'w' must be >= 0"},
      {"emit_every", "0", "field 'emit_every' must be >= 1"},
      {"since_emit", "5", "field 'since_emit' must be < emit_every"},
      {"skipped", "31", "field 'skipped' is larger than 'records'"},
      {"output_offset", "100000000000", "fewer than the 100000000000 the checkpoint covers"},
      {"input_bytes", "3", "field 'input_bytes' is smaller than the lines consumed"},
  };
  for (const value_case& c : table) {
    INFO(c.name << " " << c.value);
    write_temp("dur_values.ck", forged(ck, c.name, c.value));
    const auto r = run(s.run_args() + " --weight y");
    CHECK(r.status == 2);
    CHECK_THAT(r.err, Contains(c.message));
    CHECK(slurp(s.out) == out);
  }
  // A checkpoint of the previous format (version 1 of realtime_regression's state) is named.
  write_temp("dur_values.ck",
             "streamreg-checkpoint 1 realtime_regression/regressor<moments<double>>\nn 0\n");
  const auto old = run(s.run_args() + " --weight y");
  CHECK(old.status == 2);
  CHECK_THAT(old.err, Contains("written by an earlier version of realtime_regression"));
}

TEST_CASE("durability cli: bounded lines and options checked under their own names",
          "[durability][cli]") {
  const std::string zeros = temp_path("dur_zeros");
  run("head -c 3000000 /dev/zero >" + zeros);
  const auto z = run(rr + " --input " + zeros);
  CHECK(z.status == 1);
  CHECK_THAT(z.err, Contains("line 1: longer than the maximum line length of 1048576 bytes"));
  const auto zs = run(sf + " " + zeros + " --y y --x x");
  CHECK(zs.status == 1);
  CHECK_THAT(zs.err, Contains("line 1: longer than the maximum line length"));
  const std::string in = write_temp("dur_long.csv", "x,y\n1,2\n2," + std::string(100, '3') + "\n");
  const auto l = run(rr + " --input " + in + " --max-line 64");
  CHECK(l.status == 1);
  CHECK_THAT(l.err, Contains("line 3: longer than the maximum line length of 64 bytes"));
  CHECK(cli_test::lines(l.out).size() == 2);  // the header and the first record's insertion
  CHECK(run(rr + " --help").out.find("--max-line") != std::string::npos);
  CHECK_THAT(run(rr + " --help").out, Contains("1048576"));
  struct option_case {
    std::string args, message;
  };
  for (const option_case& c : std::vector<option_case>{
           {"--max-rate nan", "--max-rate"},
           {"--max-rate 1e-10", "--max-rate"},
           {"--max-rate -1", "--max-rate"},
           {"--window 100000000000000", "--window 100000000000000: its records need"},
           {"--half-life 1e-17", "--half-life 1e-17: too short"},
       }) {
    INFO(c.args);
    const auto r = run(rr + " " + c.args);
    CHECK(r.status == 2);
    CHECK(r.out.empty());
    CHECK_THAT(r.err, Contains(c.message));
  }
  const auto w = run(sf + " " + in + " --y y --x x --window 100000000000000");
  CHECK(w.status == 2);
  CHECK_THAT(w.err, Contains("--window 100000000000000"));
  for (const auto& p : {zeros, in}) std::remove(p.c_str());
}

TEST_CASE("durability cli: messages show NUL and invalid UTF-8 as escapes, name UTF-16 and -32",
          "[durability][cli]") {
  const std::string nul = write_temp("dur_nul.csv", std::string("x,y\n1,2\n2,3\0x\n", 14));
  const auto n = run(rr + " --input " + nul);
  CHECK(n.status == 1);
  CHECK_THAT(n.err, Contains("line 3, column 2 (y): not a number: '3\\x00x'"));
  const std::string bad = write_temp("dur_utf8.csv", "x,y\n1,2\n2,\xff\xc3(\n");
  const auto u = run(rr + " --input " + bad);
  CHECK(u.status == 1);
  CHECK_THAT(u.err, Contains("'\\xff\\xc3('"));
  struct bom {
    std::string bytes, encoding;
  };
  for (const bom& b : std::vector<bom>{{std::string("\xff\xfex\0,\0y\0\n\0", 10), "UTF-16LE"},
                                       {std::string("\xfe\xff\0x\0,\0y\0\n", 10), "UTF-16BE"},
                                       {std::string("\xff\xfe\0\0x\0\0\0", 8), "UTF-32LE"},
                                       {std::string("\0\0\xfe\xffx", 5), "UTF-32BE"}}) {
    INFO(b.encoding);
    const std::string f = write_temp("dur_bom.csv", b.bytes);
    const auto r = run(rr + " --input " + f);
    CHECK(r.status == 2);
    CHECK_THAT(r.err, Contains("is " + b.encoding + " text (it starts with the byte order mark"));
    const auto q = run(sf + " " + f + " --y y --x x");
    CHECK(q.status == 2);
    CHECK_THAT(q.err, Contains(b.encoding));
    std::remove(f.c_str());
  }
  for (const auto& p : {nul, bad}) std::remove(p.c_str());
}
