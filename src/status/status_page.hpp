/// @file status/status_page.hpp
/// @brief The job's status over HTTP, served by rank 0 (cpp-httplib): `/` the table that
/// `manta status` prints (`/?all` with every rank), `/status.json` the document itself. Bound to
/// one address, 127.0.0.1 unless asked otherwise: no port of the job opens to the network.
#pragma once

#include <nlohmann/json_fwd.hpp>

#include <atomic>
#include <functional>
#include <memory>
#include <string>
#include <thread>

namespace httplib {
class Server;
}

namespace manta::status {

/// @brief An HTTP server on a thread of its own, answering one request at a time.
class StatusPage {
 public:
  /// Serves what `document` returns (called for each request, from the server's thread) on
  /// `address`:`port`; port 0 takes a free one.
  /// @throws Error naming the address and port when they cannot be bound
  StatusPage(const std::string& address, int port, std::function<nlohmann::json()> document);
  ~StatusPage();
  StatusPage(const StatusPage&) = delete;
  StatusPage& operator=(const StatusPage&) = delete;

  int port() const noexcept { return port_; }
  /// "http://127.0.0.1:8265/".
  std::string url() const;

 private:
  std::unique_ptr<httplib::Server> server_;
  std::string address_;
  int port_ = 0;
  std::atomic<bool> listened_{false};  ///< the server's loop returned
  std::thread thread_;
};

}  // namespace manta::status
