# Every dependency comes from Debian bookworm packages (see tests/run for the
# list that is installed).
find_package(Threads REQUIRED)
find_package(PkgConfig REQUIRED)
find_package(OpenSSL 3.0 REQUIRED)
find_package(absl REQUIRED)
find_package(Protobuf REQUIRED)
find_package(gRPC REQUIRED)
find_package(yaml-cpp REQUIRED)
find_package(Boost 1.74 REQUIRED)
find_package(CURL REQUIRED)
find_package(RapidJSON QUIET)
pkg_check_modules(RDKAFKA REQUIRED IMPORTED_TARGET rdkafka)
if(STOREWIRE_TESTS)
  find_package(GTest REQUIRED)
endif()
if(STOREWIRE_BENCH)
  find_package(benchmark REQUIRED)
endif()

# RapidJSON scans strings and whitespace 16 bytes at a time with SSE2 (part of
# the x86-64 baseline; Debian's RapidJSON has no NEON path). Its aligned loads may read past the end of a
# buffer inside the same 16-byte block, which is harmless on real memory but
# reported by AddressSanitizer, so the sanitizer and fuzz builds keep the
# scalar scanner.
if(NOT STOREWIRE_SANITIZE AND NOT STOREWIRE_FUZZ)
  if(CMAKE_SYSTEM_PROCESSOR MATCHES "^(x86_64|AMD64|amd64)$")
    add_compile_definitions(RAPIDJSON_SSE2)
  endif()
endif()
