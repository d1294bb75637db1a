# transport_bench: peer transport throughput and handshake time on loopback, and the AEAD channel alone.
if(TARGET shulian_transport)
  shulian_executable(transport_bench SOURCES transport_bench.cc DEPS shulian_transport)
endif()
