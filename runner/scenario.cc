#include "runner/scenario.h"

#include <algorithm>
#include <cerrno>
#include <cmath>
#include <filesystem>
#include <fstream>
#include <set>
#include <sstream>

#include "common/bounded_read.h"
#include "common/byte_size.h"
#include "common/clock.h"
#include "common/io_status.h"
#include "common/quotable.h"
#include "common/result_json.h"
#include "common/sha256.h"
#include "loadgen/request_body.h"
#include "loadgen/source_addrs.h"
#include "protocols/http_client.h"
#include "protocols/resp_client.h"
#include "servers/server_config.h"

namespace c10k {

namespace {

using Json = nlohmann::json;

// Reads typed fields out of one JSON object and words every complaint as
// `"path.field": expected ..., got ...`.
class FieldReader {
 public:
  FieldReader(const Json& object, std::string path) : object_(object), path_(std::move(path)) {}

  bool Has(const char* key) const { return object_.contains(key); }
  std::string Path(const char* key) const { return path_.empty() ? key : path_ + "." + key; }

  [[noreturn]] void Fail(const char* key, const std::string& expected) const {
    std::string got = Has(key) ? object_.at(key).dump() : "nothing";
    if (got.size() > 60) got = got.substr(0, 57) + "...";
    throw ScenarioError("\"" + Path(key) + "\": expected " + expected + ", got " + got);
  }

  std::string String(const char* key, const std::string& fallback, bool required = false) const {
    if (!Has(key)) {
      if (required) Fail(key, "a string");
      return fallback;
    }
    if (!object_.at(key).is_string()) Fail(key, "a string");
    return object_.at(key).get<std::string>();
  }

  int64_t Duration(const char* key, int64_t fallback) const {
    if (!Has(key)) return fallback;
    const Json& value = object_.at(key);
    std::optional<int64_t> nanos;
    if (value.is_string()) nanos = ParseDuration(value.get<std::string>());
    if (!nanos) Fail(key, "a duration such as \"500ms\", \"10s\" or \"2m\"");
    return *nanos;
  }

  int64_t Integer(const char* key, int64_t fallback, int64_t min, int64_t max) const {
    if (!Has(key)) return fallback;
    const Json& value = object_.at(key);
    if (!value.is_number_integer() || value.get<int64_t>() < min || value.get<int64_t>() > max) {
      Fail(key, "an integer from " + std::to_string(min) + " to " + std::to_string(max));
    }
    return value.get<int64_t>();
  }

  // A --max-frame or --output-limit for `c10k serve`, in the bounds it takes,
  // as the text to pass it; "" when absent.
  std::string ServerLimit(const char* key) const {
    if (!Has(key)) return "";
    const Json& value = object_.at(key);
    std::optional<uint64_t> bytes;
    // A document built in code holds 1 as a signed integer; one parsed, as
    // an unsigned one.
    if (value.is_number_unsigned() || (value.is_number_integer() && value.get<int64_t>() >= 0)) {
      bytes = value.get<uint64_t>();
    }
    if (value.is_string()) bytes = ParseByteSize(value.get<std::string>());
    if (!bytes || !ServerLimitInRange(*bytes)) {
      Fail(key, "a size " + ServerLimitRange() + " such as 4096, \"64KiB\" or \"1MiB\"");
    }
    return value.is_string() ? value.get<std::string>() : std::to_string(*bytes);
  }

  // A list of different numbers in [min, max] (a single number is a list of
  // one).
  std::vector<double> Numbers(const char* key, double min, double max, bool integers) const {
    std::string expected = std::string("a non-empty list of ") +
                           (integers ? "integers" : "numbers") + " from " + Format(min) + " to " +
                           Format(max);
    Json value = object_.at(key);
    if (value.is_number()) value = Json::array({value});
    if (!value.is_array() || value.empty()) Fail(key, expected);
    std::vector<double> numbers;
    for (const Json& item : value) {
      if (!item.is_number() || (integers && !item.is_number_integer())) Fail(key, expected);
      double number = item.get<double>();
      if (number < min || number > max) Fail(key, expected);
      if (std::find(numbers.begin(), numbers.end(), number) != numbers.end()) {
        // Twice would measure the same points twice, read later as one
        // point's repetitions (as a model listed twice would).
        throw ScenarioError("\"" + Path(key) + "\": " + Format(number) + " is listed twice");
      }
      numbers.push_back(number);
    }
    return numbers;
  }

