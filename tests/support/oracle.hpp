// SPDX-License-Identifier: MIT
// Independent oracles for the numerics tests. Nothing here uses streamreg code:
//  (a) exact rational batch OLS with GMP's mpq_class (every double is a rational, so the
//      least-squares line of a set of doubles is an exact rational number), plus helpers
//      that compare a floating-point result with such a rational, computed in mpq;
//  (b) a long double two-pass batch OLS;
//  (c) a reader for NIST StRD linear-regression files, certified values parsed from the text;
//  (d) the log relative error (LRE) of the NIST accuracy studies;
//  (e) splitmix64 and fixed-seed data generators (never std::random_device);
//  (f) exact rational weighted least squares (reliability weights, R's lm convention);
//  (g) high-precision (GMP mpf, 320 bits) weighted least squares for irrational weights
//      such as 0.5^(k/H), and the root λ = 0.5^(1/q) they are powers of.
#pragma once

#include <gmpxx.h>

#include <catch2/catch.hpp>

#include <cmath>      // std::isfinite, std::log10, std::sqrt, std::log, std::cos
#include <cstddef>    // std::size_t
#include <cstdint>    // std::uint64_t
#include <cstdlib>    // std::strtod
#include <fstream>    // std::ifstream
#include <iomanip>    // std::setprecision
#include <limits>     // std::numeric_limits
#include <sstream>    // std::ostringstream
#include <stdexcept>  // std::runtime_error, std::domain_error, std::invalid_argument
#include <string>     // std::string
#include <type_traits>  // std::is_floating_point_v
#include <utility>      // std::move
#include <vector>     // std::vector

namespace streamreg_test {

// ---------------------------------------------------------------------------------------------
// Exact conversions to rationals
// ---------------------------------------------------------------------------------------------

/// A double as the exact rational it denotes. Throws for NaN and infinity (GMP would trap).
inline mpq_class to_mpq(double v) {
  if (!std::isfinite(v)) throw std::domain_error("to_mpq: not finite");
  return mpq_class(v);
}
/// A float as the exact rational it denotes (float -> double is exact).
inline mpq_class to_mpq(float v) { return to_mpq(static_cast<double>(v)); }
/// A long double as the exact rational it denotes: split into a double and the (exactly
/// representable) double remainder, avoiding GMP's long double path, which rounds to double.
inline mpq_class to_mpq(long double v) {
  if (!std::isfinite(v)) throw std::domain_error("to_mpq: not finite");
  const double hi = static_cast<double>(v);
  const long double rest = v - static_cast<long double>(hi);
  const double lo = static_cast<double>(rest);
  if (static_cast<long double>(lo) != rest) throw std::domain_error("to_mpq: inexact split");
  return mpq_class(mpq_class(hi) + mpq_class(lo));
}
/// An integer as a rational (long is 64 bits on the platforms the tests run on).
inline mpq_class to_mpq(long long v) {
  static_assert(sizeof(long) == sizeof(long long), "to_mpq(long long) assumes LP64");
  return mpq_class(static_cast<long>(v));
}
inline mpq_class to_mpq(const mpq_class& v) { return v; }

/// |v - q| / |q| (|v| when q == 0), computed exactly and rounded once to double; +inf when v is
/// not finite.
template <class T>
double rel_error(const T& v, const mpq_class& q) {
  if constexpr (std::is_floating_point_v<T>) {
    if (!std::isfinite(v)) return std::numeric_limits<double>::infinity();
  }
  const mpq_class d = abs(to_mpq(v) - q);
  if (sgn(q) == 0) return d.get_d();
  return mpq_class(d / abs(q)).get_d();
}

/// |v - q| <= tol * |q|, evaluated exactly in mpq. False when v is not finite.
template <class T>
bool within_rel(const T& v, const mpq_class& q, double tol) {
  if constexpr (std::is_floating_point_v<T>) {
    if (!std::isfinite(v)) return false;
  }
  return abs(to_mpq(v) - q) <= to_mpq(tol) * abs(q);
}

/// For a value v that estimates sqrt(q) (a standard deviation or error whose square is the
/// exact rational q >= 0): the relative error of v, |v² − q| / (2 q), exact to first order.
template <class T>
double rel_error_sqrt(const T& v, const mpq_class& q) {
  if constexpr (std::is_floating_point_v<T>) {
    if (!std::isfinite(v)) return std::numeric_limits<double>::infinity();
  }
  const mpq_class m = to_mpq(v);
  const mpq_class d = abs(m * m - q);
  if (sgn(q) == 0) return std::sqrt(d.get_d());
  return mpq_class(d / (2 * q)).get_d();
}

/// Short decimal rendering of a rational, for messages.
inline std::string describe_mpq(const mpq_class& q) {
  std::ostringstream os;
  os << std::setprecision(17) << q.get_d();
  return os.str();
}

/// Catch2 matcher: a floating-point value within `tol` relative of an exact rational
/// (|v − q| <= tol·|q|, evaluated in mpq).
template <class T>
class within_rel_exact_matcher : public Catch::MatcherBase<T> {
 public:
  within_rel_exact_matcher(mpq_class target, double tol) : target_(std::move(target)), tol_(tol) {}
  bool match(const T& v) const override { return within_rel(v, target_, tol_); }
  std::string describe() const override {
    std::ostringstream os;
    os << "is within " << tol_ << " relative of the exact " << describe_mpq(target_);
    return os.str();
  }

