// SPDX-License-Identifier: MIT
// Fuzz target: JSON lines through json::jsonl_reader into a regressor. The first byte chooses
// numeric strings and the error policy; the rest is the input.
#include <streamreg/checkpoint.hpp>
#include <streamreg/json/jsonl.hpp>
#include <streamreg/regressor.hpp>

#include <cstdint>
#include <cstdlib>
#include <string>
#include <string_view>
#include <vector>

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  if (size == 0) return 0;
  const unsigned mode = data[0];
  const std::string_view text(reinterpret_cast<const char*>(data + 1), size - 1);
  streamreg::json::format fmt;
  fmt.numeric_strings = (mode & 1u) != 0;
  const auto policy =
      (mode & 2u) != 0 ? streamreg::io::error_policy::skip : streamreg::io::error_policy::stop;
  streamreg::regressor<> reg;
  streamreg::json::jsonl_reader<double> in(text, {"x", "y"}, fmt);
  std::uint64_t bad = 0;
  const auto s = streamreg::json::read_all(
      in, policy,
      [&](const std::vector<double>& v, std::uint64_t) {
        if (!reg.push(v[0], v[1])) std::abort();
      },
      [&](const streamreg::parse_error& e) {
        ++bad;
        if (e.line() == 0 || e.line() > in.line()) std::abort();
      });
  if (s.records != reg.accepted() || (s.skipped + (s.stopped ? 1u : 0u)) != bad) std::abort();
  const std::string saved = streamreg::save_checkpoint(reg);
  streamreg::regressor<> back;
  streamreg::restore_checkpoint(saved, back);
  if (streamreg::save_checkpoint(back) != saved) std::abort();
  return 0;
}
