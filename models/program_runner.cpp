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

namespace {

// The draw key of a step of a task (records.h): the task's and the step's place in its program,
// and the repetition it belongs to.
std::uint64_t stepKey(const Task* task, std::uint32_t opIndex, std::uint64_t salt)
{
    const std::uint64_t base
        = salt == 0 ? task->drawKey : engine::RandomStream::mix(task->drawKey, salt);
    return engine::RandomStream::mix(base, opIndex + 1);
}

// The salt of the i-th repetition of the step whose key is `key`.
std::uint64_t iterationSalt(std::uint64_t key, std::uint32_t i)
{
    return engine::RandomStream::mix(key ^ kRepeatSalt, i + 1);
}

} // namespace

void ProgramRunner::run(Task* task, const Program& program)
{
    if (program.ops.front().childCount == 0) { // nothing to call (most leaf services)
        finish(task, false, Outcome::Ok);
        return;
    }
    startOp(task, program, 0, nullptr, 0);
}

void ProgramRunner::finish(Task* task, bool failed, Outcome cause)
{
    task->failed = failed;
    task->cause = cause;
    task->owner->stepsDone(task);
}

Frame*
ProgramRunner::newFrame(Task* task, const Program& program, std::uint32_t opIndex, Frame* parent)
{
    Frame* frame = m_runtime.records.frames.acquire();
    frame->task = task;
    frame->program = &program;
    frame->op = opIndex;
    frame->parent = parent;
    return frame;
}

void ProgramRunner::startOp(
    Task* task, const Program& program, std::uint32_t opIndex, Frame* parent, std::uint64_t salt)
{
    const StepOp& op = program.ops[opIndex];
    if (op.probability < 1.0 || op.repeats()) {
        // A proxy's one forwarded call has neither (it keeps its job's key).
        const std::uint64_t key = stepKey(task, opIndex, salt);
        if (op.probability < 1.0
            && !engine::RandomStream(engine::RandomStream::mix(key, kProbabilitySalt))
                    .bernoulli(op.probability)) {
            childDone(parent, false, Outcome::Ok);
            return;
        }
        if (op.repeats()) {
            const std::uint32_t count
                = op.repeatMin
                  + static_cast<std::uint32_t>(
                      engine::RandomStream(engine::RandomStream::mix(key, kRepeatSalt))
                          .nextBelow(std::uint64_t{op.repeatMax} - op.repeatMin + 1));
            if (count == 0) {
                childDone(parent, false, Outcome::Ok);
                return;
            }
            Frame* frame = newFrame(task, program, opIndex, parent);
            frame->kind = Frame::Kind::Repeat;
            frame->iterations = count;
            frame->salt = salt;
            if (op.repeatParallel) {
                frame->remaining = count;
                for (std::uint32_t i = 0; i < count; ++i)
                    runOp(task, program, opIndex, frame, iterationSalt(key, i));
            } else {
                frame->next = 1;
                runOp(task, program, opIndex, frame, iterationSalt(key, 0));
            }
            return;
        }
    }
    runOp(task, program, opIndex, parent, salt);
}

void ProgramRunner::runOp(
    Task* task, const Program& program, std::uint32_t opIndex, Frame* parent, std::uint64_t salt)
{
    const StepOp& op = program.ops[opIndex];
    if (op.kind == Step::Kind::Call) {
        Caller& caller = *task->caller;
        const std::uint64_t drawKey = task->forwards ? task->drawKey : stepKey(task, opIndex, salt);
        Call* call = m_runtime.records.calls.acquire();
        call->drawKey = drawKey;
        call->taskKey = task->drawKey;
        call->target = op.service;
        // A proxy forwards the operation its job serves.
        call->operation = task->forwards ? task->operation : op.operation;
        call->caller = &caller;
        // A client's request, or one a proxy forwards on a client's behalf: same size.
        call->requestBytes
            = op.requestBytes == kClientRequestSize ? task->requestBytes : op.requestBytes;
        call->optional = op.optional;
        call->frame = parent;
        call->route = task->route;
        call->clientId = task->clientId;
        call->key = task->key;
        call->headerSet = task->headerSet;
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
        if (!op.async) {
            m_router.beginCall(call);
            return;
        }
        // Fire and forget: the call waits in a frame of its own; the group goes on now.
        Frame* detached = newFrame(task, program, opIndex, nullptr);
        detached->kind = Frame::Kind::Detached;
        call->frame = detached;
        call->optional = true;
        ++task->detached;
        m_router.beginCall(call);
        childDone(parent, false, Outcome::Ok);
        return;
    }
    Frame* frame = newFrame(task, program, opIndex, parent);
    frame->salt = salt;
    if (op.childCount == 0) {
        childDone(frame, false, Outcome::Ok);
        return;
    }
    switch (op.kind) {
    case Step::Kind::Sequence:
        frame->next = 1;
        startOp(task, program, op.firstChild, frame, salt);
        return;
    case Step::Kind::Parallel:
        frame->remaining = op.childCount;
        for (std::uint32_t c = 0; c < op.childCount; ++c)
            startOp(task, program, op.firstChild + c, frame, salt);
        return;
    case Step::Kind::Choice: {
        engine::RandomStream draw(
            engine::RandomStream::mix(stepKey(task, opIndex, salt), kChoiceSalt));
        double total = 0.0;
        for (std::uint32_t c = 0; c < op.childCount; ++c)
            total += program.ops[op.firstChild + c].weight;
        double u = draw.nextDouble() * total;
        std::uint32_t chosen = op.childCount - 1;
        for (std::uint32_t c = 0; c + 1 < op.childCount; ++c) {
            u -= program.ops[op.firstChild + c].weight;
            if (u < 0.0) {
                chosen = c;
                break;
            }
        }
        frame->remaining = 1;
        startOp(task, program, op.firstChild + chosen, frame, salt);
        return;
    }
    case Step::Kind::Call:
        break;
    }
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
    bool finished = true;
    switch (frame->kind) {
    case Frame::Kind::Detached: {
        Task* task = frame->task;
        m_runtime.records.frames.release(frame);
        if (--task->detached == 0)
            task->owner->detachedDone(task);
        return;
    }
    case Frame::Kind::Repeat:
        if (op.repeatParallel) {
            finished = --frame->remaining == 0;
        } else if (!frame->failed && frame->next < frame->iterations) {
            const std::uint32_t i = frame->next++;
            const std::uint64_t key = stepKey(frame->task, frame->op, frame->salt);
            runOp(frame->task, *frame->program, frame->op, frame, iterationSalt(key, i));
            return;
        }
        break;
    case Frame::Kind::Group:
        if (op.childCount == 0) {
            finished = true;
        } else if (op.kind == Step::Kind::Sequence) {
            if (!frame->failed && frame->next < op.childCount) {
                const std::uint32_t child = op.firstChild + frame->next++;
                startOp(frame->task, *frame->program, child, frame, frame->salt);
                return;
            }
        } else {
            finished = --frame->remaining == 0;
        }
        break;
    }
    if (!finished)
        return;
    Frame* parent = frame->parent;
    Task* task = frame->task;
    // An optional group's failure stays inside it (a repeated step's repetitions have applied
    // it already).
    const bool frameFailed = frame->failed && (frame->kind == Frame::Kind::Repeat || !op.optional);
    const Outcome frameCause = frame->cause;
    m_runtime.records.frames.release(frame);
    if (parent)
        childDone(parent, frameFailed, frameCause);
    else
        finish(task, frameFailed, frameCause);
}

} // namespace meshsim::models
