#pragma once

// The story of one sampled request (models/recording.h), as the request inspector tells it: the
// rows of a Gantt chart (one per hop, in the order of the hop tree), the critical path
// (models::criticalPath), and what the proxies and callers decided, in plain language.
//
// Everything here is read from the request's hops and nothing else: the recording holds no
// policy, no pending-request count and no host health, so a decision says what the hops prove
// (which tries were made, how long a backoff lasted, what a try answered, which spans were reset)
// and what the models make of that (models/call_router.cpp, models/instance_server.cpp):
//   - a Call's tries are its Try children in order (try k is its k-th); a retry starts when a
//     Backoff child ends; a try that starts while an earlier one is still under way is a hedge;
//   - a try reset by its caller (kTryResetByCaller) with outcome timeout was cut by a per-try or
//     call timeout, one with outcome ok lost a hedging race;
//   - a try without a Job child never reached the application: refused or reset connection,
//     connect timeout (its last hop is a Connect), a full queue, an authorization denial, or a
//     pool overflow;
//   - a call refused before any try was made (circuit open, no healthy host, max_requests) has no
//     Try for that attempt.
// "retry k of n" names the k-th try of the n the call made (the policy's limit is not recorded).
// The flags are the calls' response flags, as results.json's traces give them.
//
// Qt-free; plain functions of their arguments.

#include "models/recording.h"
#include "topologies/system_view.h"

#include <cstdint>
#include <string>
#include <vector>

namespace meshsim::ui {

struct StoryRow
{
    std::int32_t hop = 0;     // index into RecordedRequest::hops
    std::int32_t parent = -1; // row of the parent hop (-1: the request)
    std::uint32_t depth = 0;  // 0: the request
    std::string label;        // "try 2 → catalog/1"
    std::string details;      // a few lines for a tooltip: what, where, when, how it ended
    std::int64_t start = 0;   // ns, simulated time
    std::int64_t end = -1;    // ns; -1: still under way when the recording ended
    models::HopKind kind = models::HopKind::Request;
    models::Outcome outcome = models::Outcome::Ok;
    std::uint16_t flags = models::kFlagNone; // calls
    bool span = false;                       // a request, call, try or job (it has an outcome)
    bool reset = false;                      // a try its caller reset (timeout, lost hedge)
    bool critical = false;       // on the critical path: a leaf on it, or a span that holds one
    std::int64_t criticalNs = 0; // leaves: the part of the hop on the path
};

struct Decision
{
    std::int64_t at = 0;  // ns: when it was decided
    std::int32_t row = 0; // the row it is about
    std::string text;
};

struct RequestStory
{
    std::uint64_t id = 0;
    std::uint32_t route = 0;
    std::string routePath;
    bool complete = true;
    std::int64_t start = 0;
    std::int64_t end = -1; // the answer; -1: not answered when the recording ended
    models::Outcome outcome = models::Outcome::Ok;
    std::uint16_t flags = models::kFlagNone; // every call's response flags
    std::uint32_t calls = 0;
    std::uint32_t tries = 0;
    std::string summary;                // one line: id, route, outcome, latency, tries, flags
    std::vector<std::string> flagNotes; // "URX: retries exhausted", one per flag
    std::vector<StoryRow> rows;         // the hop tree, depth first, children by start
    std::vector<Decision> decisions;    // in time order
    models::CriticalPath criticalPath;

    std::int64_t latencyNs() const { return end >= 0 ? end - start : -1; }
    // The last instant the rows reach (ends of the hops, under way ones up to the latest known).
    std::int64_t lastNs() const;
    // The row of hop `hop`, -1 when there is none.
    std::int32_t rowOfHop(std::int32_t hop) const;
};

RequestStory tellRequest(const models::RecordedRequest& request,
                         const topologies::SystemView& view);

// Finds sampled requests by words, all of which must hold (separated by spaces, any case):
//   123 or #123          the request with this id
//   /books               requests whose route path contains it
//   server_error, ...    requests answered so, or with a call, try or job that ended so
//   URX, UF, ...         requests with a call that has this response flag
//   failed               requests answered with an error
//   slowest              answered requests, the slowest first (otherwise: recording order)
//   incomplete           requests with hops under way when the recording ended
// `understood` is false (and `problem` says why) when a word is none of these.
struct RequestSearch
{
    bool understood = true;
    std::string problem;
    std::vector<std::uint64_t> ids; // at most `limit`
    std::size_t matched = 0;        // before the limit
};
RequestSearch findRequests(const models::Recording& recording,
                           const topologies::SystemView& view,
                           const std::string& text,
                           std::size_t limit = 1000);

// "37.215 ms", "0.85 ms", "2 s", "1.5 s": below a second, milliseconds to the microsecond; from
// one second on, seconds to the millisecond; trailing zeros dropped. Locale-independent.
std::string durationText(std::int64_t ns);
// What a response flag means ("URX: retries exhausted").
std::string flagNote(std::size_t bit);
// "catalog/1", or the component's name for clients and whole tiers.
std::string placeText(const topologies::SystemView& view, const models::Place& place);

} // namespace meshsim::ui
