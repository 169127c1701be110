// SPDX-License-Identifier: MIT
// Builds the core with -fno-exceptions and runs a small fit through CSV, regressor and sink.
#include <streamreg/streamreg.hpp>

#include <cmath>
#include <cstdio>

int main() {
  streamreg::io::csv_reader<double> in(std::string_view("x,y\n0,1\n1,3\n2,5\n"),
                                       {streamreg::io::column::parse("x"),
                                        streamreg::io::column::parse("y")});
  streamreg::regressor<> reg;
  while (in.next() == streamreg::io::csv_reader<double>::result::record) reg.push(in[0], in[1]);
  const auto fit = reg.fit();
  const bool good = fit && std::abs(fit.intercept - 1.0) < 1e-15 && std::abs(fit.slope - 2.0) < 1e-15;
  std::printf("%s\n", good ? "ok" : "wrong fit");
  return good ? 0 : 1;
}
