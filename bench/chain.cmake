# chain_bench: blocks of signed transactions decoded, verified and appended per second.
shulian_executable(chain_bench SOURCES chain_bench.cc DEPS shulian_chain)
