# Working-day calendars, per-authority deadline policies and the genesis format.
shulian_library(shulian_rules
  SOURCES calendar.cc policy.cc genesis.cc
  DEPS shulian_common shulian_crypto nlohmann_json::nlohmann_json)
