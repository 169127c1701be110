// SPDX-License-Identifier: MIT
// Fuzz target: checkpoint text through restore_checkpoint into a regressor, a count window,
// a time window and a forgetting state. With the first byte odd the checksum is recomputed
// first, so that the field parsers are reached. A restore either throws checkpoint_error,
// leaving the target as it was, or succeeds; then the state saves to the same text and takes
// more records.
#include <streamreg/checkpoint.hpp>
#include <streamreg/forgetting.hpp>
#include <streamreg/regressor.hpp>
#include <streamreg/window.hpp>

#include <cstdint>
#include <cstdlib>
#include <string>
#include <string_view>

namespace {

std::string reseal(std::string text) {
  const std::size_t tail = text.rfind("checksum ");
  if (tail == std::string::npos) return text;
  text.resize(tail);
  return text + "checksum " + streamreg::detail::checksum_line(streamreg::detail::fnv1a(text));
}

template <class T>
void attempt(const std::string& text, T target) {
  target.push_at(1.0, 1.0, 2.0);  // push_at: every state, time windows too
  const std::string before = streamreg::save_checkpoint(target);
  try {
    streamreg::restore_checkpoint(text, target);
  } catch (const streamreg::checkpoint_error&) {
    if (streamreg::save_checkpoint(target) != before) std::abort();  // unchanged
    return;
  }
  const std::string saved = streamreg::save_checkpoint(target);
  T again = target;
  streamreg::restore_checkpoint(saved, again);
  if (streamreg::save_checkpoint(again) != saved) std::abort();
  target.push_at(2.0, 3.0, 4.0);
  (void)target.fit();
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  if (size == 0) return 0;
  std::string text(reinterpret_cast<const char*>(data + 1), size - 1);
  if ((data[0] & 1u) != 0) text = reseal(std::move(text));
  attempt(text, streamreg::regressor<>());
  attempt(text, streamreg::regressor<streamreg::count_window<>>(streamreg::count_window<>(3), {}));
  attempt(text, streamreg::regressor<streamreg::time_window<>>(streamreg::time_window<>(5.0), {}));
  attempt(text, streamreg::regressor<streamreg::forgetting<>>(
                    streamreg::forgetting<>::per_record(0.5), {}));
  return 0;
}
