// shulian-node@.service and scripts/install-node-service.sh, checked with systemd's
// own tools: the unit has no unknown or misspelt directive and runs binaries that
// exist, its hardening scores as systemd rates it, and the script installs what the
// unit needs with the modes it needs. Starting the unit needs a host whose PID 1 is
// systemd; docs/deployment.md shows that run.
#include <gtest/gtest.h>
#include <sys/stat.h>

#include <array>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <optional>
#include <sstream>
#include <string>

namespace {

namespace fs = std::filesystem;

// Stdout and stderr of `command`, and its exit status.
std::pair<int, std::string> Shell(const std::string& command) {
  std::string output;
  std::FILE* pipe = ::popen((command + " 2>&1").c_str(), "r");
  if (pipe == nullptr) return {-1, "popen failed"};
  std::array<char, 4096> buffer{};
  while (std::fgets(buffer.data(), buffer.size(), pipe) != nullptr) output += buffer.data();
  const int status = ::pclose(pipe);
  return {WIFEXITED(status) ? WEXITSTATUS(status) : -1, output};
}

std::string ReadFile(const fs::path& path) {
  std::ifstream in(path);
  std::stringstream text;
  text << in.rdbuf();
  return text.str();
}

// `text` with every `from` replaced by `to`. (Plain search: std::regex trips
// GCC 12's maybe-uninitialized warning under the sanitizer build.)
std::string ReplaceAll(std::string text, const std::string& from, const std::string& to) {
  for (size_t at = text.find(from); at != std::string::npos; at = text.find(from, at + to.size())) {
    text.replace(at, from.size(), to);
  }
  return text;
}

// The "Overall exposure level for UNIT: D.D" of systemd-analyze security, in tenths.
std::optional<int> ExposureTenths(const std::string& report) {
  const std::string label = "Overall exposure level for ";
  const size_t line = report.find(label);
  if (line == std::string::npos) return std::nullopt;
  const size_t colon = report.find(": ", line);
  if (colon == std::string::npos) return std::nullopt;
  int whole = 0;
  int tenth = 0;
  if (std::sscanf(report.c_str() + colon + 2, "%d.%1d", &whole, &tenth) != 2) return std::nullopt;
  return whole * 10 + tenth;
}

class ServiceUnitTest : public ::testing::Test {
 protected:
  void SetUp() override {
    char tmpl[] = "/tmp/service_unit_test.XXXXXX";
    ASSERT_NE(::mkdtemp(tmpl), nullptr);
    dir_ = tmpl;
    if (Shell("command -v systemd-analyze").first != 0) GTEST_SKIP() << "systemd-analyze is not installed";
  }
  void TearDown() override { fs::remove_all(dir_); }

  // Stages an installation under dir_/root with the built binaries.
  std::pair<int, std::string> Install() {
    return Shell("cd " SHULIAN_SOURCE_DIR " && scripts/install-node-service.sh --bin-dir " SHULIAN_BIN_DIR
               " --prefix /opt/shulian --root " +
               (dir_ / "root").string());
  }
  // The staged unit with its binary paths pointing into the staging root, so
  // systemd-analyze can check that they exist and are executable.
  fs::path StagedUnit() {
    const std::string root = (dir_ / "root").string();
    const fs::path unit = dir_ / "shulian-node@.service";
    std::string text = ReadFile(dir_ / "root/etc/systemd/system/shulian-node@.service");
    text = ReplaceAll(text, "/opt/shulian/bin/", root + "/opt/shulian/bin/");
    std::ofstream(unit) << text;
    return unit;
  }

  fs::path dir_;
};

TEST_F(ServiceUnitTest, TheInstallScriptStagesBinariesUnitAndAPrivateConfigFolder) {
  // Proves the script installs both binaries executable, the unit readable with the prefix substituted,
  // and /etc/shulian closed to others (0750), without creating a user when staging.
  auto [code, output] = Install();
  ASSERT_EQ(code, 0) << output;
  const fs::path root = dir_ / "root";
  for (const char* binary : {"shulian-node", "shulian"}) {
    const fs::perms perms = fs::status(root / "opt/shulian/bin" / binary).permissions();
    EXPECT_NE(perms & fs::perms::owner_exec, fs::perms::none) << binary;
  }
  const std::string unit = ReadFile(root / "etc/systemd/system/shulian-node@.service");
  EXPECT_NE(unit.find("ExecStart=/opt/shulian/bin/shulian-node --config /etc/shulian/%i.json"), std::string::npos);
  EXPECT_NE(unit.find("ExecStartPre=/opt/shulian/bin/shulian-node --check-config"), std::string::npos);
  EXPECT_EQ(unit.find("/usr/local/bin"), std::string::npos);
  struct stat info {};
  ASSERT_EQ(::stat((root / "etc/shulian").c_str(), &info), 0);
  EXPECT_EQ(info.st_mode & 07777, 0750u);
  EXPECT_NE(output.find("systemctl enable --now shulian-node@NAME"), std::string::npos) << output;

  auto [missing_code, missing] =
      Shell("cd " SHULIAN_SOURCE_DIR " && scripts/install-node-service.sh --bin-dir " + (dir_ / "none").string() +
          " --root " + (dir_ / "root2").string());
  EXPECT_EQ(missing_code, 1);
  EXPECT_NE(missing.find("not built"), std::string::npos) << missing;
  EXPECT_FALSE(fs::exists(dir_ / "root2"));
}

TEST_F(ServiceUnitTest, TheUnitVerifiesCleanAndSystemdRatesItsExposureOk) {
  // Proves systemd-analyze finds no unknown directive and no missing binary in the unit, and rates its
  // sandbox at most 2.0 of 10 ("OK"): own user, no new privileges, read-only system, no capabilities.
  auto [code, output] = Install();
  ASSERT_EQ(code, 0) << output;
  const fs::path unit = StagedUnit();
  const fs::path instance = dir_ / "shulian-node@n1.service";
  fs::copy_file(unit, instance);
  auto [verify_code, verify] = Shell("systemd-analyze verify " + instance.string());
  EXPECT_EQ(verify_code, 0) << verify;
  EXPECT_EQ(verify, "") << "systemd-analyze verify complained";

  auto [security_code, security] = Shell("systemd-analyze security --offline=yes " + instance.string());
  EXPECT_EQ(security_code, 0) << security;
  const std::optional<int> tenths = ExposureTenths(security);
  ASSERT_TRUE(tenths.has_value()) << security;
  EXPECT_LE(*tenths, 20) << security;

  // A misspelt directive is caught, so the clean verdict above means something.
  std::string text = ReadFile(instance);
  text = ReplaceAll(text, "NoNewPrivileges=", "NoNewPrivilege=");
  std::ofstream(instance, std::ios::trunc) << text;
  EXPECT_NE(Shell("systemd-analyze verify " + instance.string()).second.find("Unknown key"), std::string::npos);
}

}  // namespace
