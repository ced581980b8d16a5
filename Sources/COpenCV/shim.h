// COpenCV carries OpenCV's compiler and linker flags (pkg-config "opencv4") to the targets
// that depend on it. OpenCV's headers are C++ only, so Swift imports nothing from here:
// CVisionKernels includes them and exposes a plain C API.
