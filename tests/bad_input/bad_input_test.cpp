// SPDX-License-Identifier: MIT
// The bad-input catalogue, library level: CSV and JSON lines through the real readers into a
// regressor, checkpoints through restore_checkpoint, configurations and refused records of the
// states. Each row states its expected behaviour (an error naming line and column or field, a
// skip, or acceptance) and the test proves that the state afterwards equals, bit for bit, the
// state of the same input without the bad record, fed directly to a regressor.
#include <catch2/catch.hpp>

#include <streamreg/checkpoint.hpp>
#include <streamreg/forgetting.hpp>
#include <streamreg/io/csv.hpp>
#include <streamreg/streamreg.hpp>
#include <streamreg/window.hpp>
#ifdef STREAMREG_TEST_JSON
#include <streamreg/json/jsonl.hpp>
#endif

#include <cmath>
#include <cstdint>
#include <limits>
#include <string>
#include <string_view>
#include <vector>

namespace {

using Catch::Matchers::Contains;
using streamreg::io::error_policy;

using reg_type = streamreg::regressor<streamreg::moments<double>>;

struct rec {
  double x, y;
};

/// The checkpoint text of a regressor fed `records` directly (the reference state).
std::string reference(const std::vector<rec>& records, std::size_t n = SIZE_MAX) {
  reg_type r;
  for (std::size_t i = 0; i < records.size() && i < n; ++i) r.push(records[i].x, records[i].y);
  return streamreg::save_checkpoint(r);
}

enum class input { csv, jsonl };
enum class expect {
  error,     ///< a bad record: fail raises parse_error naming it, skip counts it
  accepted,  ///< read as the good records say (blank lines, extra fields, subnormals ...)
  config,    ///< the reader refuses to start: config_error, nothing read
};

struct text_case {
  const char* name;
  input kind;
  std::string text;
  expect what;
  std::vector<rec> good;       ///< the records of the input without the bad ones
  std::size_t before = 0;      ///< good records before the first bad one
  std::uint64_t line = 0;      ///< the first bad line
  std::size_t column = 0;      ///< CSV: its 1-based column (0: the whole line)
  std::string name_at_fault{};  ///< the column's or field's name ("" when the line is at fault)
  std::string message{};       ///< part of the message
  std::uint64_t bad = 1;       ///< bad records (the skip count)
  std::vector<std::string> columns = {"x", "y"};
};

struct outcome {
  std::string state;
  std::uint64_t skipped = 0;
  bool parse_failed = false, config_failed = false;
  std::string message;
  std::uint64_t line = 0;
  std::size_t column = 0;
  std::string name;
};

template <class Reader>
void drain(Reader& in, error_policy policy, reg_type& reg, outcome& o) {
  const auto s = streamreg::io::read_all(
      in, policy, [&reg](const std::vector<double>& v, std::uint64_t) { reg.push(v[0], v[1]); },
      [](const streamreg::parse_error&) {});
  o.skipped = s.skipped;
}

#ifdef STREAMREG_TEST_JSON
template <class T>
streamreg::io::read_summary read_json(streamreg::json::jsonl_reader<T>& in, error_policy policy,
                                      reg_type& reg) {
  return streamreg::json::read_all(
      in, policy, [&reg](const std::vector<double>& v, std::uint64_t) { reg.push(v[0], v[1]); },
      [](const streamreg::parse_error&) {});
}
#endif

outcome run_case(const text_case& c, error_policy policy) {
  outcome o;
  reg_type reg;
  try {
    if (c.kind == input::csv) {
      std::vector<streamreg::io::column> cols;
      for (const auto& s : c.columns) cols.push_back(streamreg::io::column::parse(s));
      streamreg::io::csv_reader<double> in(std::string_view(c.text), cols);
      drain(in, policy, reg, o);
    } else {
#ifdef STREAMREG_TEST_JSON
      streamreg::json::jsonl_reader<double> in(std::string_view(c.text), c.columns);
      o.skipped = read_json(in, policy, reg).skipped;
#endif
    }
  } catch (const streamreg::parse_error& e) {
    o.parse_failed = true;
    o.message = e.what();
    o.line = e.line();
    o.column = e.column();
    o.name = e.column_name();
  } catch (const streamreg::config_error& e) {
    o.config_failed = true;
    o.message = e.what();
  }
  o.state = streamreg::save_checkpoint(reg);
  return o;
}

// A stream of four good records with one line in the middle (line 4 of the CSV, line 3 of
// the JSON lines).
const std::vector<rec> four = {{1, 2}, {2, 3.5}, {4, 8.25}, {5, 9}};
std::string csv_with(const std::string& bad) {
  return "x,y\n1,2\n2,3.5\n" + bad + "\n4,8.25\n5,9\n";
}
std::string jsonl_with(const std::string& bad) {
  return "{\"x\":1,\"y\":2}\n{\"x\":2,\"y\":3.5}\n" + bad + "\n{\"x\":4,\"y\":8.25}\n{\"x\":5,\"y\":9}\n";
}
std::vector<rec> four_with(rec r) { return {{1, 2}, {2, 3.5}, r, {4, 8.25}, {5, 9}}; }

text_case csv_error(const char* name, const std::string& bad_line, std::size_t column,
                    const std::string& col_name, const std::string& message) {
  return {name, input::csv, csv_with(bad_line), expect::error, four, 2, 4, column, col_name,
          message};
}
text_case csv_ok(const char* name, const std::string& line, std::vector<rec> good) {
  return {name, input::csv, csv_with(line), expect::accepted, std::move(good)};
}
text_case json_error(const char* name, const std::string& bad_line, const std::string& field,
                     const std::string& message) {
  return {name, input::jsonl, jsonl_with(bad_line), expect::error, four, 2, 3, 0, field, message};
}
text_case json_ok(const char* name, const std::string& line, std::vector<rec> good) {
  return {name, input::jsonl, jsonl_with(line), expect::accepted, std::move(good)};
}

const double denorm = std::numeric_limits<double>::denorm_min();
const std::string mib_plus(1024 * 1024 + 100, '9');      // a 1 MiB number
const std::string mib_blanks(1024 * 1024 + 100, ' ');    // a 1 MiB run of blanks
const std::string mib_text(1024 * 1024 + 100, 'a');      // a 1 MiB string

std::vector<text_case> text_cases() {
  std::vector<text_case> v = {
      // ---- CSV: fields
      csv_error("csv: non-numeric field", "3,abc", 2, "y", "not a number: 'abc'"),
      csv_error("csv: number with trailing text", "3,6kg", 2, "y", "not a number: '6kg'"),
      csv_error("csv: empty field", "3,", 2, "y", "not a number"),
      csv_error("csv: missing field", "3", 2, "y", "missing field (the line has 1)"),
      csv_ok("csv: extra field is not read", "3,6,extra", four_with({3, 6})),
      csv_ok("csv: empty line is skipped, not counted", "", four),
      csv_ok("csv: blank line is skipped", "  \t ", four),
      csv_ok("csv: comment line is skipped", "# 3,abc", four),
      csv_error("csv: overflow 1e400", "1e400,6", 1, "x", "number out of range: '1e400'"),
      csv_error("csv: negative overflow", "3,-1e400", 2, "y", "number out of range"),
      csv_error("csv: underflow below the subnormals", "1e-400,6", 1, "x", "number out of range"),
      csv_ok("csv: subnormal is accepted", "4.9406564584124654e-324,6", four_with({denorm, 6})),
      csv_ok("csv: smallest normal is accepted", "2.2250738585072014e-308,6",
             four_with({std::numeric_limits<double>::min(), 6})),
      csv_error("csv: nan", "nan,6", 1, "x", "not a finite number: 'nan'"),
      csv_error("csv: NaN", "3,NaN", 2, "y", "not a finite number"),
      csv_error("csv: -nan", "3,-nan", 2, "y", "not a finite number"),
      csv_error("csv: nan with payload", "3,nan(0x7)", 2, "y", "not a finite number"),
      csv_error("csv: inf", "inf,6", 1, "x", "not a finite number"),
      csv_error("csv: -Infinity", "3,-Infinity", 2, "y", "not a finite number"),
      csv_error("csv: INF", "3,INF", 2, "y", "not a finite number"),
      csv_error("csv: hexadecimal is not a number", "0x10,6", 1, "x", "not a number"),
      csv_error("csv: two signs", "+-3,6", 1, "x", "not a number"),
      csv_ok("csv: a leading plus is accepted", "+3,+6", four_with({3, 6})),
      csv_ok("csv: blanks around fields are accepted", "  3 ,\t6  ", four_with({3, 6})),
      csv_ok("csv: quoted numbers are accepted", "\"3\",\"6\"", four_with({3, 6})),
      csv_error("csv: unterminated quote", "\"3,6", 1, "x", "unterminated quote"),
      csv_error("csv: text after a closing quote", "\"3\"x,6", 1, "x",
                "text after a closing quote"),
      csv_error("csv: huge line of digits (> 1 MiB)", "3," + mib_plus, 2, "y",
                "number out of range"),
      csv_ok("csv: huge line of blanks (> 1 MiB) around a number", "3," + mib_blanks + "6",
             four_with({3, 6})),
      csv_error("csv: invalid UTF-8", "\xff\xfe,6", 1, "x", "not a number"),
      csv_error("csv: header repeated as a data line", "x,y", 1, "x", "not a number: 'x'"),
      // ---- CSV: whole-input shapes
      {"csv: CRLF line ends are accepted", input::csv, "x,y\r\n1,2\r\n2,3.5\r\n4,8.25\r\n5,9\r\n",
       expect::accepted, four},
      {"csv: byte order mark is dropped", input::csv, "\xEF\xBB\xBFx,y\n1,2\n2,3.5\n4,8.25\n5,9\n",
       expect::accepted, four},
      {"csv: no final newline", input::csv, "x,y\n1,2\n2,3.5\n4,8.25\n5,9", expect::accepted, four},
      {"csv: header only: no records", input::csv, "x,y\n", expect::accepted, {}},
      {"csv: two bad rows are both counted", input::csv, "x,y\n1,2\n2,3.5\nq,1\n4,8.25\n1,q\n5,9\n",
       expect::error, four, 2, 4, 1, "x", "not a number: 'q'", 2},
      {"csv: CR-only line ends", input::csv, "x,y\r1,2\r2,3.5\r4,8.25\r5,9\r", expect::config, {},
       0, 0, 0, "", "the header holds a carriage return (do the lines end with CR only?"},
      {"csv: header missing, columns by name", input::csv, "1,2\n2,3.5\n", expect::config, {}, 0,
       0, 0, "", "unknown column 'x' (the header has: 1, 2)"},
      {"csv: unknown column name", input::csv, csv_with("3,6"), expect::config, {}, 0, 0, 0, "",
       "unknown column 'z' (the header has: x, y)", 1, {"x", "z"}},
      {"csv: column number beyond the header", input::csv, csv_with("3,6"), expect::config, {}, 0,
       0, 0, "", "column 3 is beyond the header's 2 columns", 1, {"x", "3"}},
      {"csv: selected name twice in the header", input::csv, "x,y,y\n1,2,3\n", expect::config, {},
       0, 0, 0, "", "column 'y' appears twice in the header (columns 2 and 3)"},
      {"csv: empty input", input::csv, "", expect::config, {}, 0, 0, 0, "",
       "the input is empty: no header line"},
#ifdef STREAMREG_TEST_JSON
      // ---- JSON lines
      json_error("json: string value", "{\"x\":3,\"y\":\"6\"}", "y", "a string, not a number"),
      json_error("json: null value", "{\"x\":3,\"y\":null}", "y", "null, not a number"),
      json_error("json: boolean value", "{\"x\":true,\"y\":6}", "x", "a boolean, not a number"),
      json_error("json: array value", "{\"x\":[3],\"y\":6}", "x", "an array, not a number"),
      json_error("json: missing field", "{\"x\":3}", "y", "missing field"),
      json_ok("json: extra field is ignored", "{\"x\":3,\"z\":\"s\",\"y\":6}", four_with({3, 6})),
      json_error("json: duplicate field", "{\"x\":3,\"y\":6,\"y\":7}", "y", "duplicate field"),
      json_error("json: overflow 1e400", "{\"x\":3,\"y\":1e400}", "y", "number out of range"),
      json_ok("json: subnormal is accepted", "{\"x\":4.9406564584124654e-324,\"y\":6}",
              four_with({denorm, 6})),
      json_error("json: NaN is not JSON", "{\"x\":3,\"y\":NaN}", "", "not valid JSON"),
      json_error("json: Infinity is not JSON", "{\"x\":3,\"y\":-Infinity}", "y",
                 "malformed number: '-Infinity'"),
      json_error("json: invalid UTF-8 in an unselected field", "{\"x\":3,\"y\":6,\"z\":\"\xff\"}",
                 "", "not valid JSON"),
      json_error("json: truncated object", "{\"x\":3,\"y\":", "", "not valid JSON"),
      json_error("json: not an object", "[3,6]", "", "not a JSON object"),
      json_ok("json: empty line is skipped", "", four),
      json_ok("json: huge line (> 1 MiB) with a long unselected string",
              "{\"x\":3,\"pad\":\"" + mib_text + "\",\"y\":6}", four_with({3, 6})),
      json_error("json: huge line (> 1 MiB) of a malformed number", "{\"x\":3,\"y\":" + mib_plus + "}",
                 "y", "number out of range"),
      {"json: CR-only line ends make one bad line", input::jsonl,
       "{\"x\":1,\"y\":2}\r{\"x\":2,\"y\":3.5}\r", expect::error, {}, 0, 1, 0, "",
       "not valid JSON"},
#endif
  };
  return v;
}

}  // namespace

