// RESP replies are parsed whole: every reply this client provokes is small
// (+PONG, +OK, or a bulk string of --message-size bytes), so waiting for the
// complete value costs at most one message of buffering and keeps the parser a
// pure function of its input. Error replies (-ERR ..., -OOM ...) are the
// server's answer, counted as such; other well-formed but unexpected replies
// are mismatches; bytes that are not RESP end the stream.
#include "protocols/resp_client.h"

#include <algorithm>
#include <charconv>
#include <cstdio>

#include "common/quotable.h"
#include "protocols/payload_pattern.h"

namespace c10k {

namespace {

constexpr int kMaxDepth = 8;
constexpr size_t kMaxLine = 64 * 1024;
constexpr int64_t kMaxBulk = 512 << 20;  // Redis's own proto-max-bulk-len
constexpr int kKeyDigits = 10;

// Reads the integer on the line starting after the type byte; returns the
// index past its CRLF (0: incomplete, -1: malformed).
int64_t ReadLineInteger(std::string_view input, int64_t* value) {
  size_t end = input.find("\r\n");
  if (end == std::string_view::npos) return input.size() > kMaxLine ? -1 : 0;
  auto [stop, error] = std::from_chars(input.data() + 1, input.data() + end, *value);
  if (error != std::errc() || stop != input.data() + end) return -1;
  return static_cast<int64_t>(end + 2);
}

void AppendDecimal(ByteBuffer& out, uint64_t value) {
  char text[24];
  auto [end, error] = std::to_chars(text, text + sizeof text, value);
  out.Append({text, static_cast<size_t>(end - text)});
}

}  // namespace

int64_t RespValueLength(std::string_view input, int depth) {
  if (input.empty()) return 0;
  if (depth > kMaxDepth) return -1;
  switch (input[0]) {
    case '+':
    case '-':
    case ':': {
      size_t end = input.find("\r\n");
      if (end == std::string_view::npos) return input.size() > kMaxLine ? -1 : 0;
      if (input[0] == ':') {
        int64_t ignored = 0;
        return ReadLineInteger(input, &ignored);
      }
      return static_cast<int64_t>(end + 2);
    }
    case '$': {
      int64_t length = 0;
      int64_t head = ReadLineInteger(input, &length);
      if (head <= 0) return head;
      if (length == -1) return head;  // the nil bulk string
      if (length < 0 || length > kMaxBulk) return -1;
      int64_t total = head + length + 2;
      if (static_cast<int64_t>(input.size()) < total) return 0;
      if (input.substr(static_cast<size_t>(head + length), 2) != "\r\n") return -1;
      return total;
    }
    case '*': {
      int64_t count = 0;
      int64_t at = ReadLineInteger(input, &count);
      if (at <= 0) return at;
      if (count == -1) return at;
      if (count < 0 || count > 1 << 20) return -1;
      for (int64_t i = 0; i < count; ++i) {
        int64_t element = RespValueLength(input.substr(static_cast<size_t>(at)), depth + 1);
        if (element <= 0) return element;
        at += element;
      }
      return at;
    }
    default:
      return -1;
  }
}

std::optional<SetGetRatio> ParseSetGetRatio(std::string_view text) {
  constexpr uint32_t kMostPerRound = 1'000'000;
  size_t colon = text.find(':');
  if (colon == std::string_view::npos) return std::nullopt;
  auto whole = [](std::string_view digits, uint32_t* value) {
    auto [end, error] = std::from_chars(digits.data(), digits.data() + digits.size(), *value);
    return error == std::errc() && end == digits.data() + digits.size() && !digits.empty() &&
           *value <= kMostPerRound;
  };
  SetGetRatio ratio;
  if (!whole(text.substr(0, colon), &ratio.sets) || !whole(text.substr(colon + 1), &ratio.gets) ||
      ratio.sets == 0) {
    return std::nullopt;
  }
  return ratio;
}

std::string SetGetRatioText(SetGetRatio ratio) {
  return std::to_string(ratio.sets) + ":" + std::to_string(ratio.gets);
}

RespClientCodec::RespClientCodec(const ClientCodecOptions& options)
    : value_size_(options.message_size),
      seed_(options.stream_seed),
      keys_(options.keys),
      ratio_(options.ratio) {}

RespClientCodec::Expect RespClientCodec::KindOf(uint64_t sequence) const {
  if (keys_ == 0) return Expect::kPong;
  return PlaceInRound(sequence) < ratio_.sets ? Expect::kOk : Expect::kValue;
}

uint32_t RespClientCodec::KeyOf(uint64_t sequence) const {
  // Round r's SETs write keys r*sets .. r*sets+sets-1 (from a per-connection
  // starting point) and its GETs read them again in turn, so every GET asks
  // for a key its own connection has just written.
  uint64_t round = sequence / RoundLength();
  uint64_t place = PlaceInRound(sequence);
  uint64_t written = place < ratio_.sets ? place : (place - ratio_.sets) % ratio_.sets;
  return static_cast<uint32_t>((seed_ + round * ratio_.sets + written) % keys_);
}

void RespClientCodec::AppendKey(ByteBuffer& out, uint32_t key) const {
  char text[4 + kKeyDigits] = {'k', 'e', 'y', ':'};
  for (int i = kKeyDigits - 1; i >= 0; --i) {
    text[4 + i] = static_cast<char>('0' + key % 10);
    key /= 10;
  }
  out.Append("$14\r\n");
  out.Append({text, sizeof text});
  out.Append("\r\n");
}

void RespClientCodec::WriteRequest(ByteBuffer& out) {
  uint64_t sequence = sent_++;
  switch (KindOf(sequence)) {
    case Expect::kPong:
      out.Append("*1\r\n$4\r\nPING\r\n");
      return;
    case Expect::kOk:
      out.Append("*3\r\n$3\r\nSET\r\n");
      AppendKey(out, KeyOf(sequence));
      out.Append("$");
      AppendDecimal(out, value_size_);
      out.Append("\r\n");
      PayloadPattern::AppendTo(out, ValueOffset(KeyOf(sequence)), value_size_);
      out.Append("\r\n");
      return;
    case Expect::kValue:
      out.Append("*2\r\n$3\r\nGET\r\n");
      AppendKey(out, KeyOf(sequence));
      return;
  }
}

bool RespClientCodec::Matches(std::string_view reply, uint64_t sequence) const {
  switch (KindOf(sequence)) {
    case Expect::kPong:
      return reply == "+PONG\r\n";
    case Expect::kOk:
      return reply == "+OK\r\n";
    case Expect::kValue: {
      int64_t length = 0;
      int64_t head = ReadLineInteger(reply, &length);
      if (reply[0] != '$' || head <= 0 || length != static_cast<int64_t>(value_size_)) return false;
      return PayloadPattern::Matches(ValueOffset(KeyOf(sequence)),
                                     reply.substr(static_cast<size_t>(head), value_size_));
    }
  }
  return false;
}

std::string RespClientCodec::Expected(uint64_t sequence) const {
  switch (KindOf(sequence)) {
    case Expect::kPong:
      return "+PONG";
    case Expect::kOk:
      return "+OK";
    case Expect::kValue: {
      char key[32];
      std::snprintf(key, sizeof key, "key:%0*u", kKeyDigits, KeyOf(sequence));
      return "the " + std::to_string(value_size_) + " B value SET to " + key;
    }
  }
  return "";
}

ReplyParse RespClientCodec::ParseReplies(std::string_view input) {
  ReplyParse result;
  while (!input.empty()) {
    int64_t length = RespValueLength(input);
    if (length < 0) {
      result.protocol_error = true;
      return result;
    }
    if (length == 0) return result;
    std::string_view reply = input.substr(0, static_cast<size_t>(length));
    uint64_t sequence = answered_++;
    bool refused = reply[0] == '-';
    if (refused) {
      ++result.error_replies;
      if (result.first_error.empty()) result.first_error = reply.substr(0, reply.size() - 2);
    } else if (!Matches(reply, sequence) && !(set_refused_ && reply == "$-1\r\n")) {
      // A GET that finds nothing after a SET of its round was refused is
      // explained by that error reply; any other nil means the store lost a
      // value.
      mismatches_.Count(result, [&] {
        return "was \"" + Quotable(reply, 48) + "\" where " + Expected(sequence) + " was expected";
      });
    }
    if (KindOf(sequence) == Expect::kOk) {
      set_refused_ = refused || (set_refused_ && PlaceInRound(sequence) != 0);
    }
    ++result.completed;
    input.remove_prefix(reply.size());
    result.consumed += reply.size();
  }
  return result;
}

}  // namespace c10k
