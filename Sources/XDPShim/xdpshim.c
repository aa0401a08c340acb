#include "xdpshim.h"
