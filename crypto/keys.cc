#include "crypto/keys.h"

#include <fcntl.h>
#include <sodium.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstdio>
#include <cstdlib>
#include <cstring>

namespace shulian::crypto {

namespace {

static_assert(crypto_sign_PUBLICKEYBYTES == 32, "PublicKey holds an Ed25519 public key");
static_assert(crypto_sign_SECRETKEYBYTES == 64, "KeyPair::secret_key_ holds seed ‖ public key");
static_assert(crypto_sign_BYTES == 64, "Signature holds an Ed25519 signature");
static_assert(crypto_sign_SEEDBYTES == KeyPair::kSeedBytes, "seed size");

constexpr std::string_view kKeyFileHeader = kSecretKeyFileHeader;
// A well-formed key file is 26 + 65 bytes (+1 optional newline); anything much
// larger is not a key file, and we refuse to read it into memory.
constexpr size_t kKeyFileBytesMax = 4096;
constexpr size_t kSeedHexChars = 2 * KeyPair::kSeedBytes;

// sodium_init runs exactly once per process (a function-local static is
// initialised once, thread-safely); every caller sees its result.
int SodiumInitResult() {
  static const int result = sodium_init();
  return result;
}

// For functions that cannot report failure. libsodium only fails to initialise
// without an entropy source, where no key can be made safely.
void EnsureInitialized() {
  if (SodiumInitResult() < 0) {
    std::fputs("shulian: libsodium failed to initialise (no entropy source?)\n", stderr);
    std::abort();
  }
}

std::string ErrnoText(int error) { return std::strerror(error); }

std::string ModeText(mode_t mode) {
  char text[8];
  std::snprintf(text, sizeof(text), "0%03o", static_cast<unsigned>(mode & 0777));
  return text;
}

int HexDigitValue(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

// Closes a file descriptor when it goes out of scope.
class FileCloser {
 public:
  explicit FileCloser(int fd) : fd_(fd) {}
  FileCloser(const FileCloser&) = delete;
  FileCloser& operator=(const FileCloser&) = delete;
  ~FileCloser() {
    if (fd_ >= 0) ::close(fd_);
  }
  // Closes now and reports the result, which matters after writes.
  int Close() {
    int rc = ::close(fd_);
    fd_ = -1;
    return rc;
  }

 private:
  int fd_;
};

// Wipes a std::string's buffer (which held secret text) when it goes out of scope.
class StringWiper {
 public:
  explicit StringWiper(std::string& text) : text_(text) {}
  StringWiper(const StringWiper&) = delete;
  StringWiper& operator=(const StringWiper&) = delete;
  ~StringWiper() { SecureWipe(text_.data(), text_.size()); }

 private:
  std::string& text_;
};

Status WriteAll(int fd, const std::string& text, const std::filesystem::path& path) {
  size_t written = 0;
  while (written < text.size()) {
    ssize_t rc = ::write(fd, text.data() + written, text.size() - written);
    if (rc < 0 && errno == EINTR) continue;
    if (rc < 0) return Status::IoError("write key file " + path.string() + ": " + ErrnoText(errno));
    written += static_cast<size_t>(rc);
  }
  return Status::Ok();
}

// Makes the new directory entry durable, not only the file's contents.
Status SyncParentDirectory(const std::filesystem::path& path) {
  std::filesystem::path dir = path.parent_path();
  if (dir.empty()) dir = ".";
  int fd = ::open(dir.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  if (fd < 0) return Status::IoError("open directory " + dir.string() + ": " + ErrnoText(errno));
  FileCloser closer(fd);
  if (::fsync(fd) != 0) return Status::IoError("fsync directory " + dir.string() + ": " + ErrnoText(errno));
  return Status::Ok();
}

Status WriteKeyFile(int fd, const std::string& text, const std::filesystem::path& path) {
  RETURN_IF_ERROR(WriteAll(fd, text, path));
  // The umask may have narrowed the mode further; make it exactly 0600.
  if (::fchmod(fd, S_IRUSR | S_IWUSR) != 0) {
    return Status::IoError("chmod key file " + path.string() + ": " + ErrnoText(errno));
  }
  if (::fsync(fd) != 0) return Status::IoError("fsync key file " + path.string() + ": " + ErrnoText(errno));
  return Status::Ok();
}

// Opens `path` for reading and checks it is a private regular file.
Result<int> OpenPrivateFile(const std::filesystem::path& path) {
  // O_NOFOLLOW: a symbolic link is not a regular file. O_NONBLOCK: a FIFO must
  // not hang the open before fstat can refuse it.
  int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC | O_NOFOLLOW | O_NONBLOCK);
  if (fd < 0) {
    int error = errno;
    if (error == ENOENT) return Status::NotFound("key file " + path.string() + " does not exist");
    if (error == ELOOP) {
      return Status::InvalidArgument("key file " + path.string() +
                                     " is a symbolic link; a key file must be a regular file");
    }
    return Status::IoError("open key file " + path.string() + ": " + ErrnoText(error));
  }
  struct stat info {};
  if (::fstat(fd, &info) != 0) {
    int error = errno;
    ::close(fd);
    return Status::IoError("stat key file " + path.string() + ": " + ErrnoText(error));
  }
  Status problem;
  if (!S_ISREG(info.st_mode)) {
    problem = Status::InvalidArgument("key file " + path.string() + " is not a regular file");
  } else if ((info.st_mode & (S_IRWXG | S_IRWXO)) != 0) {
    problem = Status::PermissionDenied("key file " + path.string() + " has mode " +
                                       ModeText(info.st_mode) +
                                       ", which lets group or others access it; it must be 0600 "
                                       "(run: chmod 600 " + path.string() + ")");
  } else if (static_cast<uint64_t>(info.st_size) > kKeyFileBytesMax) {
    problem = Status::InvalidArgument("key file " + path.string() + " is " +
                                      std::to_string(info.st_size) + " bytes; a key file is at most " +
                                      std::to_string(kKeyFileBytesMax));
  }
  if (!problem.ok()) {
    ::close(fd);
    return problem;
  }
  return fd;
}

Status ReadAll(int fd, const std::filesystem::path& path, std::string* text) {
  char buffer[512];
  while (true) {
    ssize_t rc = ::read(fd, buffer, sizeof(buffer));
    if (rc < 0 && errno == EINTR) continue;
    if (rc < 0) {
      SecureWipe(buffer, sizeof(buffer));
      return Status::IoError("read key file " + path.string() + ": " + ErrnoText(errno));
    }
    if (rc == 0) break;
    text->append(buffer, static_cast<size_t>(rc));
    if (text->size() > kKeyFileBytesMax) {
      SecureWipe(buffer, sizeof(buffer));
      return Status::InvalidArgument("key file " + path.string() + " is larger than " +
                                     std::to_string(kKeyFileBytesMax) + " bytes");
    }
  }
  SecureWipe(buffer, sizeof(buffer));
  return Status::Ok();
}

// Parses "<header>\n<64 hex>\n" (final newline optional) into `seed`.
Status ParseKeyFile(std::string_view text, const std::filesystem::path& path,
                    std::array<uint8_t, KeyPair::kSeedBytes>* seed) {
  auto malformed = [&](const std::string& why) {
    return Status::InvalidArgument("key file " + path.string() + " is malformed: " + why);
  };
  if (text.substr(0, kKeyFileHeader.size()) != kKeyFileHeader ||
      text.size() <= kKeyFileHeader.size() || text[kKeyFileHeader.size()] != '\n') {
    return malformed("first line must be \"" + std::string(kKeyFileHeader) + "\"");
  }
  std::string_view body = text.substr(kKeyFileHeader.size() + 1);
  if (!body.empty() && body.back() == '\n') body.remove_suffix(1);
  if (body.size() != kSeedHexChars) {
    return malformed("second line must be exactly " + std::to_string(kSeedHexChars) +
                     " hex characters (the 32-byte seed), and nothing may follow it");
  }
  for (size_t i = 0; i < KeyPair::kSeedBytes; ++i) {
    int high = HexDigitValue(body[2 * i]);
    int low = HexDigitValue(body[2 * i + 1]);
    if (high < 0 || low < 0) return malformed("seed contains a non-hex character");
    (*seed)[i] = static_cast<uint8_t>((high << 4) | low);
  }
  return Status::Ok();
}

}  // namespace

Status Initialize() {
  if (SodiumInitResult() < 0) {
    return Status::Internal("libsodium failed to initialise (no entropy source?)");
  }
  return Status::Ok();
}

Result<PublicKey> PublicKey::FromHex(std::string_view hex) {
  ASSIGN_OR_RETURN(auto bytes, FixedFromHex<32>(hex));
  return PublicKey{bytes};
}

Result<Signature> Signature::FromHex(std::string_view hex) {
  ASSIGN_OR_RETURN(auto bytes, FixedFromHex<64>(hex));
  return Signature{bytes};
}

bool Verify(const PublicKey& key, ByteView message, const Signature& signature) {
  // libsodium (built without ED25519_COMPAT, the default) rejects non-canonical
  // S, non-canonical and small-order public keys, and small-order R.
  return crypto_sign_verify_detached(signature.bytes.data(), message.data(), message.size(),
                                     key.bytes.data()) == 0;
}

KeyPair KeyPair::Generate() {
  EnsureInitialized();
  KeyPair pair;
  crypto_sign_keypair(pair.public_key_.bytes.data(), pair.secret_key_.data());
  return pair;
}

Result<KeyPair> KeyPair::FromSeed(ByteView seed) {
  if (seed.size() != kSeedBytes) {
    return Status::InvalidArgument("seed must be " + std::to_string(kSeedBytes) + " bytes, got " +
                                   std::to_string(seed.size()));
  }
  EnsureInitialized();
  KeyPair pair;
  crypto_sign_seed_keypair(pair.public_key_.bytes.data(), pair.secret_key_.data(), seed.data());
  return pair;
}

KeyPair::KeyPair(KeyPair&& other) noexcept
    : public_key_(other.public_key_), secret_key_(other.secret_key_) {
  SecureWipe(other.secret_key_.data(), other.secret_key_.size());
}

KeyPair& KeyPair::operator=(KeyPair&& other) noexcept {
  if (this != &other) {
    public_key_ = other.public_key_;
    secret_key_ = other.secret_key_;
    SecureWipe(other.secret_key_.data(), other.secret_key_.size());
  }
  return *this;
}

KeyPair::~KeyPair() { SecureWipe(secret_key_.data(), secret_key_.size()); }

Signature KeyPair::Sign(ByteView message) const {
  Signature signature;
  crypto_sign_detached(signature.bytes.data(), nullptr, message.data(), message.size(),
                       secret_key_.data());
  return signature;
}

Status KeyPair::SaveToFile(const std::filesystem::path& path) const {
  int fd = ::open(path.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC | O_NOFOLLOW,
                  S_IRUSR | S_IWUSR);
  if (fd < 0) {
    int error = errno;
    if (error == EEXIST) {
      return Status::AlreadyExists("key file " + path.string() +
                                   " already exists; refusing to overwrite a key");
    }
    return Status::IoError("create key file " + path.string() + ": " + ErrnoText(error));
  }
  FileCloser closer(fd);

  std::string text;
  StringWiper wiper(text);
  text.reserve(kKeyFileHeader.size() + kSeedHexChars + 2);  // no reallocation: no stray copies
  text.append(kKeyFileHeader);
  text.push_back('\n');
  static constexpr char kHexDigits[] = "0123456789abcdef";
  for (size_t i = 0; i < kSeedBytes; ++i) {
    text.push_back(kHexDigits[secret_key_[i] >> 4]);
    text.push_back(kHexDigits[secret_key_[i] & 0x0f]);
  }
  text.push_back('\n');

  Status status = WriteKeyFile(fd, text, path);
  if (status.ok() && closer.Close() != 0) {
    status = Status::IoError("close key file " + path.string() + ": " + ErrnoText(errno));
  }
  if (!status.ok()) {
    // Never leave a half-written key behind: a later load would refuse it anyway,
    // and the exclusive create would refuse a retry.
    ::unlink(path.c_str());
    return status;
  }
  return SyncParentDirectory(path);
}

Result<KeyPair> KeyPair::LoadFromFile(const std::filesystem::path& path) {
  ASSIGN_OR_RETURN(int fd, OpenPrivateFile(path));
  FileCloser closer(fd);
  std::string text;
  StringWiper wiper(text);
  text.reserve(kKeyFileBytesMax + 512);  // no reallocation: no unwiped copies
  RETURN_IF_ERROR(ReadAll(fd, path, &text));

  std::array<uint8_t, kSeedBytes> seed{};
  Status parsed = ParseKeyFile(text, path, &seed);
  if (!parsed.ok()) {
    SecureWipe(seed.data(), seed.size());
    return parsed;
  }
  Result<KeyPair> pair = FromSeed(seed);
  SecureWipe(seed.data(), seed.size());
  return pair;
}

void SecureWipe(void* data, size_t size) { sodium_memzero(data, size); }

bool ConstantTimeEqual(ByteView a, ByteView b) {
  if (a.size() != b.size()) return false;
  if (a.empty()) return true;
  return sodium_memcmp(a.data(), b.data(), a.size()) == 0;
}

}  // namespace shulian::crypto