 private:
  mpq_class target_;
  double tol_;
};

/// Use as REQUIRE_THAT(fit.slope, within_rel_exact<double>(oracle.slope, 1e-12)).
template <class T>
within_rel_exact_matcher<T> within_rel_exact(const mpq_class& target, double tol) {
  return within_rel_exact_matcher<T>(target, tol);
}

/// Catch2 matcher: an estimate of sqrt(q) within `tol` relative (first order) of sqrt(q).
template <class T>
class within_rel_sqrt_matcher : public Catch::MatcherBase<T> {
 public:
  within_rel_sqrt_matcher(mpq_class square, double tol) : square_(std::move(square)), tol_(tol) {}
  bool match(const T& v) const override { return rel_error_sqrt(v, square_) <= tol_; }
  std::string describe() const override {
    std::ostringstream os;
    os << "is within " << tol_ << " relative of the exact sqrt(" << describe_mpq(square_)
       << ") = " << std::setprecision(17) << std::sqrt(square_.get_d());
    return os.str();
  }

 private:
  mpq_class square_;
  double tol_;
};

template <class T>
within_rel_sqrt_matcher<T> within_rel_exact_sqrt(const mpq_class& square, double tol) {
  return within_rel_sqrt_matcher<T>(square, tol);
}

// ---------------------------------------------------------------------------------------------
// (a) Exact rational batch OLS
// ---------------------------------------------------------------------------------------------

template <class T>
struct basic_point {
  T x;
  T y;
};
using point = basic_point<double>;

/// The least-squares line of a data set, in exact rationals, computed in two passes from the
/// textbook definitions (means, centred sums, residuals), with the inference of classical OLS.
struct exact_ols {
  std::size_t n = 0;
  mpq_class weight_sum;     ///< Σw (n when unweighted)
  mpq_class mean_x, mean_y;
  mpq_class sxx, sxy, syy;  ///< centred: Σ(x − x̄)², Σ(x − x̄)(y − ȳ), Σ(y − ȳ)²
  bool has_line = false;    ///< n >= 2 and sxx > 0
  mpq_class slope, intercept;
  bool has_inference = false;  ///< has_line and n >= 3
  mpq_class sse;            ///< Σ (y − a − b x)², from the residuals
  mpq_class residual_var;   ///< SSE / (n − 2): the square of the residual SD
  mpq_class r_squared;      ///< 1 − SSE / Syy (only when syy > 0)
  mpq_class var_slope;      ///< s² / Sxx
  mpq_class var_intercept;  ///< s² Σx² / (n Sxx)
  mpq_class cov;            ///< −x̄ s² / Sxx
};

template <class T>
exact_ols exact_fit(const std::vector<basic_point<T>>& data) {
  exact_ols r;
  r.n = data.size();
  if (r.n == 0) return r;
  std::vector<mpq_class> xs, ys;
  xs.reserve(r.n);
  ys.reserve(r.n);
  mpq_class sum_x, sum_y;
  for (const auto& p : data) {
    xs.push_back(to_mpq(p.x));
    ys.push_back(to_mpq(p.y));
    sum_x += xs.back();
    sum_y += ys.back();
  }
  const mpq_class n(static_cast<unsigned long>(r.n));
  r.weight_sum = n;
  r.mean_x = sum_x / n;
  r.mean_y = sum_y / n;
  mpq_class sum_xx;
  for (std::size_t i = 0; i < r.n; ++i) {
    const mpq_class dx = xs[i] - r.mean_x;
    const mpq_class dy = ys[i] - r.mean_y;
    r.sxx += dx * dx;
    r.sxy += dx * dy;
    r.syy += dy * dy;
    sum_xx += xs[i] * xs[i];
  }
  if (r.n < 2 || sgn(r.sxx) == 0) return r;
  r.has_line = true;
  r.slope = r.sxy / r.sxx;
  r.intercept = r.mean_y - r.slope * r.mean_x;
  if (r.n < 3) return r;
  r.has_inference = true;
  for (std::size_t i = 0; i < r.n; ++i) {
    const mpq_class e = ys[i] - r.intercept - r.slope * xs[i];
    r.sse += e * e;
  }
  r.residual_var = r.sse / mpq_class(static_cast<unsigned long>(r.n - 2));
  if (sgn(r.syy) > 0) r.r_squared = 1 - r.sse / r.syy;
  r.var_slope = r.residual_var / r.sxx;
  r.var_intercept = r.residual_var * sum_xx / (n * r.sxx);
  r.cov = -r.mean_x * r.residual_var / r.sxx;
  return r;
}

/// The exact fit of every prefix of a stream, from the five raw sums in exact rationals
/// (slope = (nΣxy − ΣxΣy) / (nΣx² − (Σx)²)): O(1) rational operations per record.
class exact_running_fit {
 public:
  void add(const mpq_class& x, const mpq_class& y) {
    ++n_;
    sx_ += x;
    sy_ += y;
    sxy_ += x * y;
    sxx_ += x * x;
    syy_ += y * y;
  }
  template <class T>
  void add(const basic_point<T>& p) {
    add(to_mpq(p.x), to_mpq(p.y));
  }
  std::size_t count() const { return n_; }
  /// n·Σ(x − x̄)²; zero when every x is equal.
  mpq_class det() const { return nq() * sxx_ - sx_ * sx_; }
  mpq_class slope() const { return mpq_class((nq() * sxy_ - sx_ * sy_) / det()); }
  mpq_class intercept() const { return mpq_class((sy_ - slope() * sx_) / nq()); }
  /// The literal sums.
  const mpq_class& sum_x() const { return sx_; }
  const mpq_class& sum_y() const { return sy_; }
  const mpq_class& sum_xy() const { return sxy_; }
  const mpq_class& sum_xx() const { return sxx_; }
  const mpq_class& sum_yy() const { return syy_; }

