// COpenCV names the system's OpenCV (Debian: libopencv-dev) as a dependency of the package.
// OpenCV's headers are C++ only, so Swift imports nothing from here: CVisionKernels includes
// them, links the modules it uses and exposes a plain C API.
