// Named actors on one rank: found by name, unique, get-or-create without a second constructor,
// alive after their handles are gone, free again once dead; clear errors for unknown names and
// wrong classes.
#include "test_support.hpp"

#include <atomic>
#include <string>

namespace {

using namespace manta_test;

std::atomic<int> ledgers_built{0};

class Ledger {
 public:
  explicit Ledger(int opening) : balance_(opening) { ledgers_built.fetch_add(1); }
  int deposit(int amount) { return balance_ += amount; }
  int balance() const { return balance_; }

 private:
  int balance_;
};
MANTA_ACTOR(Ledger, deposit, balance);

class Clerk {
 public:
  int id() const { return 7; }
};
MANTA_ACTOR(Clerk, id);

class NamedActors : public ::testing::Test {
 protected:
  void SetUp() override { ledgers_built = 0; }
  manta::Runtime runtime_{runtime_options(2)};
};

TEST_F(NamedActors, GetActorFindsTheActorByName) {
  auto ledger = manta::actor<Ledger>().options({.name = "main-ledger"}).remote(100);
  manta::get(ledger.call(&Ledger::deposit).remote(5));
  auto found = manta::get_actor<Ledger>("main-ledger");
  EXPECT_EQ(manta::get(found.call(&Ledger::deposit).remote(10)), 115);
}

TEST_F(NamedActors, ANamedActorOutlivesItsHandles) {
  {
    auto ledger = manta::actor<Ledger>().options({.name = "kept"}).remote(1);
    manta::get(ledger.call(&Ledger::deposit).remote(1));
  }
  EXPECT_EQ(manta::get(manta::get_actor<Ledger>("kept").call(&Ledger::balance).remote()), 2);
}

TEST_F(NamedActors, NamesAreUnique) {
  manta::actor<Ledger>().options({.name = "only-one"}).remote(0);
  try {
    manta::actor<Ledger>().options({.name = "only-one"}).remote(0);
    FAIL() << "a second actor took the name";
  } catch (const manta::InvalidOptionError& error) {
    EXPECT_NE(std::string(error.what()).find("'only-one' exists already"), std::string::npos)
        << error.what();
  }
}

TEST_F(NamedActors, GetIfExistsReturnsTheActorWithoutBuildingAnother) {
  auto first = manta::actor<Ledger>().options({.name = "shared", .get_if_exists = true}).remote(50);
  auto second = manta::actor<Ledger>().options({.name = "shared", .get_if_exists = true}).remote(0);
  manta::get(first.call(&Ledger::deposit).remote(1));
  EXPECT_EQ(manta::get(second.call(&Ledger::balance).remote()), 51);
  EXPECT_EQ(ledgers_built.load(), 1);
}

TEST_F(NamedActors, UnknownNamesAndOtherClassesFailClearly) {
  try {
    manta::get_actor<Ledger>("missing");
    FAIL() << "no ActorNotFoundError";
  } catch (const manta::ActorNotFoundError& error) {
    EXPECT_NE(std::string(error.what()).find("'missing'"), std::string::npos) << error.what();
  }
  manta::actor<Clerk>().options({.name = "clerk"}).remote();
  EXPECT_THROW(manta::get_actor<Ledger>("clerk"), manta::TypeMismatchError);
  EXPECT_THROW(manta::actor<Ledger>().options({.name = "clerk", .get_if_exists = true}).remote(1),
               manta::TypeMismatchError);
}

TEST_F(NamedActors, ADeadActorsNameIsFreeForANewActor) {
  auto old = manta::actor<Ledger>().options({.name = "desk"}).remote(10);
  manta::kill(old);
  EXPECT_THROW(manta::get(old.call(&Ledger::balance).remote()), manta::ActorDiedError);
  EXPECT_THROW(manta::get_actor<Ledger>("desk"), manta::ActorNotFoundError);
  auto successor = manta::actor<Ledger>().options({.name = "desk"}).remote(20);
  EXPECT_EQ(manta::get(manta::get_actor<Ledger>("desk").call(&Ledger::deposit).remote(1)), 21);
  EXPECT_THROW(manta::get(old.call(&Ledger::balance).remote()), manta::ActorDiedError);
}

}  // namespace