  // A list of strings (a single string is a list of one); empty when absent.
  std::vector<std::string> Strings(const char* key) const {
    if (!Has(key)) return {};
    Json value = object_.at(key);
    if (value.is_string()) value = Json::array({value});
    if (!value.is_array()) Fail(key, "a list of strings");
    std::vector<std::string> strings;
    for (const Json& item : value) {
      if (!item.is_string()) Fail(key, "a list of strings");
      strings.push_back(item.get<std::string>());
    }
    return strings;
  }

  const Json& Object(const char* key) const {
    if (!object_.at(key).is_object()) Fail(key, "an object");
    return object_.at(key);
  }

  // Every key must be one we know: a typo must not silently use a default.
  void RejectUnknown(const std::vector<std::string>& known) const {
    for (const auto& [key, value] : object_.items()) {
      if (std::find(known.begin(), known.end(), key) == known.end()) {
        std::string list;
        for (const auto& name : known) list += (list.empty() ? "" : ", ") + name;
        // Quotable: the key is the file's, and may hold a line break.
        throw ScenarioError("\"" + Quotable(Path(key.c_str()), 200) +
                            "\": unknown field; expected one of " + list);
      }
    }
  }

 private:
  static std::string Format(double value) {
    // Whole bounds in full (67108864, not 6.71089e+07).
    if (value == std::floor(value) && std::fabs(value) < 1e15) {
      return std::to_string(static_cast<int64_t>(value));
    }
    std::ostringstream text;
    text << value;
    return text.str();
  }

