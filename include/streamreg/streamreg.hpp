// SPDX-License-Identifier: MIT
// Umbrella header of the standard-library-only core: every header of streamreg::streamreg but
// the POSIX file helpers of io/ (input_file, durable_file, resumable, run_lock), which are
// included on their own.
#pragma once

#include "change_stream.hpp"
#include "checkpoint.hpp"
#include "config.hpp"
#include "error.hpp"
#include "fit.hpp"
#include "forgetting.hpp"
#include "io/csv.hpp"
#include "io/generator.hpp"
#include "io/line_reader.hpp"
#include "moments.hpp"
#include "prediction.hpp"
#include "record.hpp"
#include "regressor.hpp"
#include "sink.hpp"
#include "solve.hpp"
#include "sums.hpp"
#include "version.hpp"
#include "window.hpp"
