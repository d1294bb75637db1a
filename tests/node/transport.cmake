# Tests of the peer transport: framing, hello parsing and the handshake without I/O;
# the logger; and real transports on 127.0.0.1 (delivery, refusals, tampering, restarts).
shulian_test(node_transport_test SOURCES transport_test.cc DEPS shulian_transport TIMEOUT 120)