 private:
  mpq_class nq() const { return mpq_class(static_cast<unsigned long>(n_)); }
  std::size_t n_ = 0;
  mpq_class sx_, sy_, sxy_, sxx_, syy_;
};

// ---------------------------------------------------------------------------------------------
// (b) long double two-pass batch OLS
// ---------------------------------------------------------------------------------------------

struct long_double_ols {
  std::size_t n = 0;
  long double mean_x = 0, mean_y = 0, sxx = 0, sxy = 0, syy = 0;
  long double slope = 0, intercept = 0, sse = 0;
};

template <class T>
long_double_ols long_double_fit(const std::vector<basic_point<T>>& data) {
  long_double_ols r;
  r.n = data.size();
  if (r.n == 0) return r;
  long double sx = 0, sy = 0;
  for (const auto& p : data) {
    sx += static_cast<long double>(p.x);
    sy += static_cast<long double>(p.y);
  }
  const auto n = static_cast<long double>(r.n);
  r.mean_x = sx / n;
  r.mean_y = sy / n;
  for (const auto& p : data) {
    const long double dx = static_cast<long double>(p.x) - r.mean_x;
    const long double dy = static_cast<long double>(p.y) - r.mean_y;
    r.sxx += dx * dx;
    r.sxy += dx * dy;
    r.syy += dy * dy;
  }
  if (r.sxx > 0) {
    r.slope = r.sxy / r.sxx;
    r.intercept = r.mean_y - r.slope * r.mean_x;
    for (const auto& p : data) {
      const long double e =
          static_cast<long double>(p.y) - r.intercept - r.slope * static_cast<long double>(p.x);
      r.sse += e * e;
    }
  }
  return r;
}

// ---------------------------------------------------------------------------------------------
// (c) NIST StRD linear-regression files
// ---------------------------------------------------------------------------------------------

/// Certified values of a straight-line StRD set (B0, B1 estimates and standard deviations,
/// residual standard deviation, R²), as parsed from the file.
struct nist_certified {
  double b0 = 0, b0_sd = 0, b1 = 0, b1_sd = 0, residual_sd = 0, r_squared = 0;
};

struct nist_dataset {
  std::vector<point> data;  ///< (x, y) in file order
  nist_certified cert;
};

namespace nist_detail {

inline bool parse_number(const std::string& s, double& out) {
  if (s.empty()) return false;
  const char* begin = s.c_str();
  char* end = nullptr;
  out = std::strtod(begin, &end);
  return end == begin + s.size();
}

inline std::vector<std::string> split_lines(const std::string& text) {
  std::vector<std::string> lines;
  std::string cur;
  for (const char c : text) {
    if (c == '\n') {
      lines.push_back(cur);
      cur.clear();
    } else if (c != '\r') {
      cur.push_back(c);
    }
  }
  if (!cur.empty()) lines.push_back(cur);
  return lines;
}

inline std::vector<std::string> split_ws(const std::string& line) {
  std::vector<std::string> tokens;
  std::istringstream is(line);
  std::string t;
  while (is >> t) tokens.push_back(t);
  return tokens;
}

/// The `count` numbers that follow the first occurrence of the token sequence `key` that is
/// followed by `count` numbers.
inline std::vector<double> numbers_after(const std::vector<std::string>& tokens,
                                         const std::vector<std::string>& key, std::size_t count) {
  for (std::size_t i = 0; i + key.size() + count <= tokens.size(); ++i) {
    bool hit = true;
    for (std::size_t k = 0; k < key.size() && hit; ++k) hit = tokens[i + k] == key[k];
    if (!hit) continue;
    std::vector<double> values(count);
    for (std::size_t k = 0; k < count && hit; ++k) {
      hit = parse_number(tokens[i + key.size() + k], values[k]);
    }
    if (hit) return values;
  }
  std::string what = "NIST file: no certified value for";
  for (const auto& k : key) what += " " + k;
  throw std::runtime_error(what);
}

}  // namespace nist_detail

/// Reads a straight-line StRD file (`y x` columns): data rows after the last line beginning
/// with "Data:", blank lines skipped, CRLF or LF; certified values from the header text.
inline nist_dataset read_nist(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) throw std::runtime_error("cannot open " + path);
  std::ostringstream buf;
  buf << in.rdbuf();
  const std::vector<std::string> lines = nist_detail::split_lines(buf.str());

