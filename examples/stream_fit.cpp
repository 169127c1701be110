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
#include "resumable_run.hpp"
#include "stream_fit_options.hpp"
#include "stream_fit_output.hpp"

#include <cmath>
#include <cstdint>
#include <optional>
#include <system_error>
#include <type_traits>
#include <string>
#include <utility>
#include <vector>

namespace {

using namespace stream_fit;  // NOLINT: this program's options and output

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

/// stream_fit's checkpoints: "stream_fit.1/" and the model's type.
struct names {
  static constexpr const char* program = "stream_fit";
  static constexpr const char* prefix = "stream_fit.1/";
  static constexpr const char* legacy = nullptr;
};

template <class Model>
using resumable = cli::resumable<Model, options, names>;

/// The input file of a run: with a checkpoint an unfinished last line (a file still being
/// written) is left for the next run, and the lines consumed are hashed to recognise the
/// input on resume.
cli::input_file open_input(const options& opt) {
  const bool ck = !opt.checkpoint.empty();
  return cli::input_file(opt.input, {opt.max_line, ck, ck});
}

/// Runs `fit(r)` on a resumable run: a write that failed anywhere (a full disk, a closed
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
/// printed it for the same records already); the run is saved and closed at the end, also
/// after a bad record under --on-error fail.
template <class Model, class Reader, class Step, class Row>
int read_and_print(resumable<Model>& r, const Reader& reader, Step&& step, Row&& row) {
  auto& run = r.run();
  auto& m = run.reg;
  const bool every = r.options_used().emit == "every";
  return write_checked(r, [&] {
    const int status = r.read_all_with(step, [&](cli::step s) {
      run.at.line = reader.line();
      if (s != cli::step::record) return;
      m.final_written = false;
      if (every) row();
    });
    if (status == cli::ok && !every && !m.final_written) {
      row();
      m.final_written = true;
    }
    return r.finish(status);
  });
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

template <class State, class Reader>
int fit_scalar(resumable<scalar_model<State>>& r, cli::input_file& in, Reader& reader,
               const cli::record_layout& layout, const points& rows) {
  const options& opt = r.options_used();
  r.attach_input(in, reader);
  auto& run = r.open();
  auto& m = run.reg;
  if (!r.resuming()) m.print.header();
  auto row = [&] {
    m.print.row(m.reg.inference(), predictions_field(opt, rows, [&](const std::vector<double>& x) {
                  return streamreg::predict(m.reg.state(), x[0]);
                }));
  };
  return read_and_print(
      r, reader,
      [&](auto&& before_apply) {
        return cli::read_next(program, opt.on_error, reader, m.reg, layout, run.last_time,
                              r.out(), before_apply);
      },
      row);
}

template <class State>
int run_with(const options& opt, State initial, const points& rows) {
  resumable<scalar_model<State>> r(
      opt, [&opt, initial = std::move(initial)](std::FILE* f, bool interactive, bool,
                                                 const std::string&) {
        return scalar_model<State>{streamreg::regressor<State>(initial, streamreg::null_sink{}),
                                   printer(opt, f, interactive)};
      });
  cli::input_file in = open_input(opt);
  std::vector<streamreg::io::column> columns{streamreg::io::column::parse(opt.y),
                                             streamreg::io::column::parse(opt.x[0])};
  // apply_record reads x from the first selected column and y from the second.
  std::swap(columns[0], columns[1]);
  const auto layout = cli::record_layout::add(opt.model, columns);
  return with_reader(opt, in, columns, [&](auto& reader) {
    return fit_scalar(r, in, reader, layout, rows);
  });
}

/// Several predictors: the regression and its printer, made at the first row (the column
/// labels are known then); what a resumed run must know of the output: whether the header
/// and the --emit final row of the records so far are out already.
template <class Reg>
struct multi_model {
  Reg reg;
  std::FILE* out = nullptr;
  bool interactive = false;
  bool header_written = false;
  bool final_written = false;
  std::uint64_t pushed = 0;  // records applied: the time order is checked from the second on
  std::optional<multi_printer> print;

  std::uint64_t accepted() const noexcept { return reg.count(); }
  static std::string checkpoint_type() { return Reg::checkpoint_type(); }
  template <class Archive>
  void serialize(Archive& ar) {
    reg.serialize(ar);
    ar.field("header_written", header_written);
    ar.field("final_written", final_written);
    ar.field("pushed", pushed);
  }
};

/// Column positions among the selected columns (y, the inputs, then the optional ones; −1:
/// not selected).
struct multi_layout {
  int w = -1, diff = -1, t = -1;
};

template <class Reg, class Reader>
int fit_multivariate(resumable<multi_model<Reg>>& r, cli::input_file& in, Reader& reader,
                     const multi_layout& l, const points& rows) {
  namespace io = streamreg::io;
  const options& opt = r.options_used();
  const auto inputs = static_cast<int>(opt.x.size());
  r.attach_input(in, reader);
  auto& run = r.open();
  auto& m = run.reg;
  auto row = [&] {
    if (!m.print) {
      std::vector<std::string> labels;
      for (std::size_t i = 0; i <= opt.x.size(); ++i) labels.push_back(column_label(reader, i));
      m.print.emplace(opt, coefficient_names(opt, labels), m.out, m.interactive);
    }
    if (!m.header_written) {
      m.print->header();
      m.header_written = true;
    }
    m.print->row(to_row(m.reg.infer()),
                 predictions_field(opt, rows, [&](const std::vector<double>& p) {
                   return m.reg.predict_with_se(p.data(), inputs);
                 }));
  };
  std::vector<double> x(static_cast<std::size_t>(inputs));
  // Reads one record and applies it: a push, a retraction (--diff -1), at its time.
  auto step = [&](auto&& before_apply) -> cli::step {
    const auto res = reader.next();
    if (res == Reader::result::end) return cli::step::end;
    std::optional<streamreg::parse_error> bad;
    if (res == Reader::result::error) {
      bad = reader.error();
    } else {
      before_apply();  // --max-rate: records that parsed
      const auto& v = reader.values();
      auto error_at = [&](int k, const std::string& reason) {
        const auto i = static_cast<std::size_t>(k);
        return cli::column_error(reader, i, fmt::format("{}", v[i]), reason);
      };
      for (int i = 0; i < inputs; ++i)
        x[static_cast<std::size_t>(i)] = v[static_cast<std::size_t>(i + 1)];
      const double w = l.w >= 0 ? v[static_cast<std::size_t>(l.w)] : 1.0;
      const double d = l.diff >= 0 ? v[static_cast<std::size_t>(l.diff)] : 1.0;
      const double t = l.t >= 0 ? v[static_cast<std::size_t>(l.t)] : 0.0;
      if (!(w > 0)) {
        bad = error_at(l.w, "weight must be positive");
      } else if (l.t >= 0 && m.pushed > 0 && !(t >= run.last_time)) {
        bad = error_at(l.t, fmt::format("time earlier than the previous record's ({})",
                                        run.last_time));
      } else if (d != 1 && d != -1) {
        bad = error_at(l.diff, "diff must be 1 or -1");
      } else if (d < 0) {
        if (!m.reg.pop(x.data(), v[0], w, inputs))
          bad = error_at(l.diff, Reg::state_type::can_remove
                                     ? "retracts a record that is not in the fit"
                                     : "this fit cannot retract records");
      } else if (!m.reg.push_at(t, x.data(), v[0], w, inputs)) {
        bad = error_at(0, "record refused (a value is not finite)");
      }
      if (!bad) {
        ++m.pushed;
        if (l.t >= 0) run.last_time = t;
      }
    }
    if (!bad) return cli::step::record;
    if (opt.on_error == io::error_policy::fail) {
      r.out().flush();
      fmt::print(stderr, "{}: {}\n", program, bad->what());
      return cli::step::fail;
    }
    cli::report_skip(program, *bad);
    return opt.on_error == io::error_policy::stop ? cli::step::stop : cli::step::skip;
  };
  return read_and_print(r, reader, step, row);
}

template <class Reg>
int run_multivariate(const options& opt, Reg reg, const points& rows) {
  namespace io = streamreg::io;
  resumable<multi_model<Reg>> r(
      opt, [reg = std::move(reg)](std::FILE* f, bool interactive, bool, const std::string&) {
        return multi_model<Reg>{reg, f, interactive, false, false, 0, std::nullopt};
      });
  cli::input_file in = open_input(opt);
  // Selected columns: y, the inputs, then weight, diff and time when given.
  std::vector<io::column> columns{io::column::parse(opt.y)};
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
  return with_reader(opt, in, columns, [&](auto& reader) {
    return fit_multivariate(r, in, reader, l, rows);
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
  cli::check_distinct(opt.input, opt.output, opt.checkpoint);
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
  cli::add_run_options(app, opt);
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
