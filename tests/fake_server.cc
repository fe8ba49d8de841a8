// A tiny test-only TCP server for the load generator's tests, where the real
// server models cannot help: it can corrupt what it echoes, it reports how
// many bytes each connection sent it, and it can broadcast lines before the
// real line protocol exists on the server side, and it can answer HTTP the
// way nginx does past keepalive_requests.
//
//   fake_server --mode echo|corrupt|broadcast|http-close|echo-close|
//                      http-until-close|http10|http-stall
//
// Prints "listening on 127.0.0.1:PORT", serves until SIGTERM/SIGINT, then
// prints "connections N silent S bytes B most M" (S: connections that never
// sent a byte, M: the most bytes one connection sent) and exits 0. One
// thread, poll(2), loopback only; not a benchmark.
#include <poll.h>
#include <sys/socket.h>

#include <algorithm>
#include <cstdio>
#include <cstring>
#include <string>
#include <vector>

#include "common/fd.h"
#include "common/io_status.h"
#include "common/net.h"
#include "common/stop_signal.h"

namespace c10k {
namespace {

enum class Mode {
  kEcho,
  kCorrupt,
  kBroadcast,
  kHttpClose,
  kEchoThenClose,
  kHttpUntilClose,
  kHttp10,
  kHttpStall,
};

// http-stall starts one reply per connection, a status line and a header,
// and never finishes its head: a client waits on it for good.
constexpr std::string_view kStalledHead = "HTTP/1.1 200 OK\r\nContent-Length: 5\r\n";

// Every this many bytes, corrupt mode flips a bit of what it echoes.
constexpr uint64_t kCorruptEvery = 1000;
// http-close answers this many GETs per connection, the last with
// "Connection: close", then closes it as nginx does: it stops writing, reads
// and drops whatever else comes (a lingering close, so that requests already
// sent do not turn into a reset) until the client closes.
constexpr int kHttpRepliesPerConnection = 5;
// echo-close echoes this many bytes of each connection (five 64-byte
// messages), then closes it without a word, as a crashing worker would.
constexpr uint64_t kEchoBeforeClose = 5 * 64;

struct Peer {
  UniqueFd fd;
  uint64_t received = 0;
  std::string input;   // broadcast: a partial line; http-close: a partial request
  std::string output;  // not yet written
  int replies = 0;     // http-close: GETs answered
  bool lingering = false;  // http-close: said Connection: close, drops input
};

void Send(Peer& peer, std::string_view bytes) {
  peer.output.append(bytes);
  while (!peer.output.empty()) {
    IoResult result = WriteSome(peer.fd.Get(), peer.output.data(), peer.output.size());
    if (!result.Ok()) return;
    peer.output.erase(0, result.bytes);
  }
  if (peer.lingering && peer.output.empty()) shutdown(peer.fd.Get(), SHUT_WR);
}

// Answers the first request with `reply`, then closes the connection.
// http-until-close: a body with no length, which the close ends, as simple
// servers do. http10: an HTTP/1.0 reply, which closes unless it says
// keep-alive (Python's http.server).
void AnswerOnceAndClose(Peer& peer, std::string_view data, std::string_view reply) {
  if (peer.lingering) return;
  peer.input.append(data);
  if (peer.input.find("\r\n\r\n") == std::string::npos) return;
  peer.lingering = true;  // Send shuts the connection down once this is out
  Send(peer, reply);
}

// http-close: answers every complete request head in the peer's input.
void AnswerHttp(Peer& peer, std::string_view data) {
  if (peer.lingering) return;
  peer.input.append(data);
  size_t end;
  while ((end = peer.input.find("\r\n\r\n")) != std::string::npos) {
    peer.input.erase(0, end + 4);
    if (++peer.replies < kHttpRepliesPerConnection) {
      Send(peer, "HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok");
      continue;
    }
    peer.lingering = true;  // Send stops writing once this reply is out
    Send(peer, "HTTP/1.1 200 OK\r\nContent-Length: 2\r\nConnection: close\r\n\r\nok");
    return;
  }
}

int Serve(Mode mode) {
  InstallStopSignalHandlers();
  RaiseFileLimit();
  std::string error;
  UniqueFd listener = ListenTcp(*ParseAddress("127.0.0.1", 0), true, false, &error);
  if (!listener) {
    std::fprintf(stderr, "fake_server: %s\n", error.c_str());
    return 2;
  }
  std::printf("listening on %s\n", LocalAddress(listener.Get())->ToString().c_str());
  std::fflush(stdout);
  std::vector<Peer> peers;
  std::vector<Peer> closed;
  std::vector<char> chunk(64 * 1024);
  while (!StopRequested()) {
    std::vector<pollfd> fds;
    fds.push_back({listener.Get(), POLLIN, 0});
    fds.push_back({StopSignalFd(), POLLIN, 0});
    for (auto& peer : peers) {
      short events = POLLIN;
      if (!peer.output.empty()) events |= POLLOUT;
      fds.push_back({peer.fd.Get(), events, 0});
    }
    if (poll(fds.data(), fds.size(), 1000) <= 0) continue;
    if (fds[0].revents & POLLIN) {
      while (true) {
        int fd = accept4(listener.Get(), nullptr, nullptr, SOCK_NONBLOCK | SOCK_CLOEXEC);
        if (fd < 0) break;
        peers.push_back({UniqueFd(fd), 0, {}, {}});
      }
    }
    for (size_t i = 0; i + 2 < fds.size(); ++i) {
      Peer& peer = peers[i];
      if (fds[i + 2].revents & POLLOUT) Send(peer, {});
      if (!(fds[i + 2].revents & (POLLIN | POLLHUP | POLLERR))) continue;
      IoResult result = ReadSome(peer.fd.Get(), chunk.data(), chunk.size());
      if (result.status == IoStatus::kRetry) continue;
      if (!result.Ok()) {
        peer.fd.Reset();
        continue;
      }
      std::string_view data(chunk.data(), result.bytes);
      if (mode == Mode::kHttpClose) {
        AnswerHttp(peer, data);
      } else if (mode == Mode::kHttpUntilClose) {
        AnswerOnceAndClose(peer, data,
                           "HTTP/1.1 200 OK\r\nContent-Type: text/plain\r\n\r\nuntil the close\n");
      } else if (mode == Mode::kHttp10) {
        AnswerOnceAndClose(peer, data, "HTTP/1.0 200 OK\r\nContent-Length: 2\r\n\r\nok");
      } else if (mode == Mode::kHttpStall) {
        if (peer.received == 0) Send(peer, kStalledHead);
      } else if (mode == Mode::kBroadcast) {
        peer.input.append(data);
        size_t newline;
        while ((newline = peer.input.find('\n')) != std::string::npos) {
          std::string_view line(peer.input.data(), newline + 1);
          for (auto& other : peers) {
            if (&other != &peer && other.fd) Send(other, line);
          }
          peer.input.erase(0, newline + 1);
        }
      } else {
        if (mode == Mode::kCorrupt) {
          for (size_t k = 0; k < result.bytes; ++k) {
            if ((peer.received + k) % kCorruptEvery == kCorruptEvery - 1) chunk[k] ^= 0x20;
          }
        }
        Send(peer, data);
      }
      peer.received += result.bytes;
      if (mode == Mode::kEchoThenClose && peer.received >= kEchoBeforeClose) peer.fd.Reset();
    }
    // Closed peers are kept aside so the final report still counts them.
    for (size_t i = 0; i < peers.size();) {
      if (peers[i].fd) {
        ++i;
        continue;
      }
      closed.push_back(std::move(peers[i]));
      peers[i] = std::move(peers.back());
      peers.pop_back();
    }
  }
  uint64_t silent = 0, bytes = 0, most = 0;
  for (const auto* list : {&peers, &closed}) {
    for (const auto& peer : *list) {
      if (peer.received == 0) ++silent;
      bytes += peer.received;
      most = std::max(most, peer.received);
    }
  }
  std::printf("connections %zu silent %llu bytes %llu most %llu\n", peers.size() + closed.size(),
              static_cast<unsigned long long>(silent), static_cast<unsigned long long>(bytes),
              static_cast<unsigned long long>(most));
  return 0;
}

}  // namespace
}  // namespace c10k

int main(int argc, char** argv) {
  c10k::Mode mode = c10k::Mode::kEcho;
  if (argc == 3 && std::strcmp(argv[1], "--mode") == 0) {
    std::string name = argv[2];
    if (name == "corrupt")
      mode = c10k::Mode::kCorrupt;
    else if (name == "broadcast")
      mode = c10k::Mode::kBroadcast;
    else if (name == "http-close")
      mode = c10k::Mode::kHttpClose;
    else if (name == "echo-close")
      mode = c10k::Mode::kEchoThenClose;
    else if (name == "http-until-close")
      mode = c10k::Mode::kHttpUntilClose;
    else if (name == "http10")
      mode = c10k::Mode::kHttp10;
    else if (name == "http-stall")
      mode = c10k::Mode::kHttpStall;
    else if (name != "echo")
      argc = 0;
  }
  if (argc != 1 && argc != 3) {
    std::fprintf(stderr,
                 "usage: fake_server [--mode "
                 "echo|corrupt|broadcast|http-close|echo-close|http-until-close|http10|"
                 "http-stall]\n");
    return 2;
  }
  return c10k::Serve(mode);
}
