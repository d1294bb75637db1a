# Peer transport: authenticated, encrypted framing between nodes over TCP (Boost.Asio),
# plus the node's structured logging. See docs/transport.md.
find_package(Boost REQUIRED)
shulian_library(shulian_transport
  SOURCES log.cc frame.cc handshake.cc transport.cc
  DEPS shulian_crypto Threads::Threads Boost::headers)
if(TARGET shulian_transport)
  target_compile_definitions(shulian_transport PUBLIC BOOST_ASIO_NO_DEPRECATED)
endif()
