// SPDX-License-Identifier: MIT
// Umbrella header of the standard-library-only core.
#pragma once

#include "change_stream.hpp"
#include "config.hpp"
#include "error.hpp"
#include "fit.hpp"
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
