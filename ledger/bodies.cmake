# Transaction bodies and their JSON form (ledger/bodies.h, ledger/tx_json.h).
# shulian_bodies: body structs, their canonical encoding and the Body* JSON functions.
shulian_library(shulian_bodies
  SOURCES
    ${CMAKE_CURRENT_LIST_DIR}/bodies.cc
    ${CMAKE_CURRENT_LIST_DIR}/body_codec.cc
    ${CMAKE_CURRENT_LIST_DIR}/body_json.cc
  DEPS shulian_ledger_types shulian_crypto nlohmann_json::nlohmann_json)

# shulian_tx_json: the JSON form of whole transactions; needs the envelope codec.
shulian_library(shulian_tx_json
  SOURCES ${CMAKE_CURRENT_LIST_DIR}/tx_json.cc
  DEPS shulian_bodies shulian_chain)
