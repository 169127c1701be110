// SPDX-License-Identifier: MIT
// The resumable run under the binaries: the state a checkpoint holds, and the run around it
// (checkpoint locked and verified before any output is opened, output synced before every
// checkpoint that covers it, the read loop). Built on streamreg::io's resumable-run pieces.
// A binary gives the model (what the checkpoint holds beside the position: a regressor and
// its output's state), how to make it over the output, and its names (`Names`: `program`,
// `prefix` of the checkpoint type, `legacy`: the start of a checkpoint an earlier version
// wrote that cannot be resumed, or nullptr).
#pragma once

#include <streamreg/streamreg.hpp>
#include <streamreg/io/resumable.hpp>

#include "cli_common.hpp"

#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <utility>
#include <vector>

namespace cli {

/// The options of a resumable run as every binary declares them: --checkpoint,
/// --checkpoint-every, --max-records and --max-rate (`Options`: checkpoint, checkpoint_every,
/// max_records, max_rate).
template <class Options>
void add_run_options(CLI::App& app, Options& opt) {
  app.add_option("-c,--max-records", opt.max_records,
                 "Stop after N data records (0: no limit; counted over restarts)")
      ->check(CLI::NonNegativeNumber);
  app.add_option("--max-rate", opt.max_rate,
                 "At most R records per second (0: no limit; otherwise at least 1e-6)")
      ->check(cli::rate_limit);
  app.add_option("--checkpoint", opt.checkpoint,
                 "Keep the state here (written atomically every --checkpoint-every records and "
                 "at exit); when the file exists at start, continue from it. With --output, "
                 "the output file is cut back to what the checkpoint covers and continued. "
                 "One run per checkpoint (a lock, PATH.lock); the checkpoint records the "
                 "length and hash of the output and input it covers, and a restart refuses "
                 "other files or other options (exit 2)");
  app.add_option("--checkpoint-every", opt.checkpoint_every, "Records between checkpoints")
      ->check(cli::at_least_one)
      ->capture_default_str();
}

/// Everything a restart needs: the regressor's state and counters, the input position and
/// identity and the output the state covers (io::run_position), a Kafka run's offsets.
template <class Reg, class Names>
struct run_state {
  Reg reg;
  std::uint64_t config = 0;   // hash of the arguments that shape the output
  std::uint64_t records = 0;  // data records consumed (good or skipped)
  std::uint64_t skipped = 0;
  double last_time = 0;
  streamreg::io::run_position at{};
  bool kafka = false;  // a Kafka run: the offsets below are saved too (not for files)
  std::vector<std::pair<std::int32_t, std::int64_t>> offsets{};  // per partition, next to read

  /// The binary's prefix (Names::prefix, which carries its checkpoint version) and the model's type.
  static std::string checkpoint_type() { return Names::prefix + Reg::checkpoint_type(); }
  template <class Archive>
  void serialize(Archive& ar) {
    reg.serialize(ar);
    ar.field("config", config);
    ar.field("records", records);
    ar.field("skipped", skipped);
    ar.field("last_time", last_time);
    at.serialize(ar);
    if constexpr (Archive::loading)
      if (skipped > records) ar.fail("field 'skipped' is larger than 'records'");
    if (!kafka) return;
    std::uint64_t n = offsets.size();
    ar.field("partitions", n);
    if constexpr (Archive::loading) {
      if (n > 1000000) ar.fail("field 'partitions' is out of range");
      offsets.assign(n, {0, 0});
    }
    for (auto& [partition, offset] : offsets) {
      ar.field("partition", partition);
      ar.field("offset", offset);
      if constexpr (Archive::loading)
        if (partition < 0 || offset < 0) ar.fail("a negative partition or offset");
    }
  }
};

/// The checkpointed (or not) run of one model: checkpoint locked and read, state restored and
/// the output verified at construction (nothing written); open() opens the output once the
/// input is checked too; save() syncs the output, then writes the checkpoint that covers it;
/// finish() saves and closes. `Options`: checkpoint, checkpoint_every, output, max_records,
/// max_rate, on_error, kafka() and describe() (what the output depends on).
template <class Reg, class Options, class Names>
class resumable {
 public:
  using reg_type = Reg;
  using state_type = run_state<Reg, Names>;
  /// Makes the model over an output: (file, interactive: flush per row, fresh: nothing of this
  /// run's output is there yet, the output's name).
  using factory = std::function<Reg(std::FILE*, bool, bool, const std::string&)>;