TEST_CASE("bad input: CSV and JSON lines catalogue", "[bad_input]") {
  for (const text_case& c : text_cases()) {
    INFO("case: " << c.name);
    const std::string all = reference(c.good);
    if (c.what == expect::config) {
      for (error_policy p : {error_policy::fail, error_policy::skip}) {
        const outcome o = run_case(c, p);
        CHECK(o.config_failed);
        CHECK_THAT(o.message, Contains(c.message));
        CHECK(o.state == reference({}));
      }
      continue;
    }
    if (c.what == expect::accepted) {
      for (error_policy p : {error_policy::fail, error_policy::skip, error_policy::stop}) {
        const outcome o = run_case(c, p);
        CHECK_FALSE(o.parse_failed);
        CHECK_FALSE(o.config_failed);
        CHECK(o.skipped == 0);
        CHECK(o.state == all);
      }
      continue;
    }
    // fail: the error names the record, the state holds exactly the records before it.
    const outcome f = run_case(c, error_policy::fail);
    CHECK(f.parse_failed);
    CHECK(f.line == c.line);
    CHECK(f.name == c.name_at_fault);
    if (c.kind == input::csv) CHECK(f.column == c.column);
    CHECK_THAT(f.message, Contains("line " + std::to_string(c.line)));
    CHECK_THAT(f.message, Contains(c.message));
    CHECK(f.message.size() < 400);  // a huge field is shown as an excerpt
    CHECK(f.state == reference(c.good, c.before));
    // skip: every good record, the bad ones counted.
    const outcome s = run_case(c, error_policy::skip);
    CHECK_FALSE(s.parse_failed);
    CHECK(s.skipped == c.bad);
    CHECK(s.state == all);
    // stop: the records before the first bad one.
    const outcome t = run_case(c, error_policy::stop);
    CHECK_FALSE(t.parse_failed);
    CHECK(t.state == reference(c.good, c.before));
  }
  CHECK(text_cases().size() >= 40);
}

