// SPDX-License-Identifier: MIT
// Running the example binaries from tests: a shell command with its output captured, lines
// and fields of CSV output, temporary files.
#pragma once

#include <sys/wait.h>
#include <unistd.h>

#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <sstream>
#include <string>
#include <vector>

#include <catch2/catch.hpp>

#include "support/format.hpp"
#include "support/seed_reference.hpp"
#include "support/strict_json.hpp"

namespace cli_test {

struct result {
  int status = -1;
  std::string out, err;
};

inline std::string slurp(const std::string& path) {
  std::ifstream f(path, std::ios::binary);
  std::ostringstream s;
  s << f.rdbuf();
  return s.str();
}

inline std::string temp_path(const std::string& name) {
  const char* dir = std::getenv("TMPDIR");
  return std::string(dir ? dir : "/tmp") + "/streamreg_cli_" + std::to_string(::getpid()) + "_" +
         name;
}

/// Runs `command` through the shell with stdout and stderr captured.
inline result run(const std::string& command) {
  const std::string out = temp_path("out"), err = temp_path("err");
  const int raw = std::system(("(" + command + ") >" + out + " 2>" + err + " </dev/null").c_str());
  result r;
  r.status = WIFEXITED(raw) ? WEXITSTATUS(raw) : -1;
  r.out = slurp(out);
  r.err = slurp(err);
  std::remove(out.c_str());
  std::remove(err.c_str());
  // Every JSON line a binary writes must be strict JSON (no inf, nan, trailing commas).
  std::istringstream lines_out(r.out);
  for (std::string l; std::getline(lines_out, l);) {
    if (l.empty() || l[0] != '{') continue;
    INFO(command << "\nwrote: " << l);
    CHECK(streamreg_test::strict_json::check(l) == "");
  }
  return r;
}

inline std::vector<std::string> lines(const std::string& text) {
  std::vector<std::string> v;
  std::istringstream s(text);
  for (std::string l; std::getline(s, l);) v.push_back(l);
  return v;
}

inline std::vector<std::string> fields(const std::string& line, char sep = ',') {
  std::vector<std::string> v;
  std::string f;
  std::istringstream s(line);
  while (std::getline(s, f, sep)) v.push_back(f);
  if (!line.empty() && line.back() == sep) v.emplace_back();
  return v;
}

inline std::string write_temp(const std::string& name, const std::string& text) {
  const std::string p = temp_path(name);
  std::ofstream(p, std::ios::binary) << text;
  return p;
}

using streamreg_test::g17;

using streamreg_test::seed_reference;

}  // namespace cli_test
