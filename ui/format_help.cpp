#include "ui/format_help.h"

#include <algorithm>
#include <set>
#include <sstream>

namespace meshsim::ui {

namespace {

// Where each key table of docs/scenario-format.md belongs: the section, the table's position
// among that section's key tables, and the generic paths of the mappings it describes. A scope
// starting with `*` is a block that appears under several keys (`*retries`: any `retries`).
struct Scope
{
    const char* section;
    int table;
    std::vector<std::string> scopes;
};
const std::vector<Scope>& scopes()
{
    static const std::vector<Scope> kScopes = {
        {"Run settings", 0, {""}},
        {"platform", 0, {"platform"}},
        {"platform", 1, {"platform.nodes"}},
        {"services", 0, {"services"}},
        {"Steps", 0, {"services.steps"}},
        {"Operations", 0, {"services.operations"}},
        {"Versions and traffic rules", 0, {"services.versions"}},
        {"Versions and traffic rules", 1, {"services.traffic"}},
        {"client (library resilience)", 0, {"services.client"}},
        {"routes", 0, {"routes"}},
        {"Retry policy", 0, {"*retries"}},
        {"gateway", 0, {"gateway"}},
        {"gateway", 1, {"*load_balancer"}},
        {"mesh", 0, {"mesh"}},
        {"mesh", 1, {"mesh.waypoints"}},
        {"mesh", 2, {"mesh.defaults", "mesh.destinations"}},
        {"mesh", 3, {"mesh.authorization"}},
        {"mesh", 4, {"mesh.faults"}},
        {"workloads", 0, {"workloads"}},
        {"workloads", 1, {"workloads.mix"}},
        {"faults", 0, {"faults"}},
        {"discovery", 0, {"discovery"}},
        {"traces", 0, {"traces"}},
        {"slo", 0, {"slo"}},
    };
    return kScopes;
}

std::string trim(const std::string& s)
{
    const auto b = s.find_first_not_of(" \t");
    if (b == std::string::npos)
        return {};
    const auto e = s.find_last_not_of(" \t");
    return s.substr(b, e - b + 1);
}

std::string withoutBackquotes(std::string s)
{
    std::erase(s, '`');
    return trim(s);
}

// The cells of a `| a | b |` line (a `|` inside a code span does not split).
std::vector<std::string> cells(const std::string& line)
{
    std::vector<std::string> out;
    std::string cell;
    bool code = false;
    for (std::size_t i = 1; i < line.size(); ++i) {
        const char c = line[i];
        if (c == '`')
            code = !code;
        if (c == '|' && !code) {
            out.push_back(trim(cell));
            cell.clear();
        } else {
            cell += c;
        }
    }
    return out;
}

// The code spans of a cell: `a`, `b` -> {a, b}.
std::vector<std::string> codeSpans(const std::string& cell)
{
    std::vector<std::string> out;
    std::size_t at = 0;
    while (true) {
        const auto open = cell.find('`', at);
        if (open == std::string::npos)
            break;
        const auto close = cell.find('`', open + 1);
        if (close == std::string::npos)
            break;
        out.push_back(cell.substr(open + 1, close - open - 1));
        at = close + 1;
    }
    return out;
}

bool isWord(const std::string& s)
{
    return !s.empty() && std::all_of(s.begin(), s.end(), [](char c) {
        return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '_' || c == '+' || c == '-'
               || c == '.';
    });
}

std::vector<std::string> split(const std::string& path)
{
    std::vector<std::string> out;
    std::string part;
    std::istringstream in(path);
    while (std::getline(in, part, '.'))
        out.push_back(part);
    return out;
}

std::string join(const std::vector<std::string>& parts, std::size_t from, std::size_t to)
{
    std::string out;
    for (std::size_t i = from; i < to && i < parts.size(); ++i)
        out += (out.empty() ? "" : ".") + parts[i];
    return out;
}

// The part of `path` below the row's scope, or nullopt when the path is not under the scope. A
// wildcard scope matches at the last place its block appears.
std::optional<std::string> relativeTo(const std::string& scope, const std::string& path)
{
    if (scope.empty())
        return path;
    if (scope.front() != '*') {
        if (path == scope)
            return std::string();
        if (path.size() > scope.size() && path.compare(0, scope.size(), scope) == 0
            && path[scope.size()] == '.')
            return path.substr(scope.size() + 1);
        return std::nullopt;
    }
    const std::string block = scope.substr(1);
    const std::vector<std::string> parts = split(path);
    for (std::size_t i = parts.size(); i-- > 0;)
        if (parts[i] == block)
            return join(parts, i + 1, parts.size());
    return std::nullopt;
}

} // namespace

FormatHelp FormatHelp::parse(const std::string& markdown)
{
    FormatHelp help;
    std::istringstream in(markdown);
    std::string line, section;
    std::vector<std::string> header;
    int keyTable = -1; // index of the current key table in its section
    int tablesInSection = 0;
    bool inTable = false;
    const Scope* scope = nullptr;
    std::vector<std::string> distKeys;
    while (std::getline(in, line)) {
        if (!line.empty() && line[0] == '#') {
            section = withoutBackquotes(line.substr(line.find_first_not_of('#')));
            tablesInSection = 0;
            inTable = false;
            continue;
        }
        if (line.empty() || line[0] != '|') {
            inTable = false;
            continue;
        }
        const std::vector<std::string> row = cells(line);
        if (!inTable) {
            inTable = true;
            header = row;
            scope = nullptr;
            keyTable = -1;
            const std::string first = header.empty() ? std::string() : header[0];
            if (first == "Key") {
                keyTable = tablesInSection++;
                for (const Scope& s : scopes())
                    if (section == s.section && keyTable == s.table)
                        scope = &s;
                if (!scope)
                    help.m_unmapped.push_back(section + " (key table " + std::to_string(keyTable)
                                              + ")");
            }
            continue;
        }
        if (row.empty() || row[0].starts_with("---") || row[0].starts_with(":--"))
            continue;
        const std::string first = header.empty() ? std::string() : header[0];
        if (first == "Key" && scope && row.size() >= 4) {
            if (row[0].starts_with("one of"))
                continue; // the fault kinds: their own table below
            for (const std::string& key : codeSpans(row[0]))
                for (const std::string& s : scope->scopes)
                    help.m_rows.push_back({section, key, s, row[1], row[2], row[3]});
        } else if (first == "`dist`" && row.size() >= 3) {
            for (const std::string& value : codeSpans(row[0]))
                help.m_valueRows.push_back(
                    {section, value, "*dist", row[1], {}, "Keys: " + row[1] + ". " + row[2]});
            for (const std::string& k : codeSpans(row[1]))
                if (isWord(k))
                    distKeys.push_back(k);
        } else if (first == "`process`" && row.size() >= 3) {
            for (const std::string& value : codeSpans(row[0]))
                help.m_valueRows.push_back({section,
                                            value,
                                            "workloads.arrival.process",
                                            {},
                                            {},
                                            "Keys: " + row[1] + ". " + row[2]});
            for (const std::string& k : codeSpans(row[1]))
                if (isWord(k))
                    help.m_rows.push_back({section,
                                           k,
                                           "workloads.arrival",
                                           {},
                                           {},
                                           "Arrival process " + row[0] + ": " + row[1]});
        } else if (first == "`architecture`" && row.size() >= 2) {
            for (const std::string& value : codeSpans(row[0]))
                help.m_valueRows.push_back({section, value, "architecture", {}, {}, row[1]});
        } else if (first == "Kind" && section == "faults" && row.size() >= 3) {
            for (const std::string& kind : codeSpans(row[0])) {
                help.m_rows.push_back({section, kind, "faults", "fault kind", {}, row[2]});
                for (const std::string& k : codeSpans(row[1]))
                    if (isWord(k))
                        help.m_rows.push_back({section, k, "faults." + kind, {}, {}, row[1]});
            }
        }
    }
    // `process` itself, and a distribution written as a mapping.
    help.m_rows.push_back({"Arrival processes",
                           "process",
                           "workloads.arrival",
                           "one of the processes",
                           "required",
                           "The arrival process; its keys depend on it."});
    std::sort(distKeys.begin(), distKeys.end());
    distKeys.erase(std::unique(distKeys.begin(), distKeys.end()), distKeys.end());
    for (const std::string& k : distKeys)
        help.m_rows.push_back({"Distributions", k, "*dist-mapping", {}, {}, "Distribution key."});
    help.m_rows.push_back({"Distributions",
                           "dist",
                           "*dist-mapping",
                           "distribution name",
                           "constant",
                           "The distribution: constant, exponential, lognormal, normal, uniform, "
                           "pareto or empirical."});
    return help;
}

const FormatRow* FormatHelp::help(const std::string& path) const
{
    const FormatRow* best = nullptr;
    std::size_t bestScope = 0;
    for (const FormatRow& row : m_rows) {
        if (row.scope == "*dist-mapping")
            continue;
        const auto rel = relativeTo(row.scope, path);
        if (rel && *rel == row.key) {
            // The most specific scope wins (a destination's `retries` over the mesh's key).
            const std::size_t weight = row.scope.starts_with('*') ? 1 : row.scope.size() + 2;
            if (!best || weight > bestScope) {
                best = &row;
                bestScope = weight;
            }
        }
    }
    if (best)
        return best;
    // A key of a distribution written as a mapping (`cpu: {dist: exponential, mean: 4ms}`).
    const auto dot = path.rfind('.');
    if (dot != std::string::npos) {
        const FormatRow* parent = help(path.substr(0, dot));
        if (parent && parent->type.find("distribution") != std::string::npos)
            for (const FormatRow& row : m_rows)
                if (row.scope == "*dist-mapping" && row.key == path.substr(dot + 1))
                    return &row;
    }
    return nullptr;
}

const FormatRow* FormatHelp::valueHelp(const std::string& path, const std::string& value) const
{
    const auto dot = path.rfind('.');
    const std::string last = dot == std::string::npos ? path : path.substr(dot + 1);
    for (const FormatRow& row : m_valueRows) {
        const bool matches = row.scope == "*dist" ? last == "dist" : row.scope == path;
        if (matches && row.key == value)
            return &row;
    }
    return nullptr;
}

std::vector<std::string> FormatHelp::keysUnder(const std::string& path) const
{
    std::set<std::string> keys;
    for (const FormatRow& row : m_rows) {
        if (row.scope == "*dist-mapping")
            continue;
        if (path.empty() && !row.scope.empty() && !row.scope.starts_with('*'))
            keys.insert(split(row.scope).front()); // a section
        const auto rel = relativeTo(row.scope, path);
        if (!rel)
            continue;
        if (rel->empty()) {
            keys.insert(split(row.key).front());
        } else if (row.key.size() > rel->size() && row.key.compare(0, rel->size(), *rel) == 0
                   && row.key[rel->size()] == '.') {
            keys.insert(split(row.key.substr(rel->size() + 1)).front());
        } else if (!row.scope.starts_with('*')) {
            // A nested section's scope below the path (`mesh` -> `defaults`).
        }
    }
    // Sections below a path: `mesh` has `defaults`, `destinations`, ...
    for (const Scope& s : scopes())
        for (const std::string& sc : s.scopes) {
            if (sc.empty() || sc.starts_with('*'))
                continue;
            const auto rel = relativeTo(path, sc);
            if (!path.empty() && rel && !rel->empty())
                keys.insert(split(*rel).front());
        }
    if (const FormatRow* row = help(path);
        row && row->type.find("distribution") != std::string::npos)
        for (const FormatRow& r : m_rows)
            if (r.scope == "*dist-mapping")
                keys.insert(r.key);
    return {keys.begin(), keys.end()};
}

std::vector<std::string> FormatHelp::valuesFor(const std::string& path) const
{
    std::set<std::string> values;
    const auto dot = path.rfind('.');
    const std::string last = dot == std::string::npos ? path : path.substr(dot + 1);
    for (const FormatRow& row : m_valueRows)
        if (row.scope == "*dist" ? last == "dist" : row.scope == path)
            values.insert(row.key);
    if (const FormatRow* row = help(path))
        for (const std::string& v : codeSpans(row->type))
            if (isWord(v) && v != "dist")
                values.insert(v);
    if (const FormatRow* row = help(path); row && row->type.starts_with("boolean")) {
        values.insert("true");
        values.insert("false");
    }
    return {values.begin(), values.end()};
}

NameKind FormatHelp::namesFor(const std::string& path) const
{
    const auto dot = path.rfind('.');
    const std::string last = dot == std::string::npos ? path : path.substr(dot + 1);
    if (last == "steps" || last == "call" || last == "service" || last == "to"
        || last == "aggregate" || last == "sequence" || last == "allow_from" || last == "deny_from")
        return NameKind::Service;
    if (last == "zone" || last == "zones" || last == "partition")
        return NameKind::Zone;
    if (last == "node" || last == "nodes" || last == "node_down")
        return NameKind::Node;
    if (path == "workloads.mix.path" || path == "gateway.cache.routes")
        return NameKind::Route;
    if (const FormatRow* row = help(path)) {
        if (row->type.find("service name") != std::string::npos)
            return NameKind::Service;
        if (row->type.find("zone name") != std::string::npos)
            return NameKind::Zone;
        if (row->type.find("node name") != std::string::npos)
            return NameKind::Node;
    }
    return NameKind::None;
}

std::string formatRowHtml(const FormatRow& row)
{
    auto html = [](const std::string& md) {
        std::string out;
        bool code = false;
        for (std::size_t i = 0; i < md.size(); ++i) {
            const char c = md[i];
            if (c == '`') {
                out += code ? "</code>" : "<code>";
                code = !code;
            } else if (c == '<') {
                out += "&lt;";
            } else if (c == '>') {
                out += "&gt;";
            } else if (c == '&') {
                out += "&amp;";
            } else if (c == '*' && i + 1 < md.size() && md[i + 1] == '*') {
                ++i; // bold markers
            } else if (c == '[') {
                // [text](link) -> text
                const auto close = md.find("](", i);
                const auto end = close == std::string::npos ? close : md.find(')', close);
                if (close != std::string::npos && end != std::string::npos) {
                    out += md.substr(i + 1, close - i - 1);
                    i = end;
                } else {
                    out += c;
                }
            } else {
                out += c;
            }
        }
        if (code)
            out += "</code>";
        return out;
    };
    std::string out = "<p><b><code>" + html(row.key) + "</code></b>";
    if (!row.scope.empty() && !row.scope.starts_with('*'))
        out += " <small>(in <code>" + row.scope + "</code>)</small>";
    out += "</p>";
    if (!row.type.empty())
        out += "<p><i>Type:</i> " + html(row.type) + "</p>";
    if (!row.defaultValue.empty())
        out += "<p><i>Default:</i> " + html(row.defaultValue) + "</p>";
    out += "<p>" + html(row.meaning) + "</p>";
    out += "<p><small>docs/scenario-format.md, " + html(row.section) + "</small></p>";
    return out;
}

} // namespace meshsim::ui
