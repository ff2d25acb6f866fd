#include "engine/core/format.h"

#include <algorithm>
#include <charconv>
#include <clocale>
#include <cstdarg>
#include <cstdio>
#include <locale.h>

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

std::string formatC(const char* format, ...)
{
    // This thread only, and only while formatting (POSIX uselocale).
    static const locale_t c = newlocale(LC_ALL_MASK, "C", static_cast<locale_t>(nullptr));
    const locale_t previous = uselocale(c);
    char buffer[1024];
    va_list ap;
    va_start(ap, format);
    const int n = std::vsnprintf(buffer, sizeof buffer, format, ap);
    va_end(ap);
    uselocale(previous);
    return std::string(buffer, static_cast<std::size_t>(std::clamp(n, 0, 1023)));
}

} // namespace meshsim::engine
