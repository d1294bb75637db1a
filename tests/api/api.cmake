# Tests of the HTTP API: units without sockets, and a real server on loopback
# driven by the real client and by raw sockets.
shulian_test(api_units_test
  SOURCES
    ${CMAKE_CURRENT_LIST_DIR}/request_auth_test.cc
    ${CMAKE_CURRENT_LIST_DIR}/api_units_test.cc
  DEPS shulian_api_core
  TIMEOUT 60)

shulian_test(api_server_test
  SOURCES
    ${CMAKE_CURRENT_LIST_DIR}/server_test.cc
    ${CMAKE_CURRENT_LIST_DIR}/fake_service.cc
    ${CMAKE_CURRENT_LIST_DIR}/openapi_test.cc
  DEPS shulian_api_server shulian_api_client Threads::Threads
  TIMEOUT 120)
if(TARGET api_server_test)
  target_compile_definitions(api_server_test PRIVATE SHULIAN_SOURCE_DIR="${PROJECT_SOURCE_DIR}")
endif()

# TLS on the API, with certificates from crypto/x509.h; the test drives a
# handshake of its own through Boost.Asio's TLS stream.
find_package(Boost REQUIRED)
find_package(OpenSSL REQUIRED)
shulian_test(api_tls_test
  SOURCES
    ${CMAKE_CURRENT_LIST_DIR}/tls_test.cc
    ${CMAKE_CURRENT_LIST_DIR}/fake_service.cc
  DEPS shulian_api_server shulian_api_client shulian_x509 Boost::headers OpenSSL::SSL Threads::Threads
  TIMEOUT 120)
