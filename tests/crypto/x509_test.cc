// crypto/x509.h: authorities and server certificates made here are what they
// say (checked by parsing them back), bad requests are refused by name.
#include "crypto/x509.h"

#include <gtest/gtest.h>

#include <string>

namespace shulian::crypto {
namespace {

PemCertificate Made(Result<PemCertificate> made) {
  EXPECT_TRUE(made.ok()) << made.status().ToString();
  return made.ok() ? *made : PemCertificate{};
}

TEST(X509Test, AServerCertificateAndItsKeyBelongTogetherAndHaveAStableFingerprint) {
  const PemCertificate ca = Made(MakeCertificateAuthority({{}, "authority", 10}));
  const PemCertificate signed_cert =
      Made(MakeServerCertificate({{"node-1.example", "10.0.0.1", "::1"}, "", 10}, &ca));
  const PemCertificate self_signed = Made(MakeServerCertificate({{"127.0.0.1"}, "", 1}));
  EXPECT_TRUE(CheckCertificateAndKey(signed_cert.certificate_pem, signed_cert.private_key_pem).ok());
  EXPECT_TRUE(CheckCertificateAndKey(self_signed.certificate_pem, self_signed.private_key_pem).ok());
  const Status mismatch = CheckCertificateAndKey(signed_cert.certificate_pem, self_signed.private_key_pem);
  EXPECT_EQ(mismatch.message(), "the private key is not the key of the certificate");
  EXPECT_NE(signed_cert.private_key_pem.find("BEGIN PRIVATE KEY"), std::string::npos);
  auto first = CertificatePemSha256(signed_cert.certificate_pem);
  auto second = CertificatePemSha256(signed_cert.certificate_pem);
  auto other = CertificatePemSha256(self_signed.certificate_pem);
  ASSERT_TRUE(first.ok() && second.ok() && other.ok());
  EXPECT_EQ(*first, *second);
  EXPECT_NE(*first, *other);
}

TEST(X509Test, FingerprintsParseWithOrWithoutColonsInEitherCase) {
  const std::string hex(64, 'a');
  std::string colons;
  for (size_t i = 0; i < hex.size(); i += 2) colons += (i ? ":" : "") + std::string("AA");
  auto plain = ParseFingerprint(hex);
  auto spelled = ParseFingerprint(colons);
  ASSERT_TRUE(plain.ok() && spelled.ok()) << spelled.status().ToString();
  EXPECT_EQ(*plain, *spelled);
  EXPECT_FALSE(ParseFingerprint("abc").ok());
  EXPECT_FALSE(ParseFingerprint(std::string(64, 'g')).ok());
}

TEST(X509Test, BadRequestsAreRefusedNamingWhatIsWrong) {
  auto error = [](Result<PemCertificate> made) {
    return made.ok() ? std::string("ok") : made.status().message();
  };
  EXPECT_NE(error(MakeServerCertificate({{}, "", 10})).find("at least one host"), std::string::npos);
  EXPECT_NE(error(MakeServerCertificate({{"a,IP:1.2.3.4"}, "", 10})).find("host 'a,IP:1.2.3.4'"),
            std::string::npos);
  for (const char* bad : {"-", "-x.example", "x-.example", "a..b", "x.", "*.example", "a b"}) {
    EXPECT_NE(error(MakeServerCertificate({{bad}, "", 10})).find("host '" + std::string(bad) + "'"),
              std::string::npos)
        << bad;
  }
  EXPECT_EQ(error(MakeServerCertificate({{"a-b.example", "fe80::1", "xn--fiq228c"}, "", 10})), "ok");
  EXPECT_NE(error(MakeServerCertificate({{"x"}, "", 0})).find("days"), std::string::npos);
  EXPECT_NE(error(MakeServerCertificate({{"x"}, "", kCertificateDaysMax + 1})).find("days"),
            std::string::npos);
  EXPECT_NE(error(MakeCertificateAuthority({{}, "", 10})).find("common name"), std::string::npos);
  // Only an authority signs: a server certificate is not one, and a key must match.
  const PemCertificate server = Made(MakeServerCertificate({{"x"}, "", 10}));
  EXPECT_NE(error(MakeServerCertificate({{"y"}, "", 10}, &server)).find("not a CA"), std::string::npos);
  PemCertificate wrong_key = Made(MakeCertificateAuthority({{}, "authority", 10}));
  wrong_key.private_key_pem = server.private_key_pem;
  EXPECT_NE(error(MakeServerCertificate({{"y"}, "", 10}, &wrong_key)).find("the certificate authority"),
            std::string::npos);
  EXPECT_FALSE(CertificatePemSha256("not pem").ok());
}

}  // namespace
}  // namespace shulian::crypto
