// Offline commands for the API's TLS: `cert` (a node's certificate and key) and
// `cert ca` (an authority to sign them). The certificates are made by
// crypto/x509.h; this file checks the options and writes the files.
#include <fcntl.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <sstream>

#include "crypto/x509.h"
#include "node/cli/commands.h"
#include "node/cli/render.h"

namespace shulian::cli {
namespace {

using nlohmann::json;

constexpr uint64_t kPemFileBytesMax = 1u << 20;

Result<uint32_t> Days(const Context& ctx, uint32_t fallback) {
  std::optional<std::string> value = ctx.args().Get("days");
  if (!value) return fallback;
  ASSIGN_OR_RETURN(uint64_t days, ParseUnsigned("--days", *value));
  if (days == 0 || days > crypto::kCertificateDaysMax) {
    return Status::InvalidArgument("--days: must be in [1, " + std::to_string(crypto::kCertificateDaysMax) +
                                   "]");
  }
  return static_cast<uint32_t>(days);
}

Result<std::string> ReadPem(const std::string& option, const std::string& path) {
  std::error_code error;
  if (!std::filesystem::is_regular_file(path, error))
    return Status::InvalidArgument(option + " " + path + ": not a readable file");
  if (std::filesystem::file_size(path, error) > kPemFileBytesMax) {
    return Status::InvalidArgument(option + " " + path + ": larger than " + std::to_string(kPemFileBytesMax) +
                                   " bytes");
  }
  std::ifstream in(path, std::ios::binary);
  std::stringstream text;
  text << in.rdbuf();
  if (!in.good() && !in.eof()) return Status::IoError(option + " " + path + ": cannot read");
  return text.str();
}

// A new file with `mode`, written and synced; an existing file is never replaced.
Status WriteNew(const std::string& option, const std::string& path, const std::string& text, mode_t mode) {
  const int fd = ::open(path.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC | O_NOFOLLOW, mode);
  if (fd < 0) {
    const int error = errno;
    if (error == EEXIST)
      return Status::AlreadyExists(option + " " + path + ": already exists; refusing to overwrite it");
    return Status::IoError(option + " " + path + ": " + std::strerror(error));
  }
  size_t written = 0;
  while (written < text.size()) {
    const ssize_t n = ::write(fd, text.data() + written, text.size() - written);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) break;
    written += static_cast<size_t>(n);
  }
  const bool ok = written == text.size() && ::fsync(fd) == 0;
  ::close(fd);
  if (!ok) {
    std::error_code ignored;
    std::filesystem::remove(path, ignored);
    return Status::IoError(option + " " + path + ": cannot write");
  }
  return Status::Ok();
}

// Writes the key (owner-only) and then the certificate; both files are new, and a
// failure leaves neither behind.
Status WritePair(const Context& ctx, const crypto::PemCertificate& made) {
  ASSIGN_OR_RETURN(std::string key_out, RequireOption(ctx.args(), "key_out"));
  ASSIGN_OR_RETURN(std::string cert_out, RequireOption(ctx.args(), "cert_out"));
  RETURN_IF_ERROR(WriteNew("--key-out", key_out, made.private_key_pem, S_IRUSR | S_IWUSR));
  Status cert = WriteNew("--cert-out", cert_out, made.certificate_pem, S_IRUSR | S_IWUSR | S_IRGRP | S_IROTH);
  if (!cert.ok()) {
    std::error_code ignored;
    std::filesystem::remove(key_out, ignored);
  }
  return cert;
}

// Both output paths given, distinct, and not yet there: checked before any
// key is made, so that bad input changes nothing.
Status CheckOutputs(const Context& ctx) {
  ASSIGN_OR_RETURN(std::string key_out, RequireOption(ctx.args(), "key_out"));
  ASSIGN_OR_RETURN(std::string cert_out, RequireOption(ctx.args(), "cert_out"));
  if (key_out == cert_out)
    return Status::InvalidArgument("--key-out and --cert-out: must be different files");
  std::error_code error;
  for (const auto& [option, path] : {std::pair{"--key-out", key_out}, std::pair{"--cert-out", cert_out}}) {
    if (std::filesystem::exists(path, error)) {
      return Status::AlreadyExists(std::string(option) + " " + path +
                                   ": already exists; refusing to overwrite it");
    }
  }
  return Status::Ok();
}

Status Report(Context& ctx, const crypto::PemCertificate& made, const json& details) {
  ASSIGN_OR_RETURN(crypto::Digest sha256, crypto::CertificatePemSha256(made.certificate_pem));
  json shown = details;
  shown["certificate_file"] = *ctx.args().Get("cert_out");
  shown["key_file"] = *ctx.args().Get("key_out");
  shown["sha256"] = sha256.ToHex();
  if (ctx.json()) {
    PrintJson(ctx.out(), shown);
  } else {
    ctx.out() << sha256.ToHex() << "\n";
    ctx.err()
        << "wrote " << *ctx.args().Get("cert_out") << " and " << *ctx.args().Get("key_out")
        << " (the key with mode 0600); the line above is the certificate's SHA-256 (for --cert-sha256)\n";
  }
  return Status::Ok();
}

Status NoPositionals(const Context& ctx) {
  if (!ctx.args().positionals.empty()) {
    return Status::InvalidArgument("unexpected argument '" + ctx.args().positionals.front() + "'");
  }
  return Status::Ok();
}

}  // namespace

