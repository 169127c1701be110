// SPDX-License-Identifier: MIT
// stream_fit: the general tool. Reads comma- or whitespace-separated records one at a time
// (header or not), fits y on one or several predictors (or a polynomial in x) after every
// record and prints the fit with its inference, per record or once at the end, as CSV, JSON
// lines or a table.
#include <streamreg/streamreg.hpp>
#include <streamreg/fmt.hpp>
#include <streamreg/json/jsonl.hpp>
#include <streamreg/multivariate.hpp>
#include <streamreg/student_t.hpp>

#include "cli_common.hpp"

#include <cmath>
#include <cstdint>
#include <limits>
#include <optional>
#include <system_error>
#include <type_traits>
#include <string>
#include <utility>
#include <vector>

namespace {

constexpr const char* program = "stream_fit";

struct options {
  std::string input = "-";
  std::string y;
  std::vector<std::string> x;
  bool skip_to_data = false;
  bool no_header = false;
  std::string emit = "every";
  std::string format = "csv";
  std::string input_format = "csv";
  std::string output;
  streamreg::io::error_policy on_error = streamreg::io::error_policy::fail;
  cli::model_options model;
  std::size_t max_line = cli::default_max_line;
  int degree = 0;
  bool no_intercept = false;
  double ridge = 0;
  bool penalize_intercept = false;
  bool precise = false;
  std::string solver = "auto";
  std::string predict;  ///< CSV file of inputs to predict at (--predict)
  double level = 0.95;  ///< level of the prediction intervals (--level)
  double max_rate = 0;  ///< records per second at most (--max-rate; 0: no limit)

  /// One x, none of the several-predictor options: the scalar fit (line_fit).
  bool scalar() const {
    return x.size() == 1 && degree == 0 && !no_intercept && ridge == 0 && !precise &&
           solver == "auto";
  }
};

using inference = streamreg::line_inference<double>;

/// A number, or what stands for an undefined or non-finite one in the format (empty CSV
/// field, JSON null: JSON has no inf or NaN).
std::string value(double v, bool defined, const char* undefined) {
  return defined && std::isfinite(v) ? cli::number(v) : std::string(undefined);
}

/// The two-sided p-value of a t statistic on df degrees of freedom as a JSON number, or null
/// (no inference, or t undefined: a coefficient of 0 with a standard error of 0).
std::string p_value(double t, double df, bool defined) {
  return defined ? value(streamreg::t_p_value(t, df), true, "null") : std::string("null");
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
points read_points(const options& opt) {
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
std::string predictions_field(const options& opt, const points& rows, Predict&& predict) {
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
      : format_(opt.format), out_(out), flush_each_(flush_each) {}

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
                 "\"residual_sd\":{},\"r_squared\":{},\"p_values\":[{},{}]{}{}}}\n",
                 r.fit.n, status, value(r.fit.intercept, ok, "null"),
                 value(r.fit.slope, ok, "null"), value(r.se_intercept, inf, "null"),
                 value(r.se_slope, inf, "null"), value(r.residual_sd, inf, "null"),
                 value(r.r_squared, r2, "null"), p_value(r.t_intercept, r.df, inf),
                 p_value(r.t_slope, r.df, inf), why.field(), extra);
    } else {
      fmt::print(out_, "{:>10} {:>24} {:>24} {:>15} {:>24} {:>24}\n", r.fit.n,
                 value(r.fit.intercept, ok, "-"), value(r.fit.slope, ok, "-"), status,
                 value(r.residual_sd, inf, "-"), value(r.r_squared, r2, "-"));
    }
    if (flush_each_) std::fflush(out_);
  }

 private:
  std::string format_;
  std::FILE* out_;
  bool flush_each_;
};

