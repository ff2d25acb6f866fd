#include "models/program_runner.h"

#include "engine/core/assert.h"
#include "models/call_router.h"
#include "models/internal/components.h"
#include "models/internal/runtime.h"
#include "models/program.h"

namespace meshsim::models {

ProgramRunner::ProgramRunner(Runtime& runtime, CallRouter& router)
    : m_runtime(runtime)
    , m_router(router)
{
    m_router.setOwner(*this);
}

void ProgramRunner::run(Task* task, const Program& program)
{
    if (program.ops.front().childCount == 0) { // nothing to call (most leaf services)
        finish(task, false, Outcome::Ok);
        return;
    }
    startOp(task, program, 0, nullptr);
}

void ProgramRunner::finish(Task* task, bool failed, Outcome cause)
{
    task->failed = failed;
    task->cause = cause;
    task->owner->stepsDone(task);
}

void ProgramRunner::startOp(Task* task,
                            const Program& program,
                            std::uint32_t opIndex,
                            Frame* parent)
{
    const StepOp& op = program.ops[opIndex];
    if (op.kind == Step::Kind::Call) {
        Caller& caller = *task->caller;
        const std::uint64_t drawKey = task->forwards
                                          ? task->drawKey
                                          : engine::RandomStream::mix(task->drawKey, opIndex + 1);
        if (op.probability < 1.0
            && !engine::RandomStream(engine::RandomStream::mix(drawKey, kProbabilitySalt))
                    .bernoulli(op.probability)) {
            childDone(parent, false, Outcome::Ok);
            return;
        }
        Call* call = m_runtime.records.calls.acquire();
        call->drawKey = drawKey;
        call->taskKey = task->drawKey;
        call->target = op.service;
        call->caller = &caller;
        // A client's request, or one a proxy forwards on a client's behalf: same size.
        call->requestBytes
            = op.requestBytes == kClientRequestSize ? task->requestBytes : op.requestBytes;
        call->optional = op.optional;
        call->frame = parent;
        call->route = task->route;
        call->clientId = task->clientId;
        call->key = task->key;
        call->trace = task->trace && !task->trace->done ? task->trace : nullptr;
        call->parentSpan = task->span;
        call->rec = task->rec;
        call->recParent = task->recHop;
        if (caller.viaIngress) {
            call->forward = op.service; // through the ingress
            call->target = *caller.viaIngress;
        } else if (caller.entryTiers && (*caller.entryTiers)[op.service] != op.service) {
            call->forward = op.service; // through the service's waypoint
            call->target = (*caller.entryTiers)[op.service];
        }
        if (caller.kind == CallerKind::Ingress || caller.kind == CallerKind::Waypoint)
            call->forward = op.service;
        m_router.beginCall(call);
        return;
    }
    Frame* frame = m_runtime.records.frames.acquire();
    frame->task = task;
    frame->program = &program;
    frame->op = opIndex;
    frame->parent = parent;
    if (op.childCount == 0) {
        childDone(frame, false, Outcome::Ok);
        return;
    }
    if (op.kind == Step::Kind::Sequence) {
        frame->next = 1;
        startOp(task, program, op.firstChild, frame);
        return;
    }
    frame->remaining = op.childCount;
    for (std::uint32_t c = 0; c < op.childCount; ++c)
        startOp(task, program, op.firstChild + c, frame);
}

void ProgramRunner::callDone(const Call* call)
{
    childDone(call->frame, call->outcome != Outcome::Ok && !call->optional, call->outcome);
}

void ProgramRunner::childDone(Frame* frame, bool failed, Outcome cause)
{
    MESHSIM_ASSERT(frame != nullptr, "a call always belongs to a frame");
    if (failed && !frame->failed) {
        frame->failed = true;
        frame->cause = cause;
    }
    const StepOp& op = frame->program->ops[frame->op];
    bool finished;
    if (op.childCount == 0) {
        finished = true;
    } else if (op.kind == Step::Kind::Sequence) {
        if (!frame->failed && frame->next < op.childCount) {
            const std::uint32_t child = op.firstChild + frame->next++;
            startOp(frame->task, *frame->program, child, frame);
            return;
        }
        finished = true;
    } else {
        finished = --frame->remaining == 0;
    }
    if (!finished)
        return;
    Frame* parent = frame->parent;
    Task* task = frame->task;
    const bool frameFailed = frame->failed;
    const Outcome frameCause = frame->cause;
    m_runtime.records.frames.release(frame);
    if (parent)
        childDone(parent, frameFailed, frameCause);
    else
        finish(task, frameFailed, frameCause);
}

} // namespace meshsim::models
