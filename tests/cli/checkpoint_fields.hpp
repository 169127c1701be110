// SPDX-License-Identifier: MIT
// Reading a checkpoint's text in tests: the value of a field ("name value" lines).
#pragma once

#include <string>

namespace cli_test {

/// The value of the first field `name` of a checkpoint's text; empty when there is none.
inline std::string checkpoint_field(const std::string& text, const std::string& name) {
  const std::size_t at = text.find("\n" + name + " ");
  if (at == std::string::npos) return "";
  const std::size_t from = at + name.size() + 2;
  return text.substr(from, text.find('\n', from) - from);
}

}  // namespace cli_test
