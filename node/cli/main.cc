// `shulian`: the command-line tool (see node/cli/cli.h and docs/cli.md).
#include <cstdlib>
#include <iostream>
#include <string>
#include <vector>

#include "node/cli/cli.h"

extern char** environ;

int main(int argc, char** argv) {
  shulian::cli::Environment env;
  for (char** entry = environ; entry != nullptr && *entry != nullptr; ++entry) {
    std::string text(*entry);
    size_t equals = text.find('=');
    if (equals != std::string::npos && text.rfind("SHULIAN_", 0) == 0) {
      env.variables[text.substr(0, equals)] = text.substr(equals + 1);
    }
  }
  if (const char* home = std::getenv("HOME")) env.home = home;
  std::vector<std::string> args(argv + 1, argv + argc);
  return shulian::cli::RunCli(args, std::cout, std::cerr, env);
}
