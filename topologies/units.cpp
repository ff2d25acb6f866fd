#include "topologies/units.h"

#include <charconv>
#include <cmath>
#include <cstdio>

namespace meshsim::topologies {

namespace {

struct Unit
{
    std::string_view suffix;
    double factor;
};

std::string_view trim(std::string_view s)
{
    while (!s.empty() && (s.front() == ' ' || s.front() == '\t'))
        s.remove_prefix(1);
    while (!s.empty() && (s.back() == ' ' || s.back() == '\t'))
        s.remove_suffix(1);
    return s;
}

// Splits "12.5ms" into 12.5 and "ms" (whitespace between number and unit allowed).
bool splitNumber(std::string_view text, double& number, std::string_view& unit)
{
    text = trim(text);
    if (text.empty())
        return false;
    const char* begin = text.data();
    const char* end = text.data() + text.size();
    if (*begin == '+')
        ++begin;
    const auto [ptr, ec] = std::from_chars(begin, end, number, std::chars_format::general);
    if (ec != std::errc() || !std::isfinite(number))
        return false;
    unit = trim(std::string_view(ptr, static_cast<std::size_t>(end - ptr)));
    return true;
}

template <std::size_t N>
std::optional<double> scale(double number, std::string_view unit, const Unit (&units)[N])
{
    for (const Unit& u : units) {
        if (unit == u.suffix)
            return number * u.factor;
    }
    return std::nullopt;
}

} // namespace

std::optional<double> parseNumber(std::string_view text)
{
    double number = 0.0;
    std::string_view unit;
    if (!splitNumber(text, number, unit) || !unit.empty())
        return std::nullopt;
    return number;
}

Parsed<engine::SimDuration> parseDuration(std::string_view text)
{
    static constexpr Unit kUnits[] = {{"ns", 1.0},
                                      {"us", 1e3},
                                      {"\xC2\xB5s", 1e3},
                                      {"ms", 1e6},
                                      {"s", 1e9},
                                      {"m", 60e9},
                                      {"min", 60e9},
                                      {"h", 3600e9}};
    const std::string expected = "a duration with a unit: ns, us, ms, s, m or h (e.g. 250ms)";
    double number = 0.0;
    std::string_view unit;
    if (!splitNumber(text, number, unit))
        return {std::nullopt, expected};
    if (unit.empty()) {
        if (number == 0.0)
            return {engine::SimDuration{0}, {}};
        return {std::nullopt, expected};
    }
    const auto ns = scale(number, unit, kUnits);
    if (!ns)
        return {std::nullopt, expected};
    if (*ns < 0.0)
        return {std::nullopt, "a duration that is not negative"};
    if (*ns > 3.0e18)
        return {std::nullopt, "a duration below 95 years"};
    return {engine::durationFromNanos(*ns), {}};
}

Parsed<std::uint64_t> parseSize(std::string_view text)
{
    static constexpr Unit kUnits[] = {{"B", 1.0},
                                      {"KB", 1e3},
                                      {"kB", 1e3},
                                      {"MB", 1e6},
                                      {"GB", 1e9},
                                      {"KiB", 1024.0},
                                      {"MiB", 1024.0 * 1024.0},
                                      {"GiB", 1024.0 * 1024.0 * 1024.0}};
    const std::string expected = "a size: B, KB, MB, GB, KiB, MiB or GiB (e.g. 4KB)";
    double number = 0.0;
    std::string_view unit;
    if (!splitNumber(text, number, unit))
        return {std::nullopt, expected};
    const std::optional<double> bytes
        = unit.empty() ? std::optional<double>(number) : scale(number, unit, kUnits);
    if (!bytes)
        return {std::nullopt, expected};
    if (*bytes < 0.0)
        return {std::nullopt, "a size that is not negative"};
    if (*bytes > 1e12)
        return {std::nullopt, "a size of at most 1000GB"};
    return {static_cast<std::uint64_t>(std::llround(*bytes)), {}};
}

Parsed<double> parseBandwidth(std::string_view text)
{
    static constexpr Unit kUnits[] = {{"bps", 1.0},
                                      {"Kbps", 1e3},
                                      {"kbps", 1e3},
                                      {"Mbps", 1e6},
                                      {"Gbps", 1e9},
                                      {"Tbps", 1e12},
                                      {"Bps", 8.0},
                                      {"KBps", 8e3},
                                      {"MBps", 8e6},
                                      {"GBps", 8e9}};
    const std::string expected
        = "a bandwidth: bps, Kbps, Mbps, Gbps (bits) or Bps, KBps, MBps, GBps (bytes) per "
          "second, or unlimited (e.g. 10Gbps)";
    if (trim(text) == "unlimited")
        return {0.0, {}};
    double number = 0.0;
    std::string_view unit;
    if (!splitNumber(text, number, unit) || unit.empty())
        return {std::nullopt, expected};
    const auto bits = scale(number, unit, kUnits);
    if (!bits)
        return {std::nullopt, expected};
    if (*bits <= 0.0)
        return {std::nullopt, "a positive bandwidth (or unlimited)"};
    return {*bits, {}};
}

Parsed<double> parseRate(std::string_view text)
{
    static constexpr Unit kUnits[] = {
        {"/s", 1.0}, {"/ms", 1e3}, {"/min", 1.0 / 60.0}, {"/m", 1.0 / 60.0}, {"/h", 1.0 / 3600.0}};
    const std::string expected = "a rate: <number>/s, /ms, /min or /h (e.g. 200/s)";
    double number = 0.0;
    std::string_view unit;
    if (!splitNumber(text, number, unit))
        return {std::nullopt, expected};
    const std::optional<double> perSecond
        = unit.empty() ? std::optional<double>(number) : scale(number, unit, kUnits);
    if (!perSecond)
        return {std::nullopt, expected};
    if (*perSecond < 0.0)
        return {std::nullopt, "a rate that is not negative"};
    return {perSecond, {}};
}

Parsed<double> parseFraction(std::string_view text)
{
    const std::string expected = "a fraction between 0 and 1 or a percentage (e.g. 0.05 or 5%)";
    double number = 0.0;
    std::string_view unit;
    if (!splitNumber(text, number, unit))
        return {std::nullopt, expected};
    if (unit == "%")
        number /= 100.0;
    else if (!unit.empty())
        return {std::nullopt, expected};
    if (number < 0.0 || number > 1.0) {
        if (unit.empty() && number > 1.0 && number <= 100.0)
            return {std::nullopt,
                    "a fraction between 0 and 1 (write a percentage with %, e.g. "
                        + std::string(trim(text)) + "%)"};
        return {std::nullopt, "a fraction between 0 and 1 (0% to 100%)"};
    }
    return {number, {}};
}

std::string formatDuration(engine::SimDuration d)
{
    const std::int64_t ns = d.count();
    struct U
    {
        const char* name;
        std::int64_t factor;
    };
    static constexpr U kUnits[] = {{"h", 3'600'000'000'000},
                                   {"m", 60'000'000'000},
                                   {"s", 1'000'000'000},
                                   {"ms", 1'000'000},
                                   {"us", 1'000},
                                   {"ns", 1}};
    if (ns == 0)
        return "0s";
    for (const U& u : kUnits) {
        if (ns % u.factor == 0 || std::llabs(ns) >= u.factor) {
            char buffer[64];
            const double value = static_cast<double>(ns) / static_cast<double>(u.factor);
            const auto [end, ec] = std::to_chars(buffer, buffer + sizeof buffer, value);
            if (ec != std::errc())
                break;
            return std::string(buffer, end) + u.name;
        }
    }
    return std::to_string(ns) + "ns";
}

} // namespace meshsim::topologies
