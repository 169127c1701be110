// SPDX-License-Identifier: MIT
// stream_fit's output: the fit after a record as CSV, JSON lines or a table, for one
// predictor (printer) and several (multi_printer), with the predictions of --predict FILE.
#pragma once

#include <streamreg/streamreg.hpp>
#include <streamreg/fmt.hpp>
#include <streamreg/student_t.hpp>

#include "cli_common.hpp"
#include "stream_fit_options.hpp"

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <cstdio>
#include <string>
#include <vector>

namespace stream_fit {

using inference = streamreg::line_inference<double>;

/// A number, or what stands for an undefined or non-finite one in the format (empty CSV
/// field, JSON null: JSON has no inf or NaN).
inline std::string value(double v, bool defined, const char* undefined) {
  return defined && std::isfinite(v) ? cli::number(v) : std::string(undefined);
}

/// The two-sided p-value of a t statistic on df degrees of freedom as a JSON number, or null
/// (no inference, or t undefined: a coefficient of 0 with a standard error of 0).
inline std::string p_value(double t, double df, bool defined) {
  return defined ? value(streamreg::t_p_value(t, df), true, "null") : std::string("null");
}

/// What the R-style summary of a final fit shows (--emit final --format table).
struct summary {
  std::uint64_t n = 0;
  std::string status;
  bool ok = false, inferred = false, r2 = false;
  std::vector<std::string> names;
  std::vector<double> estimates, std_errors, t_values;
  double df = 0, residual_sd = 0, r_squared = 0, adj_r_squared = 0, f_statistic = 0;
  double slopes = 0;  ///< the F test's numerator df
};

/// The summary as R's summary.lm prints it: a coefficient table (estimate, standard error,
/// t, two-sided p), then the residual standard error on its df, R² and adjusted R², and F
/// with its p-value. Undefined numbers print as "-".
inline void print_summary(std::FILE* out, const summary& s) {
  const auto num = [](double v, bool defined) {
    return defined && std::isfinite(v) ? fmt::format("{:.7g}", v) : std::string("-");
  };
  const auto prob = [](double p) {
    return std::isfinite(p) ? (p < 2.2e-16 ? std::string("<2.2e-16") : fmt::format("{:.3g}", p))
                            : std::string("-");
  };
  std::size_t width = 11;
  for (const auto& n : s.names) width = std::max(width, n.size());
  fmt::print(out, "\nn = {}, status {}\nCoefficients:\n{:<{}} {:>14} {:>14} {:>10} {:>10}\n",
             s.n, s.status, "", width, "Estimate", "Std. Error", "t value", "Pr(>|t|)");
  for (std::size_t i = 0; i < s.names.size(); ++i) {
    const double t = s.t_values[i];
    fmt::print(out, "{:<{}} {:>14} {:>14} {:>10} {:>10}\n", s.names[i], width,
               num(s.estimates[i], s.ok), num(s.std_errors[i], s.inferred),
               num(t, s.inferred), s.inferred ? prob(streamreg::t_p_value(t, s.df)) : "-");
  }
  if (!s.inferred) {
    fmt::print(out, "\nNo standard errors: {}\n", s.status);
    return;
  }
  fmt::print(out, "\nResidual standard error: {} on {} degrees of freedom\n",
             num(s.residual_sd, true), num(s.df, true));
  if (!s.r2) {
    fmt::print(out, "R-squared and F undefined: y is constant\n");
    return;
  }
  fmt::print(out, "Multiple R-squared: {}, Adjusted R-squared: {}\n", num(s.r_squared, true),
             num(s.adj_r_squared, true));
  if (s.slopes > 0)
    fmt::print(out, "F-statistic: {} on {} and {} DF, p-value: {}\n", num(s.f_statistic, true),
               num(s.slopes, true), num(s.df, true),
               prob(streamreg::f_p_value(s.f_statistic, s.slopes, s.df)));
}

/// Why numbers of a fit whose status is ok are null, for the "reason" field of a JSON line
/// (empty when every number is defined).
struct reasons {
  std::string text;
  void add(bool when, const char* why) {
    if (!when) return;
    if (!text.empty()) text += "; ";
    text += why;
  }
  /// `,"reason":"..."` or nothing.
  std::string field() const {
    return text.empty() ? std::string() : ",\"reason\":\"" + text + "\"";
  }
};

/// The inputs of --predict FILE: one row of the --x columns per prediction.
using points = std::vector<std::vector<double>>;

/// Reads --predict FILE: CSV (comma, semicolon or blanks) with a header naming the --x
/// columns (or columns by 1-based number, as --x gives them); every row is a prediction.
inline points read_points(const options& opt) {
  namespace io = streamreg::io;
  points rows;
  if (opt.predict.empty()) return rows;
  if (opt.format != "jsonl")
    throw streamreg::config_error("--predict needs --format jsonl (the predictions are a field of "
                                  "each JSON object)");
  if (!(opt.level > 0 && opt.level < 1)) throw streamreg::config_error("--level must be in (0, 1)");
  if (opt.predict == "-" || opt.predict == opt.input)
    throw streamreg::config_error("--predict needs a file of its own (not standard input or the "
                                  "input)");
  cli::input_file in(opt.predict, {opt.max_line, false, false});
  std::vector<io::column> columns;
  for (const auto& x : opt.x) columns.push_back(io::column::parse(x));
  io::csv_format format;
  format.detect = true;
  const std::string name = "--predict '" + streamreg::printable(opt.predict) + "': ";
  try {
    io::csv_reader<double> reader(in.source(), columns, format);
    for (;;) {
      const auto r = reader.next();
      if (r == io::csv_reader<double>::result::end) break;
      if (r == io::csv_reader<double>::result::error)
        throw streamreg::config_error(name + reader.error().what());
      rows.push_back(reader.values());
    }
  } catch (const streamreg::error& e) {  // the header: a column that is not there
    const std::string what = e.what();
    if (what.rfind(name, 0) == 0) throw;
    throw streamreg::config_error(name + what);
  }
  return rows;
}

/// `,"predictions":[...]` for a JSON object: the fit at each row of --predict FILE with its
/// standard errors and the interval of a new observation at --level; nothing without
/// --predict. `predict(row)` returns a streamreg::prediction of any scalar type.
template <class Predict>
inline std::string predictions_field(const options& opt, const points& rows, Predict&& predict) {
  if (opt.predict.empty()) return {};
  std::string s = ",\"predictions\":[";
  for (std::size_t k = 0; k < rows.size(); ++k) {
    const auto q = predict(rows[k]);
    streamreg::prediction<double> p;
    p.status = q.status;
    p.fit = static_cast<double>(q.fit);
    p.se_fit = static_cast<double>(q.se_fit);
    p.se_obs = static_cast<double>(q.se_obs);
    p.df = static_cast<double>(q.df);
    const bool d = p.defined();
    const auto band = streamreg::prediction_interval(p, opt.level);
    s += fmt::format("{}{{\"fit\":{},\"se_fit\":{},\"se_obs\":{},\"lower\":{},\"upper\":{}}}",
                     k == 0 ? "" : ",", value(p.fit, d, "null"), value(p.se_fit, d, "null"),
                     value(p.se_obs, d, "null"), value(band.lower, d, "null"),
                     value(band.upper, d, "null"));
  }
  return s + "]";
}

class printer {
 public:
  printer(const options& opt, std::FILE* out, bool flush_each)
      : format_(opt.format), final_(opt.emit == "final"), out_(out), flush_each_(flush_each) {}

