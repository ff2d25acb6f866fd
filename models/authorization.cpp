#include "models/authorization.h"

#include <algorithm>

namespace meshsim::models {

bool authorized(const std::vector<AuthorizationRule>& rules,
                std::optional<ServiceIndex> source,
                ServiceIndex to)
{
    // A caller that is not a service matches no rule's source list.
    const ServiceIndex from = source.value_or(~0U);
    bool allowed = true;
    bool hasAllow = false;
    bool matchedAllow = false;
    for (const AuthorizationRule& rule : rules) {
        if (rule.to != to)
            continue;
        if (std::find(rule.denyFrom.begin(), rule.denyFrom.end(), from) != rule.denyFrom.end())
            allowed = false;
        if (!rule.allowFrom.empty()) {
            hasAllow = true;
            matchedAllow = matchedAllow
                           || std::find(rule.allowFrom.begin(), rule.allowFrom.end(), from)
                                  != rule.allowFrom.end();
        }
    }
    return allowed && (!hasAllow || matchedAllow);
}

} // namespace meshsim::models
