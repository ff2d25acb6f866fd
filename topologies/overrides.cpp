#include "topologies/overrides.h"

#include "topologies/yaml_outline.h"

#include <yaml-cpp/yaml.h>

#include <algorithm>
#include <cctype>

namespace meshsim::topologies {

namespace {

bool isKeyChar(char c)
{
    return std::isalnum(static_cast<unsigned char>(c)) || c == '_' || c == '-';
}

// `a.b[2].c` or `a[name].c` into steps; a bracket that is not a number is a name, resolved later.
struct RawStep
{
    std::string key;   // a mapping key, or empty for a bracket
    std::string inner; // the bracket's text
};

std::optional<std::vector<RawStep>> splitPath(std::string_view path, std::string& error)
{
    std::vector<RawStep> steps;
    std::size_t i = 0;
    const auto fail = [&](const std::string& what) {
        error = "'" + std::string(path) + "' is not a key path (" + what
                + "; expected e.g. workloads[0].arrival.rate or services[catalog].replicas)";
        return std::nullopt;
    };
    while (i < path.size()) {
        if (path[i] == '[') {
            const std::size_t close = path.find(']', i);
            if (close == std::string_view::npos || close == i + 1)
                return fail("an unclosed or empty [ ]");
            steps.push_back({"", std::string(path.substr(i + 1, close - i - 1))});
            i = close + 1;
        } else {
            if (path[i] == '.') {
                if (steps.empty())
                    return fail("it starts with a dot");
                ++i;
            }
            const std::size_t start = i;
            while (i < path.size() && isKeyChar(path[i]))
                ++i;
            if (i == start)
                return fail("an empty key at column " + std::to_string(start + 1));
            steps.push_back({std::string(path.substr(start, i - start)), ""});
        }
    }
    if (steps.empty())
        return fail("it is empty");
    return steps;
}

// The list item of `list` whose `name` is `name`.
std::optional<int>
itemNamed(const YamlOutline& outline, const KeyPath& list, const std::string& name)
{
    for (const OutlineEntry& e : outline.entries()) {
        if (e.path.size() == list.size() + 2 && std::equal(list.begin(), list.end(), e.path.begin())
            && e.path[list.size()].key.empty() && e.path.back().key == "name" && e.value == name)
            return e.path[list.size()].index;
    }
    return std::nullopt;
}

// Whether YAML reads `value`, unquoted, as the same plain scalar wherever it is written (a block
// or a flow mapping), or as a one-line flow collection: then it is written as given.
bool writableAsIs(const std::string& value)
{
    if (value.empty())
        return false;
    for (char c : value)
        if (static_cast<unsigned char>(c) < 0x20 || c == 0x7f)
            return false; // line breaks, tabs, control characters: quoted (escaped)
    if ((value.front() == '{' && value.back() == '}')
        || (value.front() == '[' && value.back() == ']')) {
        // A flow collection: as given if YAML reads it as one.
        try {
            const YAML::Node node = YAML::Load(value);
            return node.IsMap() || node.IsSequence();
        } catch (const YAML::Exception&) {
            return false;
        }
    }
    // Indicators that change what a plain scalar is, at its start or anywhere in a flow context.
    static const std::string kStart = "-?:,[]{}#&*!|>'\"%@`";
    if (kStart.find(value.front()) != std::string::npos) {
        // A negative number or a leading dash of a word is plain ("-1", "-x"), a block entry is
        // not.
        if (!(value.front() == '-' && value.size() > 1 && value[1] != ' '))
            return false;
    }
    if (value.find_first_of(",[]{}") != std::string::npos)
        return false;
    if (value.back() == ' ' || value.front() == ' ' || value.back() == ':')
        return false;
    if (value.find(": ") != std::string::npos || value.find(" #") != std::string::npos)
        return false;
    return true;
}

std::string quoted(const std::string& value)
{
    std::string out = "\"";
    for (char c : value) {
        if (c == '"' || c == '\\')
            out += '\\';
        if (c == '\n')
            out += "\\n";
        else if (c == '\t')
            out += "\\t";
        else if (c == '\r')
            out += "\\r";
        else
            out += c;
    }
    return out + '"';
}

} // namespace

std::optional<Override> parseOverride(std::string_view text, std::string& error)
{
    const std::size_t eq = text.find('=');
    if (eq == std::string_view::npos) {
        error = "'" + std::string(text) + "': expected KEY=VALUE";
        return std::nullopt;
    }
    Override o{std::string(text.substr(0, eq)), std::string(text.substr(eq + 1))};
    if (!splitPath(o.path, error))
        return std::nullopt;
    return o;
}

std::optional<std::string>
applyOverrides(const std::string& text, const std::vector<Override>& overrides, std::string& error)
{
    std::string out = text;
    for (const Override& o : overrides) {
        const auto raw = splitPath(o.path, error);
        if (!raw)
            return std::nullopt;
        const YamlOutline outline = YamlOutline::fromText(out);
        KeyPath path;
        for (const RawStep& step : *raw) {
            if (!step.key.empty()) {
                path.push_back({step.key, -1});
                continue;
            }
            const bool number = std::all_of(step.inner.begin(), step.inner.end(), [](char c) {
                return std::isdigit(static_cast<unsigned char>(c));
            });
            std::optional<int> index;
            if (number && step.inner.size() <= 9)
                index = std::stoi(step.inner);
            else
                index = itemNamed(outline, path, step.inner);
            KeyPath item = path;
            item.push_back({"", index.value_or(-1)});
            if (!index || !outline.span(item)) {
                error = o.path + ": " + formatPath(path) + " has no item "
                        + (number ? step.inner : "named '" + step.inner + "'");
                return std::nullopt;
            }
            path.push_back({"", *index});
        }
        if (path.back().key.empty()) {
            error = o.path + ": names a list item; set one of its keys";
            return std::nullopt;
        }
        const std::string value = writableAsIs(o.value) ? o.value : quoted(o.value);
        const auto edit = outline.find(path) ? outline.replaceValue(path, value)
                                             : outline.setScalar(path, value);
        if (!edit) {
            error = o.path
                    + ": cannot be written into this file (its parent is not a block "
                      "mapping here: a scalar, or a flow collection over several lines)";
            return std::nullopt;
        }
        auto next = tryApplyEdit(out, *edit);
        if (!next) {
            error = o.path + ": cannot be written into this file";
            return std::nullopt;
        }
        out = std::move(*next);
    }
    return out;
}

LoadResult loadScenarioWithOverrides(const std::string& nameOrPath,
                                     const std::vector<Override>& overrides,
                                     const LoadLimits& limits)
{
    if (overrides.empty())
        return loadScenario(nameOrPath, limits);
    const auto text = scenarioSourceText(nameOrPath, limits);
    if (!text)
        return loadScenario(nameOrPath, limits); // its diagnostic says why there is no text
    std::string error;
    const auto changed = applyOverrides(*text, overrides, error);
    if (!changed) {
        LoadResult result;
        result.diagnostics.push_back(
            Diagnostic{Diagnostic::Severity::Error, nameOrPath, 0, 0, "", "--set " + error});
        return result;
    }
    return loadScenarioText(*changed, nameOrPath, limits);
}

} // namespace meshsim::topologies
