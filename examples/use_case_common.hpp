// SPDX-License-Identifier: MIT
// Pieces shared by the use-case examples (sensor_anomaly, rolling_beta, online_forecast):
// seeded normal draws, the common options (--seed, --records, --csv) and the CSV file.
#pragma once

#include <streamreg/io/generator.hpp>

#include <CLI/CLI.hpp>

#include "cli_parse.hpp"

#include <cerrno>    // errno
#include <cmath>     // std::sqrt, std::log, std::cos
#include <cstdint>   // std::uint64_t
#include <cstdio>    // std::FILE
#include <cstring>   // std::strerror
#include <stdexcept> // std::runtime_error
#include <string>    // std::string

namespace use_case {

/// Seeded draws with the same sequence on every platform: splitmix64 for the uniforms,
/// Box-Muller for the normals (the std distributions differ between standard libraries).
class random {
 public:
  explicit random(std::uint64_t seed) noexcept : rng_(seed) {}
  /// Uniform in (0, 1).
  double uniform() noexcept { return rng_.uniform(); }
  /// Uniform in (lo, hi).
  double uniform(double lo, double hi) noexcept { return lo + (hi - lo) * rng_.uniform(); }
  /// Standard normal.
  double normal() noexcept {
    if (has_spare_) {
      has_spare_ = false;
      return spare_;
    }
    const double r = std::sqrt(-2.0 * std::log(rng_.uniform()));
    const double phi = 2.0 * pi * rng_.uniform();
    spare_ = r * std::sin(phi);
    has_spare_ = true;
    return r * std::cos(phi);
  }
  /// Normal with mean m and standard deviation sd.
  double normal(double m, double sd) noexcept { return m + sd * normal(); }

  static constexpr double pi = 3.14159265358979323846;

 private:
  streamreg::io::splitmix64 rng_;
  double spare_ = 0;
  bool has_spare_ = false;
};

/// The options every use-case example has.
struct common_options {
  std::uint64_t seed = 42;
  std::uint64_t records;
  std::string csv;  // empty: no CSV

  explicit common_options(std::uint64_t default_records) : records(default_records) {}

  void add_to(CLI::App& app, std::uint64_t min_records) {
    app.add_option("--seed", seed, "Seed of the generated data")->capture_default_str();
    app.add_option("--records,-n", records, "Number of generated records")
        ->check(CLI::Range(min_records, std::uint64_t(100000000)))
        ->capture_default_str();
    app.add_option("--csv", csv,
                   "Write the series (one row per record: data, fit, flags) to this CSV file "
                   "for plotting with examples/plot.py");
  }
};

/// A CSV file written by the example, or nothing when no path was given.
class csv_file {
 public:
  explicit csv_file(const std::string& path) {
    if (path.empty()) return;
    f_ = std::fopen(path.c_str(), "w");
    if (!f_) throw std::runtime_error("cannot write '" + path + "': " + std::strerror(errno));
  }
  ~csv_file() {
    if (f_) std::fclose(f_);
  }
  csv_file(const csv_file&) = delete;
  csv_file& operator=(const csv_file&) = delete;

  explicit operator bool() const noexcept { return f_ != nullptr; }
  std::FILE* get() const noexcept { return f_; }

  /// Closes the file, reporting a failed write (a full disk) as an error.
  void close() {
    if (!f_) return;
    const bool failed = std::ferror(f_) != 0;
    const bool close_failed = std::fclose(f_) != 0;
    f_ = nullptr;
    if (failed || close_failed) throw std::runtime_error("writing the CSV file failed");
  }

 private:
  std::FILE* f_ = nullptr;
};

/// Runs `body`, turning an exception into a message on stderr and exit code 3.
template <class Body>
int guarded(const char* program, Body&& body) {
  try {
    return body();
  } catch (const std::exception& e) {
    std::fprintf(stderr, "%s: %s\n", program, e.what());
    return 3;
  }
}

}  // namespace use_case
