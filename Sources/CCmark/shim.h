// libcmark, the CommonMark reference parser (Debian: libcmark-dev).
#include <cmark.h>
