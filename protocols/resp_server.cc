// resp: the Redis protocol, enough of it for redis-benchmark and redis-cli.
// Commands arrive as RESP arrays of bulk strings ("*2\r\n$3\r\nGET\r\n...")
// or as inline text lines ("PING\r\n"), and may be pipelined: each is
// answered in order. PING, ECHO, SET, GET and DEL work on the server's shared
// KeyValueStore; CONFIG GET and COMMAND get harmless empty answers so that
// clients that ask for them at start carry on; anything else is an error
// reply and the connection stays open. Input that is not RESP gets an error
// and the connection is closed, as Redis does, since the framing is lost.
// A command must fit in --max-frame (plus a little for its framing), which
// bounds what one client can make the server buffer.
#include "protocols/resp_server.h"

#include <algorithm>
#include <charconv>
#include <string>

#include "common/byte_size.h"

namespace c10k {

namespace {

// Room for the framing around a --max-frame value: the array and bulk
// headers, the key, and the command name.
constexpr size_t kCommandSlack = 4096;
// More arguments than any supported command takes, with room to spare.
constexpr int64_t kMaxArgs = 1024;
// An inline command is a short line of text.
constexpr size_t kMaxInline = 64 * 1024;

bool EqualsUpper(std::string_view text, std::string_view upper) {
  return text.size() == upper.size() &&
         std::equal(text.begin(), text.end(), upper.begin(), [](char a, char b) {
           return (a >= 'a' && a <= 'z' ? static_cast<char>(a - 'a' + 'A') : a) == b;
         });
}

// Reads "<integer>\r\n" after the type byte at input[0]. Returns the index
// past the CRLF, 0 when the line is not all there yet, -1 when malformed.
int64_t ReadHeader(std::string_view input, int64_t* value) {
  size_t end = input.find('\r');
  if (end == std::string_view::npos) return input.size() > 32 ? -1 : 0;
  if (end + 1 >= input.size()) return 0;
  if (input[end + 1] != '\n') return -1;
  auto [stop, error] = std::from_chars(input.data() + 1, input.data() + end, *value);
  if (error != std::errc() || stop != input.data() + end || end == 1) return -1;
  return static_cast<int64_t>(end + 2);
}

void ReplyBulk(ReplySink& sink, std::string_view value) {
  char header[24];
  header[0] = '$';
  auto [end, error] = std::to_chars(header + 1, header + sizeof header - 2, value.size());
  *end++ = '\r';
  *end++ = '\n';
  sink.Reply({header, static_cast<size_t>(end - header)});
  sink.Reply(value);
  sink.Reply("\r\n");
}

void ReplyInteger(ReplySink& sink, int64_t value) {
  char text[24];
  text[0] = ':';
  auto [end, error] = std::to_chars(text + 1, text + sizeof text - 2, value);
  *end++ = '\r';
  *end++ = '\n';
  sink.Reply({text, static_cast<size_t>(end - text)});
}

void ReplyWrongArity(ReplySink& sink, std::string_view command) {
  sink.Reply("-ERR wrong number of arguments for '");
  sink.Reply(command);
  sink.Reply("' command\r\n");
}

void ReplyUnknown(ReplySink& sink, std::string_view command) {
  // Echo at most a printable prefix of the name: the reply is one line.
  std::string name;
  for (char c : command.substr(0, 64)) name += (c >= ' ' && c <= '~') ? c : '?';
  sink.Reply("-ERR unknown command '");
  sink.Reply(name);
  sink.Reply("'\r\n");
}

}  // namespace

RespServerCodec::RespServerCodec(const CodecOptions& options, ServerState& state)
    : max_bulk_(options.max_frame),
      max_command_(options.max_frame + kCommandSlack),
      store_(state.Store()) {
  args_.reserve(8);
}

RespServerCodec::Parse RespServerCodec::ParseArray(std::string_view input, size_t* length,
                                                   std::string_view* why) {
  int64_t count = 0;
  int64_t at = ReadHeader(input, &count);
  if (at < 0) {
    *why = "invalid multibulk length";
    return Parse::kMalformed;
  }
  if (at == 0) return Parse::kIncomplete;
  if (count > kMaxArgs) {
    *why = "too many arguments";
    return Parse::kMalformed;
  }
  args_.clear();
  for (int64_t i = 0; i < count; ++i) {
    std::string_view rest = input.substr(static_cast<size_t>(at));
    if (rest.empty()) return Parse::kIncomplete;
    if (rest[0] != '$') {
      *why = "expected '$'";
      return Parse::kMalformed;
    }
    int64_t size = 0;
    int64_t head = ReadHeader(rest, &size);
    if (head < 0 || size < 0) {
      *why = "invalid bulk length";
      return Parse::kMalformed;
    }
    if (head == 0) return Parse::kIncomplete;
    if (static_cast<size_t>(size) > max_bulk_) {
      *why = "bulk string larger than --max-frame";
      return Parse::kMalformed;
    }
    size_t end = static_cast<size_t>(head + size);
    if (rest.size() < end + 2) return Parse::kIncomplete;
    if (rest[end] != '\r' || rest[end + 1] != '\n') {
      *why = "bulk string not followed by CRLF";
      return Parse::kMalformed;
    }
    args_.push_back(rest.substr(static_cast<size_t>(head), static_cast<size_t>(size)));
    at += static_cast<int64_t>(end + 2);
  }
  *length = static_cast<size_t>(at);
  return Parse::kComplete;
}

RespServerCodec::Parse RespServerCodec::ParseInline(std::string_view input, size_t* length,
                                                    std::string_view* why) {
  size_t newline = input.find('\n');
  if (newline == std::string_view::npos) {
    if (input.size() > kMaxInline) {
      *why = "too big inline request";
      return Parse::kMalformed;
    }
    return Parse::kIncomplete;
  }
  std::string_view line = input.substr(0, newline);
  if (!line.empty() && line.back() == '\r') line.remove_suffix(1);
  args_.clear();
  while (!line.empty()) {
    size_t start = line.find_first_not_of(" \t");
    if (start == std::string_view::npos) break;
    line.remove_prefix(start);
    size_t end = std::min(line.find_first_of(" \t"), line.size());
    if (static_cast<int64_t>(args_.size()) == kMaxArgs) {
      *why = "too many arguments";
      return Parse::kMalformed;
    }
    args_.push_back(line.substr(0, end));
    line.remove_prefix(end);
  }
  *length = newline + 1;
  return Parse::kComplete;
}

void RespServerCodec::Execute(ReplySink& sink) {
  if (args_.empty()) return;  // an empty line or "*0": nothing to answer
  std::string_view command = args_[0];
  size_t argc = args_.size();
  if (EqualsUpper(command, "PING")) {
    if (argc == 1) {
      sink.Reply("+PONG\r\n");
    } else if (argc == 2) {
      ReplyBulk(sink, args_[1]);
    } else {
      ReplyWrongArity(sink, "ping");
    }
  } else if (EqualsUpper(command, "ECHO")) {
    if (argc != 2) return ReplyWrongArity(sink, "echo");
    ReplyBulk(sink, args_[1]);
  } else if (EqualsUpper(command, "SET")) {
    if (argc != 3) return ReplyWrongArity(sink, "set");
    if (store_.Set(args_[1], args_[2])) {
      sink.Reply("+OK\r\n");
    } else {
      // Said in full so a client's report names the limit, not just a refusal.
      sink.Reply("-OOM command not allowed: keys and values would pass the store's " +
                 FormatBytes(store_.CapacityBytes()) + "\r\n");
    }
  } else if (EqualsUpper(command, "GET")) {
    if (argc != 2) return ReplyWrongArity(sink, "get");
    if (!store_.Get(args_[1], [&](std::string_view value) { ReplyBulk(sink, value); })) {
      sink.Reply("$-1\r\n");
    }
  } else if (EqualsUpper(command, "DEL")) {
    if (argc < 2) return ReplyWrongArity(sink, "del");
    int64_t deleted = 0;
    for (size_t i = 1; i < argc; ++i) deleted += store_.Delete(args_[i]) ? 1 : 0;
    ReplyInteger(sink, deleted);
  } else if (EqualsUpper(command, "CONFIG")) {
    // redis-benchmark asks for "save" and "appendonly" at start: an empty
    // value for any parameter is a harmless answer.
    if (argc == 3 && EqualsUpper(args_[1], "GET")) {
      sink.Reply("*2\r\n");
      ReplyBulk(sink, args_[2]);
      sink.Reply("$0\r\n\r\n");
    } else {
      sink.Reply("-ERR only CONFIG GET is supported\r\n");
    }
  } else if (EqualsUpper(command, "COMMAND")) {
    sink.Reply("*0\r\n");
  } else {
    ReplyUnknown(sink, command);
  }
}

ConsumeResult RespServerCodec::Consume(std::string_view input, ReplySink& sink) {
  size_t consumed = 0;
  while (consumed < input.size() && !sink.Full()) {
    std::string_view rest = input.substr(consumed);
    size_t length = 0;
    std::string_view why;
    Parse parse = rest[0] == '*' ? ParseArray(rest, &length, &why) : ParseInline(rest, &length, &why);
    if (parse == Parse::kIncomplete) {
      if (rest.size() > max_command_) {
        sink.Reply("-ERR Protocol error: command larger than --max-frame\r\n");
        return RejectAfter(input.size(), "command larger than --max-frame");
      }
      break;
    }
    if (parse == Parse::kMalformed) {
      sink.Reply("-ERR Protocol error: ");
      sink.Reply(why);
      sink.Reply("\r\n");
      return RejectAfter(input.size(), why);
    }
    Execute(sink);
    consumed += length;
  }
  return Consumed(consumed);
}

}  // namespace c10k