  const Json& object_;
  std::string path_;
};

// The longest "name": the results file is NAME-20250101T120000Z-2.json,
// written first as NAME-...json.tmp.XXXXXX, and a file name has at most 255
// bytes (NAME_MAX). A longer name measured the whole sweep, then failed to
// save it.
constexpr size_t kMaxScenarioName = 200;

const std::vector<std::string> kTopLevelFields = {
    "name",   "description", "protocol", "models", "sweep", "duration",    "requests",
    "warmup", "repetitions", "server",   "load",   "quick", "slow_clients"};
const std::vector<std::string> kSweepFields = {
    "connections", "active", "idle", "depth", "rate", "message_size", "requests_per_connection"};

// Applies `quick` over `base`: objects merge key by key, anything else replaces.
Json WithQuickOverride(const Json& base) {
  Json merged = base;
  merged.erase("quick");
  if (!base.contains("quick")) return merged;
  const Json& quick = base.at("quick");
  if (!quick.is_object()) {
    throw ScenarioError("\"quick\": expected an object of fields that override the full run");
  }
  for (const auto& [key, value] : quick.items()) {
    if (value.is_object() && merged.contains(key) && merged[key].is_object()) {
      for (const auto& [inner_key, inner_value] : value.items()) merged[key][inner_key] = inner_value;
    } else {
      merged[key] = value;
    }
  }
  return merged;
}

std::vector<std::string> ParseModels(const FieldReader& reader, const Json& document,
                                     const std::vector<std::string>& all_models) {
  if (!reader.Has("models")) reader.Fail("models", "\"all\" or a list of model names");
  const Json& value = document.at("models");
  if (value.is_string() && value.get<std::string>() == "all") return all_models;
  std::string expected = "\"all\" or a non-empty list of model names (";
  for (size_t i = 0; i < all_models.size(); ++i) expected += (i ? ", " : "") + all_models[i];
  expected += ")";
  if (!value.is_array() || value.empty()) reader.Fail("models", expected);
  std::vector<std::string> models;
  for (const Json& item : value) {
    if (!item.is_string() ||
        std::find(all_models.begin(), all_models.end(), item.get<std::string>()) == all_models.end()) {
      reader.Fail("models", expected);
    }
    if (std::find(models.begin(), models.end(), item.get<std::string>()) != models.end()) {
      // Twice would run its points twice, read later as one model's repetitions.
      throw ScenarioError("\"models\": " + item.get<std::string>() + " is listed twice");
    }
    models.push_back(item.get<std::string>());
  }
  return models;
}

// Each of `points` once for every one of `values`, which `set` puts in it:
// one more axis of the sweep, the earlier axes varying slowest.
template <typename Set>
std::vector<SweepPoint> Across(const std::vector<SweepPoint>& points,
                               const std::vector<double>& values, Set set) {
  std::vector<SweepPoint> crossed;
  for (const SweepPoint& point : points) {
    for (double value : values) {
      crossed.push_back(point);
      set(crossed.back(), value);
    }
  }
  return crossed;
}

std::vector<SweepPoint> ParseSweep(const FieldReader& top) {
  if (!top.Has("sweep")) top.Fail("sweep", "an object with a \"connections\" list");
  FieldReader sweep(top.Object("sweep"), "sweep");
  sweep.RejectUnknown(kSweepFields);
  // The fd hard limit caps one process at about 20,000 sockets.
  constexpr double kMaxConnections = 19'900;
  bool has_connections = sweep.Has("connections");
  bool has_idle = sweep.Has("idle");
  if (!has_connections && !has_idle) {
    sweep.Fail("connections", "a non-empty list of connection counts (or \"active\" with \"idle\")");
  }
  if (has_connections && has_idle) {
    throw ScenarioError(
        "\"sweep.idle\": give either \"connections\" or \"idle\" (connections = active + idle), "
        "not both");
  }
  if (has_idle && !sweep.Has("active")) sweep.Fail("active", "a list of active counts to go with \"idle\"");
  if (sweep.Has("depth") && sweep.Has("rate")) {
    throw ScenarioError(
        "\"sweep.rate\": give either \"depth\" (closed loop) or \"rate\" (open loop), not both");
  }
  std::vector<double> counts = has_connections
                                   ? sweep.Numbers("connections", 1, kMaxConnections, true)
                                   : sweep.Numbers("idle", 0, kMaxConnections, true);
  std::vector<double> actives =
      sweep.Has("active") ? sweep.Numbers("active", 0, kMaxConnections, true) : std::vector<double>{-1};
  std::vector<double> depths = sweep.Has("depth") ? sweep.Numbers("depth", 1, 4096, true)
                                                  : std::vector<double>{1};
  std::vector<double> rates =
      sweep.Has("rate") ? sweep.Numbers("rate", kMinRate, kMaxRate, false) : std::vector<double>{0};
  std::vector<double> sizes = sweep.Has("message_size")
                                  ? sweep.Numbers("message_size", 1, kMaxPayloadBytes, true)
                                  : std::vector<double>{64};
  std::vector<double> per_connection =
      sweep.Has("requests_per_connection")
          ? sweep.Numbers("requests_per_connection", 1, 1'000'000'000, true)
          : std::vector<double>{0};
  std::vector<SweepPoint> points;
  for (double count : counts) {
    for (double active : actives) {
      SweepPoint point;
      point.active = static_cast<int>(active);
      point.connections = has_idle ? static_cast<int>(active + count) : static_cast<int>(count);
      if (point.connections < 1 || point.connections > kMaxConnections) {
        throw ScenarioError("\"sweep.idle\": active + idle must be from 1 to 19900, got " +
                            std::to_string(point.connections));
      }
      // More active than open would be meaningless: all of them are.
      if (point.active > point.connections) point.active = point.connections;
      points.push_back(point);
    }
  }
  points = Across(points, depths,
                  [](SweepPoint& point, double depth) { point.depth = static_cast<int>(depth); });
  points = Across(points, rates, [](SweepPoint& point, double rate) { point.rate = rate; });
  points = Across(points, sizes, [](SweepPoint& point, double size) {
    point.message_size = static_cast<size_t>(size);
  });
  return Across(points, per_connection, [](SweepPoint& point, double limit) {
    point.requests_per_connection = static_cast<uint32_t>(limit);
  });
}

// A "load" field that only `wanted` sends: given for another protocol, it
// would be ignored without a word.
void RequireProtocol(const FieldReader& load, const char* key, Protocol wanted,
                     const Scenario& scenario) {
  if (!load.Has(key) || scenario.protocol == wanted) return;
  throw ScenarioError("\"" + load.Path(key) + "\": applies to protocol " +
                      std::string(ProtocolName(wanted)) + " only, and this scenario is " +
                      std::string(ProtocolName(scenario.protocol)));
}

// Whether `models`, a scenario's "models" as written, names `model`.
bool NamesModel(const Json& models, const std::string& model,
                const std::vector<std::string>& all_models) {
  if (models == "all") {
    return std::find(all_models.begin(), all_models.end(), model) != all_models.end();
  }
  return models.is_array() && std::find(models.begin(), models.end(), Json(model)) != models.end();
}

// A "server" field that one model alone reads ("threads": reuseport's event
// loops), given when the scenario does not run that model: the sweep would
// pass it to no server, so it is refused, as c10k serve refuses the flag for
// any other model. `why` follows "applies to model M only", as in serve's
// message.
void RequireServerModel(const FieldReader& server, const char* key, const std::string& model,
                        const std::string& why, bool runs_model) {
  if (!server.Has(key) || runs_model) return;
  throw ScenarioError("\"" + server.Path(key) + "\": applies to model " + model + " only" + why +
                      ", and this scenario does not run it");
}

// "load.method", "load.path", "load.headers" and "load.body_file": the
// request every http connection sends, checked as c10k load checks
// --method, --path, --header and --body-file. A relative body file is found
// beside the scenario file, so a scenario and its body travel together.
void ParseHttpRequest(const FieldReader& load, Scenario& scenario) {
  for (const char* key : {"method", "path", "headers", "body_file"}) {
    RequireProtocol(load, key, Protocol::kHttp, scenario);
  }
  auto refuse = [&](const char* key, const std::string& value, const std::string& problem) {
    throw ScenarioError("\"" + load.Path(key) + "\": \"" + Quotable(value, 200) + "\" " + problem);
  };
  scenario.http_method = load.String("method", "GET");
  if (std::string problem = HttpMethodProblem(scenario.http_method); !problem.empty()) {
    refuse("method", scenario.http_method, problem);
  }
  scenario.http_path = load.String("path", "/");
  if (std::string problem = HttpPathProblem(scenario.http_path); !problem.empty()) {
    refuse("path", scenario.http_path, problem);
  }
  scenario.http_headers = load.Strings("headers");
  for (const std::string& header : scenario.http_headers) {
    if (std::string problem = HttpHeaderProblem(header); !problem.empty()) {
      refuse("headers", header, problem);
    }
  }
  if (load.Has("body_file")) {
    std::filesystem::path body = load.String("body_file", "");
    if (body.empty()) load.Fail("body_file", "the path of a file");
    if (body.is_relative()) body = std::filesystem::path(scenario.file).parent_path() / body;
    std::string problem;
    scenario.http_body = ReadRequestBody(body.string(), &problem);
    if (!scenario.http_body) {
      throw ScenarioError("\"" + load.Path("body_file") + "\": " + body.string() + problem);
    }
  }
}

// "load.source_addrs", as c10k load's --source-addrs: the addresses the
// connections are spread over, each with its own ephemeral ports.
void ParseSourceAddrsField(const FieldReader& load, Scenario& scenario) {
  const std::string name = "\"load.source_addrs\"";
  std::string text = load.String("source_addrs", "");
  std::string error;
  auto sources = ParseSourceAddrs(text, &error, name);
  if (sources && sources->front().Family() != AF_INET) {
    error = name + ": the runner's servers listen on 127.0.0.1, so these must be IPv4 addresses";
  } else if (sources) {
    error = CheckSourceAddrsAreLocal(*sources, name);
  }
  if (!error.empty()) throw ScenarioError(error);
  scenario.source_addrs = std::move(*sources);
  scenario.source_addrs_text = text;
}

// The "load" object: how the load generator runs, and what it sends.
void ParseLoad(const FieldReader& load, Scenario& scenario) {
  load.RejectUnknown({"threads", "io", "timeout", "keys", "ratio", "method", "path", "headers",
                      "body_file", "source_addrs"});
  scenario.load_threads = static_cast<int>(load.Integer("threads", 0, 1, 256));
  auto io = ParseLoadIo(load.String("io", "epoll"));
  if (!io) load.Fail("io", "\"epoll\" or \"uring\"");
  scenario.load_io = *io;
  // 0 stands for "not given" (the load generator's default); "0s" is
  // refused, as --timeout 0 is.
  scenario.request_timeout_ns = load.Duration("timeout", 0);
  if (load.Has("timeout") && scenario.request_timeout_ns < kNanosPerMilli) {
    load.Fail("timeout", "a duration of at least 1ms");
  }
  scenario.keys = static_cast<uint32_t>(load.Integer("keys", 0, 0, 100'000'000));
  if (scenario.keys > 0) RequireProtocol(load, "keys", Protocol::kResp, scenario);
  if (load.Has("ratio")) {
    if (scenario.keys == 0) {
      throw ScenarioError(
          "\"load.ratio\": applies to protocol resp with \"load.keys\" (PING has "
          "no SETs or GETs)");
    }
    std::string text = load.String("ratio", "");
    auto ratio = ParseSetGetRatio(text);
    if (!ratio) {
      throw ScenarioError("\"load.ratio\": \"" + Quotable(text, 200) + "\" " +
                          std::string(kSetGetRatioWords));
    }
    scenario.ratio = *ratio;
  }
  ParseHttpRequest(load, scenario);
  if (load.Has("source_addrs")) ParseSourceAddrsField(load, scenario);
}

// How deeply a scenario may nest objects and arrays. It needs 4 levels (the
// list in "quick.sweep.connections"); copying or printing a parsed document
// recurses once per level, and a file nested 200,000 deep overflowed the
// stack.
constexpr size_t kMaxScenarioDepth = 64;

// Reads scenario text once without building a document, for what a document
// would hide or choke on: a key given twice in one object, which the parse
// would keep the last of without a word ("duration": "bogus" read as the
// "duration": "1s" after it), and nesting deeper than kMaxScenarioDepth.
// Leaves syntax errors to ParseJsonText, which words them.
class StructureCheck : public nlohmann::json_sax<Json> {
 public:
  // An empty string, or the problem found.
  static std::string Problem(const std::string& text) {
    StructureCheck check;
    Json::sax_parse(text, &check, Json::input_format_t::json, /*strict=*/true,
                    /*ignore_comments=*/true);
    return check.problem_;
  }

  bool start_object(std::size_t) override { return Enter(/*object=*/true); }
  bool end_object() override { return Leave(); }
  bool start_array(std::size_t) override { return Enter(/*object=*/false); }
  bool end_array() override { return Leave(); }
  bool key(string_t& key) override {
    Level& object = levels_.back();
    object.key = key;
    if (object.keys.insert(key).second) return true;
    problem_ = "\"" + Quotable(ValuePath(), 200) + "\" is given twice";
    return false;
  }
  bool null() override { return Scalar(); }
  bool boolean(bool) override { return Scalar(); }
  bool number_integer(number_integer_t) override { return Scalar(); }
  bool number_unsigned(number_unsigned_t) override { return Scalar(); }
  bool number_float(number_float_t, const string_t&) override { return Scalar(); }
  bool string(string_t&) override { return Scalar(); }
  bool binary(binary_t&) override { return Scalar(); }
  bool parse_error(std::size_t, const std::string&, const nlohmann::detail::exception&) override {
    return false;
  }

 private:
  // An object or array being read.
  struct Level {
    std::string path;  // as the scenario's messages name fields: "sweep", "load.headers[1]"
    bool object = false;
    std::set<std::string> keys;  // an object's keys so far
    std::string key;             // the key of the value being read
    size_t index = 0;            // an array's: the index of the next value
  };

  // The path of the value about to be read, as FieldReader::Path words it.
  std::string ValuePath() const {
    if (levels_.empty()) return "";
    const Level& parent = levels_.back();
    if (!parent.object) return parent.path + "[" + std::to_string(parent.index) + "]";
    return parent.path.empty() ? parent.key : parent.path + "." + parent.key;
  }

  // Every value, scalar or not, moves an array on to its next index.
  void Advance() {
    if (!levels_.empty() && !levels_.back().object) ++levels_.back().index;
  }

  bool Scalar() {
    Advance();
    return true;
  }
  bool Enter(bool object) {
    if (levels_.size() >= kMaxScenarioDepth) {
      problem_ = "objects and arrays nested more than " + std::to_string(kMaxScenarioDepth) +
                 " levels deep; a scenario needs 4 at most";
      return false;
    }
    Level level;
    level.path = ValuePath();
    level.object = object;
    Advance();
    levels_.push_back(std::move(level));
    return true;
  }
  bool Leave() {
    levels_.pop_back();
    return true;
  }

  std::vector<Level> levels_;
  std::string problem_;
};

// The most of a scenario file that is read. Scenarios are a few KiB; without
// a bound, `c10k run /dev/zero` read until memory ran out.
constexpr size_t kMaxScenarioBytes = 1 << 20;

// The text of the scenario file at `path`: at most kMaxScenarioBytes, so that
// a device or a pipe that never ends is refused, not read forever.
std::string ReadScenarioText(const std::string& path) {
  // A directory opens as a stream and reads as empty: "not valid JSON" would
  // send the user looking in a file that is not there.
  std::error_code error_code;
  if (std::filesystem::is_directory(path, error_code)) {
    throw ScenarioError("a directory, not a scenario file (see scenarios/ for some)");
  }
  std::ifstream in(path, std::ios::binary);
  if (!in) throw ScenarioError("cannot read the scenario file: " + ErrnoText(errno));
  std::string text;
  if (!ReadAtMost(in, kMaxScenarioBytes + 1, &text)) {
    throw ScenarioError("cannot read the scenario file: " + ErrnoText(errno));
  }
  if (text.size() > kMaxScenarioBytes) {
    throw ScenarioError("more than " + FormatBytes(kMaxScenarioBytes) +
                        ", which no scenario file is (they are a few KiB of JSON)");
  }
  return text;
}

}  // namespace

Scenario ParseScenario(const Json& original, const std::string& file, bool quick,
                       const std::vector<std::string>& all_models) {
  if (!original.is_object()) throw ScenarioError("a scenario must be a JSON object");
  FieldReader original_reader(original, "");
  original_reader.RejectUnknown(kTopLevelFields);
  if (original.contains("quick")) {
    FieldReader quick_reader(original_reader.Object("quick"), "quick");
    // Read as any other field, it passed, and the override then dropped it.
    if (quick_reader.Has("quick")) {
      throw ScenarioError(
          "\"quick.quick\": a quick version cannot have a quick version of its own");
    }
    quick_reader.RejectUnknown(kTopLevelFields);
    if (!quick) {
      // The quick version is checked whichever runs, so that a mistake in it
      // is found by the run that has the time, not by the next --quick one.
      try {
        ParseScenario(original, file, /*quick=*/true, all_models);
      } catch (const ScenarioError& error) {
        throw ScenarioError(std::string("in its \"quick\" version: ") + error.what());
      }
    }
  }
  Json document = quick ? WithQuickOverride(original) : original;
  document.erase("quick");
  FieldReader reader(document, "");
  Scenario scenario;
  scenario.file = file;
  scenario.quick = quick;
  scenario.name = reader.String("name", "", /*required=*/true);
  if (scenario.name.empty() ||
      scenario.name.find_first_not_of("abcdefghijklmnopqrstuvwxyz0123456789-_") != std::string::npos) {
    reader.Fail("name", "a non-empty name of lowercase letters, digits, - and _ (it names the results file)");
  }
  if (scenario.name.size() > kMaxScenarioName) {
    throw ScenarioError("\"name\": is " + std::to_string(scenario.name.size()) +
                        " characters long; the results file it names allows at most " +
                        std::to_string(kMaxScenarioName));
  }
  scenario.description = reader.String("description", "");
  std::string protocol = reader.String("protocol", "", /*required=*/true);
  auto parsed = ParseProtocol(protocol);
  if (!parsed) reader.Fail("protocol", "one of echo, framed, line, http, resp");
  scenario.protocol = *parsed;
  scenario.models = ParseModels(reader, document, all_models);
  scenario.points = ParseSweep(reader);
  if (scenario.protocol == Protocol::kLine &&
      std::any_of(scenario.points.begin(), scenario.points.end(),
                  [](const SweepPoint& point) { return point.rate <= 0; })) {
    throw ScenarioError(
        "\"sweep.rate\": protocol line needs a rate: messages are broadcast, not answered, so "
        "there is no closed loop to run");
  }
  if (scenario.protocol == Protocol::kLine &&
      std::any_of(scenario.points.begin(), scenario.points.end(),
                  [](const SweepPoint& point) { return point.connections < 2; })) {
    throw ScenarioError(
        "\"sweep.connections\": protocol line needs at least 2 connections at every point: "
        "each line goes to every other client");
  }
  // "requests" and "sweep.requests_per_connection" count answered requests,
  // which a point whose connections are all idle never sends.
  bool some_point_all_idle = std::any_of(scenario.points.begin(), scenario.points.end(),
                                         [](const SweepPoint& point) { return point.active == 0; });
  if (FieldReader(reader.Object("sweep"), "sweep").Has("requests_per_connection")) {
    if (scenario.protocol == Protocol::kLine) {
      throw ScenarioError(
          "\"sweep.requests_per_connection\": counts requests answered, and protocol line's "
          "broadcast messages get no answer");
    }
    if (some_point_all_idle) {
      throw ScenarioError(
          "\"sweep.requests_per_connection\": needs an active connection at every point; "
          "\"sweep.active\" has 0");
    }
  }
  scenario.duration_ns = reader.Duration("duration", 10 * kNanosPerSecond);
  scenario.warmup_ns = reader.Duration("warmup", 2 * kNanosPerSecond);
  if (scenario.duration_ns < 100 * kNanosPerMilli) reader.Fail("duration", "at least 100ms");
  scenario.requests = static_cast<uint64_t>(reader.Integer("requests", 0, 1, 1'000'000'000'000));
  if (scenario.requests > 0 && scenario.protocol == Protocol::kLine) {
    throw ScenarioError(
        "\"requests\": counts replies, and protocol line's broadcast messages get none; the "
        "window is \"duration\"");
  }
  if (scenario.requests > 0 && some_point_all_idle) {
    throw ScenarioError(
        "\"requests\": needs an active connection at every point; \"sweep.active\" has 0");
  }
  scenario.repetitions = static_cast<int>(reader.Integer("repetitions", 1, 1, 100));
  scenario.slow_clients = static_cast<int>(reader.Integer("slow_clients", 0, 0, 1000));
  if (reader.Has("server")) {
    FieldReader server(reader.Object("server"), "server");
    server.RejectUnknown({"threads", "max_frame", "output_limit", "max_threads", "nofile"});
    scenario.max_threads = static_cast<int>(server.Integer("max_threads", 0, 1, 1'000'000));
    scenario.server_nofile = static_cast<uint64_t>(server.Integer("nofile", 0, 16, 1'000'000));
    scenario.server_threads = static_cast<int>(server.Integer("threads", 0, 1, 1024));
    scenario.max_frame = server.ServerLimit("max_frame");
    scenario.output_limit = server.ServerLimit("output_limit");
    // The full run's models count for the quick version too: it may leave a
    // model out, and cannot take the field out of the full run's "server".
    auto runs = [&](const std::string& model) {
      return std::find(scenario.models.begin(), scenario.models.end(), model) !=
                 scenario.models.end() ||
             NamesModel(original.value("models", Json()), model, all_models);
    };
    RequireServerModel(server, "threads", "reuseport", " (its event loops)", runs("reuseport"));
    RequireServerModel(server, "max_threads", "threads", "", runs("threads"));
  }
  if (reader.Has("load")) ParseLoad(FieldReader(reader.Object("load"), "load"), scenario);
  // As with c10k load's --message-size: sizes the requests do not carry
  // would sweep the same point again and again.
  if (FieldReader(reader.Object("sweep"), "sweep").Has("message_size")) {
    if (scenario.protocol == Protocol::kHttp) {
      throw ScenarioError(
          "\"sweep.message_size\": does not apply to protocol http; for a request body, use "
          "\"load.body_file\"");
    }
    if (scenario.protocol == Protocol::kResp && scenario.keys == 0) {
      throw ScenarioError(
          "\"sweep.message_size\": applies to protocol resp only with \"load.keys\" (the SET "
          "values); PING carries no value");
    }
  }
  return scenario;
}

Scenario LoadScenario(const std::string& path, bool quick,
                      const std::vector<std::string>& all_models) {
  std::string text = ReadScenarioText(path);
  if (std::string problem = StructureCheck::Problem(text); !problem.empty()) {
    throw ScenarioError(problem);
  }
  Json document;
  std::string error;
  if (!ParseJsonText(text, &document, &error)) throw ScenarioError("not valid JSON: " + error);
  Scenario scenario = ParseScenario(document, path, quick, all_models);
  scenario.sha256 = Sha256Hex(text);
  return scenario;
}

void SelectModels(Scenario& scenario, const std::vector<std::string>& wanted,
                  const std::vector<std::string>& all_models) {
  for (const auto& model : wanted) {
    if (std::find(all_models.begin(), all_models.end(), model) == all_models.end()) {
      std::string known;
      for (const auto& name : all_models) known += (known.empty() ? "" : ", ") + name;
      throw ScenarioError("--models: unknown model \"" + model + "\"; known models: " + known);
    }
    if (std::count(wanted.begin(), wanted.end(), model) > 1) {
      throw ScenarioError("--models: " + model + " is listed twice");
    }
  }
  scenario.models = wanted;
}

}  // namespace c10k
