# Tests of the crypto module: keys and key files, SHA-256, RFC 9162 Merkle trees.
shulian_test(crypto_keys_test SOURCES keys_test.cc DEPS shulian_crypto)
shulian_test(crypto_sha256_test SOURCES sha256_test.cc DEPS shulian_crypto)
shulian_test(crypto_merkle_test SOURCES merkle_test.cc DEPS shulian_crypto)
shulian_test(crypto_signature_cache_test SOURCES signature_cache_test.cc DEPS shulian_crypto)
shulian_test(crypto_x509_test SOURCES x509_test.cc DEPS shulian_x509)
