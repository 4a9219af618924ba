# Warnings for Manta's own targets; dependencies are included as SYSTEM so they stay quiet.
add_library(manta_warnings INTERFACE)
target_compile_options(manta_warnings INTERFACE -Wall -Wextra -Wpedantic -Wshadow -Wnon-virtual-dtor)
if(MANTA_WARNINGS_AS_ERRORS)
  target_compile_options(manta_warnings INTERFACE -Werror)
endif()

# ASan and TSan cannot share a process: each owns the shadow memory layout.
if(MANTA_SANITIZE AND MANTA_SANITIZE_THREAD)
  message(FATAL_ERROR "MANTA_SANITIZE and MANTA_SANITIZE_THREAD cannot both be ON")
endif()
if(MANTA_SANITIZE)
  add_compile_options(-fsanitize=address,undefined -fno-omit-frame-pointer -fno-sanitize-recover=undefined)
  add_link_options(-fsanitize=address,undefined)
endif()
if(MANTA_SANITIZE_THREAD)
  add_compile_options(-fsanitize=thread -fno-omit-frame-pointer)
  add_link_options(-fsanitize=thread)
endif()
