// Little CMS 2 from the system (Debian: liblcms2-dev), for converting embedded colour profiles
// to sRGB. Its pixel-format names are function-like macros that Swift cannot import; the two
// the stager uses are spelled out here as functions.
#include <lcms2.h>

/// 8-bit RGB, three bytes a pixel.
static inline cmsUInt32Number inbetween_lcms_rgb8(void) { return TYPE_RGB_8; }

/// 8-bit grey read from the first byte of each three-byte RGB pixel (the other two skipped).
static inline cmsUInt32Number inbetween_lcms_grey_in_rgb8(void) { return COLORSPACE_SH(PT_GRAY) | CHANNELS_SH(1) | EXTRA_SH(2) | BYTES_SH(1); }
