#pragma once

// The YAML reading toolkit of the loader (internal to topologies/; the section readers use it).
//
// Reader reports diagnostics (file, line, column, key path, "expected X, found Y") into a list
// its caller owns, counts every YAML node it reads against LoadLimits::maxNodesVisited and reads
// scalar values: strings, names, durations, sizes, rates, counts, enums, lists. Fields is one
// mapping being read: it reports unknown and duplicate keys as it is created. Neither owns the
// YAML document; both live for the load of one file, on one thread.

#include "engine/core/sim_time.h"
#include "topologies/diagnostic.h"
#include "topologies/load_limits.h"

#include <yaml-cpp/yaml.h>

#include <cstddef>
#include <cstdint>
#include <functional>
#include <initializer_list>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace meshsim::topologies::internal {

// Thrown by Reader::visit() when the document is too big to read safely; the loader's entry
// point catches it and reports one diagnostic instead of whatever was found so far.
struct BudgetExceeded
{
    YAML::Mark mark;
};

// A value quoted for a message: control bytes shown as '?', cut after 40 characters.
std::string quote(std::string_view s);
// What a node is, for "found ...": its quoted text, "a list", "a mapping" or "nothing".
std::string describe(const YAML::Node& node);
// The first eight names, comma-separated, for "known: ..." hints.
std::string joinNames(const std::vector<std::string>& names);

// One spelling of an enum value in a scenario file.
template <typename E>
struct EnumName
{
    std::string_view name;
    E value;
};

class Fields;

// Diagnostics, the visit budget and the readers of single values. Each read* function reports
// what is wrong and returns false (leaving `out` unchanged) when the key is absent or invalid.
class Reader
{
public:
    // `limits` and `diagnostics` must outlive the reader.
    Reader(std::string file, const LoadLimits& limits, std::vector<Diagnostic>& diagnostics);

    const LoadLimits& limits() const { return m_limits; }
    // Whether an error (not a warning) has been reported so far.
    bool hasErrors() const;

    // --- reporting -------------------------------------------------------------------------
    void report(Diagnostic::Severity severity,
                const YAML::Mark& mark,
                const std::string& path,
                std::string message);
    void error(const YAML::Node& at, const std::string& path, std::string message);
    void warning(const YAML::Node& at, const std::string& path, std::string message);
    // "<problem> (expected <what>, found <what the node is>)"
    void expected(const YAML::Node& at,
                  const std::string& path,
                  const std::string& what,
                  const std::string& problem = "invalid value");
    // Counts one node read; throws BudgetExceeded past LoadLimits::maxNodesVisited, so that an
    // alias bomb costs at most the budget whatever it expands to.
    void visit(const YAML::Node& node);

    // --- scalars -----------------------------------------------------------------------------
    bool scalar(const YAML::Node& node, const std::string& path, const std::string& what);

    // A scalar parsed by one of the parsers of topologies/units.h.
    template <typename T, typename F>
    bool parseNode(
        const YAML::Node& node, const std::string& path, T& out, F parse, const std::string& what)
    {
        if (!scalar(node, path, what))
            return false;
        const auto parsed = parse(node.Scalar());
        if (!parsed.value) {
            expected(node, path, parsed.expected);
            return false;
        }
        out = *parsed.value;
        return true;
    }

