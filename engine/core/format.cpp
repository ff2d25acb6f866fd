#include "engine/core/format.h"

#include <charconv>

namespace meshsim::engine {

std::string formatFixed(double value, int decimals)
{
    char buffer[512];
    const auto [end, ec]
        = std::to_chars(buffer, buffer + sizeof buffer, value, std::chars_format::fixed, decimals);
    return ec == std::errc() ? std::string(buffer, end) : std::string("?");
}

std::string formatSignificant(double value, int digits)
{
    char buffer[64];
    const auto [end, ec]
        = std::to_chars(buffer, buffer + sizeof buffer, value, std::chars_format::general, digits);
    return ec == std::errc() ? std::string(buffer, end) : std::string("?");
}

} // namespace meshsim::engine