TEST_CASE("bad input: CSV header missing, columns by number: first record is the header",
          "[bad_input]") {
  // Documented behaviour (header = true): the first line names the columns, whatever it
  // holds. With header = false or detect = true the first line is a record.
  const std::string text = "1,2\n2,3.5\n4,8.25\n5,9\n";
  const std::vector<streamreg::io::column> cols{streamreg::io::column::at(1),
                                                streamreg::io::column::at(2)};
  auto read = [&](streamreg::io::csv_format fmt) {
    reg_type reg;
    streamreg::io::csv_reader<double> in(std::string_view(text), cols, fmt);
    outcome o;
    drain(in, error_policy::fail, reg, o);
    return streamreg::save_checkpoint(reg);
  };
  CHECK(read({}) == reference({{2, 3.5}, {4, 8.25}, {5, 9}}));
  streamreg::io::csv_format no_header;
  no_header.header = false;
  CHECK(read(no_header) == reference(four));
  streamreg::io::csv_format detect;
  detect.detect = true;
  CHECK(read(detect) == reference(four));
}

// ---------------------------------------------------------------------------------------------
// Checkpoints
// ---------------------------------------------------------------------------------------------

namespace {

template <class T>
void expect_refused(const std::string& text, T& target, const std::string& message) {
  const std::string before = streamreg::save_checkpoint(target);
  bool refused = false;
  try {
    streamreg::restore_checkpoint(text, target);
  } catch (const streamreg::checkpoint_error& e) {
    refused = true;
    CHECK_THAT(std::string(e.what()), Contains(message));
  }
  CHECK(refused);
  CHECK(streamreg::save_checkpoint(target) == before);
}

/// The checkpoint text with its checksum recomputed (a crafted, well-formed checkpoint).
std::string resealed(std::string text) {
  const std::size_t tail = text.rfind("checksum ");
  text.resize(tail);
  return text + "checksum " +
         streamreg::detail::checksum_line(streamreg::detail::fnv1a(text));
}

std::string replace_once(std::string s, const std::string& from, const std::string& to) {
  const std::size_t p = s.find(from);
  REQUIRE(p != std::string::npos);
  return s.replace(p, from.size(), to);
}

reg_type filled_regressor() {
  reg_type r;
  for (const rec& p : four) r.push(p.x, p.y);
  return r;
}

}  // namespace