  std::size_t data_line = lines.size();
  for (std::size_t i = 0; i < lines.size(); ++i) {
    if (lines[i].rfind("Data:", 0) == 0) data_line = i;
  }
  if (data_line == lines.size()) throw std::runtime_error(path + ": no Data: line");

  std::vector<std::string> header_tokens;
  for (std::size_t i = 0; i < data_line; ++i) {
    for (auto& t : nist_detail::split_ws(lines[i])) header_tokens.push_back(std::move(t));
  }
  nist_dataset d;
  const auto b0 = nist_detail::numbers_after(header_tokens, {"B0"}, 2);
  const auto b1 = nist_detail::numbers_after(header_tokens, {"B1"}, 2);
  d.cert.b0 = b0[0];
  d.cert.b0_sd = b0[1];
  d.cert.b1 = b1[0];
  d.cert.b1_sd = b1[1];
  d.cert.residual_sd =
      nist_detail::numbers_after(header_tokens, {"Residual", "Standard", "Deviation"}, 1)[0];
  d.cert.r_squared = nist_detail::numbers_after(header_tokens, {"R-Squared"}, 1)[0];

  for (std::size_t i = data_line + 1; i < lines.size(); ++i) {
    const auto tokens = nist_detail::split_ws(lines[i]);
    if (tokens.empty()) continue;
    point p{};
    if (tokens.size() != 2 || !nist_detail::parse_number(tokens[0], p.y) ||
        !nist_detail::parse_number(tokens[1], p.x)) {
      throw std::runtime_error(path + ": bad data line: " + lines[i]);
    }
    d.data.push_back(p);
  }
  return d;
}