Status RunCert(Context& ctx) {
  RETURN_IF_ERROR(NoPositionals(ctx));
  RETURN_IF_ERROR(CheckOutputs(ctx));
  crypto::CertificateRequest request;
  request.hosts = ctx.args().GetAll("host");
  if (request.hosts.empty())
    return Status::InvalidArgument("missing --host (a DNS name or IP address; repeatable)");
  ASSIGN_OR_RETURN(request.days, Days(ctx, 365));
  const std::optional<std::string> ca_cert = ctx.args().Get("ca_cert");
  const std::optional<std::string> ca_key = ctx.args().Get("ca_key");
  if (ca_cert.has_value() != ca_key.has_value()) {
    return Status::InvalidArgument("--ca-cert and --ca-key: give both to sign with an authority, or neither");
  }
  std::optional<crypto::PemCertificate> issuer;
  if (ca_cert) {
    issuer.emplace();
    ASSIGN_OR_RETURN(issuer->certificate_pem, ReadPem("--ca-cert", *ca_cert));
    ASSIGN_OR_RETURN(issuer->private_key_pem, ReadPem("--ca-key", *ca_key));
  }
  Result<crypto::PemCertificate> made = crypto::MakeServerCertificate(request, issuer ? &*issuer : nullptr);
  if (!made.ok()) return Status(made.status().code(), "cert: " + made.status().message());
  RETURN_IF_ERROR(WritePair(ctx, *made));
  return Report(ctx, *made,
                {{"hosts", request.hosts},
                 {"days", request.days},
                 {"issuer", ca_cert ? json(*ca_cert) : json("self")}});
}

Status RunCertCa(Context& ctx) {
  RETURN_IF_ERROR(NoPositionals(ctx));
  RETURN_IF_ERROR(CheckOutputs(ctx));
  crypto::CertificateRequest request;
  request.common_name = ctx.args().Get("name").value_or("Shulian API authority");
  ASSIGN_OR_RETURN(request.days, Days(ctx, 3650));
  Result<crypto::PemCertificate> made = crypto::MakeCertificateAuthority(request);
  if (!made.ok()) return Status(made.status().code(), "cert ca: " + made.status().message());
  RETURN_IF_ERROR(WritePair(ctx, *made));
  return Report(ctx, *made, {{"name", request.common_name}, {"days", request.days}});
}

}  // namespace shulian::cli
