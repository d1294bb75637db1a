// shulian-load: see bench/load/load_tool.h and docs/benchmarks.md.
#include <iostream>
#include <string>
#include <vector>

#include "bench/load/load_tool.h"

int main(int argc, char** argv) {
  std::vector<std::string> args(argv + 1, argv + argc);
  return shulian::load::RunLoadTool(args, std::cout, std::cerr);
}
