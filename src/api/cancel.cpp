#include "core/object.hpp"
#include "core/task.hpp"

#include <manta/cancel.hpp>
#include <manta/error.hpp>

namespace manta {

bool cancelled() noexcept { return core::current_task_cancelled(); }

namespace detail {

void cancel_object(core::Object* object, bool force, bool recursive) {
  if (object == nullptr) throw InvalidOptionError("cancel of an empty ObjectRef");
  core::cancel_task(*object, force, recursive);
}

}  // namespace detail
}  // namespace manta