#ifdef STREAMREG_DATA_DIR
/// A file under tests/data.
inline std::string data_path(const std::string& relative) {
  return std::string(STREAMREG_DATA_DIR) + "/" + relative;
}
#endif

// ---------------------------------------------------------------------------------------------
// (d) Log relative error
// ---------------------------------------------------------------------------------------------

/// LRE = −log10(|computed − certified| / |certified|) (−log10|computed| when certified == 0),
/// the number of correct significant digits, capped at 15; 0 for a non-finite result.
inline double lre(double computed, double certified) {
  if (!std::isfinite(computed)) return 0.0;
  const double err = certified == 0.0 ? std::abs(computed)
                                      : std::abs(computed - certified) / std::abs(certified);
  if (err == 0.0) return 15.0;
  const double digits = -std::log10(err);
  return digits > 15.0 ? 15.0 : digits;
}

// ---------------------------------------------------------------------------------------------
// (e) Fixed-seed generators
// ---------------------------------------------------------------------------------------------

/// splitmix64 (Steele, Lea, Flood 2014): a tiny, fixed-seed, reproducible generator.
class splitmix64 {
 public:
  explicit splitmix64(std::uint64_t seed) noexcept : state_(seed) {}
  std::uint64_t next() noexcept {
    std::uint64_t z = (state_ += 0x9e3779b97f4a7c15ULL);
    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
    z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
    return z ^ (z >> 31);
  }
  /// Uniform in [0, 1), 53 random bits.
  double uniform() noexcept { return static_cast<double>(next() >> 11) * 0x1.0p-53; }
  double uniform(double lo, double hi) noexcept { return lo + (hi - lo) * uniform(); }
  /// Standard normal (Box–Muller).
  double normal() noexcept {
    const double u1 = 1.0 - uniform();  // (0, 1]
    const double u2 = uniform();
    return std::sqrt(-2.0 * std::log(u1)) * std::cos(6.283185307179586 * u2);
  }
  /// Uniform index in [0, n).
  std::size_t index(std::size_t n) noexcept {
    return static_cast<std::size_t>(next() % static_cast<std::uint64_t>(n));
  }

 private:
  std::uint64_t state_;
};

/// Random linear data: x uniform in [x_lo, x_hi), y = a + b x + noise_sd · N(0, 1).
inline std::vector<point> linear_data(std::uint64_t seed, std::size_t n, double x_lo, double x_hi,
                                      double a, double b, double noise_sd) {
  splitmix64 rng(seed);
  std::vector<point> d(n);
  for (auto& p : d) {
    p.x = rng.uniform(x_lo, x_hi);
    p.y = a + b * p.x + noise_sd * rng.normal();
  }
  return d;
}

