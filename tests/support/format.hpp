// SPDX-License-Identifier: MIT
// How the tests write numbers as text for the library and the binaries to read back.
#pragma once

#include <cstdio>
#include <string>

namespace streamreg_test {

/// 17 significant digits: the double is read back exactly (as the binaries write them).
inline std::string g17(double v) {
  char buf[32];
  std::snprintf(buf, sizeof buf, "%.17g", v);
  return buf;
}

}  // namespace streamreg_test
