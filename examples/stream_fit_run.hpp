// SPDX-License-Identifier: MIT
// stream_fit's runs, whatever the input (a file or a Kafka topic): the models a checkpoint
// holds (one predictor, several), reading one record into a model of several predictors, the
// printing of a fit, and the read loop that prints after every record or once at the end.
#pragma once

#include <streamreg/streamreg.hpp>
#include <streamreg/multivariate.hpp>

#include "cli_common.hpp"
#include "resumable_run.hpp"
#include "stream_fit_options.hpp"
#include "stream_fit_output.hpp"

#include <cstdint>
#include <optional>
#include <string>
#include <system_error>
#include <type_traits>
#include <utility>
#include <vector>

namespace stream_fit {

/// The name of the k-th selected column, as the input knows it.
template <class Reader>
std::string column_label(const Reader& reader, std::size_t k) {
  if constexpr (std::is_same_v<Reader, streamreg::io::csv_reader<double>>) {
    return reader.schema().label(k);
  } else {
    return reader.fields()[k];
  }
}

/// stream_fit's checkpoints: "stream_fit.1/" and the model's type.
struct names {
  static constexpr const char* program = "stream_fit";
  static constexpr const char* prefix = "stream_fit.1/";
  static constexpr const char* legacy = nullptr;
};

template <class Model>
using resumable = cli::resumable<Model, options, names>;

/// Runs `fit()` on a resumable run: a write that failed anywhere (a full disk, a closed
/// pipe) is an io_error naming the output (exit 3), also one in the last buffered rows.
template <class Model, class Fit>
int write_checked(resumable<Model>& r, Fit&& fit) {
  try {
    return fit();
  } catch (const std::system_error& e) {  // fmt::print's failed write
    throw streamreg::io::io_failure("write", r.out().name(), e.code().value());
  }
}

/// The read loop of an opened run: `step` reads and applies a record, `row()` prints the fit
/// after every record (--emit every) or once at the end (--emit final: unless a resumed run
/// printed it for the same records already). Returns the status; the caller finishes the run
/// (also after a bad record under --on-error fail).
template <class Model, class Reader, class Step, class Row>
int read_and_print(resumable<Model>& r, const Reader& reader, Step&& step, Row&& row) {
  auto& run = r.run();
  auto& m = run.reg;
  const bool every = r.options_used().emit == "every";
  const bool file = !r.options_used().kafka();  // a Kafka run's position: its offsets
  const int status = r.read_all_with(step, [&](cli::step s) {
    if (file) run.at.line = reader.line();
    if (s != cli::step::record) return;
    m.final_written = false;
    if (every) row();
  });
  if (status == cli::ok && !every && !m.final_written) {
    row();
    m.final_written = true;
  }
  return status;
}

/// Prints the fit of a scalar state with the --predict predictions.
template <class State>
void print_scalar(const options& opt, printer& print, const State& state, const points& rows) {
  print.row(streamreg::infer(state), predictions_field(opt, rows, [&](const std::vector<double>& x) {
              return streamreg::predict(state, x[0]);
            }));
}

/// One predictor: the regressor and its printer; `final_written` tells a resumed run that
/// the --emit final row of the records so far is out already.
template <class State>
struct scalar_model {
  streamreg::regressor<State> reg;
  printer print;
  bool final_written = false;

  std::uint64_t accepted() const noexcept { return reg.accepted(); }
  static std::string checkpoint_type() { return streamreg::regressor<State>::checkpoint_type(); }
  template <class Archive>
  void serialize(Archive& ar) {
    reg.serialize(ar);
    ar.field("final_written", final_written);
  }
};

/// Reads every record of `reader` into an opened scalar run and prints; returns the status.
template <class State, class Reader>
int fit_scalar(resumable<scalar_model<State>>& r, Reader& reader,
               const cli::record_layout& layout, const points& rows) {
  const options& opt = r.options_used();
  auto& run = r.run();
  auto& m = run.reg;
  if (!r.resuming()) m.print.header();
  return read_and_print(
      r, reader,
      [&](auto&& before_apply) {
        return cli::read_next(program, opt.on_error, reader, m.reg, layout, run.last_time,
                              r.out(), before_apply);
      },
      [&] { print_scalar(opt, m.print, m.reg.state(), rows); });
}

/// Several predictors: the printer of a model's rows, made at the first row (the column
/// labels are known then), and whether the header is out.
struct multi_output {
  std::FILE* out = nullptr;
  bool interactive = false;
  bool header_written = false;
  std::optional<multi_printer> print;