/// How x advances in an offset (timestamp-like) stream.
enum class x_pattern {
  step_tenth,      ///< x = 1.7e9 + k · 0.1
  step_037,        ///< x = 1.7e9 + k · 0.37
  step_dyadic,     ///< x = 1.7e9 + k / 1024 (exact)
  irregular,       ///< x += uniform(0.001, 2): irregular increments, rounded at each step
  jittered,        ///< x = 1.7e9 + uniform(0, 500): unordered
};

inline const char* to_string(x_pattern p) {
  switch (p) {
    case x_pattern::step_tenth: return "step 0.1";
    case x_pattern::step_037: return "step 0.37";
    case x_pattern::step_dyadic: return "step 1/1024";
    case x_pattern::irregular: return "irregular increments";
    case x_pattern::jittered: return "jittered";
  }
  return "?";
}

constexpr double timestamp_offset = 1.7e9;

/// x near 1.7e9 per `pattern`; y = y_offset + 2.5 + 0.75 (x − 1.7e9) + noise_sd · N(0, 1).
inline std::vector<point> offset_stream(std::uint64_t seed, std::size_t n, x_pattern pattern,
                                        double y_offset, double noise_sd) {
  splitmix64 rng(seed);
  std::vector<point> d(n);
  double x = timestamp_offset;
  for (std::size_t k = 0; k < n; ++k) {
    const auto kd = static_cast<double>(k);
    switch (pattern) {
      case x_pattern::step_tenth: x = timestamp_offset + kd * 0.1; break;
      case x_pattern::step_037: x = timestamp_offset + kd * 0.37; break;
      case x_pattern::step_dyadic: x = timestamp_offset + kd / 1024.0; break;
      case x_pattern::irregular: x += rng.uniform(0.001, 2.0); break;
      case x_pattern::jittered: x = timestamp_offset + rng.uniform(0.0, 500.0); break;
    }
    d[k].x = x;
    d[k].y = y_offset + 2.5 + 0.75 * (x - timestamp_offset) + noise_sd * rng.normal();
  }
  return d;
}

/// Converts a data set to another floating type (each value rounded once).
template <class T>
std::vector<basic_point<T>> convert_points(const std::vector<point>& d) {
  std::vector<basic_point<T>> out;
  out.reserve(d.size());
  for (const auto& p : d) out.push_back({static_cast<T>(p.x), static_cast<T>(p.y)});
  return out;
}

// ---------------------------------------------------------------------------------------------
// (f) Exact rational weighted least squares
// ---------------------------------------------------------------------------------------------

