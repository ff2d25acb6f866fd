#include "topologies/internal/yaml_reader.h"

#include "models/config.h"
#include "topologies/loader.h"
#include "topologies/units.h"

#include <algorithm>
#include <charconv>
#include <set>

namespace meshsim::topologies::internal {

using engine::SimDuration;
namespace m = meshsim::models;

std::string quote(std::string_view s)
{
    std::string out = "\"";
    std::size_t n = 0;
    for (const char c : s) {
        if (++n > 40) {
            out += "...";
            break;
        }
        out += (static_cast<unsigned char>(c) < 0x20) ? '?' : c;
    }
    return out + "\"";
}

std::string describe(const YAML::Node& node)
{
    switch (node.Type()) {
    case YAML::NodeType::Null:
    case YAML::NodeType::Undefined:
        return "nothing";
    case YAML::NodeType::Scalar:
        return quote(node.Scalar());
    case YAML::NodeType::Sequence:
        return "a list";
    case YAML::NodeType::Map:
        return "a mapping";
    }
    return "something else";
}

std::string joinNames(const std::vector<std::string>& names)
{
    std::string out;
    for (std::size_t i = 0; i < names.size() && i < 8; ++i)
        out += (i ? ", " : "") + names[i];
    if (names.size() > 8)
        out += ", ...";
    return out;
}

// --- Reader: reporting ---------------------------------------------------------------------

Reader::Reader(std::string file, const LoadLimits& limits, std::vector<Diagnostic>& diagnostics)
    : m_file(std::move(file))
    , m_limits(limits)
    , m_diagnostics(diagnostics)
{}

bool Reader::hasErrors() const
{
    return topologies::hasErrors(m_diagnostics);
}

void Reader::report(Diagnostic::Severity severity,
                    const YAML::Mark& mark,
                    const std::string& path,
                    std::string message)
{
    Diagnostic d;
    d.severity = severity;
    d.file = m_file;
    if (!mark.is_null()) {
        d.line = mark.line + 1;
        d.column = mark.column + 1;
    }
    d.path = path;
    d.message = std::move(message);
    m_diagnostics.push_back(std::move(d));
}

void Reader::error(const YAML::Node& at, const std::string& path, std::string message)
{
    report(Diagnostic::Severity::Error, at.Mark(), path, std::move(message));
}

void Reader::warning(const YAML::Node& at, const std::string& path, std::string message)
{
    report(Diagnostic::Severity::Warning, at.Mark(), path, std::move(message));
}

void Reader::expected(const YAML::Node& at,
                      const std::string& path,
                      const std::string& what,
                      const std::string& problem)
{
    error(at, path, problem + " (expected " + what + ", found " + describe(at) + ")");
}

void Reader::visit(const YAML::Node& node)
{
    if (++m_visited > m_limits.maxNodesVisited)
        throw BudgetExceeded{node.Mark()};
}

// --- Reader: scalars -----------------------------------------------------------------------

bool Reader::scalar(const YAML::Node& node, const std::string& path, const std::string& what)
{
    visit(node);
    if (node.IsScalar())
        return true;
    expected(node, path, what, "wrong type");
    return false;
}

template <typename T, typename F>
bool Reader::readParsed(
    const Fields& f, std::string_view key, T& out, F parse, const std::string& what)
{
    const YAML::Node* node = f.find(key);
    if (!node)
        return false;
    return parseNode(*node, f.pathOf(key), out, parse, what);
}

bool Reader::readString(const Fields& f, std::string_view key, std::string& out)
{
    const YAML::Node* node = f.find(key);
    if (!node || !scalar(*node, f.pathOf(key), "a string"))
        return false;
    out = node->Scalar();
    return true;
}

void Reader::readHeaders(const YAML::Node& node,
                         const std::string& path,
                         std::vector<std::pair<std::string, std::string>>& out)
{
    visit(node);
    if (!node.IsMap()) {
        expected(node, path, "a mapping of header names to values", "wrong type");
        return;
    }
    for (const auto& entry : node) {
        visit(entry.first);
        visit(entry.second);
        if (!entry.first.IsScalar() || entry.first.Scalar().empty()) {
            expected(entry.first, path, "a header name");
            continue;
        }
        std::string name = entry.first.Scalar();
        for (char& c : name) // ASCII lower case, whatever the locale
            c = (c >= 'A' && c <= 'Z') ? static_cast<char>(c - 'A' + 'a') : c;
        std::string where = path;
        where += '.';
        where += name;
        if (!entry.second.IsScalar()) {
            expected(entry.second, where, "a header value (a string)", "wrong type");
            continue;
        }
        if (out.size() >= 64) {
            error(entry.first, path, "too many headers (at most 64)");
            return;
        }
        out.emplace_back(name, entry.second.Scalar());
    }
}

bool Reader::readName(const Fields& f, std::string_view key, std::string& out)
{
    if (!readString(f, key, out))
        return false;
    if (out.empty()) {
        expected(*f.find(key), f.pathOf(key), "a name that is not empty", "empty name");
        return false;
    }
    return true;
}

bool Reader::readDuration(const Fields& f, std::string_view key, SimDuration& out, bool positive)
{
    SimDuration value{0};
    if (!readParsed(f, key, value, parseDuration, "a duration"))
        return false;
    if (positive && value.count() <= 0) {
        expected(*f.find(key), f.pathOf(key), "a duration greater than 0", "impossible value");
        return false;
    }
    out = value;
    return true;
}

bool Reader::readDuration(const Fields& f,
                          std::string_view key,
                          std::optional<SimDuration>& out,
                          bool positive)
{
    SimDuration value{0};
    if (!readDuration(f, key, value, positive))
        return false;
    out = value;
    return true;
}

bool Reader::readSize(const Fields& f, std::string_view key, std::uint64_t& out)
{
    return readParsed(f, key, out, parseSize, "a size");
}

bool Reader::readBandwidth(const Fields& f, std::string_view key, double& out)
{
    return readParsed(f, key, out, parseBandwidth, "a bandwidth");
}

bool Reader::readFraction(const Fields& f, std::string_view key, double& out)
{
    return readParsed(f, key, out, parseFraction, "a fraction");
}

bool Reader::readRate(const Fields& f, std::string_view key, double& out, bool positive)
{
    double value = 0.0;
    if (!readParsed(f, key, value, parseRate, "a rate"))
        return false;
    if (positive && value <= 0.0) {
        expected(
            *f.find(key), f.pathOf(key), "a rate greater than 0 (e.g. 100/s)", "impossible value");
        return false;
    }
    out = value;
    return true;
}

bool Reader::readNumber(const Fields& f,
                        std::string_view key,
                        double& out,
                        double min,
                        double max,
                        const std::string& what)
{
    const YAML::Node* node = f.find(key);
    if (!node || !scalar(*node, f.pathOf(key), what))
        return false;
    const auto number = parseNumber(node->Scalar());
    if (!number) {
        expected(*node, f.pathOf(key), what);
        return false;
    }
    if (*number < min || *number > max) {
        expected(*node, f.pathOf(key), what, "impossible value");
        return false;
    }
    out = *number;
    return true;
}

bool Reader::readCount(const Fields& f,
                       std::string_view key,
                       std::uint32_t& out,
                       std::uint32_t min,
                       std::uint32_t max,
                       bool allowUnlimited)
{
    const YAML::Node* node = f.find(key);
    if (!node)
        return false;
    return parseCount(*node, f.pathOf(key), out, min, max, allowUnlimited);
}

bool Reader::parseCount(const YAML::Node& node,
                        const std::string& path,
                        std::uint32_t& out,
                        std::uint32_t min,
                        std::uint32_t max,
                        bool allowUnlimited)
{
    std::string what = "a whole number from " + std::to_string(min) + " to " + std::to_string(max)
                       + (allowUnlimited ? " or unlimited" : "");
    if (!scalar(node, path, what))
        return false;
    const std::string& text = node.Scalar();
    if (allowUnlimited && text == "unlimited") {
        out = m::kUnlimited;
        return true;
    }
    std::uint64_t value = 0;
    const auto [ptr, ec] = std::from_chars(text.data(), text.data() + text.size(), value);
    if (ec == std::errc::result_out_of_range
        || (ec == std::errc() && ptr == text.data() + text.size() && value > max)) {
        expected(node, path, what, "too large");
        return false;
    }
    if (ec != std::errc() || ptr != text.data() + text.size()) {
        expected(node, path, what);
        return false;
    }
    if (value < min) {
        expected(node, path, what, "impossible value");
        return false;
    }
    out = static_cast<std::uint32_t>(value);
    return true;
}

bool Reader::readBool(const Fields& f, std::string_view key, bool& out)
{
    const YAML::Node* node = f.find(key);
    if (!node || !scalar(*node, f.pathOf(key), "true or false"))
        return false;
    const std::string& t = node->Scalar();
    if (t == "true" || t == "yes" || t == "on") {
        out = true;
        return true;
    }
    if (t == "false" || t == "no" || t == "off") {
        out = false;
        return true;
    }
    expected(*node, f.pathOf(key), "true or false");
    return false;
}

std::optional<std::size_t> Reader::parseChoice(const YAML::Node& node,
                                               const std::string& path,
                                               const std::vector<std::string>& names)
{
    std::string what = "one of ";
    for (std::size_t i = 0; i < names.size(); ++i)
        what += (i ? ", " : "") + names[i];
    if (!scalar(node, path, what))
        return std::nullopt;
    for (std::size_t i = 0; i < names.size(); ++i) {
        if (node.Scalar() == names[i])
            return i;
    }
    std::string problem = "unknown value";
    if (const auto hint = closestMatch(node.Scalar(), names))
        problem += " (did you mean " + *hint + "?)";
    expected(node, path, what, problem);
    return std::nullopt;
}

void Reader::forEachItem(const YAML::Node& node,
                         const std::string& path,
                         const std::string& what,
                         const std::function<void(const YAML::Node&, const std::string&)>& each)
{
    visit(node);
    if (!node.IsSequence()) {
        expected(node, path, "a list of " + what, "wrong type");
        return;
    }
    std::size_t i = 0;
    for (const YAML::Node& item : node) {
        visit(item);
        each(item, path + "[" + std::to_string(i++) + "]");
    }
}

// --- Fields --------------------------------------------------------------------------------

namespace {

// Keys that people write in the wrong block (Istio's and Envoy's names among them), and the
// block where meshsim reads them.
struct Home
{
    std::string_view key;
    std::string_view block;
    std::string_view note;
};
constexpr Home kHomes[] = {
    {"consecutive_errors",
     "outlier_detection",
     "as \"consecutive_5xx\" (Istio's consecutiveErrors)"},
    {"consecutive_5xx_errors", "outlier_detection", "as \"consecutive_5xx\""},
    {"consecutive_5xx", "outlier_detection", ""},
    {"consecutive_gateway_errors", "outlier_detection", "as \"consecutive_gateway_failure\""},
    {"consecutive_gateway_failure", "outlier_detection", ""},
    {"base_ejection_time", "outlier_detection", ""},
    {"max_ejection_percent", "outlier_detection", ""},
    {"max_connections", "circuit_breaker", ""},
    {"max_pending_requests", "circuit_breaker", ""},
    {"http1_max_pending_requests", "circuit_breaker", "as \"max_pending_requests\""},
    {"http2_max_requests", "circuit_breaker", "as \"max_requests\""},
    {"max_requests", "circuit_breaker", ""},
    {"max_retries", "circuit_breaker", ""},
    {"attempts", "retries", ""},
    {"per_try_timeout", "retries", ""},
    {"retry_on", "retries", ""},
    {"backoff", "retries", ""},
    {"failure_rate_threshold", "client.circuit_breaker", "(a library breaker)"},
    {"wait_in_open", "client.circuit_breaker", "(a library breaker)"},
};

std::optional<std::string> homeOf(std::string_view key, std::string_view path)
{
    for (const Home& home : kHomes) {
        if (home.key != key)
            continue;
        const std::string_view block = home.block;
        if (path.size() >= block.size() && path.substr(path.size() - block.size()) == block)
            return std::nullopt; // in its block already (a key this block does not take)
        std::string text = "it belongs in the \"" + std::string(home.block) + "\" block";
        if (!home.note.empty())
            text += " " + std::string(home.note);
        return text;
    }
    return std::nullopt;
}

} // namespace

Fields::Fields(Reader& reader,
               const YAML::Node& node,
               std::string path,
               std::initializer_list<std::string_view> known,
               bool extensions)
    : Fields(reader,
             node,
             std::move(path),
             std::vector<std::string>(known.begin(), known.end()),
             extensions)
{}

Fields::Fields(Reader& reader,
               const YAML::Node& node,
               std::string path,
               const std::vector<std::string>& knownNames,
               bool extensions)
    : m_node(node)
    , m_path(std::move(path))
{
    reader.visit(node);
    if (!node.IsMap()) {
        reader.expected(node, m_path, "a mapping of keys to values", "wrong type");
        return;
    }
    m_valid = true;
    const auto& known = knownNames;
    std::set<std::string> seen;
    for (const auto& entry : node) {
        reader.visit(entry.first);
        if (!entry.first.IsScalar()) {
            reader.expected(entry.first, m_path, "a key name", "wrong type of key");
            continue;
        }
        const std::string& key = entry.first.Scalar();
        if (!seen.insert(key).second) {
            reader.error(entry.first, pathOf(key), "duplicate key " + quote(key));
            continue;
        }
        if (extensions && key.rfind("x-", 0) == 0)
            continue;
        if (std::find(known.begin(), known.end(), key) == known.end()) {
            std::string message = "unknown key " + quote(key);
            if (const auto home = homeOf(key, m_path))
                message += " here: " + *home;
            else if (const auto hint = closestMatch(key, knownNames))
                message += " (did you mean " + quote(*hint) + "?)";
            else
                message += " (expected one of: " + joinNames(knownNames) + ")";
            reader.error(entry.first, pathOf(key), message);
            continue;
        }
        m_entries.emplace_back(key, entry.second);
    }
}

const YAML::Node* Fields::find(std::string_view key) const
{
    for (const auto& [name, value] : m_entries) {
        if (name == key)
            return &value;
    }
    return nullptr;
}

} // namespace meshsim::topologies::internal
