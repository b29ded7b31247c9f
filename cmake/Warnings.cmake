# The warning set of STYLE.md §10. -Werror is on unless C2C_WERROR=OFF.
set(C2C_WARN_FLAGS -Wall -Wextra -Wpedantic -Wshadow -Wconversion -Wno-sign-conversion
  -Wstrict-prototypes -Wmissing-prototypes -Wmissing-declarations -Wold-style-definition
  -Wredundant-decls -Wcast-qual -Wpointer-arith -Wwrite-strings -Wformat=2 -Wundef -Wvla
  -Wimplicit-fallthrough -Wnull-dereference -Wdouble-promotion -Wmissing-noreturn
  -Werror=implicit-function-declaration)
if(CMAKE_C_COMPILER_ID STREQUAL "GNU")
  list(APPEND C2C_WARN_FLAGS -Wduplicated-cond -Wduplicated-branches -Wlogical-op
    -Wjump-misses-init -Warray-bounds=2)
elseif(CMAKE_C_COMPILER_ID MATCHES "Clang")
  list(APPEND C2C_WARN_FLAGS -Wcomma -Wshorten-64-to-32 -Wassign-enum
    -Wconditional-uninitialized -Wunreachable-code)
endif()
if(C2C_WERROR)
  list(APPEND C2C_WARN_FLAGS -Werror)
endif()