  resumable(const Options& opt, factory make)
      : opt_(opt), make_(std::move(make)), config_(streamreg::detail::fnv1a(opt.describe())) {
    if (opt.checkpoint.empty()) return;
    ck_.emplace(opt.checkpoint);
    if (!ck_->saved()) return;
    saved_ = std::make_unique<state_type>(make_state(stdout, false, false));
    restore(*saved_);
    const auto& at = saved_->at;
    const bool to_file = !opt.output.empty() && opt.output != "-";
    if (at.output_checked) {
      if (!to_file)
        throw streamreg::checkpoint_error(
            "cannot resume: checkpoint '" + streamreg::printable(opt.checkpoint) + "' covers " +
            std::to_string(at.output.length) + " bytes of an output file: give it with --output");
      streamreg::io::verify_output(opt.output, at.output);
    } else if (to_file && streamreg::io::is_regular_file(opt.output)) {
      throw streamreg::checkpoint_error(
          "cannot resume: checkpoint '" + streamreg::printable(opt.checkpoint) +
          "' was written with the output on standard output or a pipe, not the file '" +
          streamreg::printable(opt.output) + "'");
    }
  }

  const Options& options_used() const noexcept { return opt_; }
  bool resuming() const noexcept { return saved_ != nullptr; }
  bool checkpointing() const noexcept { return ck_.has_value(); }
  /// The restored state (resuming() only).
  const state_type& saved() const { return *saved_; }

  /// A file input read through `in`: on resume, skips what the checkpoint consumed and checks
  /// it is the same input; later checkpoints record its identity.
  template <class Reader>
  void attach_input(streamreg::io::input_file& in, Reader& reader) {
    input_ = &in;
    if (!resuming()) return;
    const std::uint64_t line = saved_->at.line;
    if (!reader.skip_through(line))
      throw streamreg::checkpoint_error(
          "cannot resume: the input '" + streamreg::printable(in.name()) +
          "' has fewer lines than the " + std::to_string(line) +
          " the checkpoint consumed (another or a shortened file)");
    streamreg::io::verify_input(in, line, in.consumed(line), saved_->at.input);
  }

  /// Opens the output (cut back to what the checkpoint covers when resuming) and the run.
  state_type& open() {
    std::optional<streamreg::io::file_prefix> cut;
    if (resuming() && saved_->at.output_checked) cut = saved_->at.output;
    out_.emplace(opt_.output, cut);
    output_checked_ = out_->regular() && !opt_.output.empty() && opt_.output != "-";
    run_ = std::make_unique<state_type>(make_state(out_->get(), out_->interactive(), !resuming()));
    run_->config = config_;
    run_->kafka = opt_.kafka();
    if (resuming()) {
      restore(*run_);
      if (on_resume) on_resume(run_->reg);
    }
    return *run_;
  }

  cli::output_file& out() { return *out_; }
  state_type& run() { return *run_; }

  /// Called with the restored model when a run resumes (a change stream takes up the fit it
  /// wrote last).
  std::function<void(Reg&)> on_resume;

  /// A Kafka run records its offsets before a checkpoint and commits them after it.
  std::function<void()> before_save, after_save;

  /// Syncs the output, then writes the checkpoint covering it (when there is one).
  void save() {
    if (before_save) before_save();
    if (ck_) {
      run_->at.output = out_->prefix();
      run_->at.output_checked = output_checked_;
      if (input_ != nullptr) run_->at.input = input_->consumed(run_->at.line);
      ck_->save(streamreg::save_checkpoint(*run_));
    } else {
      out_->flush();
    }
    if (after_save) after_save();
  }

