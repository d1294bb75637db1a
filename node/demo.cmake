# shulian-demo: builds, reopens and verifies a small sample ledger (the chain layer end to end).
shulian_executable(shulian-demo SOURCES demo_main.cc DEPS shulian_chain)
