#include "common/result_json.h"

#include <fcntl.h>
#include <gtest/gtest.h>
#include <signal.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>

#include "common/fd.h"
#include "tests/test_support.h"

namespace c10k {
namespace {

namespace fs = std::filesystem;

size_t FilesIn(const std::string& dir) {
  return static_cast<size_t>(std::distance(fs::directory_iterator(dir), fs::directory_iterator()));
}

TEST(ResultJsonTest, WritesWellFormedJsonThatRoundTrips) {
  std::string dir = testing::TempDir();
  std::string path = dir + "/nested/out.json";
  nlohmann::json document = {{"schema_version", kSchemaVersion},
                             {"runs", {{{"model", "epoll"}, {"p99", 12.5}}}},
                             {"text", "quotes \" and newlines \n survive"}};
  ASSERT_EQ(WriteJsonAtomically(path, document), "");
  EXPECT_EQ(ReadJsonFile(path), document);
  // Only the target remains: the temporary file was renamed, not copied.
  EXPECT_EQ(FilesIn(dir + "/nested"), 1u);
}

TEST(ResultJsonTest, BytesThatAreNotUtf8AreReplacedNotFatal) {
  // `c10k load --label $'\xff'` once ran its whole window and then lost it:
  // the document would not serialise.
  std::string path = testing::TempDir() + "/label.json";
  ASSERT_EQ(WriteJsonAtomically(path, {{"model",
                                        "a\xff\xfe"
                                        "b"}}),
            "");
  EXPECT_EQ(ReadJsonFile(path)["model"],
            "a\xef\xbf\xbd\xef\xbf\xbd"
            "b");
}

TEST(ResultJsonTest, ReplacesAnExistingFileWhole) {
  std::string path = testing::TempDir() + "/out.json";
  nlohmann::json big = {{"blob", std::string(1 << 20, 'x')}};
  ASSERT_EQ(WriteJsonAtomically(path, big), "");
  nlohmann::json small = {{"a", 1}};
  ASSERT_EQ(WriteJsonAtomically(path, small), "");
  EXPECT_EQ(ReadJsonFile(path), small);
}

// Lowers this process's file size limit for one scope, with SIGXFSZ ignored,
// so that a write past it fails with EFBIG instead of killing the test.
class FileSizeLimit {
 public:
  explicit FileSizeLimit(rlim_t bytes) {
    getrlimit(RLIMIT_FSIZE, &saved_);
    rlimit lowered{bytes, saved_.rlim_max};
    setrlimit(RLIMIT_FSIZE, &lowered);
    saved_handler_ = signal(SIGXFSZ, SIG_IGN);
  }
  ~FileSizeLimit() {
    setrlimit(RLIMIT_FSIZE, &saved_);
    signal(SIGXFSZ, saved_handler_);
  }
  FileSizeLimit(const FileSizeLimit&) = delete;
  FileSizeLimit& operator=(const FileSizeLimit&) = delete;

