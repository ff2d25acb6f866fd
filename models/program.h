#pragma once

// Program: steps compiled once into a flat array, the form the step interpreter runs.
//
// The same interpreter (ProgramRunner) runs a service's steps, a client's or the gateway's route
// composition and the ingress's forwarding. A program's ops[0] is its root sequence; the children
// of every composite op are contiguous (breadth-first layout).

#include "models/config.h"

#include <cstdint>
#include <vector>

namespace meshsim::models {

struct StepOp
{
    Step::Kind kind = Step::Kind::Sequence;
    ServiceIndex service = 0;     // Call: the target tier
    OperationIndex operation = 0; // Call: the target's operation
    double probability = 1.0;
    std::uint64_t requestBytes = 0;
    bool optional = false;
    bool async = false;
    bool repeatParallel = false;
    std::uint32_t repeatMin = 1;
    std::uint32_t repeatMax = 1;
    double weight = 1.0; // a Choice's branch
    std::uint32_t firstChild = 0;
    std::uint32_t childCount = 0;

    bool repeats() const { return repeatMin != 1 || repeatMax != 1; }
};

// StepOp::requestBytes of the calls a client makes for a route, and of the calls a proxy
// forwards on a client's behalf: the size of the client's request.
inline constexpr std::uint64_t kClientRequestSize = ~std::uint64_t{0};

struct Program
{
    std::vector<StepOp> ops;
};

Program compileSteps(const std::vector<Step>& steps);
// A program with one call to `target` of the client's request size.
Program forwardTo(ServiceIndex target);
// A route's composition: one program (a service, a sequence, an aggregate of parallel calls with
// optional members), or one per target of a weighted split.
std::vector<Program> compileRoute(const RouteConfig& route);
// Appends the target of every call of `program` to `out`.
void collectCallees(const Program& program, std::vector<ServiceIndex>& out);

} // namespace meshsim::models
