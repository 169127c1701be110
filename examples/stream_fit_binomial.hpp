// SPDX-License-Identifier: MIT
// stream_fit --family binomial: logistic regression of a 0/1 label on one or several
// predictors (multivariate::logistic), the fit after every record or once at the end as CSV,
// JSON lines or a table, and the probabilities of --predict FILE.
#pragma once

#include <streamreg/multivariate/logistic.hpp>

#include "cli_common.hpp"
#include "resumable_run.hpp"
#include "stream_fit_options.hpp"
#include "stream_fit_output.hpp"
#include "stream_fit_run.hpp"

#include <cmath>
#include <cstdint>
#include <cstdio>
#include <optional>
#include <string>
#include <vector>

namespace stream_fit {

/// The logistic model of a run and what its output has written.
struct binomial_model {
  streamreg::multivariate::logistic<> reg{one_predictor()};
  std::FILE* out = nullptr;
  bool interactive = false;
  bool header_written = false;
  bool final_written = false;
  std::uint64_t pushed = 0;
  std::vector<std::string> names;  ///< the coefficients' names, known at the first row

  std::uint64_t accepted() const noexcept { return reg.count(); }
  static std::string checkpoint_type() { return "multivariate::logistic"; }
  static streamreg::multivariate::logistic_options one_predictor() {
    streamreg::multivariate::logistic_options o;
    o.predictors = 1;
    return o;
  }
  /// No checkpoints for --family binomial yet (refused before a run starts): the run's
  /// model would need its output state saved beside multivariate::logistic's.
  template <class Archive>
  void serialize(Archive&) {
    Archive::fail("--family binomial has no checkpoints");
  }
};

/// The options --family binomial takes; the others are refused, by name.
inline void check_binomial(const options& opt) {
  const auto refuse = [](bool given, const char* what) {
    if (given) throw streamreg::config_error(std::string("--family binomial: ") + what);
  };
  refuse(!opt.checkpoint.empty(), "no --checkpoint yet");
  refuse(opt.kafka() || opt.sharing(), "no Kafka input or scale-out yet");
  refuse(opt.degree > 0, "no --degree");
  refuse(opt.precise || opt.solver != "auto", "no --precise or --solver (one method)");
  refuse(opt.model.window > 0 || opt.model.window_time > 0,
         "no windows (a record's expansion cannot be taken out: multivariate/logistic.hpp)");
  refuse(!opt.model.diff.empty(), "no --diff (records cannot be retracted)");
  refuse(opt.model.half_life_time > 0, "no --half-life-time (forgetting per record: --half-life)");
}

/// One row of the fit: CSV `n,<coefficients>,status,log_likelihood,se_<coefficients>`, a JSON
/// object with `n`, `status`, `names`, `coefficients`, `std_errors`, `log_likelihood` (and
/// `predictions`: p, se_p, eta, se_eta per --predict row), or a table (--emit final: the
/// coefficients with standard errors, z and two-sided normal p-values).
inline void print_binomial(const options& opt, binomial_model& m, const points& rows) {
  const auto f = m.reg.fit();
  const bool d = f.computed();
  const std::size_t k = m.names.size();
  std::FILE* out = m.out;
  const auto coef = [&](std::size_t i) { return f.coefficients(static_cast<Eigen::Index>(i)); };
  const auto se = [&](std::size_t i) { return f.std_errors(static_cast<Eigen::Index>(i)); };
  if (opt.format == "jsonl") {
    std::string s = fmt::format("{{\"n\":{},\"status\":\"{}\",\"names\":[", f.n,
                                streamreg::to_string(f.status));
    for (std::size_t i = 0; i < k; ++i)
      s += fmt::format("{}\"{}\"", i ? "," : "", m.names[i]);
    s += "],\"coefficients\":[";
    for (std::size_t i = 0; i < k; ++i) s += (i ? "," : "") + value(coef(i), d, "null");
    s += "],\"std_errors\":[";
    for (std::size_t i = 0; i < k; ++i) s += (i ? "," : "") + value(se(i), d, "null");
    s += "],\"log_likelihood\":" + value(f.log_likelihood, d, "null");
    if (!opt.predict.empty()) {
      s += ",\"predictions\":[";
      for (std::size_t r = 0; r < rows.size(); ++r) {
        const auto p = m.reg.probability_at(rows[r].data(), static_cast<Eigen::Index>(rows[r].size()));
        const bool pd = p.defined();
        s += fmt::format("{}{{\"p\":{},\"se_p\":{},\"eta\":{},\"se_eta\":{}}}", r ? "," : "",
                         value(p.p, pd, "null"), value(p.se_p, pd, "null"),
                         value(p.eta, pd, "null"), value(p.se_eta, pd, "null"));
      }
      s += "]";
    }
    fmt::print(out, "{}}}\n", s);
  } else if (opt.format == "csv") {
    if (!m.header_written) {
      std::string h = "n";
      for (const auto& n : m.names) h += "," + n;
      h += ",status,log_likelihood";
      for (const auto& n : m.names) h += ",se_" + n;
      fmt::print(out, "{}\n", h);
    }
    std::string s = std::to_string(f.n);
    for (std::size_t i = 0; i < k; ++i) s += "," + value(coef(i), d, "");
    s += fmt::format(",{},{}", streamreg::to_string(f.status), value(f.log_likelihood, d, ""));
    for (std::size_t i = 0; i < k; ++i) s += "," + value(se(i), d, "");
    fmt::print(out, "{}\n", s);
  } else if (opt.emit == "every") {  // table, a row per record
    if (!m.header_written) {
      fmt::print(out, "{:>10} {:>16}", "n", "status");
      for (const auto& n : m.names) fmt::print(out, " {:>14}", n);
      fmt::print(out, " {:>16}\n", "log_likelihood");
    }
    const auto num = [](double v, bool ok) {
      return ok && std::isfinite(v) ? fmt::format("{:.7g}", v) : std::string("-");
    };
    fmt::print(out, "{:>10} {:>16}", f.n, streamreg::to_string(f.status));
    for (std::size_t i = 0; i < k; ++i) fmt::print(out, " {:>14}", num(coef(i), d));
    fmt::print(out, " {:>16}\n", num(f.log_likelihood, d));
  } else {  // table, the summary of the final fit
    const auto num = [](double v, bool ok) {
      return ok && std::isfinite(v) ? fmt::format("{:.7g}", v) : std::string("-");
    };
    std::size_t width = 11;
    for (const auto& n : m.names) width = std::max(width, n.size());
    fmt::print(out, "\nn = {}, status {}\nCoefficients:\n{:<{}} {:>14} {:>14} {:>10} {:>10}\n",
               f.n, streamreg::to_string(f.status), "", width, "Estimate", "Std. Error",
               "z value", "Pr(>|z|)");
    for (std::size_t i = 0; i < k; ++i) {
      const double z = coef(i) / se(i);
      const double p = std::erfc(std::fabs(z) / std::sqrt(2.0));
      fmt::print(out, "{:<{}} {:>14} {:>14} {:>10} {:>10}\n", m.names[i], width, num(coef(i), d),
                 num(se(i), d), num(z, d), d && std::isfinite(p) ? fmt::format("{:.3g}", p) : "-");
    }
    fmt::print(out, "\nLog-likelihood: {}\n", num(f.log_likelihood, d));
  }
  m.header_written = true;
  if (m.interactive) std::fflush(out);
}

/// Reads one record into the logistic model (read_multi's checks, and a label of 0 or 1);
/// a bad record is handled by the error policy.
template <class Reader, class BeforeApply>
cli::step read_binomial(const options& opt, Reader& reader, const multi_layout& l,
                        std::vector<double>& x, binomial_model& m, const cli::output_file& out,
                        BeforeApply&& before_apply) {
  const auto res = reader.next();
  if (res == Reader::result::end) return cli::step::end;
  std::optional<streamreg::parse_error> bad;
  if (res == Reader::result::error) {
    bad = reader.error();
  } else {
    before_apply();
    const auto& v = reader.values();
    auto error_at = [&](int k, const std::string& reason) {
      const auto i = static_cast<std::size_t>(k);
      return cli::column_error(reader, i, fmt::format("{}", v[i]), reason);
    };
    for (std::size_t i = 0; i < x.size(); ++i) x[i] = v[i + 1];
    const double w = l.w >= 0 ? v[static_cast<std::size_t>(l.w)] : 1.0;
    if (!(w > 0)) {
      bad = error_at(l.w, "weight must be positive");
    } else if (!(v[0] == 0 || v[0] == 1)) {
      bad = error_at(0, "the label must be 0 or 1 (--family binomial)");
    } else if (!m.reg.push(x.data(), v[0], w, static_cast<Eigen::Index>(x.size()))) {
      bad = error_at(0, "record refused (a value is not finite)");
    }
    if (!bad) ++m.pushed;
  }
  if (!bad) return cli::step::record;
  if (opt.on_error == streamreg::io::error_policy::fail) {
    out.flush();
    fmt::print(stderr, "{}: {}\n", program, bad->what());
    return cli::step::fail;
  }
  cli::report_skip(program, *bad);
  return opt.on_error == streamreg::io::error_policy::stop ? cli::step::stop : cli::step::skip;
}

/// Reads every record into an opened binomial run and prints; returns the status.
template <class Reader>
int fit_binomial(resumable<binomial_model>& r, Reader& reader, const multi_layout& l,
                 const points& rows) {
  const options& opt = r.options_used();
  auto& m = r.run().reg;
  std::vector<double> x(opt.x.size());
  return read_and_print(
      r, reader,
      [&](auto&& before_apply) {
        return read_binomial(opt, reader, l, x, m, r.out(), before_apply);
      },
      [&] {
        if (m.names.empty()) {
          std::vector<std::string> labels;
          for (std::size_t i = 0; i <= opt.x.size(); ++i) labels.push_back(column_label(reader, i));
          m.names = coefficient_names(opt, labels);
        }
        print_binomial(opt, m, rows);
      });
}

}  // namespace stream_fit