 private:
  rlimit saved_{};
  sighandler_t saved_handler_ = SIG_DFL;
};

TEST(ResultJsonTest, AWriteThatFailsHalfwayLeavesThePreviousFileIntact) {
  std::string dir = testing::TempDir();
  std::string path = dir + "/out.json";
  ASSERT_EQ(WriteJsonAtomically(path, {{"version", 1}}), "");
  std::string before = testing::ReadFile(path);
  std::string error;
  {
    // The disk fills after 4 KiB of a 64 KiB document: a writer that
    // truncated the target and wrote in place would leave half a document.
    FileSizeLimit limit(4096);
    error = WriteJsonAtomically(path, {{"version", 2}, {"blob", std::string(1 << 16, 'x')}});
  }
  EXPECT_NE(error.find("File too large"), std::string::npos) << error;
  EXPECT_EQ(testing::ReadFile(path), before);
  EXPECT_EQ(FilesIn(dir), 1u) << "the temporary file is removed";
}

TEST(ResultJsonTest, ATargetThatIsADirectoryIsRefusedAndKept) {
  std::string dir = testing::TempDir();
  std::string blocked = dir + "/blocked.json";
  fs::create_directory(blocked);
  fs::create_directory(blocked + "/keep");
  std::string error = WriteJsonAtomically(blocked, {{"version", 2}});
  EXPECT_NE(error.find("blocked.json"), std::string::npos) << error;
  EXPECT_TRUE(fs::is_directory(blocked + "/keep"));
  EXPECT_EQ(FilesIn(dir), 1u) << "the temporary file is removed";
}

TEST(ResultJsonTest, AStreamIsWrittenThroughNotReplacedByAFile) {
  // `--json /dev/stdout` once renamed a file over /dev/stdout (and would have
  // over /dev/null): as root, the device was gone for every process after.
  std::string dir = testing::TempDir();
  std::string fifo = dir + "/pipe";
  ASSERT_EQ(::mkfifo(fifo.c_str(), 0600), 0);
  EXPECT_TRUE(IsJsonStream(fifo));
  EXPECT_TRUE(IsJsonStream("/dev/null"));
  EXPECT_TRUE(IsJsonStream("-"));
  EXPECT_FALSE(IsJsonStream(dir + "/missing.json"));
  EXPECT_FALSE(IsJsonStream(dir));
  // A reader that is already there lets the writer open the pipe at once,
  // and the document fits in the pipe's buffer: nothing can block.
  UniqueFd reader(::open(fifo.c_str(), O_RDONLY | O_NONBLOCK | O_CLOEXEC));
  ASSERT_TRUE(reader);
  nlohmann::json document = {{"runs", {1, 2, 3}}};
  EXPECT_EQ(WriteJsonAtomically(fifo, document), "");
  char received[4096];
  ssize_t got = ::read(reader.Get(), received, sizeof received);
  ASSERT_GT(got, 0) << "nothing came through the pipe";
  EXPECT_EQ(nlohmann::json::parse(std::string(received, static_cast<size_t>(got))), document);
  struct stat info {};
  ASSERT_EQ(::stat(fifo.c_str(), &info), 0);
  EXPECT_TRUE(S_ISFIFO(info.st_mode));
  EXPECT_EQ(FilesIn(dir), 1u);  // nothing created beside it
}

TEST(ResultJsonTest, ALinkKeepsPointingAtTheFileItNames) {
  std::string dir = testing::TempDir();
  fs::create_directory(dir + "/runs");
  ASSERT_EQ(WriteJsonAtomically(dir + "/runs/one.json", {{"run", 1}}), "");
  fs::create_symlink("runs/one.json", dir + "/latest.json");
  ASSERT_EQ(WriteJsonAtomically(dir + "/latest.json", {{"run", 2}}), "");
  EXPECT_TRUE(fs::is_symlink(dir + "/latest.json"));
  EXPECT_EQ(ReadJsonFile(dir + "/runs/one.json")["run"], 2);
  EXPECT_EQ(FilesIn(dir + "/runs"), 1u);
}

TEST(ResultJsonTest, ANewFileIsNeverWrittenOverAnother) {
  std::string dir = testing::TempDir();
  std::string path = dir + "/new.json";
  bool existed = true;
  ASSERT_EQ(WriteNewJsonAtomically(path, {{"writer", 1}}, &existed), "");
  EXPECT_FALSE(existed);
  std::string error = WriteNewJsonAtomically(path, {{"writer", 2}}, &existed);
  EXPECT_TRUE(existed);
  EXPECT_NE(error.find("EEXIST"), std::string::npos) << error;
  EXPECT_EQ(ReadJsonFile(path)["writer"], 1);
  EXPECT_EQ(FilesIn(dir), 1u);  // no temporary file left beside it
}

TEST(ResultJsonTest, ReadAllowsCommentsAndNamesTheFileOnError) {
  std::string dir = testing::TempDir();
  std::ofstream(dir + "/ok.json") << "// a comment\n{ \"a\": /* inline */ 1 }\n";
  EXPECT_EQ(ReadJsonFile(dir + "/ok.json")["a"], 1);
  std::ofstream(dir + "/bad.json") << "{ \"a\": ";
  try {
    ReadJsonFile(dir + "/bad.json");
    FAIL() << "no exception";
  } catch (const std::runtime_error& e) {
    EXPECT_NE(std::string(e.what()).find("bad.json is not valid JSON"), std::string::npos) << e.what();
  }
  EXPECT_THROW(ReadJsonFile(dir + "/missing.json"), std::runtime_error);
}

TEST(ResultJsonTest, HistogramBucketsRoundTripExactly) {
  Histogram histogram;
  for (int64_t v = 1'000; v < 100'000'000; v = v * 11 / 10 + 7) histogram.Record(v);
  nlohmann::json buckets = HistogramBucketsJson(histogram);
  // Through text and back, as a reader of the results file would see it.
  Histogram rebuilt = HistogramFromBucketsJson(nlohmann::json::parse(buckets.dump()));
  EXPECT_EQ(rebuilt.NonEmptyBuckets(), histogram.NonEmptyBuckets());
}

TEST(ResultJsonTest, ContextNamesTheMachine) {
  nlohmann::json context = MakeContext();
  for (const char* key : {"tool_version", "git_sha", "host", "kernel", "cpus", "rlimit_nofile",
                          "fd_setsize", "build_type", "started_at", "calibration"}) {
    EXPECT_TRUE(context.contains(key)) << key;
  }
  EXPECT_EQ(context["fd_setsize"], 1024);
}

}  // namespace
}  // namespace c10k
