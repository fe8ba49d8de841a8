// Lines are delimited by '\n' alone, so a damaged line costs only itself: it
// is counted as a mismatch and parsing goes on with the next one. Only a line
// far longer than any sender writes (no newline in sight) ends the stream as a
// protocol error, since the receiver would otherwise buffer without bound. A
// "\r\n" ending is accepted, for servers that normalise line endings.
#include "protocols/line_client.h"

#include <algorithm>

#include "common/quotable.h"
#include "protocols/payload_pattern.h"

namespace c10k {

namespace {

constexpr char kHexDigits[] = "0123456789abcdef";

uint64_t PayloadOffset(uint32_t sender, uint32_t sequence) {
  return uint64_t{sender} * 65'537 + uint64_t{sequence} * 131;
}

// Payload bytes are printable ASCII ('!' to '~'): never a space, never a
// line ending.
char Printable(char byte) { return static_cast<char>('!' + static_cast<uint8_t>(byte) % 94); }

char* WriteHex(char* at, uint64_t value, int digits) {
  for (int i = digits - 1; i >= 0; --i) {
    at[i] = kHexDigits[value & 0xF];
    value >>= 4;
  }
  at[digits] = ' ';
  return at + digits + 1;
}

bool ReadHex(std::string_view text, uint64_t* value) {
  uint64_t result = 0;
  for (char c : text) {
    int digit = c >= '0' && c <= '9' ? c - '0' : c >= 'a' && c <= 'f' ? c - 'a' + 10 : -1;
    if (digit < 0) return false;
    result = result << 4 | static_cast<uint64_t>(digit);
  }
  *value = result;
  return true;
}

}  // namespace

LineClientCodec::LineClientCodec(const ClientCodecOptions& options)
    : payload_size_(options.message_size > kHeaderSize + 1 ? options.message_size - kHeaderSize - 1
                                                           : 0),
      sender_(options.sender) {}

void LineClientCodec::WriteRequest(ByteBuffer& out) { WriteMessage(out, {0, 0, sender_}); }

void LineClientCodec::WriteMessage(ByteBuffer& out, const MessageStamp& stamp) {
  uint32_t sequence = sequence_++;
  char* at = out.Reserve(kHeaderSize + payload_size_ + 1).data();
  char* start = at;
  at = WriteHex(at, sender_, 8);
  at = WriteHex(at, sequence, 8);
  at = WriteHex(at, static_cast<uint64_t>(stamp.intended_ns), 16);
  at = WriteHex(at, static_cast<uint64_t>(stamp.sent_ns), 16);
  uint64_t offset = PayloadOffset(sender_, sequence);
  for (size_t left = payload_size_; left > 0;) {
    std::string_view chunk = PayloadPattern::At(offset);
    size_t n = std::min(chunk.size(), left);
    for (size_t i = 0; i < n; ++i) *at++ = Printable(chunk[i]);
    offset += n;
    left -= n;
  }
  *at++ = '\n';
  out.Commit(static_cast<size_t>(at - start));
}

bool LineClientCodec::Decode(std::string_view line, MessageStamp* stamp) const {
  if (!line.empty() && line.back() == '\r') line.remove_suffix(1);
  if (line.size() != kHeaderSize + payload_size_) return false;
  uint64_t sender = 0, sequence = 0, intended = 0, sent = 0;
  if (line[8] != ' ' || line[17] != ' ' || line[34] != ' ' || line[51] != ' ' ||
      !ReadHex(line.substr(0, 8), &sender) || !ReadHex(line.substr(9, 8), &sequence) ||
      !ReadHex(line.substr(18, 16), &intended) || !ReadHex(line.substr(35, 16), &sent)) {
    return false;
  }
  std::string_view payload = line.substr(kHeaderSize);
  uint64_t offset = PayloadOffset(static_cast<uint32_t>(sender), static_cast<uint32_t>(sequence));
  while (!payload.empty()) {
    std::string_view chunk = PayloadPattern::At(offset);
    size_t n = std::min(chunk.size(), payload.size());
    for (size_t i = 0; i < n; ++i) {
      if (payload[i] != Printable(chunk[i])) return false;
    }
    payload.remove_prefix(n);
    offset += n;
  }
  stamp->sender = static_cast<uint32_t>(sender);
  stamp->intended_ns = static_cast<int64_t>(intended);
  stamp->sent_ns = static_cast<int64_t>(sent);
  return true;
}

ReplyParse LineClientCodec::Parse(std::string_view input, StampSink* sink) {
  ReplyParse result;
  // Generous: a line several times longer than any sender's is not a line.
  size_t longest = 4 * (kHeaderSize + payload_size_ + 2);
  while (!input.empty()) {
    size_t newline = input.find('\n');
    if (newline == std::string_view::npos) {
      if (input.size() > longest) result.protocol_error = true;
      return result;
    }
    MessageStamp stamp;
    if (Decode(input.substr(0, newline), &stamp)) {
      if (sink) sink->Delivered(stamp);
    } else {
      mismatches_.Count(result, [&] {
        return "was \"" + Quotable(input.substr(0, newline), 48) +
               "\", not a line any sender wrote";
      });
    }
    ++result.completed;
    input.remove_prefix(newline + 1);
    result.consumed += newline + 1;
  }
  return result;
}

ReplyParse LineClientCodec::ParseReplies(std::string_view input) { return Parse(input, nullptr); }

ReplyParse LineClientCodec::ParseMessages(std::string_view input, StampSink& sink) {
  return Parse(input, &sink);
}

}  // namespace c10k