/// The weighted least-squares line of `data` with weights `w` (> 0), in exact rationals, from
/// the definitions: W = Σw, x̄ = Σwx / W, Sxx = Σw(x − x̄)², ... With reliability weights (R's
/// lm): SSE = Σw e², s² = SSE / (n − 2) with n the number of records, var(b) = s² / Sxx,
/// var(a) = s² (1/W + x̄² / Sxx), cov = −x̄ s² / Sxx, R² = 1 − SSE / Syy.
/// `W` is any type to_mpq accepts (double, long long, mpq_class).
template <class T, class W>
exact_ols exact_weighted_fit(const std::vector<basic_point<T>>& data, const std::vector<W>& w) {
  if (w.size() != data.size()) throw std::invalid_argument("exact_weighted_fit: sizes differ");
  exact_ols r;
  r.n = data.size();
  if (r.n == 0) return r;
  std::vector<mpq_class> xs, ys, ws;
  xs.reserve(r.n);
  ys.reserve(r.n);
  ws.reserve(r.n);
  mpq_class sum_wx, sum_wy;
  for (std::size_t i = 0; i < r.n; ++i) {
    xs.push_back(to_mpq(data[i].x));
    ys.push_back(to_mpq(data[i].y));
    ws.push_back(to_mpq(w[i]));
    if (sgn(ws.back()) <= 0) throw std::invalid_argument("exact_weighted_fit: weight <= 0");
    r.weight_sum += ws.back();
    sum_wx += ws.back() * xs.back();
    sum_wy += ws.back() * ys.back();
  }
  r.mean_x = sum_wx / r.weight_sum;
  r.mean_y = sum_wy / r.weight_sum;
  for (std::size_t i = 0; i < r.n; ++i) {
    const mpq_class dx = xs[i] - r.mean_x;
    const mpq_class dy = ys[i] - r.mean_y;
    r.sxx += ws[i] * dx * dx;
    r.sxy += ws[i] * dx * dy;
    r.syy += ws[i] * dy * dy;
  }
  if (r.n < 2 || sgn(r.sxx) == 0) return r;
  r.has_line = true;
  r.slope = r.sxy / r.sxx;
  r.intercept = r.mean_y - r.slope * r.mean_x;
  if (r.n < 3) return r;
  r.has_inference = true;
  for (std::size_t i = 0; i < r.n; ++i) {
    const mpq_class e = ys[i] - r.intercept - r.slope * xs[i];
    r.sse += ws[i] * e * e;
  }
  r.residual_var = r.sse / mpq_class(static_cast<unsigned long>(r.n - 2));
  if (sgn(r.syy) > 0) r.r_squared = 1 - r.sse / r.syy;
  r.var_slope = r.residual_var / r.sxx;
  r.var_intercept = r.residual_var * (1 / r.weight_sum + r.mean_x * r.mean_x / r.sxx);
  r.cov = -r.mean_x * r.residual_var / r.sxx;
  return r;
}

// ---------------------------------------------------------------------------------------------
// (g) High-precision weighted least squares (GMP mpf)
// ---------------------------------------------------------------------------------------------

/// Working precision of the mpf oracles, in bits (every double converts exactly; a rounding
/// is about 1e-96 relative).
constexpr mp_bitcnt_t hp_bits = 320;

inline mpf_class hp(double v) {
  if (!std::isfinite(v)) throw std::domain_error("hp: not finite");
  return mpf_class(v, hp_bits);
}

/// b^e in hp_bits.
inline mpf_class hp_pow(const mpf_class& b, unsigned long e) {
  mpf_class r(0, hp_bits);
  mpf_pow_ui(r.get_mpf_t(), b.get_mpf_t(), e);
  return r;
}

/// λ = 0.5^(1/q), the positive root of λ^q = 1/2, by Newton's iteration from the double
/// estimate (each step doubles the correct digits: 53 → 106 → 212 → 424 bits), then checked.
inline mpf_class half_root(unsigned long q) {
  if (q == 0) throw std::domain_error("half_root: q = 0");
  mpf_class l = hp(std::pow(0.5, 1.0 / static_cast<double>(q)));
  const mpf_class half = hp(0.5);
  for (int i = 0; i < 6; ++i) {
    const mpf_class lq1 = hp_pow(l, q - 1);
    mpf_class step(0, hp_bits);
    step = (lq1 * l - half) / (static_cast<double>(q) * lq1);
    l -= step;
  }
  mpf_class check(0, hp_bits);
  check = abs(hp_pow(l, q) - half);
  if (check > hp(1e-90)) throw std::runtime_error("half_root: Newton did not converge");
  return l;
}

/// |v − q| / |q| (|v| when q == 0) in hp_bits, rounded to double; +inf when v is not finite.
inline double hp_rel_error(double v, const mpf_class& q) {
  if (!std::isfinite(v)) return std::numeric_limits<double>::infinity();
  mpf_class d(0, hp_bits);
  d = abs(hp(v) - q);
  if (sgn(q) != 0) d /= abs(q);
  return d.get_d();
}

