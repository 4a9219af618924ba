// status::StatusPage: the status over HTTP on one address of this node, asked with a real
// client (cpp-httplib's) over loopback. The page answers with what its callback returns at the
// time of the request, and is reachable only on the address it was given.
#include "status/status_page.hpp"

#include "core/status_publisher.hpp"
#include "status/status_text.hpp"

#include <manta/error.hpp>

#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <httplib.h>
#include <nlohmann/json.hpp>

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <atomic>
#include <chrono>
#include <optional>
#include <string>
#include <vector>

namespace {

using manta::core::RankState;
using manta::status::StatusPage;
using ::testing::HasSubstr;
using ::testing::Not;
using json = nlohmann::json;

/// A running job of `ranks` ranks on hosts host0, host1, ..., updated now.
json document_of(int ranks, std::string id = "4242.0") {
  std::vector<std::optional<RankState>> states;
  for (int rank = 0; rank < ranks; ++rank) {
    RankState state;
    state.summary.rank = rank;
    state.summary.hostname = "host" + std::to_string(rank);
    states.emplace_back(std::move(state));
  }
  const double now = manta::status::unix_now();
  return manta::core::status_document(
      {.id = std::move(id), .ranks = ranks, .nodes = 1, .started = now - 5}, states, now);
}

httplib::Client client_of(const std::string& address, int port) {
  httplib::Client client(address, port);
  client.set_connection_timeout(std::chrono::seconds(5));
  client.set_read_timeout(std::chrono::seconds(10));
  return client;
}

/// A TCP socket bound to 127.0.0.1 on a free port and listening, without SO_REUSEPORT: another
/// program holding the port.
class HeldPort {
 public:
  HeldPort() : socket_(::socket(AF_INET, SOCK_STREAM, 0)) {
    sockaddr_in address{};
    address.sin_family = AF_INET;
    address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    address.sin_port = 0;
    if (socket_ < 0 ||
        ::bind(socket_, reinterpret_cast<const sockaddr*>(&address), sizeof address) != 0 ||
        ::listen(socket_, 1) != 0) {
      throw std::runtime_error("cannot hold a port");
    }
    socklen_t length = sizeof address;
    ::getsockname(socket_, reinterpret_cast<sockaddr*>(&address), &length);
    port_ = ntohs(address.sin_port);
  }
  ~HeldPort() { ::close(socket_); }
  HeldPort(const HeldPort&) = delete;
  HeldPort& operator=(const HeldPort&) = delete;

  int port() const { return port_; }

