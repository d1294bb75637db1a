#include "crypto/x509.h"

#include <arpa/inet.h>
#include <openssl/bio.h>
#include <openssl/bn.h>
#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/rand.h>
#include <openssl/x509.h>
#include <openssl/x509v3.h>

#include <algorithm>
#include <array>
#include <memory>

namespace shulian::crypto {
namespace {

template <auto Free>
struct Deleter {
  template <class T>
  void operator()(T* p) const {
    Free(p);
  }
};
using BioPtr = std::unique_ptr<BIO, Deleter<BIO_free_all>>;
using KeyPtr = std::unique_ptr<EVP_PKEY, Deleter<EVP_PKEY_free>>;
using CertPtr = std::unique_ptr<X509, Deleter<X509_free>>;
using BnPtr = std::unique_ptr<BIGNUM, Deleter<BN_free>>;
using ExtPtr = std::unique_ptr<X509_EXTENSION, Deleter<X509_EXTENSION_free>>;

// The oldest queued OpenSSL error as text (the queue is cleared), for messages.
std::string OpenSslError() {
  const unsigned long code = ERR_get_error();
  ERR_clear_error();
  if (code == 0) return "no detail from OpenSSL";
  std::array<char, 256> text{};
  ERR_error_string_n(code, text.data(), text.size());
  return text.data();
}

bool IsIpLiteral(const std::string& host) {
  std::array<unsigned char, 16> buffer{};
  return inet_pton(AF_INET, host.c_str(), buffer.data()) == 1 ||
         inet_pton(AF_INET6, host.c_str(), buffer.data()) == 1;
}

// Host names as RFC 1123 labels (letters, digits, inner hyphens; 1..63 each)
// joined by dots; no wildcards, so the subjectAltName text we build cannot be
// given extra entries.
bool IsDnsName(const std::string& host) {
  if (host.empty() || host.size() > 253) return false;
  size_t start = 0;
  while (true) {
    const size_t end = std::min(host.find('.', start), host.size());
    const std::string_view label(host.data() + start, end - start);
    if (label.empty() || label.size() > 63 || label.front() == '-' || label.back() == '-') return false;
    for (char c : label) {
      const bool ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '-';
      if (!ok) return false;
    }
    if (end == host.size()) return true;
    start = end + 1;
  }
}

Result<std::string> SubjectAltNames(const std::vector<std::string>& hosts) {
  if (hosts.empty()) return Status::InvalidArgument("hosts: give at least one host name or IP address");
  if (hosts.size() > kCertificateHostsMax) {
    return Status::InvalidArgument("hosts: at most " + std::to_string(kCertificateHostsMax));
  }
  std::string names;
  for (const std::string& host : hosts) {
    if (!names.empty()) names += ",";
    if (IsIpLiteral(host)) {
      names += "IP:" + host;
    } else if (IsDnsName(host)) {
      names += "DNS:" + host;
    } else {
      return Status::InvalidArgument("host '" + host + "': neither an IP address nor a DNS name");
    }
  }
  return names;
}

Result<KeyPtr> NewKey() {
  KeyPtr key(EVP_EC_gen("P-256"));
  if (!key) return Status::Internal("generating a P-256 key: " + OpenSslError());
  return key;
}

Result<CertPtr> ParseCertificate(std::string_view pem) {
  BioPtr bio(BIO_new_mem_buf(pem.data(), static_cast<int>(pem.size())));
  CertPtr cert(bio ? PEM_read_bio_X509(bio.get(), nullptr, nullptr, nullptr) : nullptr);
  if (!cert) return Status::InvalidArgument("not a PEM certificate: " + OpenSslError());
  return cert;
}

Result<KeyPtr> ParseKey(std::string_view pem) {
  BioPtr bio(BIO_new_mem_buf(pem.data(), static_cast<int>(pem.size())));
  KeyPtr key(bio ? PEM_read_bio_PrivateKey(bio.get(), nullptr, nullptr, nullptr) : nullptr);
  if (!key) return Status::InvalidArgument("not an unencrypted PEM private key: " + OpenSslError());
  return key;
}

Status AddExtension(X509* cert, X509V3_CTX* context, int nid, const std::string& value) {
  ExtPtr extension(X509V3_EXT_conf_nid(nullptr, context, nid, value.c_str()));
  if (!extension || X509_add_ext(cert, extension.get(), -1) != 1) {
    return Status::Internal(std::string("certificate extension ") + OBJ_nid2sn(nid) + ": " + OpenSslError());
  }
  return Status::Ok();
}

// The fields every certificate of ours has: a random 128-bit serial, validity from
// an hour ago (clock skew) for `days`, the subject's common name and public key.
Status FillBasics(X509* cert, const std::string& common_name, uint32_t days, EVP_PKEY* key) {
  if (days == 0 || days > kCertificateDaysMax) {
    return Status::InvalidArgument("days: must be in [1, " + std::to_string(kCertificateDaysMax) + "]");
  }
  if (common_name.empty() || common_name.size() > 64) {
    return Status::InvalidArgument("common name: 1..64 characters");
  }
  std::array<unsigned char, 16> serial{};
  if (RAND_bytes(serial.data(), serial.size()) != 1)
    return Status::Internal("random serial: " + OpenSslError());
  serial[0] &= 0x7f;  // positive
  BnPtr number(BN_bin2bn(serial.data(), serial.size(), nullptr));
  const bool ok =
      number && X509_set_version(cert, 2) == 1 &&
      BN_to_ASN1_INTEGER(number.get(), X509_get_serialNumber(cert)) != nullptr &&
      X509_gmtime_adj(X509_getm_notBefore(cert), -3600) != nullptr &&
      X509_time_adj_ex(X509_getm_notAfter(cert), static_cast<int>(days), 0, nullptr) != nullptr &&
      X509_set_pubkey(cert, key) == 1 &&
      X509_NAME_add_entry_by_txt(X509_get_subject_name(cert), "CN", MBSTRING_UTF8,
                                 reinterpret_cast<const unsigned char*>(common_name.c_str()), -1, -1, 0) == 1;
  if (!ok) return Status::Internal("filling in the certificate: " + OpenSslError());
  return Status::Ok();
}

Result<PemCertificate> ToPem(X509* cert, EVP_PKEY* key) {
  BioPtr cert_bio(BIO_new(BIO_s_mem()));
  BioPtr key_bio(BIO_new(BIO_s_mem()));
  if (!cert_bio || !key_bio || PEM_write_bio_X509(cert_bio.get(), cert) != 1 ||
      PEM_write_bio_PrivateKey(key_bio.get(), key, nullptr, nullptr, 0, nullptr, nullptr) != 1) {
    return Status::Internal("PEM encoding: " + OpenSslError());
  }
  auto text = [](BIO* bio) {
    char* data = nullptr;
    const long size = BIO_get_mem_data(bio, &data);
    return std::string(data, static_cast<size_t>(size));
  };
  return PemCertificate{text(cert_bio.get()), text(key_bio.get())};
}

// Signs `cert` (subject, key and basics filled in) as issued by `issuer_cert` with
// `issuer_key`, or by itself when they are null, with the given extensions.
Result<PemCertificate> Finish(X509* cert, EVP_PKEY* key, X509* issuer_cert, EVP_PKEY* issuer_key,
                              const std::vector<std::pair<int, std::string>>& extensions) {
  X509* signer = issuer_cert ? issuer_cert : cert;
  if (X509_set_issuer_name(cert, X509_get_subject_name(signer)) != 1) {
    return Status::Internal("issuer name: " + OpenSslError());
  }
  X509V3_CTX context;
  X509V3_set_ctx_nodb(&context);
  X509V3_set_ctx(&context, signer, cert, nullptr, nullptr, 0);
  for (const auto& [nid, value] : extensions) RETURN_IF_ERROR(AddExtension(cert, &context, nid, value));
  if (X509_sign(cert, issuer_key ? issuer_key : key, EVP_sha256()) == 0) {
    return Status::Internal("signing the certificate: " + OpenSslError());
  }
  return ToPem(cert, key);
}

}  // namespace

Result<PemCertificate> MakeCertificateAuthority(const CertificateRequest& request) {
  ASSIGN_OR_RETURN(KeyPtr key, NewKey());
  CertPtr cert(X509_new());
  if (!cert) return Status::Internal("X509_new: " + OpenSslError());
  RETURN_IF_ERROR(FillBasics(cert.get(), request.common_name, request.days, key.get()));
  return Finish(cert.get(), key.get(), nullptr, nullptr,
                {{NID_basic_constraints, "critical,CA:TRUE,pathlen:0"},
                 {NID_key_usage, "critical,keyCertSign,cRLSign"},
                 {NID_subject_key_identifier, "hash"}});
}

Result<PemCertificate> MakeServerCertificate(const CertificateRequest& request,
                                             const PemCertificate* issuer) {
  ASSIGN_OR_RETURN(std::string alt_names, SubjectAltNames(request.hosts));
  CertPtr issuer_cert;
  KeyPtr issuer_key;
  if (issuer) {
    RETURN_IF_ERROR(CheckCertificateAndKey(issuer->certificate_pem, issuer->private_key_pem)
                        .WithContext("the certificate authority"));
    ASSIGN_OR_RETURN(issuer_cert, ParseCertificate(issuer->certificate_pem));
    ASSIGN_OR_RETURN(issuer_key, ParseKey(issuer->private_key_pem));
    if (X509_check_ca(issuer_cert.get()) == 0) {
      return Status::InvalidArgument(
          "the certificate authority's certificate may not sign certificates (not a CA)");
    }
  }
  ASSIGN_OR_RETURN(KeyPtr key, NewKey());
  CertPtr cert(X509_new());
  if (!cert) return Status::Internal("X509_new: " + OpenSslError());
  RETURN_IF_ERROR(FillBasics(cert.get(), request.hosts.front(), request.days, key.get()));
  std::vector<std::pair<int, std::string>> extensions = {{NID_basic_constraints, "critical,CA:FALSE"},
                                                         {NID_key_usage, "critical,digitalSignature"},
                                                         {NID_ext_key_usage, "serverAuth"},
                                                         {NID_subject_alt_name, alt_names},
                                                         {NID_subject_key_identifier, "hash"}};
  if (issuer) extensions.emplace_back(NID_authority_key_identifier, "keyid:always");
  return Finish(cert.get(), key.get(), issuer_cert.get(), issuer_key.get(), extensions);
}

Status CheckCertificateAndKey(std::string_view certificate_pem, std::string_view private_key_pem) {
  Result<CertPtr> cert = ParseCertificate(certificate_pem);
  if (!cert.ok()) return cert.status().WithContext("certificate");
  Result<KeyPtr> key = ParseKey(private_key_pem);
  if (!key.ok()) return key.status().WithContext("private key");
  if (X509_check_private_key(cert->get(), key->get()) != 1) {
    ERR_clear_error();
    return Status::InvalidArgument("the private key is not the key of the certificate");
  }
  return Status::Ok();
}

Result<Digest> CertificateSha256(const x509_st* certificate) {
  if (certificate == nullptr) return Status::InvalidArgument("no certificate");
  Digest out;
  unsigned int size = 0;
  if (X509_digest(certificate, EVP_sha256(), out.bytes.data(), &size) != 1 || size != out.bytes.size()) {
    return Status::Internal("certificate digest: " + OpenSslError());
  }
  return out;
}

Result<Digest> PresentedCertificateSha256(x509_store_ctx_st* store) {
  if (store == nullptr) return Status::InvalidArgument("no verification context");
  return CertificateSha256(X509_STORE_CTX_get0_cert(store));
}

Result<Digest> CertificatePemSha256(std::string_view certificate_pem) {
  ASSIGN_OR_RETURN(CertPtr cert, ParseCertificate(certificate_pem));
  return CertificateSha256(cert.get());
}

Result<Digest> ParseFingerprint(std::string_view text) {
  std::string hex;
  for (char c : text) {
    if (c != ':') hex += c;
  }
  Result<Digest> digest = Digest::FromHex(hex);
  if (!digest.ok()) {
    return Status::InvalidArgument("certificate SHA-256 '" + std::string(text) +
                                   "': expected 64 hex digits (colons allowed)");
  }
  return digest;
}

std::string CertificateVerifyErrorText(long code) {
  return X509_verify_cert_error_string(code);
}

}  // namespace shulian::crypto
