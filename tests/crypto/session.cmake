# Tests of the peer-session cryptography: X25519 key exchange and the AEAD channel.
shulian_test(crypto_session_test SOURCES session_test.cc DEPS shulian_crypto)