/// Calls f with a reader of the selected columns: CSV (header, or columns by number) or JSON
/// lines (fields by name).
template <class F>
int with_reader(const options& opt, cli::input_file& in,
                const std::vector<streamreg::io::column>& columns, F&& f) {
  if (opt.input_format == "jsonl") {
    if (opt.skip_to_data || opt.no_header)
      throw streamreg::config_error("--skip-to-data and --no-header are for CSV input");
    std::vector<std::string> names;
    for (const auto& c : columns) names.push_back(c.name);
    streamreg::json::jsonl_reader<double> reader(in.source(), names);
    return f(reader);
  }
  streamreg::io::csv_format format;
  format.skip_to_data = opt.skip_to_data;
  format.detect = !opt.skip_to_data;
  format.header = !opt.no_header;
  streamreg::io::csv_reader<double> reader(in.source(), columns, format);
  return f(reader);
}

/// The name of the k-th selected column, as the input knows it.
template <class Reader>
std::string column_label(const Reader& reader, std::size_t k) {
  if constexpr (std::is_same_v<Reader, streamreg::io::csv_reader<double>>) {
    return reader.schema().label(k);
  } else {
    return reader.fields()[k];
  }
}

template <class State, class Reader>
int fit_scalar(const options& opt, State initial, Reader& reader,
               const cli::record_layout& layout, const points& rows,
               const cli::output_file& out) {
  streamreg::regressor<State> reg(std::move(initial), streamreg::null_sink{});
  printer print(opt, out.get(), out.interactive());
  const bool every = opt.emit == "every";
  auto row = [&] {
    print.row(reg.inference(), predictions_field(opt, rows, [&](const std::vector<double>& x) {
                return streamreg::predict(reg.state(), x[0]);
              }));
  };
  print.header();
  std::uint64_t skipped = 0;
  double last_time = 0;
  cli::rate_limiter limiter(opt.max_rate);
  std::uint64_t n = 0;
  for (;;) {
    const cli::step s = cli::read_next(program, opt.on_error, reader, reg, layout, last_time,
                                       out, [&] { limiter.wait(n++); });
    if (s == cli::step::end || s == cli::step::stop) break;
    if (s == cli::step::fail) return cli::bad_input;
    if (s == cli::step::skip) {
      ++skipped;
      continue;
    }
    if (every) row();
  }
  if (!every) row();
  out.flush();
  if (skipped > 0)
    fmt::print(stderr, "{}: {} records fitted, {} skipped\n", program, reg.accepted(), skipped);
  return cli::ok;
}

/// Opens the output (only now: options, input and columns are checked), runs `fit` on it and
/// closes it, checked: a write that failed anywhere (a full disk, a closed pipe) is an
/// io_error naming the output (exit 3), also one in the last buffered rows.
template <class Fit>
int write_to_output(const options& opt, Fit&& fit) {
  cli::output_file out(opt.output);
  int status = cli::ok;
  try {
    status = fit(out);
  } catch (const std::system_error& e) {  // fmt::print's failed write
    throw streamreg::io::io_failure("write", out.name(), e.code().value());
  }
  out.close();
  return status;
}

template <class State>
int run_with(const options& opt, State initial, const points& rows) {
  cli::input_file in(opt.input, {opt.max_line, false, false});
  std::vector<streamreg::io::column> columns{streamreg::io::column::parse(opt.y),
                                             streamreg::io::column::parse(opt.x[0])};
  // apply_record reads x from the first selected column and y from the second.
  std::swap(columns[0], columns[1]);
  const auto layout = cli::record_layout::add(opt.model, columns);
  return with_reader(opt, in, columns, [&](auto& reader) {
    return write_to_output(opt, [&](const cli::output_file& out) {
      return fit_scalar(opt, std::move(initial), reader, layout, rows, out);
    });
  });
}


// ---- Several predictors (multivariate::regression) ----------------------------------------

