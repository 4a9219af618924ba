// core::MessageRouter: each message reaches the handler registered for its type, once.
#include "core/message_router.hpp"

#include <gtest/gtest.h>

#include <stdexcept>
#include <string>

namespace {

using manta::core::MessageRouter;
namespace transport = manta::transport;

TEST(MessageRouter, EachMessageReachesTheHandlerOfItsType) {
  MessageRouter router({2, 0}, [](int, const std::string& problem) { FAIL() << problem; });
  int steals = 0;
  std::int64_t bundle = -1;
  int from = -1;
  router.on<transport::StealRequest>([&](int source, transport::StealRequest request) {
    ++steals;
    from = source;
    EXPECT_EQ(request.free_units, 3000);
  });
  router.on<transport::ReleaseBundle>(
      [&](int, transport::ReleaseBundle release) { bundle = release.key; });
  router.route(1, transport::encode(transport::StealRequest{3000}));
  router.route(0, transport::encode(transport::ReleaseBundle{42}));
  EXPECT_EQ(steals, 1);
  EXPECT_EQ(from, 1);
  EXPECT_EQ(bundle, 42);
  // A type nobody registered is dropped (and logged), not given to another handler.
  router.route(1, transport::encode(transport::StealReply{2}));
  EXPECT_EQ(steals, 1);
}

TEST(MessageRouter, MalformedBytesAreReportedWithTheirSender) {
  int reported = -1;
  std::string why;
  MessageRouter router({2, 0}, [&](int source, const std::string& problem) {
    reported = source;
    why = problem;
  });
  router.on<transport::StealRequest>([](int, transport::StealRequest) { FAIL(); });
  auto bytes = transport::encode(transport::StealRequest{1});
  bytes.push_back(std::byte{0});
  router.route(1, bytes);
  EXPECT_EQ(reported, 1);
  EXPECT_NE(why.find("malformed"), std::string::npos) << why;
}

TEST(MessageRouter, ASecondHandlerForOneTypeIsRefused) {
  MessageRouter router({1, 0}, [](int, const std::string&) {});
  router.on<transport::BundleReady>([](int, transport::BundleReady) {});
  EXPECT_THROW(router.on<transport::BundleReady>([](int, transport::BundleReady) {}),
               std::logic_error);
}

}  // namespace