  void header() {
    if (format_ == "csv") {
      fmt::print(out_, "n,intercept,slope,status,residual_sd,r_squared,se_intercept,se_slope\n");
    } else if (format_ == "table") {
      fmt::print(out_, "{:>10} {:>24} {:>24} {:>15} {:>24} {:>24}\n", "n", "intercept", "slope",
                 "status", "residual_sd", "r_squared");
    }
  }

  /// `extra`: more fields of a JSON object (predictions), empty otherwise.
  void row(const inference& r, const std::string& extra = {}) {
    const bool ok = static_cast<bool>(r.fit);
    const bool inf = r.defined();
    const bool r2 = inf && r.r_squared == r.r_squared;
    const auto status = streamreg::to_string(r.fit.status);
    if (format_ == "csv") {
      fmt::print(out_, "{},{},{},{},{},{},{},{}\n", r.fit.n, value(r.fit.intercept, ok, ""),
                 value(r.fit.slope, ok, ""), status, value(r.residual_sd, inf, ""),
                 value(r.r_squared, r2, ""), value(r.se_intercept, inf, ""),
                 value(r.se_slope, inf, ""));
    } else if (format_ == "jsonl") {
      // The status says why the coefficients are null; "reason" why an ok fit lacks others.
      reasons why;
      if (ok) {
        why.add(!inf, r.status == streamreg::fit_status::too_few_points
                          ? "too_few_points: standard errors and residual SD need n > 2"
                          : streamreg::to_string(r.status));
        why.add(inf && !r2, "constant y: R^2 is 0/0");
        why.add(inf && !(std::isfinite(r.se_intercept) && std::isfinite(r.se_slope) &&
                         std::isfinite(r.residual_sd)),
                "not_finite: an inference value overflowed");
      }
      fmt::print(out_,
                 "{{\"n\":{},\"status\":\"{}\",\"coefficients\":[{},{}],\"std_errors\":[{},{}],"
                 "\"residual_sd\":{},\"r_squared\":{},\"t_values\":[{},{}],"
                 "\"p_values\":[{},{}]{}{}}}\n",
                 r.fit.n, status, value(r.fit.intercept, ok, "null"),
                 value(r.fit.slope, ok, "null"), value(r.se_intercept, inf, "null"),
                 value(r.se_slope, inf, "null"), value(r.residual_sd, inf, "null"),
                 value(r.r_squared, r2, "null"), value(r.t_intercept, inf, "null"),
                 value(r.t_slope, inf, "null"), p_value(r.t_intercept, r.df, inf),
                 p_value(r.t_slope, r.df, inf), why.field(), extra);
    } else {
      fmt::print(out_, "{:>10} {:>24} {:>24} {:>15} {:>24} {:>24}\n", r.fit.n,
                 value(r.fit.intercept, ok, "-"), value(r.fit.slope, ok, "-"), status,
                 value(r.residual_sd, inf, "-"), value(r.r_squared, r2, "-"));
      if (final_) {
        summary s;
        s.n = r.fit.n;
        s.status = status;
        s.ok = ok;
        s.inferred = inf;
        s.r2 = r2;
        s.names = {"intercept", "slope"};
        s.estimates = {r.fit.intercept, r.fit.slope};
        s.std_errors = {r.se_intercept, r.se_slope};
        s.t_values = {r.t_intercept, r.t_slope};
        s.df = r.df;
        s.residual_sd = r.residual_sd;
        s.r_squared = r.r_squared;
        s.adj_r_squared = 1 - (1 - r.r_squared) * (r.df + 1) / r.df;  // n − 1 over n − 2
        s.f_statistic = r.t_slope * r.t_slope;  // one slope: F = t²
        s.slopes = 1;
        print_summary(out_, s);
      }
    }
    if (flush_each_) std::fflush(out_);
  }