/// Names of the coefficients: intercept, then the predictors (x, x^2, ... for a polynomial).
std::vector<std::string> coefficient_names(const options& opt,
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
  std::vector<double> coefficients, std_errors, p_values;
  double residual_sd = 0, r_squared = 0, adj_r_squared = 0, f_statistic = 0, condition = 0;
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
    m.p_values.push_back(streamreg::t_p_value(static_cast<double>(r.t_statistics(i)),
                                              static_cast<double>(r.df)));
  }
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
      : format_(opt.format), names_(std::move(names)), out_(out), flush_each_(flush_each) {}

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
                 "\"p_values\":[{}]{}{}}}\n",
                 r.n, r.status, fmt::join(names_, "\",\""),
                 fmt::join(list(r.coefficients, r.ok, "null"), ","),
                 fmt::join(list(r.std_errors, r.inferred, "null"), ","),
                 value(r.residual_sd, r.inferred, "null"), value(r.r_squared, r.r2, "null"),
                 value(r.adj_r_squared, r.r2, "null"), value(r.f_statistic, r.r2, "null"),
                 value(r.condition, r.ok, "null"), value(r.digits, r.ok, "null"),
                 fmt::join(list(r.p_values, r.inferred, "null"), ","), r.why.field(), extra);
    } else {
      fmt::print(out_, "{:>10} {:>15}", r.n, r.status);
      for (const auto& c : list(r.coefficients, r.ok, "-")) fmt::print(out_, " {:>24}", c);
      fmt::print(out_, " {:>24} {:>24}\n", value(r.residual_sd, r.inferred, "-"),
                 value(r.r_squared, r.r2, "-"));
    }
    if (flush_each_) std::fflush(out_);
  }

 private:
  std::string format_;
  std::vector<std::string> names_;
  std::FILE* out_;
  bool flush_each_;
};

template <class Reg, class Reader>
int fit_multivariate(const options& opt, Reg& reg, Reader& reader, int w_at, int diff_at,
                     int t_at, const points& rows, const cli::output_file& out) {
  namespace io = streamreg::io;
  const auto inputs = static_cast<int>(opt.x.size());
  const bool every = opt.emit == "every";
  std::optional<multi_printer> print;
  auto printer_now = [&]() -> multi_printer& {
    if (!print) {
      std::vector<std::string> labels;
      for (std::size_t i = 0; i <= opt.x.size(); ++i) labels.push_back(column_label(reader, i));
      print.emplace(opt, coefficient_names(opt, labels), out.get(), out.interactive());
      print->header();
    }
    return *print;
  };
  auto row = [&] {
    printer_now().row(to_row(reg.infer()),
                      predictions_field(opt, rows, [&](const std::vector<double>& p) {
                        return reg.predict_with_se(p.data(), inputs);
                      }));
  };
  std::uint64_t skipped = 0;
  std::vector<double> x(static_cast<std::size_t>(inputs));
  cli::rate_limiter limiter(opt.max_rate);
  std::uint64_t n = 0;
  double last_time = -std::numeric_limits<double>::infinity();
  for (;;) {
    const auto r = reader.next();
    if (r == Reader::result::end) break;
    std::optional<streamreg::parse_error> bad;
    if (r == Reader::result::error) {
      bad = reader.error();
    } else {
      limiter.wait(n++);  // --max-rate: records that parsed
      const auto& v = reader.values();
      auto error_at = [&](int k, const std::string& reason) {
        const auto i = static_cast<std::size_t>(k);
        return cli::column_error(reader, i, fmt::format("{}", v[i]), reason);
      };
      for (int i = 0; i < inputs; ++i)
        x[static_cast<std::size_t>(i)] = v[static_cast<std::size_t>(i + 1)];
      const double w = w_at >= 0 ? v[static_cast<std::size_t>(w_at)] : 1.0;
      const double d = diff_at >= 0 ? v[static_cast<std::size_t>(diff_at)] : 1.0;
      const double t = t_at >= 0 ? v[static_cast<std::size_t>(t_at)] : 0.0;
      if (!(w > 0)) {
        bad = error_at(w_at, "weight must be positive");
      } else if (t_at >= 0 && !(t >= last_time)) {
        bad = error_at(t_at, fmt::format("time earlier than the previous record's ({})", last_time));
      } else if (d != 1 && d != -1) {
        bad = error_at(diff_at, "diff must be 1 or -1");
      } else if (d < 0) {
        if (!reg.pop(x.data(), v[0], w, inputs))
          bad = error_at(diff_at, Reg::state_type::can_remove
                                      ? "retracts a record that is not in the fit"
                                      : "this fit cannot retract records");
      } else if (!reg.push_at(t, x.data(), v[0], w, inputs)) {
        bad = error_at(0, "record refused (a value is not finite)");
      } else if (t_at >= 0) {
        last_time = t;
      }
    }
    if (bad) {
      if (opt.on_error == io::error_policy::fail) {
        out.flush();
        fmt::print(stderr, "{}: {}\n", program, bad->what());
        return cli::bad_input;
      }
      cli::report_skip(program, *bad);
      if (opt.on_error == io::error_policy::stop) break;
      ++skipped;
      continue;
    }
    if (every) row();
  }
  if (!every) row();
  out.flush();
  if (skipped > 0)
    fmt::print(stderr, "{}: {} records fitted, {} skipped\n", program, reg.count(), skipped);
  return cli::ok;
}