TEST_CASE("bad input: checkpoint truncated at every length is refused, target unchanged",
          "[bad_input][checkpoint]") {
  const std::string text = streamreg::save_checkpoint(filled_regressor());
  reg_type target;
  target.push(7, 7);
  target.push(8, 9);
  for (std::size_t n = 0; n < text.size(); ++n) {
    INFO("length " << n);
    expect_refused(text.substr(0, n), target, "checkpoint: ");
  }
}

TEST_CASE("bad input: checkpoint with any bit flipped is refused, target unchanged",
          "[bad_input][checkpoint]") {
  const std::string text = streamreg::save_checkpoint(filled_regressor());
  reg_type target;
  target.push(7, 7);
  for (std::size_t i = 0; i < text.size(); ++i)
    for (int b = 0; b < 8; ++b) {
      std::string t = text;
      t[i] = static_cast<char>(static_cast<unsigned char>(t[i]) ^ (1u << b));
      INFO("byte " << i << " bit " << b);
      expect_refused(t, target, "checkpoint: ");
    }
}

TEST_CASE("bad input: checkpoint version, type and configuration mismatches",
          "[bad_input][checkpoint]") {
  const std::string text = streamreg::save_checkpoint(filled_regressor());
  reg_type target;
  target.push(7, 7);
  SECTION("version 2") {
    expect_refused(resealed(replace_once(text, "streamreg-checkpoint 1", "streamreg-checkpoint 2")),
                   target, "format version 2, this library reads version 1");
  }
  SECTION("version 0") {
    expect_refused(resealed(replace_once(text, "streamreg-checkpoint 1", "streamreg-checkpoint 0")),
                   target, "format version 0");
  }
  SECTION("not a checkpoint") { expect_refused("x,y\n1,2\n", target, "not a streamreg checkpoint"); }
  SECTION("empty text") { expect_refused("", target, "not a streamreg checkpoint"); }
  SECTION("trailing text after the checksum") {
    expect_refused(text + "x", target, "checksum mismatch");
  }
  SECTION("another type") {
    streamreg::moments<double> m;
    m.push(1, 2);
    expect_refused(streamreg::save_checkpoint(m), target, "holds 'moments<double>'");
  }
  SECTION("another scalar type") {
    streamreg::regressor<streamreg::moments<float>> f;
    expect_refused(streamreg::save_checkpoint(f), target, "not 'regressor<moments<double>>'");
  }
  SECTION("a field renamed, checksum recomputed") {
    expect_refused(resealed(replace_once(text, "\nsxx ", "\nsxz ")), target,
                   "expected field 'sxx'");
  }
  SECTION("a malformed value, checksum recomputed") {
    expect_refused(resealed(replace_once(text, "\nindex 4", "\nindex 4q")), target,
                   "bad value for field 'index'");
  }
  SECTION("an extra field, checksum recomputed") {
    const std::size_t tail = text.rfind("checksum ");
    expect_refused(resealed(text.substr(0, tail) + "extra 1\n" + text.substr(tail)), target,
                   "unexpected fields after the last one");
  }
  SECTION("window size differs") {
    streamreg::count_window<> w(3);
    w.push(1, 2);
    streamreg::count_window<> other(4);
    expect_refused(streamreg::save_checkpoint(w), other, "the window size differs");
  }
  SECTION("window span differs") {
    streamreg::time_window<> w(3.0);
    w.push_at(0, 1, 2);
    streamreg::time_window<> other(4.0);
    expect_refused(streamreg::save_checkpoint(w), other, "the window span differs");
  }
  SECTION("forgetting factor differs") {
    auto f = streamreg::forgetting<>::per_record(0.5);
    f.push(1, 2);
    auto other = streamreg::forgetting<>::per_record(0.9);
    expect_refused(streamreg::save_checkpoint(f), other, "the forgetting factor differs");
  }
}