 private:
  int socket_;
  int port_ = 0;
};

std::string error_of(const std::string& address, int port) {
  try {
    StatusPage page(address, port, [] { return document_of(1); });
    return "(listening on port " + std::to_string(page.port()) + ")";
  } catch (const manta::Error& error) {
    return error.what();
  }
}

TEST(StatusPage, StatusJsonIsTheDocumentTheCallbackGives) {
  const auto document = document_of(3);
  StatusPage page("127.0.0.1", 0, [&] { return document; });
  ASSERT_GT(page.port(), 0);
  EXPECT_EQ(page.url(), "http://127.0.0.1:" + std::to_string(page.port()) + "/");
  auto client = client_of("127.0.0.1", page.port());
  const auto response = client.Get("/status.json");
  ASSERT_TRUE(response) << httplib::to_string(response.error());
  EXPECT_EQ(response->status, 200);
  EXPECT_THAT(response->get_header_value("Content-Type"), HasSubstr("application/json"));
  EXPECT_EQ(json::parse(response->body), document);
}

TEST(StatusPage, TheRootIsTheTextTable) {
  StatusPage page("127.0.0.1", 0, [] { return document_of(3); });
  auto client = client_of("127.0.0.1", page.port());
  const auto response = client.Get("/");
  ASSERT_TRUE(response) << httplib::to_string(response.error());
  EXPECT_EQ(response->status, 200);
  EXPECT_THAT(response->get_header_value("Content-Type"), HasSubstr("text/plain"));
  EXPECT_THAT(response->body, HasSubstr("Manta job 4242.0: running, 3 ranks on 1 node, up "));
  EXPECT_THAT(response->body, HasSubstr("host2"));
  // Updated just now: not stale.
  EXPECT_THAT(response->body, Not(HasSubstr("warning")));
}

TEST(StatusPage, AllListsEveryRankWhereTheRootListsTheBusiest) {
  StatusPage page("127.0.0.1", 0, [] { return document_of(20); });
  auto client = client_of("127.0.0.1", page.port());
  const auto root = client.Get("/");
  ASSERT_TRUE(root) << httplib::to_string(root.error());
  EXPECT_THAT(root->body, HasSubstr("(4 more ranks with less work"));
  const auto all = client.Get("/?all");
  ASSERT_TRUE(all) << httplib::to_string(all.error());
  EXPECT_EQ(all->status, 200);
  for (int rank = 0; rank < 20; ++rank) {
    EXPECT_THAT(all->body, HasSubstr("  host" + std::to_string(rank) + "\n"));
  }
  EXPECT_THAT(all->body, Not(HasSubstr("more ranks")));
}

TEST(StatusPage, AnUnknownPathIsNotFound) {
  StatusPage page("127.0.0.1", 0, [] { return document_of(1); });
  auto client = client_of("127.0.0.1", page.port());
  const auto response = client.Get("/metrics");
  ASSERT_TRUE(response) << httplib::to_string(response.error());
  EXPECT_EQ(response->status, 404);
}

TEST(StatusPage, EachRequestAsksTheCallbackAgain) {
  // The publisher replaces its document every round: the page serves the latest.
  std::atomic<int> calls{0};
  StatusPage page("127.0.0.1", 0,
                  [&] { return document_of(1, "round" + std::to_string(++calls)); });
  auto client = client_of("127.0.0.1", page.port());
  const auto first = client.Get("/status.json");
  ASSERT_TRUE(first) << httplib::to_string(first.error());
  const auto second = client.Get("/status.json");
  ASSERT_TRUE(second) << httplib::to_string(second.error());
  EXPECT_EQ(json::parse(first->body).at("job").at("id"), "round1");
  EXPECT_EQ(json::parse(second->body).at("job").at("id"), "round2");
  const auto text = client.Get("/");
  ASSERT_TRUE(text) << httplib::to_string(text.error());
  EXPECT_THAT(text->body, HasSubstr("Manta job round3:"));
  EXPECT_EQ(calls.load(), 3);
}

TEST(StatusPage, ItIsNotReachableOnAnotherAddressOfThisNode) {
  // Bound to 127.0.0.1 only: 127.0.0.2, also this node's (loopback), finds no one at the port.
  StatusPage page("127.0.0.1", 0, [] { return document_of(1); });
  httplib::Client elsewhere("127.0.0.2", page.port());
  elsewhere.set_connection_timeout(std::chrono::milliseconds(500));
  const auto response = elsewhere.Get("/status.json");
  EXPECT_FALSE(response) << "answered with status " << response->status;
  EXPECT_EQ(response.error(), httplib::Error::Connection);
  // The page itself is up.
  EXPECT_TRUE(client_of("127.0.0.1", page.port()).Get("/status.json"));
}

TEST(StatusPage, APortTakenByAnotherProgramIsRefusedNamingAddressAndPort) {
  HeldPort held;
  const auto error = error_of("127.0.0.1", held.port());
  EXPECT_THAT(error, HasSubstr("the status page cannot listen on 127.0.0.1:" +
                               std::to_string(held.port())));
}

// Two jobs of one user on one node asking for the same --status-port: the second must fail, not
// share the port with the first. cpp-httplib (0.11) sets SO_REUSEPORT on its listening socket, so
// the second page binds too and the kernel splits the connections between the two jobs. Enable
// once StatusPage sets its own socket options (Server::set_socket_options, SO_REUSEADDR only).
TEST(StatusPage, APortTakenByAnotherStatusPageIsRefused) {
  StatusPage first("127.0.0.1", 0, [] { return document_of(1, "first"); });
  const auto error = error_of("127.0.0.1", first.port());
  EXPECT_THAT(error, HasSubstr("127.0.0.1:" + std::to_string(first.port())));
}

TEST(StatusPage, AnAddressNotOfThisNodeIsRefused) {
  // 192.0.2.1 is TEST-NET-1 (RFC 5737): no interface of this node has it.
  EXPECT_THAT(error_of("192.0.2.1", 0), HasSubstr("cannot listen on 192.0.2.1:0"));
  EXPECT_THAT(error_of("192.0.2.1", 8265), HasSubstr("cannot listen on 192.0.2.1:8265"));
}

TEST(StatusPage, StoppingIsPrompt) {
  // The job's end waits for the page to stop: its thread must not sit out a poll interval or
  // hang when no request ever came.
  const auto start = std::chrono::steady_clock::now();
  for (int i = 0; i < 20; ++i) {
    StatusPage page("127.0.0.1", 0, [] { return document_of(1); });
    if (i % 2 == 0) {
      EXPECT_TRUE(client_of("127.0.0.1", page.port()).Get("/status.json"));
    }
  }
  EXPECT_LT(std::chrono::steady_clock::now() - start, std::chrono::seconds(5));
}

}  // namespace
