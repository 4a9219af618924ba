#include "core/runtime.hpp"

#include <manta/checkpoint.hpp>
#include <manta/detail/core_access.hpp>

namespace manta {

std::filesystem::path checkpoint_all(const std::filesystem::path& directory) {
  core::Runtime& runtime = core::Runtime::current();
  // An object the round seals, so that waiting for it is an ordinary `get` (a worker thread gives
  // its CPUs back meanwhile).
  auto* written = new core::Object(runtime.next_object_id(), "checkpoint_all");
  written->retain();  // the request's
  try {
    runtime.checkpointer().request(
        directory, false, [written](const std::filesystem::path& file, std::exception_ptr error) {
          if (error) {
            written->fail(std::move(error));
          } else {
            written->seal(
                std::make_unique<detail::TypedBox<std::filesystem::path>>(std::in_place, file));
          }
          written->release();
        });
  } catch (...) {
    written->release();
    written->release();
    throw;
  }
  const detail::Handle<core::Object> held = detail::Handle<core::Object>::adopt(written);
  return *static_cast<const std::filesystem::path*>(
      detail::object_value(written, typeid(std::filesystem::path), std::nullopt).value());
}

std::optional<std::filesystem::path> restored_checkpoint() {
  return core::Runtime::current().checkpointer().restored_from();
}

}  // namespace manta
