// X.509 certificates for the HTTP API's TLS (docs/crypto.md "X.509"), through
// OpenSSL: making a certificate authority, making a node's API certificate
// (self-signed, or signed by such an authority) with a subjectAltName for every
// host name or IP address it answers on, checking that a certificate and its
// private key belong together, and the SHA-256 fingerprint a client may pin.
//
// Keys are ECDSA P-256 (what every TLS client accepts), certificates are signed
// with SHA-256, and everything travels as PEM text; writing files is the caller's
// business. Only this file and crypto/ include OpenSSL's certificate headers; the
// TLS code in api/ passes a peer certificate here as an opaque pointer.
//
// Thread-safety: every function is reentrant.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "common/status.h"
#include "crypto/sha256.h"

struct x509_st;            // OpenSSL's X509
struct x509_store_ctx_st;  // OpenSSL's X509_STORE_CTX

namespace shulian::crypto {

inline constexpr uint32_t kCertificateDaysMax = 3650;
inline constexpr size_t kCertificateHostsMax = 64;

// A certificate and its private key, PEM-encoded (the key as unencrypted PKCS#8).
struct PemCertificate {
  std::string certificate_pem;
  std::string private_key_pem;
};

struct CertificateRequest {
  // DNS names or IP literals; each becomes a subjectAltName entry. At least one
  // for a server certificate; the first is also the subject's common name.
  std::vector<std::string> hosts;
  std::string common_name;  // for an authority (hosts empty); else the first host
  uint32_t days = 365;      // validity, 1..kCertificateDaysMax
};

// A new certificate authority: a self-signed certificate that may sign others.
Result<PemCertificate> MakeCertificateAuthority(const CertificateRequest& request);
// A new server certificate for request.hosts: self-signed when `issuer` is null,
// else signed by that authority (which must be a CA whose key matches).
Result<PemCertificate> MakeServerCertificate(const CertificateRequest& request,
                                             const PemCertificate* issuer = nullptr);

// Ok when `certificate_pem` holds at least one certificate and `private_key_pem`
// the private key of its first; InvalidArgument saying which part is wrong.
Status CheckCertificateAndKey(std::string_view certificate_pem, std::string_view private_key_pem);

// The SHA-256 of a certificate's DER encoding: what `--cert-sha256` pins.
Result<Digest> CertificateSha256(const x509_st* certificate);
// The same for the certificate being verified in a TLS verification callback
// (the peer's own, not its chain's).
Result<Digest> PresentedCertificateSha256(x509_store_ctx_st* store);
// The same for the first certificate in PEM text.
Result<Digest> CertificatePemSha256(std::string_view certificate_pem);
// "aa:bb:.." or "AABB.." (64 hex digits, colons optional) as a Digest.
Result<Digest> ParseFingerprint(std::string_view text);

// OpenSSL's words for a certificate verification result (X509_V_ERR_*).
std::string CertificateVerifyErrorText(long code);

}  // namespace shulian::crypto
