// The table of trainables registered with MANTA_TRAINABLE: filled at static initialisation,
// the same on every rank (each runs the same binary), read-only once main() runs.
#include <manta/tune.hpp>

#include <map>
#include <set>

namespace manta::tune {
namespace {

struct Registry {
  std::map<std::string, Trainable> by_name;
  std::map<Trainable, std::string> names;
  std::set<std::string> duplicates;  ///< names registered twice, refused when looked up
};

Registry& registry() {
  static Registry table;
  return table;
}

}  // namespace

TrainableRegistrar::TrainableRegistrar(const char* name, Trainable trainable) {
  Registry& table = registry();
  if (!table.by_name.emplace(name, trainable).second) table.duplicates.insert(name);
  table.names.emplace(trainable, name);
}

Trainable find_trainable(const std::string& name) {
  const Registry& table = registry();
  if (table.duplicates.contains(name)) {
    throw InvalidOptionError("two trainables are registered as '" + name +
                             "' (MANTA_TRAINABLE): rename one");
  }
  const auto found = table.by_name.find(name);
  if (found == table.by_name.end()) {
    throw NotRegisteredError("no trainable is registered as '" + name +
                             "': register it with MANTA_TRAINABLE(" + name + ")");
  }
  return found->second;
}

std::string trainable_name(Trainable trainable) {
  const Registry& table = registry();
  const auto found = table.names.find(trainable);
  if (found == table.names.end()) {
    throw NotRegisteredError(
        "the trainable was not registered: add MANTA_TRAINABLE(<its name>) at namespace scope");
  }
  find_trainable(found->second);  // refuses a duplicated name
  return found->second;
}

}  // namespace manta::tune
