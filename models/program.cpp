#include "models/program.h"

namespace meshsim::models {

Program compileSteps(const std::vector<Step>& steps)
{
    // Breadth-first layout: the children of every composite op are contiguous.
    Program program;
    program.ops.push_back(StepOp{});
    struct Pending
    {
        const std::vector<Step>* children;
        std::uint32_t op;
    };
    std::vector<Pending> work{{&steps, 0}};
    for (std::size_t i = 0; i < work.size(); ++i) {
        const Pending p = work[i];
        const auto first = static_cast<std::uint32_t>(program.ops.size());
        program.ops[p.op].firstChild = first;
        program.ops[p.op].childCount = static_cast<std::uint32_t>(p.children->size());
        for (const Step& step : *p.children) {
            StepOp op;
            op.kind = step.kind;
            op.service = step.service;
            op.operation = step.operation;
            op.probability = step.probability;
            op.requestBytes = step.requestBytes;
            op.optional = step.optional;
            op.async = step.async;
            op.repeatMin = step.repeatMin;
            op.repeatMax = step.repeatMax;
            op.repeatParallel = step.repeatParallel;
            op.weight = step.weight;
            program.ops.push_back(op);
        }
        for (std::size_t c = 0; c < p.children->size(); ++c) {
            const Step& step = (*p.children)[c];
            if (step.kind != Step::Kind::Call)
                work.push_back({&step.children, first + static_cast<std::uint32_t>(c)});
        }
    }
    return program;
}

std::vector<OperationConfig> operationsOf(const ServiceConfig& service)
{
    if (!service.operations.empty())
        return service.operations;
    OperationConfig only;
    only.cpu = service.cpu;
    only.errorRate = service.errorRate;
    only.responseBytes = service.responseBytes;
    only.steps = service.steps;
    only.afterCpu = service.afterCpu;
    return {only};
}

std::vector<OperationConfig> operationVariants(const ServiceConfig& service)
{
    if (service.versions.empty())
        return operationsOf(service);
    std::vector<OperationConfig> all;
    for (const VersionConfig& version : service.versions)
        all.insert(all.end(), version.operations.begin(), version.operations.end());
    return all;
}

Program forwardTo(ServiceIndex target)
{
    Step step;
    step.kind = Step::Kind::Call;
    step.service = target;
    step.requestBytes = kClientRequestSize;
    return compileSteps({step});
}

std::vector<Program> compileRoute(const RouteConfig& route)
{
    const auto callStep = [&route](std::size_t i) {
        Step step;
        step.kind = Step::Kind::Call;
        step.service = route.targets[i];
        step.operation = i < route.operations.size() ? route.operations[i] : OperationIndex{0};
        step.requestBytes = kClientRequestSize;
        return step;
    };
    std::vector<Program> programs;
    switch (route.kind) {
    case RouteConfig::Kind::Service:
    case RouteConfig::Kind::Sequence: {
        std::vector<Step> steps;
        for (std::size_t i = 0; i < route.targets.size(); ++i)
            steps.push_back(callStep(i));
        programs.push_back(compileSteps(steps));
        break;
    }
    case RouteConfig::Kind::Aggregate: {
        Step parallel;
        parallel.kind = Step::Kind::Parallel;
        for (std::size_t i = 0; i < route.targets.size(); ++i) {
            parallel.children.push_back(callStep(i));
            parallel.children.back().optional = i < route.optional.size() && route.optional[i];
        }
        programs.push_back(compileSteps({parallel}));
        break;
    }
    case RouteConfig::Kind::Split:
        for (std::size_t i = 0; i < route.targets.size(); ++i)
            programs.push_back(compileSteps({callStep(i)}));
        break;
    }
    return programs;
}

void collectCallees(const Program& program, std::vector<ServiceIndex>& out)
{
    for (const StepOp& op : program.ops) {
        if (op.kind == Step::Kind::Call)
            out.push_back(op.service);
    }
}

} // namespace meshsim::models
