#include "core/actor.hpp"

#include <manta/actor.hpp>

namespace manta {

bool was_current_actor_restarted() { return core::current_actor_restarted(); }

void exit_actor() { core::exit_current_actor(); }

}  // namespace manta
