# Tests of transaction bodies (binary codec, validation) and of the JSON form of
# bodies and whole transactions.
shulian_test(ledger_bodies_test SOURCES bodies_test.cc DEPS shulian_bodies)
shulian_test(ledger_tx_json_test SOURCES tx_json_test.cc DEPS shulian_tx_json)
