# The workload-generator library: deterministic synthetic order flow and captures.
file(GLOB TACHYON_BENCH_LIB_SOURCES CONFIGURE_DEPENDS ${CMAKE_CURRENT_LIST_DIR}/src/*.cc)
add_library(tachyon_bench_lib ${TACHYON_BENCH_LIB_SOURCES})
add_library(tachyon::bench_lib ALIAS tachyon_bench_lib)
target_include_directories(tachyon_bench_lib PUBLIC ${CMAKE_CURRENT_LIST_DIR}/include)
target_link_libraries(tachyon_bench_lib PUBLIC tachyon::book tachyon::dataplane tachyon::nic)
# Seeded flows must be bit-identical across builds: no a*b+c -> FMA contraction,
# whose use depends on -march.
target_compile_options(tachyon_bench_lib PRIVATE -ffp-contract=off)
