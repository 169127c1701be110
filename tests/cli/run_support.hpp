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

/// 17 significant digits, as the binaries read and write them.
inline std::string g17(double v) {
  char buf[32];
  std::snprintf(buf, sizeof buf, "%.17g", v);
  return buf;
}

// The reference workflow's output for seed_stream.csv (DESIGN.md section 7): inserted (a, b)
// at times 1..9.
inline const double seed_reference[10][2] = {{0, 0},
                                             {0.06888437030500971, 0.9827065102830508},
                                             {0.07724821608916699, 0.9576149729305795},
                                             {0.0769101730536299, 0.9581220374838857},
                                             {0.05833884879671927, 0.9766933617407955},
                                             {0.05087576879874134, 0.9822906717392795},
                                             {0.03085078333935821, 0.9943056630149089},
                                             {0.03590542987734715, 0.9917783397459139},
                                             {0.03198741430177742, 0.9934574892783012},
                                             {0.025649728471303895, 0.9958341214647295}};

}  // namespace cli_test
