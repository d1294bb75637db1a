#include "crypto/keys.h"

#include <gtest/gtest.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <string>

namespace shulian::crypto {
namespace {

namespace fs = std::filesystem;

class KeysTest : public ::testing::Test {
 protected:
  void SetUp() override {
    ASSERT_TRUE(Initialize().ok());
    std::string pattern = (fs::temp_directory_path() / "shulian-keys-XXXXXX").string();
    ASSERT_NE(::mkdtemp(pattern.data()), nullptr);
    dir_ = pattern;
  }
  void TearDown() override { fs::remove_all(dir_); }

  // Writes `text` to `name` in the test directory with exactly `mode`.
  fs::path WriteFile(const std::string& name, const std::string& text, mode_t mode) {
    fs::path path = dir_ / name;
    std::ofstream(path, std::ios::binary) << text;
    EXPECT_EQ(::chmod(path.c_str(), mode), 0);
    return path;
  }

  static std::string ValidKeyText() {
    return "shulian-ed25519-secret-v1\n" + std::string(64, '7') + "\n";
  }

  fs::path dir_;
};

Bytes Message() { return ToBytes("register asset 42 at height 7"); }

// A signature made with a key verifies under its public key.
TEST_F(KeysTest, SignThenVerifySucceeds) {
  KeyPair pair = KeyPair::Generate();
  Signature signature = pair.Sign(Message());
  EXPECT_TRUE(Verify(pair.public_key(), Message(), signature));
}

// Any change to message, signature or key makes verification fail.
TEST_F(KeysTest, TamperedMessageSignatureOrKeyIsRejected) {
  KeyPair pair = KeyPair::Generate();
  const Bytes message = Message();
  const Signature signature = pair.Sign(message);
  for (size_t i = 0; i < message.size(); ++i) {
    Bytes changed = message;
    changed[i] ^= 0x01;
    EXPECT_FALSE(Verify(pair.public_key(), changed, signature)) << "message byte " << i;
  }
  for (size_t i = 0; i < signature.bytes.size(); ++i) {
    Signature changed = signature;
    changed.bytes[i] ^= 0x01;
    EXPECT_FALSE(Verify(pair.public_key(), message, changed)) << "signature byte " << i;
  }
  for (size_t i = 0; i < pair.public_key().bytes.size(); ++i) {
    PublicKey changed = pair.public_key();
    changed.bytes[i] ^= 0x01;
    EXPECT_FALSE(Verify(changed, message, signature)) << "key byte " << i;
  }
  EXPECT_FALSE(Verify(KeyPair::Generate().public_key(), message, signature));
}

// RFC 8032 §7.1 test 1: the empty message signed with a published seed.
TEST_F(KeysTest, MatchesRfc8032TestVector) {
  Result<Bytes> seed = FromHex("9d61b19deffd5a60ba844af492ec2cc44449c5697b326919703bac031cae7f60");
  ASSERT_TRUE(seed.ok());
  Result<KeyPair> pair = KeyPair::FromSeed(*seed);
  ASSERT_TRUE(pair.ok()) << pair.status().ToString();
  EXPECT_EQ(pair->public_key().ToHex(),
            "d75a980182b10ab7d54bfed3c964073a0ee172f3daa62325af021a68f707511a");
  EXPECT_EQ(pair->Sign(ByteView()).ToHex(),
            "e5564300c360ac729086e2cc806e828a84877f1eb8e5d974d873e06522490155"
            "5fb8821590a33bacc61e39701cf9b46bd25bf5f0595bbe24655141438e7a100b");
}

// A small-order public key (the identity point) is refused even with a
// signature crafted for it, as libsodium's strict checks require.
TEST_F(KeysTest, SmallOrderPublicKeyIsRejected) {
  PublicKey identity;
  identity.bytes[0] = 0x01;  // encoding of the neutral element
  Signature signature;
  signature.bytes[0] = 0x01;  // R = identity, S = 0
  EXPECT_FALSE(Verify(identity, ByteView(), signature));
  EXPECT_FALSE(Verify(identity, Message(), signature));
}

// Seeds of the wrong length are refused with a message naming the size.
TEST_F(KeysTest, FromSeedRejectsWrongLength) {
  Bytes short_seed(31, 0x11);
  Result<KeyPair> pair = KeyPair::FromSeed(short_seed);
  ASSERT_FALSE(pair.ok());
  EXPECT_EQ(pair.status().code(), ErrorCode::kInvalidArgument);
  EXPECT_NE(pair.status().message().find("31"), std::string::npos);
}

// Moving a key pair keeps it usable in its new home.
TEST_F(KeysTest, MovedKeyPairStillSigns) {
  KeyPair original = KeyPair::Generate();
  PublicKey key = original.public_key();
  KeyPair moved = std::move(original);
  EXPECT_TRUE(Verify(key, Message(), moved.Sign(Message())));
  KeyPair assigned = KeyPair::Generate();
  assigned = std::move(moved);
  EXPECT_TRUE(Verify(key, Message(), assigned.Sign(Message())));
}

// A saved key loads back to the same key pair, and the file on disk is 0600.
TEST_F(KeysTest, SaveThenLoadRoundTripsWithMode0600) {
  KeyPair pair = KeyPair::Generate();
  fs::path path = dir_ / "node.key";
  ASSERT_TRUE(pair.SaveToFile(path).ok());

  struct stat info {};
  ASSERT_EQ(::stat(path.c_str(), &info), 0);
  EXPECT_EQ(info.st_mode & 0777, 0600u);

  Result<KeyPair> loaded = KeyPair::LoadFromFile(path);
  ASSERT_TRUE(loaded.ok()) << loaded.status().ToString();
  EXPECT_EQ(loaded->public_key(), pair.public_key());
  EXPECT_TRUE(Verify(pair.public_key(), Message(), loaded->Sign(Message())));
}

// The mode is 0600 even under a permissive umask.
TEST_F(KeysTest, SaveIgnoresPermissiveUmask) {
  mode_t previous = ::umask(0);
  Status saved = KeyPair::Generate().SaveToFile(dir_ / "umask.key");
  ::umask(previous);
  ASSERT_TRUE(saved.ok()) << saved.ToString();
  struct stat info {};
  ASSERT_EQ(::stat((dir_ / "umask.key").c_str(), &info), 0);
  EXPECT_EQ(info.st_mode & 0777, 0600u);
}

// Saving over an existing file is refused and leaves that file untouched.
TEST_F(KeysTest, SaveRefusesToOverwrite) {
  fs::path path = WriteFile("existing.key", "keep me", 0600);
  Status status = KeyPair::Generate().SaveToFile(path);
  ASSERT_FALSE(status.ok());
  EXPECT_EQ(status.code(), ErrorCode::kAlreadyExists);
  EXPECT_NE(status.message().find(path.string()), std::string::npos);
  std::ifstream in(path);
  std::string contents((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  EXPECT_EQ(contents, "keep me");
}

// Key files readable or writable by group or others are refused, and the
// error names the path and the offending mode.
TEST_F(KeysTest, LoadRefusesFilesOthersCanAccess) {
  for (mode_t mode : {0644, 0640, 0604, 0620, 0602, 0660, 0666}) {
    fs::path path = WriteFile("open-" + std::to_string(mode) + ".key", ValidKeyText(), mode);
    Result<KeyPair> loaded = KeyPair::LoadFromFile(path);
    ASSERT_FALSE(loaded.ok()) << "mode " << std::oct << mode;
    EXPECT_EQ(loaded.status().code(), ErrorCode::kPermissionDenied);
    char mode_text[8];
    std::snprintf(mode_text, sizeof(mode_text), "0%03o", static_cast<unsigned>(mode));
    EXPECT_NE(loaded.status().message().find(mode_text), std::string::npos)
        << loaded.status().message();
    EXPECT_NE(loaded.status().message().find(path.string()), std::string::npos);
  }
  // The same contents with mode 0600 (and 0400) load: only the mode was wrong.
  EXPECT_TRUE(KeyPair::LoadFromFile(WriteFile("private.key", ValidKeyText(), 0600)).ok());
  EXPECT_TRUE(KeyPair::LoadFromFile(WriteFile("readonly.key", ValidKeyText(), 0400)).ok());
}

// Files that are not key files are refused with an error naming the file.
TEST_F(KeysTest, LoadRefusesMalformedFiles) {
  const std::string seed_hex(64, 'a');
  const std::string cases[] = {
      "",
      "shulian-ed25519-secret-v1\n",
      "shulian-ed25519-secret-v2\n" + seed_hex + "\n",
      "shulian-ed25519-secret-v1\n" + seed_hex.substr(2) + "\n",
      "shulian-ed25519-secret-v1\n" + seed_hex + "00\n",
      "shulian-ed25519-secret-v1\n" + seed_hex + "\nextra\n",
      "shulian-ed25519-secret-v1\n" + seed_hex + "\n\n",
      "shulian-ed25519-secret-v1\n" + std::string(63, 'a') + "z\n",
      "shulian-ed25519-secret-v1 " + seed_hex + "\n",
      std::string(5000, 'x'),
  };
  int n = 0;
  for (const std::string& text : cases) {
    fs::path path = WriteFile("bad-" + std::to_string(n++) + ".key", text, 0600);
    Result<KeyPair> loaded = KeyPair::LoadFromFile(path);
    ASSERT_FALSE(loaded.ok()) << "accepted: " << text;
    EXPECT_EQ(loaded.status().code(), ErrorCode::kInvalidArgument);
    EXPECT_NE(loaded.status().message().find(path.string()), std::string::npos);
  }
}

// Directories, symbolic links and missing files are refused.
TEST_F(KeysTest, LoadRefusesNonRegularFiles) {
  fs::path sub = dir_ / "a-directory";
  fs::create_directory(sub);
  ::chmod(sub.c_str(), 0700);
  Result<KeyPair> from_dir = KeyPair::LoadFromFile(sub);
  ASSERT_FALSE(from_dir.ok());
  EXPECT_NE(from_dir.status().message().find("not a regular file"), std::string::npos);

  fs::path target = WriteFile("target.key", ValidKeyText(), 0600);
  fs::path link = dir_ / "link.key";
  fs::create_symlink(target, link);
  EXPECT_FALSE(KeyPair::LoadFromFile(link).ok());

  fs::path fifo = dir_ / "fifo.key";
  ASSERT_EQ(::mkfifo(fifo.c_str(), 0600), 0);
  Result<KeyPair> from_fifo = KeyPair::LoadFromFile(fifo);
  ASSERT_FALSE(from_fifo.ok());
  EXPECT_NE(from_fifo.status().message().find("not a regular file"), std::string::npos);

  Result<KeyPair> missing = KeyPair::LoadFromFile(dir_ / "missing.key");
  ASSERT_FALSE(missing.ok());
  EXPECT_EQ(missing.status().code(), ErrorCode::kNotFound);
}

// Equal buffers compare equal; any difference in content or size does not.
TEST_F(KeysTest, ConstantTimeEqualComparesContentAndSize) {
  Bytes a = ToBytes("secret-token-000");
  Bytes b = a;
  EXPECT_TRUE(ConstantTimeEqual(a, b));
  b[15] = '1';
  EXPECT_FALSE(ConstantTimeEqual(a, b));
  EXPECT_FALSE(ConstantTimeEqual(a, ByteView(a).first(15)));
  EXPECT_TRUE(ConstantTimeEqual(ByteView(), ByteView()));
}

// SecureWipe zeroes the buffer it is given.
TEST_F(KeysTest, SecureWipeZeroes) {
  Bytes secret = ToBytes("do not keep me");
  SecureWipe(secret.data(), secret.size());
  EXPECT_EQ(secret, Bytes(secret.size(), 0));
}

// Hex forms of keys and signatures round-trip and reject wrong lengths.
TEST_F(KeysTest, HexFormsRoundTrip) {
  KeyPair pair = KeyPair::Generate();
  Signature signature = pair.Sign(Message());
  Result<PublicKey> key = PublicKey::FromHex(pair.public_key().ToHex());
  ASSERT_TRUE(key.ok());
  EXPECT_EQ(*key, pair.public_key());
  Result<Signature> parsed = Signature::FromHex(signature.ToHex());
  ASSERT_TRUE(parsed.ok());
  EXPECT_EQ(*parsed, signature);
  EXPECT_FALSE(PublicKey::FromHex(signature.ToHex()).ok());
  EXPECT_FALSE(Signature::FromHex(pair.public_key().ToHex()).ok());
}

}  // namespace
}  // namespace shulian::crypto
