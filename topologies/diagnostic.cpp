#include "topologies/diagnostic.h"

namespace meshsim::topologies {

std::string Diagnostic::format() const
{
    std::string out = file;
    if (line > 0)
        out += ":" + std::to_string(line) + ":" + std::to_string(column);
    out += ": ";
    if (severity == Severity::Warning)
        out += "warning: ";
    if (!path.empty())
        out += path + ": ";
    out += message;
    return out;
}

bool hasErrors(const std::vector<Diagnostic>& diagnostics)
{
    for (const Diagnostic& d : diagnostics) {
        if (d.severity == Diagnostic::Severity::Error)
            return true;
    }
    return false;
}

} // namespace meshsim::topologies
