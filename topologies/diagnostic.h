#pragma once

// Diagnostic: one problem found in a scenario file, with where it is and what was expected.
// Printed as `file:line:column: key.path: message` (the format compilers use, so editors and
// CI logs link it to the place in the file).

#include <string>
#include <vector>

namespace meshsim::topologies {

struct Diagnostic
{
    enum class Severity { Error, Warning };
    Severity severity = Severity::Error;
    std::string file;
    int line = 0;     // 1-based; 0 when the problem has no single place
    int column = 0;   // 1-based
    std::string path; // key path, e.g. services[2].cpu.mean
    std::string message;

    std::string format() const;
};

bool hasErrors(const std::vector<Diagnostic>& diagnostics);

} // namespace meshsim::topologies
