// Concurrent actors (ActorOptions::max_concurrency, Ray's threaded actors): up to N calls of one
// actor run at once and never more, they start in the order they were made, and a call that
// kills or ends its actor waits for the others before the actor restarts or dies.
#include "test_support.hpp"

#include <atomic>
#include <chrono>
#include <mutex>
#include <thread>
#include <vector>

namespace {

using namespace manta_test;

ConcurrencyProbe concurrent_probe;

class PolicyServer {
 public:
  explicit PolicyServer(int version = 1) : version_(version) {}
  /// Holds its call until `partners` calls run at once (or 2 s), recording the peak.
  int serve(int partners) {
    concurrent_probe.run_with(partners);
    return version_;
  }
  /// Records the order calls start in.
  int arrive(int caller) {
    {
      std::lock_guard lock(mutex_);
      arrivals_.push_back(caller);
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(2));
    return caller;
  }
  std::vector<int> arrivals() {
    std::lock_guard lock(mutex_);
    return arrivals_;
  }
  int crash() { throw manta::ActorFatalError("the policy diverged"); }
  int leave() { manta::exit_actor(); }
  int version() const { return version_; }

 private:
  int version_;
  std::mutex mutex_;
  std::vector<int> arrivals_;
};
MANTA_ACTOR(PolicyServer, serve, arrive, arrivals, crash, leave, version);

class ConcurrentActors : public ::testing::Test {
 protected:
  void SetUp() override { concurrent_probe.reset(); }
  manta::Runtime runtime_{runtime_options(2)};
};

std::vector<manta::ObjectRef<int>> serve_many(const manta::ActorHandle<PolicyServer>& server,
                                              int calls, int partners) {
  std::vector<manta::ObjectRef<int>> refs;
  for (int i = 0; i < calls; ++i)
    refs.push_back(server.call(&PolicyServer::serve).remote(partners));
  return refs;
}

TEST_F(ConcurrentActors, UpToMaxConcurrencyCallsOverlapAndNeverMore) {
  auto server = manta::actor<PolicyServer>().options({.max_concurrency = 3}).remote();
  // Each call waits for 4 partners: only 3 may ever run, so the peak shows the limit (one call at
  // a time, the default, is Actors.CallsNeverOverlap).
  EXPECT_EQ(manta::get(serve_many(server, 6, 4)), std::vector<int>(6, 1));
  EXPECT_EQ(concurrent_probe.peak(), 3);
}

TEST_F(ConcurrentActors, CallsStartInTheOrderTheyWereMade) {
  auto server = manta::actor<PolicyServer>().options({.max_concurrency = 4}).remote();
  std::vector<manta::ObjectRef<int>> refs;
  std::vector<int> expected;
  for (int i = 0; i < 200; ++i) {
    refs.push_back(server.call(&PolicyServer::arrive).remote(i));
    expected.push_back(i);
  }
  EXPECT_EQ(manta::get(refs), expected);
  const auto arrivals = manta::get(server.call(&PolicyServer::arrivals).remote());
  ASSERT_EQ(arrivals.size(), expected.size());
  // Started in order, up to 4 at once: no call starts more than 3 places early.
  for (std::size_t i = 0; i < arrivals.size(); ++i) {
    EXPECT_LE(std::abs(arrivals[i] - static_cast<int>(i)), 3) << "position " << i;
  }
}

TEST_F(ConcurrentActors, FatalErrorRestartsOnceTheOtherCallsAreDone) {
  auto server =
      manta::actor<PolicyServer>().options({.max_restarts = 1, .max_concurrency = 4}).remote(7);
  auto slow = serve_many(server, 3, 4);  // hold each other for up to 2 s
  auto crashed = server.call(&PolicyServer::crash).remote();
  EXPECT_EQ(manta::get(slow), std::vector<int>(3, 7));  // ran to the end on the old instance
  EXPECT_THROW(manta::get(crashed), manta::TaskError);
  EXPECT_EQ(manta::get(server.call(&PolicyServer::version).remote()), 7);  // restarted
  EXPECT_THROW(manta::get(server.call(&PolicyServer::crash).remote()), manta::TaskError);
  EXPECT_THROW(manta::get(server.call(&PolicyServer::version).remote()), manta::ActorDiedError);
}

TEST_F(ConcurrentActors, ExitActorEndsItAfterTheRunningCalls) {
  auto server = manta::actor<PolicyServer>().options({.max_concurrency = 2}).remote(3);
  auto busy = server.call(&PolicyServer::serve).remote(2);
  EXPECT_THROW(manta::get(server.call(&PolicyServer::leave).remote()), manta::ActorDiedError);
  EXPECT_EQ(manta::get(busy), 3);
  EXPECT_THROW(manta::get(server.call(&PolicyServer::version).remote()), manta::ActorDiedError);
}

TEST_F(ConcurrentActors, MaxConcurrencyBelowOneIsRefused) {
  EXPECT_THROW(manta::actor<PolicyServer>().options({.max_concurrency = 0}).remote(),
               manta::InvalidOptionError);
}

}  // namespace