  /// Reads every record of `reader` (up to --max-records) into a regressor model: applies
  /// it, counts it, calls after_read() and saves every --checkpoint-every records. Returns
  /// cli::ok or cli::bad_input (a bad record under --on-error fail).
  template <class Reader, class AfterRead>
  int read_all(Reader& reader, const cli::record_layout& layout, AfterRead&& after_read) {
    return read_all_with(
        [&](auto&& before_apply) {
          return cli::read_next(Names::program, opt_.on_error, reader, run_->reg, layout,
                                run_->last_time, *out_, before_apply);
        },
        [&](cli::step) { after_read(); });
  }

  /// The same loop around any `step(before_apply)` that reads and applies one record as
  /// cli::read_next does (calling before_apply() for a record that parsed: --max-rate) and
  /// returns its cli::step; after_read(step) follows each record, good or skipped.
  template <class Step, class AfterRead>
  int read_all_with(Step&& step, AfterRead&& after_read) {
    cli::rate_limiter limiter(opt_.max_rate);
    std::uint64_t n = 0;
    try {
      while (room()) {
        const cli::step s = step([&] { limiter.wait(n++); });
        if (s == cli::step::end || s == cli::step::stop) break;
        if (s == cli::step::fail) return cli::bad_input;
        if (s == cli::step::skip) ++run_->skipped;
        after_read(s);
        counted();
      }
    } catch (const streamreg::parse_error&) {  // a line too long: what came before stays valid
      out_->flush();
      throw;
    }
    return cli::ok;
  }

  /// Whether --max-records allows another record.
  bool room() const { return opt_.max_records == 0 || run_->records < opt_.max_records; }
  /// One more record consumed: saves every --checkpoint-every.
  void counted() {
    ++run_->records;
    if (++since_save_ >= opt_.checkpoint_every) {
      since_save_ = 0;
      save();
    }
  }

  /// The last save, then the output closed (checked); the summary of skipped records.
  int finish(int status) {
    save();
    before_save = after_save = nullptr;
    out_->close();
    if (run_->skipped > 0)
      fmt::print(stderr, "{}: {} records fitted, {} skipped\n", Names::program,
                 run_->reg.accepted(), run_->skipped);
    return status;
  }

 private:
  state_type make_state(std::FILE* f, bool interactive, bool fresh) const {
    state_type s{make_(f, interactive, fresh, out_ ? out_->name() : "output")};
    s.kafka = opt_.kafka();
    return s;
  }

  /// Restores `into` from the checkpoint text; a version 1 checkpoint is named as such.
  void restore(state_type& into) const {
    const std::string& text = *ck_->saved();
    const std::string what = "checkpoint '" + streamreg::printable(opt_.checkpoint) + "': ";
    if (Names::legacy != nullptr && text.rfind(Names::legacy, 0) == 0)
      throw streamreg::checkpoint_error(
          what + "written by an earlier version of " + Names::program + ", which did not record "
                 "the identity of its input and output; it cannot be resumed safely: remove it "
                 "(and the output) to start anew");
    try {
      streamreg::restore_checkpoint(text, into);
    } catch (const streamreg::checkpoint_error& e) {
      throw streamreg::checkpoint_error(std::string(e.what()) + " (in '" +
                                        streamreg::printable(opt_.checkpoint) + "')");
    }
    if (into.config != config_)
      throw streamreg::config_error("checkpoint '" + streamreg::printable(opt_.checkpoint) +
                                    "' was written by a run with other arguments");
  }

  const Options& opt_;
  factory make_;
  std::uint64_t config_;
  std::optional<streamreg::io::checkpoint_file> ck_;
  // unique_ptr, not optional: a regressor over a window has no default constructor, which
  // optional's checks would instantiate (clang, C++20).
  std::unique_ptr<state_type> saved_;
  std::optional<cli::output_file> out_;
  std::unique_ptr<state_type> run_;
  streamreg::io::input_file* input_ = nullptr;
  bool output_checked_ = false;
  std::uint64_t since_save_ = 0;
};

}  // namespace cli