// ---------------------------------------------------------------------------------------------
// Records the states refuse, and configurations outside their range
// ---------------------------------------------------------------------------------------------

TEST_CASE("bad input: refused records leave the state as without them, counted",
          "[bad_input][states]") {
  const double nan = std::numeric_limits<double>::quiet_NaN();
  const double inf = std::numeric_limits<double>::infinity();
  struct weight_case {
    const char* name;
    double w;
  };
  for (const weight_case& c : {weight_case{"negative weight", -1.0}, weight_case{"zero weight", 0.0},
                               weight_case{"-0 weight", -0.0}, weight_case{"NaN weight", nan},
                               weight_case{"infinite weight", inf}}) {
    INFO("case: " << c.name);
    reg_type with, without;
    for (const rec& p : four) {
      with.push(p.x, p.y, 1.5);
      without.push(p.x, p.y, 1.5);
    }
    CHECK_FALSE(with.push(3, 6, c.w));
    CHECK(with.state() == without.state());
    CHECK(with.rejected() == 1);
    CHECK(with.accepted() == without.accepted());
    streamreg::count_window<> cw(3), cw0(3);
    for (const rec& p : four) {
      cw.push(p.x, p.y);
      cw0.push(p.x, p.y);
    }
    CHECK_FALSE(cw.push(3, 6, c.w));
    CHECK(cw == cw0);
    auto fg = streamreg::forgetting<>::per_record(0.9), fg0 = fg;
    for (const rec& p : four) {
      fg.push(p.x, p.y);
      fg0.push(p.x, p.y);
    }
    CHECK_FALSE(fg.push(3, 6, c.w));
    CHECK(fg == fg0);
  }
  SECTION("NaN and infinite x or y pushed directly") {
    reg_type with = filled_regressor();
    const reg_type without = filled_regressor();
    CHECK_FALSE(with.push(nan, 1));
    CHECK_FALSE(with.push(1, -inf));
    CHECK(with.state() == without.state());
    CHECK(with.rejected() == 2);
  }
  SECTION("time window: a record earlier than the newest") {
    using tw_reg = streamreg::regressor<streamreg::time_window<>>;
    tw_reg with(streamreg::time_window<>(10.0), {}), without(streamreg::time_window<>(10.0), {});
    const double times[] = {1, 2, 4, 5};
    for (std::size_t i = 0; i < four.size(); ++i) {
      if (i == 2) {
        CHECK_FALSE(with.push_at(1.5, 3, 6));  // out of order
        CHECK_FALSE(with.push_at(nan, 3, 6));  // no time
      }
      CHECK(with.push_at(times[i], four[i].x, four[i].y));
      without.push_at(times[i], four[i].x, four[i].y);
    }
    CHECK(with.state() == without.state());
    CHECK(with.rejected() == 2);
    CHECK(with.accepted() == 4);
    CHECK(streamreg::save_checkpoint(with.state()) == streamreg::save_checkpoint(without.state()));
  }
  SECTION("forgetting in event time: a record earlier than the last") {
    auto with = streamreg::forgetting<>::half_life_time(3.0), without = with;
    const double times[] = {1, 2, 4, 5};
    for (std::size_t i = 0; i < four.size(); ++i) {
      if (i == 2) CHECK_FALSE(with.push_at(1.5, 3, 6));
      CHECK(with.push_at(times[i], four[i].x, four[i].y));
      without.push_at(times[i], four[i].x, four[i].y);
    }
    CHECK(with == without);
  }
}