/// The weighted least-squares line and weight sums of a data set in hp_bits, two passes from
/// the definitions (as exact_weighted_fit, without inference).
struct hp_ols {
  std::size_t n = 0;
  mpf_class weight_sum{0, hp_bits}, weight_sq_sum{0, hp_bits};
  mpf_class mean_x{0, hp_bits}, mean_y{0, hp_bits};
  mpf_class sxx{0, hp_bits}, sxy{0, hp_bits}, syy{0, hp_bits};
  mpf_class slope{0, hp_bits}, intercept{0, hp_bits};
  /// Kish's effective number of records (Σw)² / Σw².
  mpf_class effective_count() const {
    mpf_class r(0, hp_bits);
    r = weight_sum * weight_sum / weight_sq_sum;
    return r;
  }
};

template <class T>
hp_ols hp_weighted_fit(const std::vector<basic_point<T>>& data, const std::vector<mpf_class>& w) {
  if (w.size() != data.size()) throw std::invalid_argument("hp_weighted_fit: sizes differ");
  hp_ols r;
  r.n = data.size();
  if (r.n == 0) return r;
  mpf_class sum_wx(0, hp_bits), sum_wy(0, hp_bits), dx(0, hp_bits), dy(0, hp_bits);
  for (std::size_t i = 0; i < r.n; ++i) {
    r.weight_sum += w[i];
    r.weight_sq_sum += w[i] * w[i];
    sum_wx += w[i] * hp(static_cast<double>(data[i].x));
    sum_wy += w[i] * hp(static_cast<double>(data[i].y));
  }
  r.mean_x = sum_wx / r.weight_sum;
  r.mean_y = sum_wy / r.weight_sum;
  for (std::size_t i = 0; i < r.n; ++i) {
    dx = hp(static_cast<double>(data[i].x)) - r.mean_x;
    dy = hp(static_cast<double>(data[i].y)) - r.mean_y;
    r.sxx += w[i] * dx * dx;
    r.sxy += w[i] * dx * dy;
    r.syy += w[i] * dy * dy;
  }
  if (sgn(r.sxx) > 0) {
    r.slope = r.sxy / r.sxx;
    r.intercept = r.mean_y - r.slope * r.mean_x;
  }
  return r;
}

// ---------------------------------------------------------------------------------------------
// Checks shared by the test files
// ---------------------------------------------------------------------------------------------

/// Every field of an infer() result against the exact oracle (weighted or not), to `tol`
/// relative; the t statistics through t² = estimate² / variance and their signs.
template <class Inference>
void check_inference(const Inference& r, const exact_ols& ex, double tol) {
  REQUIRE(ex.has_inference);
  REQUIRE(r.defined());
  CHECK(r.df == static_cast<double>(ex.n - 2));
  CHECK_THAT(r.fit.slope, within_rel_exact<double>(ex.slope, tol));
  CHECK_THAT(r.fit.intercept, within_rel_exact<double>(ex.intercept, tol));
  CHECK_THAT(r.residual_sd, within_rel_exact_sqrt<double>(ex.residual_var, tol));
  CHECK_THAT(r.r_squared, within_rel_exact<double>(ex.r_squared, tol));
  CHECK_THAT(r.se_slope, within_rel_exact_sqrt<double>(ex.var_slope, tol));
  CHECK_THAT(r.se_intercept, within_rel_exact_sqrt<double>(ex.var_intercept, tol));
  CHECK_THAT(r.cov_intercept_slope, within_rel_exact<double>(ex.cov, tol));
  // t = estimate / SE: compare t² with estimate² / variance, and the sign.
  const mpq_class t2_slope = ex.slope * ex.slope / ex.var_slope;
  const mpq_class t2_intercept = ex.intercept * ex.intercept / ex.var_intercept;
  CHECK_THAT(std::abs(r.t_slope), within_rel_exact_sqrt<double>(t2_slope, tol));
  CHECK_THAT(std::abs(r.t_intercept), within_rel_exact_sqrt<double>(t2_intercept, tol));
  CHECK((r.t_slope < 0) == (sgn(ex.slope) < 0));
  CHECK((r.t_intercept < 0) == (sgn(ex.intercept) < 0));
}

}  // namespace streamreg_test
