# CUDA: GPU discovery through the CUDA runtime, the device set before each GPU task, and the
# CUDA examples in apps/. MANTA_ENABLE_CUDA=AUTO (the default) turns it on when nvcc is found,
# on PATH or in /usr/local/cuda; ON requires it; OFF leaves GPUs to Slurm's and CUDA's
# environment variables and --num-gpus.
set(MANTA_ENABLE_CUDA AUTO CACHE STRING "Build with the CUDA runtime: AUTO, ON or OFF")
set_property(CACHE MANTA_ENABLE_CUDA PROPERTY STRINGS AUTO ON OFF)

set(MANTA_WITH_CUDA OFF)
if(NOT MANTA_ENABLE_CUDA STREQUAL OFF)
  if(NOT CMAKE_CUDA_COMPILER AND NOT DEFINED ENV{CUDACXX} AND EXISTS /usr/local/cuda/bin/nvcc)
    set(CMAKE_CUDA_COMPILER /usr/local/cuda/bin/nvcc)
  endif()
  include(CheckLanguage)
  check_language(CUDA)
  if(CMAKE_CUDA_COMPILER)
    # Compiling needs no GPU; pick architectures explicitly since "native" needs one.
    if(NOT DEFINED CMAKE_CUDA_ARCHITECTURES)
      set(CMAKE_CUDA_ARCHITECTURES 80 90)
    endif()
    enable_language(CUDA)
    set(CMAKE_CUDA_STANDARD 17)
    find_package(CUDAToolkit REQUIRED)
    set(MANTA_WITH_CUDA ON)
  elseif(MANTA_ENABLE_CUDA STREQUAL ON)
    message(FATAL_ERROR "MANTA_ENABLE_CUDA=ON, but no CUDA compiler was found: set "
                        "CMAKE_CUDA_COMPILER or put nvcc on PATH")
  endif()
endif()
message(STATUS "Manta: CUDA ${MANTA_WITH_CUDA}")
