// SPDX-License-Identifier: MIT
// realtime_regression's resumable run: the shared resumable run (resumable_run.hpp) over a
// regressor whose sink is the change stream a,b,time,diff.
#pragma once

#include <streamreg/streamreg.hpp>

#include "cli_common.hpp"
#include "realtime_options.hpp"
#include "resumable_run.hpp"

#include <string>
#include <utility>

namespace realtime {

using writer = streamreg::csv_change_writer<double>;
using stream = streamreg::change_stream<double, writer>;

using cli::request_stop;
using cli::stop_requested;

/// The names of realtime_regression's checkpoints. Version 2 added the input's and output's
/// identity (the `.2`); version 1 checkpoints are refused with a message saying so.
struct names {
  static constexpr const char* program = realtime::program;
  static constexpr const char* prefix = "realtime_regression.2/";
  static constexpr const char* legacy = "streamreg-checkpoint 1 realtime_regression/";
};

/// The resumable run of a regressor over `State` writing the change stream; on resume the
/// change stream takes up the fit it wrote last.
template <class State>
class resumable
    : public cli::resumable<streamreg::regressor<State, stream>, options, names> {
  using base = cli::resumable<streamreg::regressor<State, stream>, options, names>;

 public:
  using reg_type = streamreg::regressor<State, stream>;

  resumable(const options& opt, State initial)
      : base(opt, [&opt, initial = std::move(initial)](std::FILE* f, bool interactive, bool fresh,
                                                         const std::string& name) {
          return reg_type(initial, stream(writer(f, {opt.compat, interactive, fresh}, name)));
        }) {
    this->on_resume = [](reg_type& reg) {
      if (reg.accepted() > 0) reg.sink().resume(reg.fit());
    };
  }
};

}  // namespace realtime
