// A tiny flag parser for storewirectl subcommands: --name VALUE, --name=VALUE,
// --flag, and positional arguments. Unknown flags are errors.
#ifndef STOREWIRE_CLI_ARGS_H_
#define STOREWIRE_CLI_ARGS_H_

#include <map>
#include <set>
#include <string>
#include <vector>

#include "absl/status/statusor.h"

namespace storewire::cli {

struct ParsedArgs {
  std::map<std::string, std::string> values;
  std::set<std::string> switches;
  std::vector<std::string> positional;

  std::string Get(const std::string& name, const std::string& fallback = "") const {
    auto it = values.find(name);
    return it == values.end() ? fallback : it->second;
  }
  bool Has(const std::string& name) const { return switches.count(name) > 0; }
};

// `with_value` lists flags that take a value, `switches` those that don't.
absl::StatusOr<ParsedArgs> ParseArgs(const std::vector<std::string>& args,
                                     const std::set<std::string>& with_value,
                                     const std::set<std::string>& switches);

}  // namespace storewire::cli

#endif  // STOREWIRE_CLI_ARGS_H_