    bool readString(const Fields& f, std::string_view key, std::string& out);
    // HTTP headers to match or send: a mapping of names (case-insensitive, kept in lower case)
    // to exact values.
    void readHeaders(const YAML::Node& node,
                     const std::string& path,
                     std::vector<std::pair<std::string, std::string>>& out);
    // A name others refer to: a non-empty string.
    bool readName(const Fields& f, std::string_view key, std::string& out);
    bool readDuration(const Fields& f,
                      std::string_view key,
                      engine::SimDuration& out,
                      bool positive = false);
    bool readDuration(const Fields& f,
                      std::string_view key,
                      std::optional<engine::SimDuration>& out,
                      bool positive = false);
    bool readSize(const Fields& f, std::string_view key, std::uint64_t& out);
    bool readBandwidth(const Fields& f, std::string_view key, double& out);
    bool readFraction(const Fields& f, std::string_view key, double& out);
    bool readRate(const Fields& f, std::string_view key, double& out, bool positive = true);
    bool readNumber(const Fields& f,
                    std::string_view key,
                    double& out,
                    double min,
                    double max,
                    const std::string& what);
    // Counts: non-negative integers in [min, max]; "unlimited" when allowUnlimited.
    bool readCount(const Fields& f,
                   std::string_view key,
                   std::uint32_t& out,
                   std::uint32_t min,
                   std::uint32_t max,
                   bool allowUnlimited = false);
    bool parseCount(const YAML::Node& node,
                    const std::string& path,
                    std::uint32_t& out,
                    std::uint32_t min,
                    std::uint32_t max,
                    bool allowUnlimited = false);
    bool readBool(const Fields& f, std::string_view key, bool& out);
    template <typename E, std::size_t N>
    bool readEnum(const Fields& f, std::string_view key, E& out, const EnumName<E> (&names)[N]);
    template <typename E, std::size_t N>
    bool parseEnum(const YAML::Node& node,
                   const std::string& path,
                   E& out,
                   const EnumName<E> (&names)[N])
    {
        std::vector<std::string> candidates;
        for (const auto& n : names)
            candidates.emplace_back(n.name);
        const auto index = parseChoice(node, path, candidates);
        if (!index)
            return false;
        out = names[*index].value;
        return true;
    }

    // Iterates a list (reporting anything else); calls `each(item, path)`.
    void forEachItem(const YAML::Node& node,
                     const std::string& path,
                     const std::string& what,
                     const std::function<void(const YAML::Node&, const std::string&)>& each);

    // The index of the node's text among `names`, or a "did you mean" diagnostic.
    std::optional<std::size_t> parseChoice(const YAML::Node& node,
                                           const std::string& path,
                                           const std::vector<std::string>& names);

private:
    template <typename T, typename F>
    bool
    readParsed(const Fields& f, std::string_view key, T& out, F parse, const std::string& what);

    std::string m_file;
    const LoadLimits& m_limits;
    std::vector<Diagnostic>& m_diagnostics;
    std::size_t m_visited = 0;
};

// A mapping being read: knows its path and reports unknown and duplicate keys on creation.
class Fields
{
public:
    // With `extensions`, keys starting with "x-" are left alone (a home for YAML anchors, as in
    // Docker Compose): not read, not reported.
    Fields(Reader& reader,
           const YAML::Node& node,
           std::string path,
           std::initializer_list<std::string_view> known,
           bool extensions = false);
    // Keys known only at run time (the names of a service's versions).
    Fields(Reader& reader,
           const YAML::Node& node,
           std::string path,
           const std::vector<std::string>& known,
           bool extensions = false);

    bool valid() const { return m_valid; }
    const YAML::Node* find(std::string_view key) const;
    // The known keys present, in file order, with their values.
    const std::vector<std::pair<std::string, YAML::Node>>& entries() const { return m_entries; }
    // The value of `key`, or `fallback` when absent (a place to point a diagnostic at).
    const YAML::Node& nodeOr(std::string_view key, const YAML::Node& fallback) const
    {
        const YAML::Node* node = find(key);
        return node ? *node : fallback;
    }
    std::string pathOf(std::string_view key) const
    {
        return m_path.empty() ? std::string(key) : m_path + "." + std::string(key);
    }
    const std::string& path() const { return m_path; }
    const YAML::Node& node() const { return m_node; }

private:
    YAML::Node m_node;
    std::string m_path;
    bool m_valid = false;
    std::vector<std::pair<std::string, YAML::Node>> m_entries;
};

template <typename E, std::size_t N>
bool Reader::readEnum(const Fields& f, std::string_view key, E& out, const EnumName<E> (&names)[N])
{
    const YAML::Node* node = f.find(key);
    if (!node)
        return false;
    return parseEnum(*node, f.pathOf(key), out, names);
}

} // namespace meshsim::topologies::internal
