// decideRetry: what a failed try leads to, against Envoy's RetryStateImpl (reference/semantics.md
// §3.1: conditions, "max attempts = 1 + num_retries", the decision order would-retry ->
// retries remaining (URX) -> retry breaker (UO); §2.1: max_retries; §3.3: Istio's retry_on).
// Which outcomes each retry_on condition matches is tst_retry_policy's; here, the decision built
// on it: retry or not, and the response flags the call ends with.

#include "models/circuit_breaker.h"
#include "models/config.h"
#include "models/outcome.h"
#include "models/retry_policy.h"
#include "models/retry_state.h"

#include <QTest>

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

using meshsim::models::CircuitBreakerThresholds;
using meshsim::models::decideRetry;
using meshsim::models::kFlagNone;
using meshsim::models::kFlagRL;
using meshsim::models::kFlagUAEX;
using meshsim::models::kFlagUF;
using meshsim::models::kFlagUO;
using meshsim::models::kFlagURX;
using meshsim::models::kFlagUT;
using meshsim::models::Outcome;
using meshsim::models::ResourceLimits;
using meshsim::models::RetryConditions;
using meshsim::models::RetryConfig;
using meshsim::models::RetryDecision;
using meshsim::models::RetryState;
using meshsim::models::TryResult;

namespace {

std::vector<std::string> toStd(const QStringList& list)
{
    std::vector<std::string> out;
    for (const QString& s : list)
        out.push_back(s.toStdString());
    return out;
}

const QStringList kIstioDefault{"connect-failure", "refused-stream", "unavailable", "cancelled"};

// How a try ended, as one token: what its caller's proxy saw.
enum class Seen {
    Response500,      // the host answered 500
    PerTryTimeout,    // this proxy's per-try timeout fired (504)
    ConnectFailure,   // this proxy's connection attempt was refused
    ResetEstablished, // this proxy's established connection was reset
    Passed503,        // the host answered 503 because its own call failed (no reset here)
    LocalOverflow,    // this proxy's circuit breaker overflowed (a local 503)
    Own429,           // the host rate-limited the request
    Passed429,        // the host passed on a 429 from further down
    Own403,           // the host's sidecar denied the call
    Own401,           // authentication failed at the host (a gateway)
    Passed403,        // the host passed on a 403 from further down
};

TryResult resultOf(Seen seen)
{
    TryResult r;
    switch (seen) {
    case Seen::Response500:
        r.outcome = Outcome::ServerError;
        break;
    case Seen::PerTryTimeout:
        r.outcome = Outcome::Timeout;
        r.perTryTimeout = true;
        break;
    case Seen::ConnectFailure:
        r.outcome = Outcome::ConnectionFailure;
        r.reset = true;
        r.connectFailure = true;
        break;
    case Seen::ResetEstablished:
        r.outcome = Outcome::ConnectionFailure;
        r.reset = true;
        break;
    case Seen::Passed503:
        r.outcome = Outcome::ConnectionFailure;
        r.passedOn = true;
        break;
    case Seen::LocalOverflow:
        r.outcome = Outcome::Overflow;
        r.local = true;
        break;
    case Seen::Own429:
        r.outcome = Outcome::RateLimited;
        break;
    case Seen::Passed429:
        r.outcome = Outcome::RateLimited;
        r.passedOn = true;
        break;
    case Seen::Own403:
        r.outcome = Outcome::Denied;
        break;
    case Seen::Own401:
        r.outcome = Outcome::Unauthorized;
        break;
    case Seen::Passed403:
        r.outcome = Outcome::Denied;
        r.passedOn = true;
        break;
    }
    return r;
}

} // namespace

