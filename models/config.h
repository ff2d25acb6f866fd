#pragma once

// The validated configuration of every model, one header per section (models/config/).

#include "models/config/common.h"
#include "models/config/platform.h"
#include "models/config/system.h"
