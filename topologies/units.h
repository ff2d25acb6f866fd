#pragma once

// Parsing of the quantities people write in scenario files: "250us", "1.5s", "4KB", "10Gbps",
// "200/s", "0.5%". Every parser returns the value in base units or explains what it expected.
// Locale-independent (std::from_chars). Units are case-sensitive where case carries meaning
// (b = bit, B = byte).

#include "engine/core/sim_time.h"

#include <optional>
#include <string>
#include <string_view>

namespace meshsim::topologies {

template <typename T>
struct Parsed
{
    std::optional<T> value;
    std::string expected; // when !value: what a valid value looks like
};

// Durations: <number><unit>, unit one of ns, us (µs), ms, s, m (min), h; a bare 0 is allowed.
Parsed<engine::SimDuration> parseDuration(std::string_view text);
// Sizes in bytes: <number><unit>, unit B, KB, MB, GB (powers of 1000) or KiB, MiB, GiB (1024);
// a bare integer is a number of bytes.
Parsed<std::uint64_t> parseSize(std::string_view text);
// Bandwidth in bits per second: bps, Kbps, Mbps, Gbps, Tbps; or bytes: Bps, KBps, MBps, GBps;
// "unlimited" (returned as 0).
Parsed<double> parseBandwidth(std::string_view text);
// Rates per second: <number>/s, /ms, /min, /h; a bare number is per second.
Parsed<double> parseRate(std::string_view text);
// Fractions in [0, 1]: "0.5%" or a bare number 0.005.
Parsed<double> parseFraction(std::string_view text);
// Plain numbers (std::from_chars, no locale, no hex, no inf/nan).
std::optional<double> parseNumber(std::string_view text);

// Formats a duration for people: "250us", "1.5s" (shortest exact form in the largest unit).
std::string formatDuration(engine::SimDuration d);

} // namespace meshsim::topologies
