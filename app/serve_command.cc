// c10k serve: listen, print "listening on HOST:PORT", hand the socket to the
// chosen model, and serve until SIGINT/SIGTERM.
#include <cstdio>
#include <memory>

#include "app/command.h"
#include "common/byte_size.h"
#include "common/net.h"
#include "common/stop_signal.h"
#include "protocols/protocol.h"
#include "servers/models.h"
#include "servers/server_config.h"

namespace c10k {

namespace {

struct ServeOptions {
  std::string model;
  std::string protocol = "echo";
  std::string host = "127.0.0.1";
  int port = 0;
  int threads = 0;
  int max_threads = 0;
  std::string max_frame = "1MiB";
  std::string output_limit = "1MiB";
};

std::string JoinNames(const std::vector<std::string_view>& names) {
  std::string text;
  for (auto name : names) text += (text.empty() ? "" : ", ") + std::string(name);
  return text;
}

int Serve(const ServeOptions& options) {
  const ServerModel* model = FindServerModel(options.model);
  if (!model) {
    throw UsageError("unknown model \"" + options.model + "\"; compiled here: " + CompiledModelNames());
  }
  if (!model->compiled) {
    throw UsageError("model " + options.model + " is not available on this platform (" +
                     std::string(model->summary) + "); compiled here: " + CompiledModelNames());
  }
  auto protocol = ParseProtocol(options.protocol);
  if (!protocol) {
    throw UsageError("unknown protocol \"" + options.protocol + "\"; choose one of " +
                     JoinNames(ProtocolNames()));
  }
  if (std::string why = model->refuses(*protocol); !why.empty()) {
    throw UsageError("model " + options.model + " does not serve " + options.protocol + ": " + why);
  }
  // An option the model does not read is refused, not ignored: whoever asked
  // epoll for four threads must not measure one thread unawares.
  if (options.threads > 0 && options.model != "reuseport") {
    throw UsageError("--threads applies to --model reuseport only (its event loops)");
  }
  if (options.max_threads > 0 && options.model != "threads") {
    throw UsageError("--max-threads applies to --model threads only");
  }
  ServerConfig config;
  config.model = options.model;
  config.protocol = *protocol;
  config.threads = options.threads;
  config.max_threads = options.max_threads;
  config.codec.max_frame = ByteSizeFlag("--max-frame", options.max_frame);
  config.output_limit = ByteSizeFlag("--output-limit", options.output_limit);
  if (!ServerLimitInRange(config.codec.max_frame)) {
    throw UsageError("--max-frame must be " + ServerLimitRange());
  }
  if (!ServerLimitInRange(config.output_limit)) {
    throw UsageError("--output-limit must be " + ServerLimitRange());
  }

  auto address = ParseAddress(options.host, static_cast<uint16_t>(options.port));
  if (!address) {
    throw UsageError("--host \"" + options.host + "\" is not a numeric IPv4 or IPv6 address");
  }
  InstallStopSignalHandlers();
  RaiseFileLimit();
  std::string error;
  UniqueFd listener = ListenTcp(*address, /*nonblocking=*/!model->blocking_listener,
                                model->reuse_port_listener, &error);
  if (!listener) throw UsageError(error);
  auto bound = LocalAddress(listener.Get());
  std::printf("listening on %s\n", bound ? bound->ToString().c_str() : "?");
  std::fflush(stdout);
  return model->run(config, std::move(listener));
}

}  // namespace

Command AddServeCommand(CLI::App& root) {
  auto options = std::make_shared<ServeOptions>();
  CLI::App* app = root.add_subcommand(
      "serve",
      "Serve a protocol with one I/O model. Prints \"listening on HOST:PORT\" once it accepts, "
      "then serves until SIGINT or SIGTERM (exit 0).");
  app->add_option("--model", options->model, "I/O model (see `c10k models`)")->required();
  app->add_option("--protocol", options->protocol, "echo, framed, line, http or resp")
      ->capture_default_str();
  app->add_option("--host", options->host, "Address to listen on (IPv4 or IPv6 literal)")
      ->capture_default_str();
  app->add_option("--port", options->port, "Port; 0 picks a free one (printed)")
      ->check(WholeNumberFlag(0, 65535))
      ->capture_default_str();
  app->add_option("--threads", options->threads,
                  "Event loops, for the reuseport model (default: one per core)")
      ->check(WholeNumberFlag(1, 1024));
  app->add_option("--max-threads", options->max_threads,
                  "threads model: most client threads at once; more connections are closed and "
                  "counted as if thread creation failed (default: the system's limits)")
      ->check(WholeNumberFlag(1, 1'000'000));
  app->add_option("--max-frame", options->max_frame,
                  "Largest frame, line, request or value accepted, " + ServerLimitRange() +
                      "; larger closes that connection")
      ->capture_default_str();
  app->add_option("--output-limit", options->output_limit,
                  "Pending output per connection past which the server stops reading from it, " +
                      ServerLimitRange())
      ->capture_default_str();
  return {app, [options] { return Serve(*options); }};
}

}  // namespace c10k
