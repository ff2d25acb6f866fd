#pragma once

// YamlOutline: where every key of a scenario's text is, by line and column, and its key path
// (`services[2].steps[0].call`, the loader's diagnostic paths), read from the text itself so that
// the editor can work on a buffer that does not parse yet (the user is typing) and can change one
// value without touching the rest of the file (its comments, layout and quoting).
//
// yaml-cpp gives a node's start only, not its end, and drops comments, so it can neither tell
// which key a column belongs to nor write a value back in place; the loader still decides what a
// file means. This reads the block style scenario files are written in (mappings, `- ` items,
// one-line flow mappings and lists such as `{name: a, zone: b}` and `[a, b]`, block scalars `|`
// and `>` skipped); anything else is outlined as far as it goes and never rewritten blindly.
//
// Lines and columns are 0-based here (QTextBlock numbers and positions in the line); columns
// count characters (QChar units in the editor: the text is handed over as UTF-16 lines).
// Qt-free; not thread-safe (a value).

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

namespace meshsim::topologies {

// One step of a key path: a mapping key or a list index.
struct PathStep
{
    std::string key; // empty for an index
    int index = -1;
    bool operator==(const PathStep&) const = default;
};
using KeyPath = std::vector<PathStep>;

// `services[2].steps[0].call`
std::string formatPath(const KeyPath& path);
// The path without indices and without the nesting of step groups, the form the format's tables
// describe: `services[2].steps[0].parallel[1].call` -> `services.steps.call`.
std::string genericPath(const KeyPath& path);

struct OutlineEntry
{
    KeyPath path; // of the key (or, for a scalar list item, of the item)
    int line = 0;
    int keyColumn = 0;    // for a scalar list item: its value's column
    int keyLength = 0;    // 0 for a scalar list item (or a list item written as a flow mapping)
    int colonColumn = -1; // the key's `:`
    // The scalar value written after the key on the same line (without quotes or comment);
    // valueLength 0 when the key opens a block, a flow collection or has no value yet.
    int valueColumn = -1;
    int valueLength = 0;
    std::string value;
    bool flow = false;       // inside a one-line flow mapping
    bool opensBlock = false; // `key:` with nothing after it (a mapping or a list follows)
    // A key whose value is a flow mapping, or a list item that is one (`- {a: 1}`, an entry with
    // keyLength 0 and no value): the column of its closing brace.
    int flowEnd = -1;
};

// A text edit: replace from column `from` of line `line` to column `to` of line `endLine` (the
// same line unless set) by `text` (which may hold newlines).
struct TextEdit
{
    int line = 0;
    int from = 0;
    int to = 0;
    std::string text;
    int endLine = -1; // -1: `line`
    int lastLine() const { return endLine < 0 ? line : endLine; }
};

// A frame of the block structure while reading: a key, or a list item.
struct YamlOutlineFrame
{
    int col = 0;        // the key's or the dash's column
    bool item = false;  // a `- ` list item
    std::string key;    // a key frame's key
    int index = 0;      // an item frame's index
    int contentCol = 0; // an item: where its content starts (its mapping's keys)
    int items = 0;      // list items seen below this frame
    bool open = false;  // a key with nothing after it: children follow
};

// `text` with `edit` applied (lines and columns as YamlOutline::fromText(text) counts them);
// nullopt when the edit does not fit the text.
std::optional<std::string> tryApplyEdit(const std::string& text, const TextEdit& edit);
// The same, the text unchanged when the edit does not fit it.
std::string applyEdit(const std::string& text, const TextEdit& edit);

class YamlOutline
{
public:
    explicit YamlOutline(const std::vector<std::string>& lines);
    static YamlOutline fromText(const std::string& text);

    const std::vector<OutlineEntry>& entries() const { return m_entries; }

    // The entry whose key or value spans (line, column), else the innermost entry the position is
    // in (its key's line or a deeper line below it).
    const OutlineEntry* entryAt(int line, int column) const;
    // The key path of whatever is at (line, column): the entry there, or for a position on a
    // blank or partially typed line, the mapping or list the line belongs to by its indentation
    // (the parent of a key being typed).
    KeyPath contextAt(int line, int column) const;
    const OutlineEntry* find(const KeyPath& path) const;
    // The first line of a list item or mapping (`services[3]`), and the last line that belongs to
    // it (before the next sibling or a line indented less).
    std::optional<std::pair<int, int>> span(const KeyPath& path) const;

    // The edit that sets the scalar at `path` to `value` (written as given: the caller quotes),
    // keeping every other character of the file: the value in place when the key is there (block
    // or flow), otherwise new keys inserted under the nearest existing parent mapping, indented as
    // its children are. nullopt when the path's parent is not a mapping this can extend (a list
    // item that does not exist yet, a value in a multi-line flow collection).
    std::optional<TextEdit> setScalar(const KeyPath& path, const std::string& value) const;
    // The edit that replaces the whole value of the key at `path` (a scalar, a one-line flow
    // collection, or a block below the key) by `value`, written after the key on its line (flow
    // style); nullopt when the key is not there.
    std::optional<TextEdit> replaceValue(const KeyPath& path, const std::string& value) const;
    // The edit that appends an item (`itemLines`, YAML of one mapping, lines without indentation)
    // to the top-level list `key`, creating the list at the end of the file when it is missing.
    // nullopt when `key` is there but is not a list this can extend (a scalar, a flow list over
    // several lines).
    std::optional<TextEdit> appendToTopList(const std::string& key,
                                            const std::vector<std::string>& itemLines) const;

private:
    void parse();
    void parseFlow(const std::string& line, int lineNo, int column, const KeyPath& base);

    std::vector<std::string> m_lines;
    std::vector<OutlineEntry> m_entries;
    // Per line: its indentation (-1 for blank, comment or block-scalar lines) and the frames open
    // after it (a position is read against the structure the lines above it built).
    std::vector<int> m_indent;
    std::vector<std::vector<YamlOutlineFrame>> m_snapshots;
};

} // namespace meshsim::topologies