 private:
  std::string format_;
  bool final_ = false;  // --emit final: the table row is followed by the summary
  std::FILE* out_;
  bool flush_each_;
};

// ---- Several predictors (multivariate::regression) ----------------------------------------

/// Names of the coefficients: intercept, then the predictors (x, x^2, ... for a polynomial).
inline std::vector<std::string> coefficient_names(const options& opt,
                                           const std::vector<std::string>& labels) {
  std::vector<std::string> names;
  if (!opt.no_intercept) names.emplace_back("intercept");
  if (opt.degree > 0) {
    const std::string& x = labels[1];
    names.push_back(x);
    for (int d = 2; d <= opt.degree; ++d) names.push_back(fmt::format("{}^{}", x, d));
  } else {
    for (std::size_t i = 1; i < labels.size(); ++i) names.push_back(labels[i]);
  }
  return names;
}

/// The printed form of a fit with several coefficients (any scalar type of the state).
struct multi_row {
  std::uint64_t n = 0;
  std::string status;
  bool ok = false, inferred = false, r2 = false;
  std::vector<double> coefficients, std_errors, t_values, p_values;
  double df = 0, residual_sd = 0, r_squared = 0, adj_r_squared = 0, f_statistic = 0, condition = 0;
  double digits = 0;  ///< estimated correct digits of the coefficients
  reasons why;  ///< why numbers of a fit with coefficients are null
};

template <class Inference>
multi_row to_row(const Inference& r) {
  multi_row m;
  m.n = r.fit.n;
  m.status = streamreg::to_string(r.fit.status);
  // ill_conditioned fits have their numbers too, with the estimated digits to judge them.
  m.ok = r.fit.computed();
  m.inferred = m.ok && (r.status == streamreg::fit_status::ok ||
                        r.status == streamreg::fit_status::ill_conditioned);
  for (Eigen::Index i = 0; i < r.fit.coefficients.size(); ++i) {
    m.coefficients.push_back(static_cast<double>(r.fit.coefficients(i)));
    m.std_errors.push_back(static_cast<double>(r.std_errors(i)));
    m.t_values.push_back(static_cast<double>(r.t_statistics(i)));
    m.p_values.push_back(streamreg::t_p_value(static_cast<double>(r.t_statistics(i)),
                                              static_cast<double>(r.df)));
  }
  m.df = static_cast<double>(r.df);
  m.residual_sd = static_cast<double>(r.residual_sd);
  m.r_squared = static_cast<double>(r.r_squared);
  m.r2 = m.inferred && m.r_squared == m.r_squared;
  m.adj_r_squared = static_cast<double>(r.adj_r_squared);
  m.f_statistic = static_cast<double>(r.f_statistic);
  m.condition = static_cast<double>(r.fit.condition);
  m.digits = static_cast<double>(r.fit.digits);
  if (m.ok) {
    m.why.add(!m.inferred, r.status == streamreg::fit_status::too_few_points
                               ? "too_few_points: inference needs more records than coefficients"
                               : streamreg::to_string(r.status));
    m.why.add(m.inferred && !m.r2, "constant y: R^2 and F are 0/0");
    m.why.add(m.r2 && std::isinf(m.f_statistic),
              "exact fit: F is infinite (residual sum of squares 0)");
    bool finite = std::isfinite(m.residual_sd);
    for (double se : m.std_errors) finite = finite && std::isfinite(se);
    m.why.add(m.inferred && !finite, "not_finite: an inference value overflowed");
  }
  return m;
}

class multi_printer {
 public:
  multi_printer(const options& opt, std::vector<std::string> names, std::FILE* out,
                bool flush_each)
      : format_(opt.format), final_(opt.emit == "final"), intercept_(!opt.no_intercept),
        names_(std::move(names)), out_(out), flush_each_(flush_each) {}

