#pragma once

// FormatHelp: the scenario format as docs/scenario-format.md's tables describe it, read from the
// document itself (the GUI embeds it), so that hover help, key and value completion and the
// document are one source. A table belongs to the keys its section names (kScopes in the .cpp: a
// section's n-th key table and the key paths it describes); a table the mapping does not know is
// listed by unmappedTables(), and a test fails on it, so a new table cannot be forgotten.
//
// Paths are generic paths (topologies/yaml_outline.h: `services.steps.call`, without indices).
// Qt-free.

#include <optional>
#include <string>
#include <vector>

namespace meshsim::ui {

struct FormatRow
{
    std::string section; // the heading the table is under, without `#` and backquotes
    std::string key;     // as the table writes it, relative to the scope (`circuit_breaker.kind`)
    std::string scope;   // the generic path of the mapping it is a key of
    std::string type;
    std::string defaultValue;
    std::string meaning;
};

// What kind of names a value is: the completion offers the scenario's declared ones.
enum class NameKind { None, Service, Route, Zone, Node };

class FormatHelp
{
public:
    static FormatHelp parse(const std::string& markdown);

    // The row describing the key at `path`, or null.
    const FormatRow* help(const std::string& path) const;
    // The help of a value (`dist: lognormal`, `process: steps`, `architecture: mesh`, a fault
    // kind), when the format describes its values one by one.
    const FormatRow* valueHelp(const std::string& path, const std::string& value) const;
    // The keys a mapping at `path` may have (the top level for ""), sorted.
    std::vector<std::string> keysUnder(const std::string& path) const;
    // The values a key takes when they are a closed set (`engine`: simgrid, fast), sorted.
    std::vector<std::string> valuesFor(const std::string& path) const;
    NameKind namesFor(const std::string& path) const;

    const std::vector<FormatRow>& rows() const { return m_rows; }
    // Tables of the format (a key, kind or value table) the mapping does not place: headings.
    const std::vector<std::string>& unmappedTables() const { return m_unmapped; }

private:
    std::vector<FormatRow> m_rows;      // key tables
    std::vector<FormatRow> m_valueRows; // value tables: `key` is the value, `scope` the key's path
    std::vector<std::string> m_unmapped;
};

// Rich text for a tooltip: the key, its type, default and meaning (markdown code spans and links
// made readable).
std::string formatRowHtml(const FormatRow& row);

} // namespace meshsim::ui
