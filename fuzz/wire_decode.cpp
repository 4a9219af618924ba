// Fuzzes transport::decode, which reads every control message a peer sends. Any input either
// decodes to a message within the job's limits or throws manta::Error; nothing else may happen
// (no crash, no sanitizer report, no other exception, no allocation beyond the input's size).
// A message that decodes must encode and decode again (the decoder accepted nothing the encoder
// cannot say).
#include "transport/wire.hpp"

#include <manta/error.hpp>

#include <cstddef>
#include <cstdint>
#include <span>

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  using namespace manta::transport;
  const WireLimits limits{.ranks = 4, .custom_resources = 2};
  const std::span<const std::byte> bytes(reinterpret_cast<const std::byte*>(data), size);
  Message message;
  try {
    message = decode(bytes, limits);
  } catch (const manta::Error&) {
    return 0;
  }
  static_cast<void>(decode(encode(message), limits));
  return 0;
}
