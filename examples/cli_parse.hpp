// SPDX-License-Identifier: MIT
// Command-line parsing shared by every example binary: CLI11 with the project's exit codes and
// validators that refuse what CLI11's number checks let through (NaN, infinity).
#pragma once

#include <CLI/CLI.hpp>
#include <streamreg/version.hpp>

#include <cmath>     // std::isfinite
#include <optional>  // std::optional
#include <string>    // std::string

namespace cli {

/// "<program> (streamreg) MAJOR.MINOR.PATCH": what `--version` prints.
inline std::string version_text(const std::string& program) {
  return program + " (streamreg) " + std::to_string(STREAMREG_VERSION_MAJOR) + "." +
         std::to_string(STREAMREG_VERSION_MINOR) + "." + std::to_string(STREAMREG_VERSION_PATCH);
}

/// Parses the command line. `--help` and `--version` print and give 0; an option error prints
/// CLI11's message and gives 2, the exit status of every configuration error. nullopt: go on.
inline std::optional<int> parse(CLI::App& app, int argc, char** argv) {
  app.set_version_flag("--version", version_text(app.get_name()),
                       "Print the program's name and streamreg's version, and exit");
  try {
    app.parse(argc, argv);
  } catch (const CLI::ParseError& e) {
    return app.exit(e) == 0 ? 0 : 2;
  }
  return std::nullopt;
}

/// A validator of numbers: `check(v)` returns what is wrong with the number v (empty: fine);
/// text that is not a number is refused before.
template <class Check>
CLI::Validator number_validator(Check check, const char* name) {
  return CLI::Validator(
      [check](std::string& s) -> std::string {
        double v = 0;
        try {
          std::size_t used = 0;
          v = std::stod(s, &used);
          if (used != s.size()) return "not a number: '" + s + "'";
        } catch (const std::exception&) {
          return "not a number: '" + s + "'";
        }
        const std::string wrong = check(v);
        return wrong.empty() ? wrong : wrong + ", not '" + s + "'";
      },
      name);
}

/// A finite number > 0 (CLI::PositiveNumber accepts NaN and infinity).
inline const CLI::Validator positive_finite = number_validator(
    [](double v) -> std::string {
      return std::isfinite(v) && v > 0 ? "" : "must be a finite number > 0";
    },
    "POSITIVE");

/// `--max-rate`: 0 (no limit) or a finite rate of at least one record per 10^6 seconds (a
/// slower rate is a mistake: the run would wait for weeks between records).
inline const CLI::Validator rate_limit = number_validator(
    [](double v) -> std::string {
      return std::isfinite(v) && (v == 0 || v >= 1e-6)
                 ? ""
                 : "must be 0 (no limit) or a finite rate >= 1e-6 records per second";
    },
    "RATE");

/// A whole number >= 1.
inline const CLI::Validator at_least_one(
    [](std::string& s) -> std::string {
      if (s.empty() || s.find_first_not_of("0123456789") != std::string::npos)
        return "must be a whole number >= 1, not '" + s + "'";
      if (s.find_first_not_of('0') == std::string::npos) return "must be at least 1, not '" + s + "'";
      return {};
    },
    "COUNT");

}  // namespace cli
