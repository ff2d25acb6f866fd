// authorized(): Istio AuthorizationPolicy between services (reference/semantics.md §7.3). The
// evaluation order is DENY -> ALLOW: 1) any matching DENY denies; 2) a workload without ALLOW
// policies allows; 3) any matching ALLOW allows; 4) otherwise deny. Sources are services; a
// caller that is not one (a client, the gateway, the ingress) matches no source list.

#include "models/authorization.h"
#include "models/config.h"

#include <QTest>

#include <optional>
#include <utility>
#include <vector>

using meshsim::models::AuthorizationRule;
using meshsim::models::authorized;
using meshsim::models::ServiceIndex;

namespace {

constexpr ServiceIndex kA = 0;
constexpr ServiceIndex kB = 1;
constexpr ServiceIndex kX = 2;
constexpr ServiceIndex kY = 3;
const std::optional<ServiceIndex> kClient; // not a service

AuthorizationRule
rule(ServiceIndex to, std::vector<ServiceIndex> allowFrom, std::vector<ServiceIndex> denyFrom)
{
    AuthorizationRule r;
    r.to = to;
    r.allowFrom = std::move(allowFrom);
    r.denyFrom = std::move(denyFrom);
    return r;
}

} // namespace

class TestAuthorization : public QObject
{
    Q_OBJECT

private slots:
    void withoutPoliciesEverythingIsAllowed()
    {
        // Step 2: no ALLOW policy on the workload (and no DENY) -> allow.
        const std::vector<AuthorizationRule> none;
        QVERIFY(authorized(none, kA, kX));
        QVERIFY(authorized(none, kClient, kX));
    }

    void denyNamesItsSourcesOnly()
    {
        const std::vector<AuthorizationRule> rules{rule(kX, {}, {kA})};
        QVERIFY(!authorized(rules, kA, kX)); // step 1
        QVERIFY(authorized(rules, kB, kX));  // no DENY matches, no ALLOW policy: step 2
        QVERIFY(authorized(rules, kA, kY));  // the rule is about x only
        QVERIFY(authorized(rules, kClient, kX));
    }

    void allowAdmitsOnlyItsSources()
    {
        const std::vector<AuthorizationRule> rules{rule(kX, {kA}, {})};
        QVERIFY(authorized(rules, kA, kX));       // step 3
        QVERIFY(!authorized(rules, kB, kX));      // step 4: x has an ALLOW policy, b unnamed
        QVERIFY(!authorized(rules, kClient, kX)); // a client matches no source list
        QVERIFY(authorized(rules, kB, kY));       // y has no policy
    }

    void denyWinsOverAllow()
    {
        // DENY is evaluated before ALLOW: a source both lists name is denied, in one rule or two.
        QVERIFY(!authorized({rule(kX, {kA}, {kA})}, kA, kX));
        QVERIFY(!authorized({rule(kX, {kA}, {}), rule(kX, {}, {kA})}, kA, kX));
        QVERIFY(authorized({rule(kX, {kA, kB}, {kB})}, kA, kX));
    }

    void anyAllowPolicyMatches()
    {
        // Step 3: any matching ALLOW allows; sources neither names are denied (step 4).
        const std::vector<AuthorizationRule> rules{rule(kX, {kA}, {}), rule(kX, {kB}, {})};
        QVERIFY(authorized(rules, kA, kX));
        QVERIFY(authorized(rules, kB, kX));
        QVERIFY(!authorized(rules, kY, kX));
    }
};

QTEST_GUILESS_MAIN(TestAuthorization)
#include "tst_authorization.moc"
