// SPDX-License-Identifier: MIT
// What the crash drills share: reading a file whole and their fixed-seed random numbers.
#pragma once

#include <cstdint>
#include <fstream>
#include <sstream>
#include <string>

namespace drill_support {

inline std::string slurp(const std::string& path) {
  std::ifstream f(path, std::ios::binary);
  std::ostringstream s;
  s << f.rdbuf();
  return s.str();
}

/// splitmix64: the next number of the sequence whose state is `s`.
inline std::uint64_t splitmix(std::uint64_t& s) {
  std::uint64_t z = (s += 0x9e3779b97f4a7c15ULL);
  z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
  z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
  return z ^ (z >> 31);
}

}  // namespace drill_support
