// Settings files that hold OKX secrets: refused when group or others have any
// permission on them (the error names the file, its mode and the keys, never a value),
// accepted at 0600 and 0400, and files without secrets are not held to the rule.
#include "tachyon/okx/secret_file.h"

#include <gtest/gtest.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cstdio>
#include <fstream>
#include <optional>
#include <string>

#include "tachyon/okx/okx_config.h"

namespace tachyon::okx {
namespace {

constexpr const char* kWithSecrets =
    "[okx]\napi_key = \"file-key-4242\"\nsecret_key = \"file-secret-4343\"\npassphrase = \"file-pass-4444\"\n";

std::string write_file(const std::string& name, const std::string& text, mode_t mode) {
  const std::string path = std::string(::testing::TempDir()) + "okx_secret_file_" + std::to_string(::getpid()) + "_" + name;
  std::ofstream(path) << text;
  EXPECT_EQ(::chmod(path.c_str(), mode), 0);
  return path;
}

EnvLookup no_env() {
  return [](const char*) -> std::optional<std::string> { return std::nullopt; };
}

void expect_no_secret(const std::string& text) {
  for (const char* s : {"file-key-4242", "file-secret-4343", "file-pass-4444"})
    EXPECT_EQ(text.find(s), std::string::npos) << text;
}

TEST(OkxSecretFile, GroupOrOtherAccessToAFileWithSecretsIsRefused) {
  for (const mode_t mode : {0644, 0640, 0604, 0660, 0620, 0602, 0700 | 0044, 0777}) {
    const std::string path = write_file("open", kWithSecrets, mode);
    const Result<OkxConfig> c = load_okx_config_file(path, no_env());
    ASSERT_FALSE(c.ok()) << std::oct << mode;
    const std::string m = c.error().describe();
    char want[16];
    std::snprintf(want, sizeof want, "mode %04o", static_cast<unsigned>(mode));
    EXPECT_NE(m.find(path + ": " + want), std::string::npos) << m;
    EXPECT_NE(m.find("okx.api_key, okx.passphrase, okx.secret_key"), std::string::npos) << m;  // in key order
    EXPECT_NE(m.find("chmod 600 " + path), std::string::npos) << m;
    expect_no_secret(m);
    std::remove(path.c_str());
  }
  // One secret is enough, and the environment overriding it does not make the file safe.
  const std::string path = write_file("one", "[okx]\nsecret_key = \"file-secret-4343\"\n", 0644);
  const EnvLookup env = [](const char* name) -> std::optional<std::string> {
    return std::string(name) == "OKX_SANDBOX" ? std::nullopt : std::optional<std::string>("from-env");
  };
  const Result<OkxConfig> c = load_okx_config_file(path, env);
  ASSERT_FALSE(c.ok());
  EXPECT_NE(c.error().message.find("mode 0644 gives group and others access, but the file holds okx.secret_key"),
            std::string::npos)
      << c.error().message;
  std::remove(path.c_str());
}

TEST(OkxSecretFile, OwnerOnlyFilesAreReadAndFilesWithoutSecretsMayBeShared) {
  for (const mode_t mode : {0600, 0400}) {
    const std::string path = write_file("private", kWithSecrets, mode);
    const Result<OkxConfig> c = load_okx_config_file(path, no_env());
    ASSERT_TRUE(c.ok()) << c.error().describe();
    EXPECT_EQ(c->credentials.secret_key.reveal(), "file-secret-4343");
    EXPECT_TRUE(c->credentials.complete());
    std::remove(path.c_str());
  }
  const std::string path = write_file("public", "[okx]\ndemo = true\nrequest_timeout_ms = 2500\n", 0644);
  const Result<OkxConfig> c = load_okx_config_file(path, no_env());
  ASSERT_TRUE(c.ok()) << c.error().describe();
  EXPECT_TRUE(c->demo);
  EXPECT_EQ(c->request_timeout_ms, 2500);
  std::remove(path.c_str());
}

TEST(OkxSecretFile, ReadErrorsAndConfigErrorsNameTheFile) {
  const std::string missing = std::string(::testing::TempDir()) + "okx_secret_file_missing.toml";
  Result<OkxConfig> c = load_okx_config_file(missing, no_env());
  ASSERT_FALSE(c.ok());
  EXPECT_NE(c.error().message.find(missing + ": open: No such file or directory"), std::string::npos)
      << c.error().message;
  const std::string path = write_file("bad", "[okx]\nsecret_key = \"file-secret-4343\"\nbogus = 1\n", 0600);
  c = load_okx_config_file(path, no_env());
  ASSERT_FALSE(c.ok());
  EXPECT_NE(c.error().message.find(path + ": okx.bogus: unknown key"), std::string::npos) << c.error().message;
  expect_no_secret(c.error().describe());
  std::remove(path.c_str());
  EXPECT_EQ(octal_mode(0100644), "0644");
}

}  // namespace
}  // namespace tachyon::okx
