# The HTTP API. Three libraries so that each side pulls in only what it needs:
#   shulian_api_core    routes, JSON mapping, request signing/verification, rate
#                       limits, metrics text; no Boost, no httplib
#   shulian_api_server  the Boost.Beast server around shulian_api_core
#   shulian_api_client  the cpp-httplib client the CLI uses
# OpenSSL::SSL for TLS only: certificates and keys are crypto/x509.h's business.
find_package(Boost REQUIRED)
find_package(OpenSSL REQUIRED)
find_library(HTTPLIB_LIBRARY cpp-httplib REQUIRED)

shulian_library(shulian_api_core
  SOURCES
    ${CMAKE_CURRENT_LIST_DIR}/errors.cc
    ${CMAKE_CURRENT_LIST_DIR}/handler.cc
    ${CMAKE_CURRENT_LIST_DIR}/metrics_text.cc
    ${CMAKE_CURRENT_LIST_DIR}/rate_limiter.cc
    ${CMAKE_CURRENT_LIST_DIR}/request_auth.cc
    ${CMAKE_CURRENT_LIST_DIR}/url.cc
  DEPS shulian_tx_json shulian_state_machine shulian_crypto shulian_console_assets nlohmann_json::nlohmann_json)

shulian_library(shulian_api_server
  SOURCES ${CMAKE_CURRENT_LIST_DIR}/server.cc
  DEPS shulian_api_core
  PRIVATE_DEPS Boost::headers OpenSSL::SSL Threads::Threads)

shulian_library(shulian_api_client
  SOURCES ${CMAKE_CURRENT_LIST_DIR}/client.cc
  DEPS shulian_api_core
  PRIVATE_DEPS shulian_x509 ${HTTPLIB_LIBRARY} OpenSSL::SSL Threads::Threads)
if(TARGET shulian_api_client)
  # Debian's libcpp-httplib is built with these; the header's class layouts must match.
  target_compile_definitions(shulian_api_client PRIVATE
    CPPHTTPLIB_OPENSSL_SUPPORT CPPHTTPLIB_ZLIB_SUPPORT CPPHTTPLIB_BROTLI_SUPPORT)
endif()
