#pragma once

// Locale-independent number formatting (std::to_chars): a decimal point in every locale, so
// reports and generated documents are the same bytes everywhere. Use these, never printf, in
// the layers below app/.

#include <string>

namespace meshsim::engine {

// Fixed notation with `decimals` digits after the point: formatFixed(0.7, 2) == "0.70".
std::string formatFixed(double value, int decimals);
// Shortest form with at most `digits` significant digits: formatSignificant(0.7, 2) == "0.7".
std::string formatSignificant(double value, int digits);
// printf-style formatting in the C locale whatever the process's or thread's locale (a GUI sets
// the user's), for sentences with several numbers; at most 1023 bytes.
std::string formatC(const char* format, ...) __attribute__((format(printf, 1, 2)));

} // namespace meshsim::engine