  void header() {
    if (format_ == "csv") {
      fmt::print(out_, "n,{},status,residual_sd,r_squared,se_{},adj_r_squared,f,condition,digits\n",
                 fmt::join(names_, ","), fmt::join(names_, ",se_"));
    } else if (format_ == "table") {
      fmt::print(out_, "{:>10} {:>15}", "n", "status");
      for (const auto& n : names_) fmt::print(out_, " {:>24}", n);
      fmt::print(out_, " {:>24} {:>24}\n", "residual_sd", "r_squared");
    }
  }

  /// `extra`: more fields of a JSON object (predictions), empty otherwise.
  void row(const multi_row& r, const std::string& extra = {}) {
    auto list = [](const std::vector<double>& v, bool defined, const char* undefined) {
      std::vector<std::string> s;
      for (double d : v) s.push_back(value(d, defined, undefined));
      return s;
    };
    if (format_ == "csv") {
      fmt::print(out_, "{},{},{},{},{},{},{},{},{},{}\n", r.n,
                 fmt::join(list(r.coefficients, r.ok, ""), ","),
                 r.status, value(r.residual_sd, r.inferred, ""), value(r.r_squared, r.r2, ""),
                 fmt::join(list(r.std_errors, r.inferred, ""), ","),
                 value(r.adj_r_squared, r.r2, ""), value(r.f_statistic, r.r2, ""),
                 value(r.condition, r.ok, ""), value(r.digits, r.ok, ""));
    } else if (format_ == "jsonl") {
      fmt::print(out_,
                 "{{\"n\":{},\"status\":\"{}\",\"names\":[\"{}\"],\"coefficients\":[{}],"
                 "\"std_errors\":[{}],\"residual_sd\":{},\"r_squared\":{},"
                 "\"adj_r_squared\":{},\"f_statistic\":{},\"condition\":{},\"digits\":{},"
                 "\"t_values\":[{}],\"p_values\":[{}]{}{}}}\n",
                 r.n, r.status, fmt::join(names_, "\",\""),
                 fmt::join(list(r.coefficients, r.ok, "null"), ","),
                 fmt::join(list(r.std_errors, r.inferred, "null"), ","),
                 value(r.residual_sd, r.inferred, "null"), value(r.r_squared, r.r2, "null"),
                 value(r.adj_r_squared, r.r2, "null"), value(r.f_statistic, r.r2, "null"),
                 value(r.condition, r.ok, "null"), value(r.digits, r.ok, "null"),
                 fmt::join(list(r.t_values, r.inferred, "null"), ","),
                 fmt::join(list(r.p_values, r.inferred, "null"), ","), r.why.field(), extra);
    } else {
      fmt::print(out_, "{:>10} {:>15}", r.n, r.status);
      for (const auto& c : list(r.coefficients, r.ok, "-")) fmt::print(out_, " {:>24}", c);
      fmt::print(out_, " {:>24} {:>24}\n", value(r.residual_sd, r.inferred, "-"),
                 value(r.r_squared, r.r2, "-"));
      if (final_) {
        summary s;
        s.n = r.n;
        s.status = r.status;
        s.ok = r.ok;
        s.inferred = r.inferred;
        s.r2 = r.r2;
        s.names = names_;
        s.estimates = r.coefficients;
        s.std_errors = r.std_errors;
        s.t_values = r.t_values;
        s.df = r.df;
        s.residual_sd = r.residual_sd;
        s.r_squared = r.r_squared;
        s.adj_r_squared = r.adj_r_squared;
        s.f_statistic = r.f_statistic;
        s.slopes = static_cast<double>(names_.size()) - (intercept_ ? 1 : 0);
        print_summary(out_, s);
      }
    }
    if (flush_each_) std::fflush(out_);
  }

 private:
  std::string format_;
  bool final_ = false;  // --emit final: the table row is followed by the summary
  bool intercept_ = true;
  std::vector<std::string> names_;
  std::FILE* out_;
  bool flush_each_;
};

}  // namespace stream_fit
