#pragma once

// ProgramRunner: the step interpreter. It runs a compiled Program for a task (a client request
// or a request at an instance): a sequence starts its next child when one finishes and stops at
// the first failure; a parallel group starts all its children and finishes when they all have;
// a choice runs one of its branches, drawn by weight. Any step happens with its probability and
// runs its repeat count of times (one after another, or all at once); an optional step's failure
// does not fail its group. An async call is detached: its group goes on at once, and the task
// counts it (Task::detached) until it is back. Calls go to the CallRouter; when the program is
// done, the task's `failed` and `cause` are set and its TaskOwner hears it; when its last
// detached call is back, TaskOwner::detachedDone. Frames come from the runtime's pool. Not
// thread-safe.

#include "models/internal/records.h"

namespace meshsim::models {

class CallRouter;
struct Program;
struct Runtime;

class ProgramRunner final : public CallOwner
{
public:
    ProgramRunner(Runtime& runtime, CallRouter& router);

    void run(Task* task, const Program& program);
    void callDone(const Call* call) override;

private:
    // Draws the step's probability and repeat count, then runs it (runOp) that many times.
    void startOp(
        Task* task, const Program& program, std::uint32_t op, Frame* parent, std::uint64_t salt);
    // Runs the step once.
    void
    runOp(Task* task, const Program& program, std::uint32_t op, Frame* parent, std::uint64_t salt);
    Frame* newFrame(Task* task, const Program& program, std::uint32_t op, Frame* parent);
    void childDone(Frame* frame, bool failed, Outcome cause);
    static void finish(Task* task, bool failed, Outcome cause);

    Runtime& m_runtime;
    CallRouter& m_router;
};

} // namespace meshsim::models
