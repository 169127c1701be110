// SPDX-License-Identifier: MIT
// Fuzz target: CSV text through io::csv_reader into a regressor. The first byte chooses the
// format and the error policy; the rest is the input. A run must end with a record count,
// a parse_error or a config_error, and the state must survive a checkpoint round trip.
#include <streamreg/checkpoint.hpp>
#include <streamreg/io/csv.hpp>
#include <streamreg/regressor.hpp>
#include <streamreg/window.hpp>

#include <cstdint>
#include <cstdlib>
#include <string>
#include <string_view>
#include <vector>

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  if (size == 0) return 0;
  const unsigned mode = data[0];
  const std::string_view text(reinterpret_cast<const char*>(data + 1), size - 1);
  namespace io = streamreg::io;
  io::csv_format fmt;
  fmt.detect = (mode & 1u) != 0;
  fmt.whitespace = (mode & 2u) != 0;
  fmt.header = (mode & 4u) == 0;
  fmt.delimiter = (mode & 8u) != 0 ? ';' : ',';
  const io::error_policy policy = (mode & 16u) != 0 ? io::error_policy::skip : io::error_policy::stop;
  const std::vector<io::column> columns =
      fmt.header && !fmt.detect ? std::vector<io::column>{io::column::parse("x"), io::column::parse("y")}
                                : std::vector<io::column>{io::column::at(1), io::column::at(2)};
  streamreg::regressor<> reg;
  streamreg::regressor<streamreg::count_window<>> win(streamreg::count_window<>(3), {});
  try {
    io::csv_reader<double> in(text, columns, fmt);
    std::uint64_t bad = 0;
    const io::read_summary s = io::read_all(
        in, policy,
        [&](const std::vector<double>& v, std::uint64_t) {
          if (!reg.push(v[0], v[1])) std::abort();  // the reader lets only finite values through
          win.push(v[0], v[1]);
        },
        [&](const streamreg::parse_error& e) {
          ++bad;
          if (e.line() == 0 || e.line() > in.line()) std::abort();
        });
    if (s.records != reg.accepted() || (s.skipped + (s.stopped ? 1u : 0u)) != bad) std::abort();
  } catch (const streamreg::config_error&) {
    return 0;
  }
  const std::string saved = streamreg::save_checkpoint(reg);
  streamreg::regressor<> back;
  streamreg::restore_checkpoint(saved, back);
  if (streamreg::save_checkpoint(back) != saved) std::abort();
  (void)reg.fit();
  (void)win.fit();
  return 0;
}