template <class Reg>
int run_multivariate(const options& opt, Reg reg, const points& rows) {
  namespace io = streamreg::io;
  cli::input_file in(opt.input, {opt.max_line, false, false});
  // Selected columns: y, the inputs, then weight and diff when given.
  std::vector<io::column> columns{io::column::parse(opt.y)};
  for (const auto& x : opt.x) columns.push_back(io::column::parse(x));
  const int w_at = opt.model.weight.empty() ? -1 : static_cast<int>(columns.size());
  if (w_at >= 0) columns.push_back(io::column::parse(opt.model.weight));
  const int diff_at = opt.model.diff.empty() ? -1 : static_cast<int>(columns.size());
  if (diff_at >= 0) columns.push_back(io::column::parse(opt.model.diff));
  // Event time: only a time window or forgetting per unit of time uses it.
  const int t_at = opt.model.uses_time() ? static_cast<int>(columns.size()) : -1;
  if (t_at >= 0) columns.push_back(io::column::parse(opt.model.time));
  return with_reader(opt, in, columns, [&](auto& reader) {
    return write_to_output(opt, [&](const cli::output_file& out) {
      return fit_multivariate(opt, reg, reader, w_at, diff_at, t_at, rows, out);
    });
  });
}

int run_multivariate(const options& opt, const points& rows) {
  namespace mv = streamreg::multivariate;
  if (opt.degree > 0 && opt.x.size() != 1)
    throw streamreg::config_error("--degree fits a polynomial in one --x");
  mv::options o;
  o.intercept = !opt.no_intercept;
  o.degree = opt.degree;
  o.predictors = opt.degree > 0 ? opt.degree : static_cast<int>(opt.x.size());
  o.ridge = opt.ridge;
  o.penalize_intercept = opt.penalize_intercept;
  o.window = opt.model.window;
  o.window_time = opt.model.window_time;
  o.half_life_time = opt.model.half_life_time;
  if (opt.model.half_life > 0) o.forgetting = std::exp2(-1.0 / opt.model.half_life);
  const bool removes =
      opt.model.window > 0 || opt.model.window_time > 0 || !opt.model.diff.empty();
  std::string solver = opt.solver;
  if (solver == "auto") solver = opt.precise ? "precise" : removes ? "moments" : "givens";
  if (opt.precise && solver != "precise")
    throw streamreg::config_error("--precise and --solver " + solver + " exclude each other");
  if (solver == "givens" && removes)
    throw streamreg::config_error(
        "the givens solver cannot remove records (--window, --window-time, --diff): use --solver "
        "moments or --precise");
  if (solver == "precise") return run_multivariate(opt, mv::precise_regression<>(o), rows);
  if (solver == "moments")
    return run_multivariate(opt, mv::regression<double, Eigen::Dynamic, mv::moments>(o), rows);
  return run_multivariate(opt, mv::regression<double, Eigen::Dynamic, mv::givens>(o), rows);
}

int run(const options& opt) {
  opt.model.validate();
  cli::check_distinct(opt.input, opt.output, "");
  if (!opt.predict.empty() && !opt.output.empty() && opt.output != "-" &&
      streamreg::io::same_file(opt.predict, opt.output))
    throw streamreg::config_error("--output '" + streamreg::printable(opt.output) +
                                  "' is the --predict file: refusing to overwrite it");
  const points rows = read_points(opt);  // before the output is opened: an error keeps it
  if (!opt.scalar()) return run_multivariate(opt, rows);
  return cli::with_state_of(opt.model, [&opt, &rows](auto state) {
    return run_with(opt, std::move(state), rows);
  });
}

}  // namespace

