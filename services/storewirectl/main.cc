// storewirectl: the operator's command line. See libs/cli.
#include <iostream>
#include <string>
#include <vector>

#include "storewire/cli/cli.h"

int main(int argc, char** argv) {
  std::vector<std::string> args(argv + 1, argv + argc);
  return storewire::cli::Main(args, std::cin, std::cout, std::cerr);
}
