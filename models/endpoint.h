#pragma once

// Endpoint: where a try's request goes once it reaches the node of the instance it was sent to.
//
// The router (CallRouter) knows only this seam: the instance server is an endpoint, and so is an
// instance's inbound sidecar, which wraps the server. An endpoint answers through the exchange's
// AnswerSink (the caller's proxy, as Envoy's upstream request hears its response) once the answer,
// or a reset, is back at the caller. One virtual call each way per try on the hot path.

namespace meshsim::models {

struct Exchange;

// Who hears how a try ended: the router of the caller (models/call_router.h).
class AnswerSink
{
public:
    // The answer (or a reset, or nothing until a timeout) of try `ex` is back at its caller.
    virtual void answered(Exchange* ex) = 0;

protected:
    ~AnswerSink() = default;
};

class Endpoint
{
public:
    virtual ~Endpoint() = default;
    // The try's request arrived at the node of instance `ex->host` of the call's target tier.
    virtual void receive(Exchange* ex) = 0;
    // The instance refused a connection `ex` was opening (it is gone).
    virtual void refuse(Exchange* ex) = 0;
};

} // namespace meshsim::models
