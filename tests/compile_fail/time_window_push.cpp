// SPDX-License-Identifier: MIT
// Must not compile (a test expects the static_assert's message): a regressor over a
// time_window refuses push(x, y), whose record index is not an event time.
#include <streamreg/regressor.hpp>
#include <streamreg/window.hpp>

int main() {
  streamreg::regressor<streamreg::time_window<>> reg(streamreg::time_window<>(60.0), {});
  reg.push_at(0.0, 1.0, 2.0);  // fine: the event time is given
  return reg.push(2.0, 3.0) ? 0 : 1;  // refused at compile time
}
