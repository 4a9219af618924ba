#include "status/status_page.hpp"

#include "status/status_text.hpp"
#include "util/log.hpp"

#include <manta/error.hpp>

#include <httplib.h>
#include <nlohmann/json.hpp>

#include <sys/socket.h>

#include <chrono>

namespace manta::status {
StatusPage::StatusPage(const std::string& address, int port,
                       std::function<nlohmann::json()> document)
    : server_(std::make_unique<httplib::Server>()), address_(address) {
  // One thread answers: a person or a script polling, not a crowd.
  server_->new_task_queue = [] { return new httplib::ThreadPool(1); };
  // httplib's default adds SO_REUSEPORT: two jobs given one port would both listen on it, and
  // each would answer half of the requests with its status.
  server_->set_socket_options([](int socket) {
    const int yes = 1;
    ::setsockopt(socket, SOL_SOCKET, SO_REUSEADDR, &yes, sizeof yes);
  });
  server_->Get("/", [document](const httplib::Request& request, httplib::Response& response) {
    const std::size_t ranks = request.has_param("all") ? 0 : 16;
    response.set_content(status_text(document(), unix_now(), ranks), "text/plain; charset=utf-8");
  });
  server_->Get("/status.json", [document](const httplib::Request&, httplib::Response& response) {
    response.set_content(document().dump(1), "application/json");
  });
  if (port == 0) {
    port_ = server_->bind_to_any_port(address);
  } else if (server_->bind_to_port(address, port)) {
    port_ = port;
  }
  if (port_ <= 0) {
    throw Error("the status page cannot listen on " + address + ":" + std::to_string(port) +
                " (--status-address, --status-port): the address is not this node's, or the "
                "port is taken; --status-port 0 takes a free one");
  }
  thread_ = std::thread([this] {
    server_->listen_after_bind();
    listened_.store(true);
  });
  // stop() before the server runs would not reach it, and the thread would never end.
  while (!server_->is_running() && !listened_.load()) {
    std::this_thread::sleep_for(std::chrono::milliseconds(1));
  }
}

StatusPage::~StatusPage() {
  server_->stop();
  thread_.join();
}

std::string StatusPage::url() const {
  return "http://" + address_ + ":" + std::to_string(port_) + "/";
}

}  // namespace manta::status