TEST_CASE("bad input: configurations outside their range are config errors",
          "[bad_input][config]") {
  const double nan = std::numeric_limits<double>::quiet_NaN();
  const double inf = std::numeric_limits<double>::infinity();
  using streamreg::config_error;
  CHECK_THROWS_AS(streamreg::count_window<>(0), config_error);
  CHECK_THROWS_WITH(streamreg::count_window<>(0), Contains("window size must be at least 1"));
  for (double span : {0.0, -1.0, nan, inf}) {
    INFO("span " << span);
    CHECK_THROWS_WITH(streamreg::time_window<>(span), Contains("span must be positive and finite"));
  }
  for (double lambda : {0.0, -0.5, 1.5, 1.0000000000000002, nan, inf}) {
    INFO("lambda " << lambda);
    CHECK_THROWS_WITH(streamreg::forgetting<>::per_record(lambda),
                      Contains("factor must be in (0, 1]"));
  }
  for (double h : {0.0, -2.0, nan, inf}) {
    INFO("half-life " << h);
    CHECK_THROWS_AS(streamreg::forgetting<>::half_life(h), config_error);
    CHECK_THROWS_AS(streamreg::forgetting<>::half_life_time(h), config_error);
  }
  SECTION("lambda = 1 is accepted and forgets nothing") {
    auto f = streamreg::forgetting<>::per_record(1.0);
    streamreg::moments<double> m;
    for (const rec& p : four) {
      f.push(p.x, p.y);
      m.push(p.x, p.y);
    }
    CHECK(f.state() == m);
  }
  SECTION("smallest lambda above 0 is accepted") {
    CHECK_NOTHROW(streamreg::forgetting<>::per_record(denorm));
  }
}
