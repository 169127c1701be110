// SPDX-License-Identifier: MIT
// A reader for any NIST StRD linear-regression file (several x columns, polynomial models,
// no-intercept models): certified estimates and standard deviations of B0..Bk (B1 only for
// the no-intercept files), the residual standard deviation, R², and the data block. Nothing
// here uses streamreg code.
#pragma once

#include <cstddef>    // std::size_t
#include <fstream>    // std::ifstream
#include <sstream>    // std::ostringstream
#include <stdexcept>  // std::runtime_error
#include <string>     // std::string
#include <utility>    // std::move
#include <vector>     // std::vector

#include "oracle.hpp"

namespace streamreg_test {

/// A linear StRD set as parsed from its file.
struct nist_linear {
  std::string name;
  bool intercept = true;            ///< false when the certified table has no B0 row
  std::vector<double> estimate;     ///< certified B0..Bk (B1.. without intercept)
  std::vector<double> estimate_sd;  ///< their certified standard deviations
  double residual_sd = 0;
  double r_squared = 0;             ///< uncentred without intercept, as NIST defines it
  std::vector<double> y;            ///< responses in file order
  std::vector<std::vector<double>> x;  ///< x[i]: the x columns of record i
  std::size_t columns() const { return x.empty() ? 0 : x.front().size(); }
};

/// Reads a linear StRD file: certified rows `Bj estimate sd` from the header text (the
/// residual SD's label spans two lines, "Residual" then "Standard Deviation value"), data
/// rows `y x1 ... xm` after the last line beginning with "Data:", blank lines skipped, CRLF
/// or LF.
inline nist_linear read_nist_linear(const std::string& path, const std::string& name) {
  std::ifstream in(path, std::ios::binary);
  if (!in) throw std::runtime_error("cannot open " + path);
  std::ostringstream buf;
  buf << in.rdbuf();
  const std::vector<std::string> lines = nist_detail::split_lines(buf.str());

  std::size_t data_line = lines.size();
  for (std::size_t i = 0; i < lines.size(); ++i)
    if (lines[i].rfind("Data:", 0) == 0) data_line = i;
  if (data_line == lines.size()) throw std::runtime_error(path + ": no Data: line");

  nist_linear d;
  d.name = name;
  // Certified rows: a line whose first token is B<j> followed by two numbers.
  for (std::size_t i = 0; i < data_line; ++i) {
    const auto t = nist_detail::split_ws(lines[i]);
    if (t.size() != 3 || t[0].size() < 2 || t[0][0] != 'B') continue;
    double est = 0, sd = 0;
    if (!nist_detail::parse_number(t[1], est) || !nist_detail::parse_number(t[2], sd)) continue;
    const std::string index = t[0].substr(1);
    const std::size_t j = std::stoul(index);
    if (d.estimate.empty()) d.intercept = j == 0;
    const std::size_t expected = d.estimate.size() + (d.intercept ? 0 : 1);
    if (j != expected) throw std::runtime_error(path + ": certified rows out of order at " + t[0]);
    d.estimate.push_back(est);
    d.estimate_sd.push_back(sd);
  }
  if (d.estimate.empty()) throw std::runtime_error(path + ": no certified estimates");

  std::vector<std::string> header_tokens;
  for (std::size_t i = 0; i < data_line; ++i)
    for (auto& t : nist_detail::split_ws(lines[i])) header_tokens.push_back(std::move(t));
  d.residual_sd =
      nist_detail::numbers_after(header_tokens, {"Residual", "Standard", "Deviation"}, 1)[0];
  d.r_squared = nist_detail::numbers_after(header_tokens, {"R-Squared"}, 1)[0];

  for (std::size_t i = data_line + 1; i < lines.size(); ++i) {
    const auto tokens = nist_detail::split_ws(lines[i]);
    if (tokens.empty()) continue;
    if (tokens.size() < 2) throw std::runtime_error(path + ": bad data line: " + lines[i]);
    double yv = 0;
    std::vector<double> row(tokens.size() - 1);
    bool good = nist_detail::parse_number(tokens[0], yv);
    for (std::size_t k = 1; k < tokens.size() && good; ++k)
      good = nist_detail::parse_number(tokens[k], row[k - 1]);
    if (!good || (!d.x.empty() && row.size() != d.columns()))
      throw std::runtime_error(path + ": bad data line: " + lines[i]);
    d.y.push_back(yv);
    d.x.push_back(std::move(row));
  }
  return d;
}

}  // namespace streamreg_test
