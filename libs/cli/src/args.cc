#include "args.h"

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"

namespace storewire::cli {

absl::StatusOr<ParsedArgs> ParseArgs(const std::vector<std::string>& args,
                                     const std::set<std::string>& with_value,
                                     const std::set<std::string>& switches) {
  ParsedArgs parsed;
  for (size_t i = 0; i < args.size(); ++i) {
    const std::string& a = args[i];
    if (a == "-" || !absl::StartsWith(a, "--")) {
      parsed.positional.push_back(a);
      continue;
    }
    std::string name = a.substr(2);
    std::string value;
    bool has_inline = false;
    if (size_t eq = name.find('='); eq != std::string::npos) {
      value = name.substr(eq + 1);
      name = name.substr(0, eq);
      has_inline = true;
    }
    if (switches.count(name)) {
      parsed.switches.insert(name);
      continue;
    }
    if (!with_value.count(name))
      return absl::InvalidArgumentError(absl::StrCat("unknown flag --", name));
    if (!has_inline) {
      if (i + 1 >= args.size())
        return absl::InvalidArgumentError(absl::StrCat("--", name, " needs a value"));
      value = args[++i];
    }
    parsed.values[name] = value;
  }
  return parsed;
}

}  // namespace storewire::cli