class TestRetryState : public QObject
{
    Q_OBJECT

private slots:
    void decision_data()
    {
        QTest::addColumn<QStringList>("retryOn");
        QTest::addColumn<int>("numRetries");
        QTest::addColumn<int>("seen");
        QTest::addColumn<int>("triesStarted");
        QTest::addColumn<int>("retriesScheduled");
        QTest::addColumn<bool>("retry");
        QTest::addColumn<int>("flags");
        const auto row = [](const char* name,
                            const QStringList& on,
                            int retries,
                            Seen seen,
                            int tries,
                            int scheduled,
                            bool retry,
                            int flags) {
            QTest::newRow(name) << on << retries << static_cast<int>(seen) << tries << scheduled
                                << retry << flags;
        };
        const QStringList x5{"5xx"};
        const QStringList cf{"connect-failure"};
        // §3.1: max attempts = 1 + num_retries. With num_retries 1 the first try's 500 is
        // retried; the second try's ends the call: retries_remaining == 0 -> URX.
        row("5xx: first try's 500 is retried", x5, 1, Seen::Response500, 1, 0, true, kFlagNone);
        row("5xx: second try's 500 is URX", x5, 1, Seen::Response500, 2, 0, false, kFlagURX);
        // num_retries 2: three tries; the third one's failure is the last.
        row("2 retries: second try retried", x5, 2, Seen::Response500, 2, 0, true, kFlagNone);
        row("2 retries: third try is URX", x5, 2, Seen::Response500, 3, 0, false, kFlagURX);
        // A retry waiting for its backoff has used a retry already (hedged tries: §3.1, hedged
        // retries consume num_retries): 1 try + 1 scheduled = 1 + num_retries.
        row("scheduled retry counts", x5, 1, Seen::Response500, 1, 1, false, kFlagURX);
        // A per-try timeout counts as a reset: retried under 5xx / gateway-error / reset only
        // (§3.1); when it ends the call, the call carries UT.
        row("per-try timeout: retried under 5xx", x5, 1, Seen::PerTryTimeout, 1, 0, true, 0);
        row("per-try timeout: exhausted, UT URX",
            x5,
            1,
            Seen::PerTryTimeout,
            2,
            0,
            false,
            kFlagUT | kFlagURX);
        row("per-try timeout: not under connect-failure, UT",
            cf,
            1,
            Seen::PerTryTimeout,
            1,
            0,
            false,
            kFlagUT);
        // Istio's default retry_on (§3.3): connect failures are retried, a 500 is not.
        row("istio: connect failure retried",
            kIstioDefault,
            2,
            Seen::ConnectFailure,
            1,
            0,
            true,
            kFlagNone);
        row("istio: 500 not retried", kIstioDefault, 2, Seen::Response500, 1, 0, false, 0);
        // This proxy's own connection failure or reset carries UF when it ends the call.
        row("no condition: connect failure ends with UF",
            QStringList{},
            1,
            Seen::ConnectFailure,
            1,
            0,
            false,
            kFlagUF);
        row("connect failure exhausted: UF URX",
            cf,
            1,
            Seen::ConnectFailure,
            2,
            0,
            false,
            kFlagUF | kFlagURX);
        row("reset of an established connection under connect-failure: UF",
            cf,
            1,
            Seen::ResetEstablished,
            1,
            0,
            false,
            kFlagUF);
        // A connection failure the host passed on from its own call reached this proxy as a 503
        // response: retried under 5xx, not under connect-failure, and no UF (flags say what this
        // hop saw itself).
        row("passed-on 503: retried under 5xx", x5, 1, Seen::Passed503, 1, 0, true, kFlagNone);
        row("passed-on 503: not under connect-failure", cf, 1, Seen::Passed503, 1, 0, false, 0);
        // Overflow resets are never retried by the same Envoy (§2.1); the router flags UO itself.
        row("local overflow never retried", x5, 1, Seen::LocalOverflow, 1, 0, false, kFlagNone);
        // 429 and 403/401 are not 5xx: never retried here. RL (§4.6) and UAEX name the hop that
        // limited or denied, not one that passed the answer on.
        row("own 429: RL", x5, 1, Seen::Own429, 1, 0, false, kFlagRL);
        row("passed-on 429: no RL", x5, 1, Seen::Passed429, 1, 0, false, kFlagNone);
        row("own 403: UAEX", x5, 1, Seen::Own403, 1, 0, false, kFlagUAEX);
        row("own 401: UAEX", x5, 1, Seen::Own401, 1, 0, false, kFlagUAEX);
        row("passed-on 403: no UAEX", x5, 1, Seen::Passed403, 1, 0, false, kFlagNone);
    }

    void decision()
    {
        QFETCH(QStringList, retryOn);
        QFETCH(int, numRetries);
        QFETCH(int, seen);
        QFETCH(int, triesStarted);
        QFETCH(int, retriesScheduled);
        QFETCH(bool, retry);
        QFETCH(int, flags);
        RetryConfig config;
        config.attempts = static_cast<std::uint32_t>(numRetries);
        config.retryOn = toStd(retryOn);
        const RetryConditions conditions(config.retryOn);
        RetryState state;
        state.retries = &config;
        state.conditions = &conditions;
        state.attempts = static_cast<std::uint32_t>(triesStarted);
        state.retriesScheduled = static_cast<std::uint32_t>(retriesScheduled);
        const RetryDecision d = decideRetry(resultOf(static_cast<Seen>(seen)), state);
        QCOMPARE(d.retry, retry);
        QCOMPARE(static_cast<int>(d.flags), flags); // a retry carries none
    }

    void withoutRetryPolicyNothingIsRetried()
    {
        // §3.1: no retries unless a retry policy is present; the flags still say what happened.
        RetryState state;
        state.attempts = 1;
        RetryDecision d = decideRetry(resultOf(Seen::Response500), state);
        QVERIFY(!d.retry);
        QCOMPARE(d.flags, std::uint16_t{kFlagNone});
        d = decideRetry(resultOf(Seen::ConnectFailure), state);
        QVERIFY(!d.retry);
        QCOMPARE(d.flags, std::uint16_t{kFlagUF});
    }

    void retryBreakerOverflowIsUO()
    {
        // §2.1 max_retries (set to 1 here): with one retry in flight a second is not attempted,
        // and the call ends with the failed try's response and UO; with none in flight it is.
        RetryConfig config;
        config.attempts = 3;
        config.retryOn = {"5xx"};
        const RetryConditions conditions(config.retryOn);
        CircuitBreakerThresholds thresholds;
        thresholds.maxRetries = 1;
        ResourceLimits limits(thresholds, std::nullopt, 3);
        RetryState state;
        state.retries = &config;
        state.conditions = &conditions;
        state.limits = &limits;
        state.attempts = 1;
        QVERIFY(decideRetry(resultOf(Seen::Response500), state).retry);
        limits.retryStarted();
        const RetryDecision full = decideRetry(resultOf(Seen::Response500), state);
        QVERIFY(!full.retry);
        QCOMPARE(full.flags, std::uint16_t{kFlagUO});
        // Decision order (§3.1): retries remaining are checked before the breaker, so an
        // exhausted call ends with URX, not UO, even when the breaker is full too.
        state.attempts = 4; // 1 + num_retries
        const RetryDecision exhausted = decideRetry(resultOf(Seen::Response500), state);
        QVERIFY(!exhausted.retry);
        QCOMPARE(exhausted.flags, std::uint16_t{kFlagURX});
        // A try that is not retriable never asks the breaker: no UO.
        state.attempts = 1;
        const RetryDecision notRetriable = decideRetry(resultOf(Seen::Own429), state);
        QCOMPARE(notRetriable.flags, std::uint16_t{kFlagRL});
    }
};

QTEST_GUILESS_MAIN(TestRetryState)
#include "tst_retry_state.moc"
