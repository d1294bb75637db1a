# Body decoders of every transaction type: canonical re-encoding and JSON round trip.
shulian_fuzzer(fuzz_body_decode SOURCES fuzz_body_decode.cc DEPS shulian_bodies)