  /// Prints the fit of `reg` (labels(): y's and the inputs' column names).
  template <class Reg, class Labels>
  void row(const options& opt, const Reg& reg, Labels&& labels, const points& rows) {
    if (!print) print.emplace(opt, coefficient_names(opt, labels()), out, interactive);
    if (!header_written) {
      print->header();
      header_written = true;
    }
    const auto inputs = static_cast<Eigen::Index>(opt.x.size());
    print->row(to_row(reg.infer()), predictions_field(opt, rows, [&](const std::vector<double>& p) {
                 return reg.predict_with_se(p.data(), inputs);
               }));
  }
};

/// Several predictors: the regression and its output; what a resumed run must know of the
/// output: whether the header and the --emit final row of the records so far are out already.
template <class Reg>
struct multi_model {
  Reg reg;
  multi_output output;
  bool final_written = false;
  std::uint64_t pushed = 0;  // records applied: the time order is checked from the second on

  std::uint64_t accepted() const noexcept { return reg.count(); }
  static std::string checkpoint_type() { return Reg::checkpoint_type(); }
  template <class Archive>
  void serialize(Archive& ar) {
    reg.serialize(ar);
    ar.field("header_written", output.header_written);
    ar.field("final_written", final_written);
    ar.field("pushed", pushed);
  }
};

/// Column positions among the selected columns (y, the inputs, then the optional ones; −1:
/// not selected).
struct multi_layout {
  int w = -1, diff = -1, t = -1;

  /// The selected columns of `opt`: y, the inputs, then weight, diff and time when given.
  static multi_layout add(const options& opt, std::vector<streamreg::io::column>& columns) {
    namespace io = streamreg::io;
    columns.push_back(io::column::parse(opt.y));
    for (const auto& x : opt.x) columns.push_back(io::column::parse(x));
    multi_layout l;
    if (!opt.model.weight.empty()) {
      l.w = static_cast<int>(columns.size());
      columns.push_back(io::column::parse(opt.model.weight));
    }
    if (!opt.model.diff.empty()) {
      l.diff = static_cast<int>(columns.size());
      columns.push_back(io::column::parse(opt.model.diff));
    }
    if (opt.model.uses_time()) {  // only a time window or forgetting per unit of time uses it
      l.t = static_cast<int>(columns.size());
      columns.push_back(io::column::parse(opt.model.time));
    }
    return l;
  }
};

/// Reads one record of `reader` and applies it with `apply(x, y, w, retract, t)` (false: the
/// model refused it): a push, or a retraction (--diff -1), at its time. `last_time` and
/// `pushed` (records applied) check the time order; `can_remove`: the model can retract.
/// Calls before_apply() for a record that parsed (--max-rate); a bad record is handled by
/// the error policy (the output flushed before a failure).
template <class Reader, class BeforeApply, class Apply>
cli::step read_multi(const options& opt, Reader& reader, const multi_layout& l,
                     std::vector<double>& x, double& last_time, std::uint64_t& pushed,
                     bool can_remove, const cli::output_file& out, BeforeApply&& before_apply,
                     Apply&& apply) {
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
    const double d = l.diff >= 0 ? v[static_cast<std::size_t>(l.diff)] : 1.0;
    const double t = l.t >= 0 ? v[static_cast<std::size_t>(l.t)] : 0.0;
    if (!(w > 0)) {
      bad = error_at(l.w, "weight must be positive");
    } else if (l.t >= 0 && pushed > 0 && !(t >= last_time)) {
      bad = error_at(l.t, fmt::format("time earlier than the previous record's ({})", last_time));
    } else if (d != 1 && d != -1) {
      bad = error_at(l.diff, "diff must be 1 or -1");
    } else if (d < 0) {
      if (!apply(x.data(), v[0], w, true, t))
        bad = error_at(l.diff, can_remove ? "retracts a record that is not in the fit"
                                          : "this fit cannot retract records");
    } else if (!apply(x.data(), v[0], w, false, t)) {
      bad = error_at(0, "record refused (a value is not finite)");
    }
    if (!bad) {
      ++pushed;
      if (l.t >= 0) last_time = t;
    }
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

/// Reads every record of `reader` into an opened run of several predictors and prints;
/// returns the status.
template <class Reg, class Reader>
int fit_multivariate(resumable<multi_model<Reg>>& r, Reader& reader, const multi_layout& l,
                     const points& rows) {
  const options& opt = r.options_used();
  const auto inputs = static_cast<Eigen::Index>(opt.x.size());
  auto& run = r.run();
  auto& m = run.reg;
  auto labels = [&] {
    std::vector<std::string> v;
    for (std::size_t i = 0; i <= opt.x.size(); ++i) v.push_back(column_label(reader, i));
    return v;
  };
  std::vector<double> x(opt.x.size());
  auto apply = [&](const double* z, double y, double w, bool retract, double t) {
    return retract ? m.reg.pop(z, y, w, inputs) : m.reg.push_at(t, z, y, w, inputs);
  };
  return read_and_print(
      r, reader,
      [&](auto&& before_apply) {
        return read_multi(opt, reader, l, x, run.last_time, m.pushed,
                          Reg::state_type::can_remove, r.out(), before_apply, apply);
      },
      [&] { m.output.row(opt, m.reg, labels, rows); });
}

}  // namespace stream_fit