int main(int argc, char** argv) {
  streamreg::io::guard_standard_streams();
  CLI::App app{
      "Fits y on one or several predictors (or a polynomial in x) record by record over "
      "comma- or whitespace-separated input (with a header row, or columns by 1-based number) "
      "and prints the fit with its standard errors, residual SD and R^2 after every record or "
      "once at the end.",
      program};
  options opt;
  app.add_option("file", opt.input, "Input file, or - for standard input")->capture_default_str();
  app.add_option("--y", opt.y, "Column of the response: header name or 1-based number")
      ->required();
  app.add_option("--x", opt.x,
                 "Column of a predictor: header name or 1-based number (repeat for several)")
      ->required();
  app.add_option("--degree", opt.degree,
                 "Fit a polynomial of this degree in the one --x (coefficients of x, x^2, ...)")
      ->check(CLI::Range(1, 30));
  app.add_flag("--no-intercept", opt.no_intercept,
               "Fit without intercept (R^2 is then the uncentred R^2, as NIST defines it)");
  app.add_option("--ridge", opt.ridge,
                 "Ridge penalty L * sum of squared coefficients (not the intercept unless "
                 "--penalize-intercept); standard errors are then the sandwich form")
      ->check(CLI::NonNegativeNumber);
  app.add_flag("--penalize-intercept", opt.penalize_intercept,
               "With --ridge: penalise the intercept too");
  app.add_flag("--precise", opt.precise,
               "Precise mode: double-double normal equations of the inputs shifted by the first "
               "record, refined solve (13+ correct digits on every NIST StRD linear set; about "
               "30x the cost per record)");
  app.add_option("--solver", opt.solver,
                 "Several predictors: givens (square-root-free Givens, the default), moments "
                 "(centred scatter + LDLT; the default with --window or --diff) or precise")
      ->check(CLI::IsMember({"auto", "givens", "moments", "precise"}))
      ->capture_default_str();
  app.add_flag("--skip-to-data", opt.skip_to_data,
               "Data start after the last line beginning with 'Data:' (NIST StRD files); "
               "that line names the columns");
  app.add_flag("--no-header", opt.no_header,
               "The first line is data (by default a first line that is not all numbers is "
               "taken as the header)");
  app.add_option("--emit", opt.emit, "Print the fit after every record or only the final one")
      ->check(CLI::IsMember({"every", "final"}))
      ->capture_default_str();
  app.add_option("--format", opt.format,
                 "csv (n,intercept,slope,status,residual_sd,r_squared,se_intercept,se_slope), "
                 "jsonl (one JSON object per fit) or table")
      ->check(CLI::IsMember({"csv", "jsonl", "table"}))
      ->capture_default_str();
  app.add_option("--input-format", opt.input_format,
                 "csv (comma-, semicolon- or whitespace-separated) or jsonl (one JSON object per "
                 "line; --y, --x, --weight, --time, --diff name its fields)")
      ->check(CLI::IsMember({"csv", "jsonl"}))
      ->capture_default_str();
  app.add_option("--output", opt.output, "Write here instead of stdout");
  app.add_option("--predict", opt.predict,
                 "CSV file of inputs (a header naming the --x columns): each JSON object "
                 "(--format jsonl) gains \"predictions\", per row the fit with se_fit (of the mean "
                 "response), se_obs (of a new observation) and the interval lower, upper of a new "
                 "observation at --level");
  app.add_option("--max-rate", opt.max_rate,
                 "At most R records per second (0: no limit; otherwise at least 1e-6)")
      ->check(cli::rate_limit);
  app.add_option("--level", opt.level, "Level of the --predict intervals")
      ->check(CLI::Range(0.0, 1.0))
      ->capture_default_str();
  app.add_option("--time", opt.model.time,
                 "Column of event time (for --window-time and --half-life-time)");
  cli::add_model_options(app, opt.model, true);
  cli::add_error_policy(app, opt.on_error);
  cli::add_max_line(app, opt.max_line);
  if (const auto parsed = cli::parse(app, argc, argv)) return *parsed;

  return cli::guarded(program, [&opt] { return run(opt); });
}
