#pragma once

// Scenario text in tests: load it, or stop the test with every diagnostic the loader gave.

#include "topologies/loader.h"

#include <QtGlobal>

#include <string>
#include <utility>

namespace meshsim::testing {

inline topologies::Scenario loadOrDie(const std::string& text, const char* fileName = "test.yaml")
{
    topologies::LoadResult loaded = topologies::loadScenarioText(text, fileName);
    for (const auto& d : loaded.diagnostics)
        qWarning("%s", d.format().c_str());
    if (!loaded.ok())
        qFatal("test scenario %s does not load", fileName);
    return std::move(*loaded.scenario);
}

} // namespace meshsim::testing
