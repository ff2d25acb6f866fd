#!/usr/bin/env bash
# Bans wall clocks, global random generators, std distributions and std::hash in the
# deterministic layers (the short version of Envoy's check_format.py rule): results must depend
# only on the scenario and the seed. Inject time and randomness through the Platform and
# RandomStream instead.
set -uo pipefail
cd "$(dirname "$0")/.."
pattern='system_clock|steady_clock|high_resolution_clock|std::random_device|[^_a-zA-Z.>]s?rand\(|time\(nullptr\)|time\(NULL\)|QRandomGenerator|QDateTime::current|QElapsedTimer|std::hash<|std::(uniform_int|uniform_real|normal|exponential|poisson|lognormal|bernoulli|discrete|gamma|geometric|binomial|weibull|cauchy|chi_squared|piecewise_constant|piecewise_linear)_distribution|std::(mt19937|minstd_rand|default_random_engine|ranlux)'
hits=$(grep -rnE --include='*.h' --include='*.cpp' "$pattern" engine models topologies run || true)
if [[ -n $hits ]]; then
    printf '%s\n' "$hits"
    echo "error: non-deterministic API in engine/, models/, topologies/ or run/: use the Platform's time and engine::RandomStream" >&2
    exit 1
fi
echo "banned-API check: OK"
