// zlib from the system (Debian: zlib1g-dev), to inflate a PNG's compressed iCCP profile.
#include <zlib.h>
