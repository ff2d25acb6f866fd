#include "topologies/yaml_outline.h"

#include <algorithm>
#include <sstream>

namespace meshsim::topologies {

std::string formatPath(const KeyPath& path)
{
    std::string out;
    for (const PathStep& step : path) {
        if (step.key.empty()) {
            out += '[' + std::to_string(step.index) + ']';
        } else {
            if (!out.empty())
                out += '.';
            out += step.key;
        }
    }
    return out;
}

std::string genericPath(const KeyPath& path)
{
    std::string out;
    bool inSteps = false;
    for (const PathStep& step : path) {
        if (step.key.empty())
            continue;
        // Step groups nest steps: a call inside `parallel` (or a choice's branch) is described as
        // a step.
        if (inSteps
            && (step.key == "parallel" || step.key == "sequence" || step.key == "choice"
                || step.key == "steps"))
            continue;
        if (step.key == "steps" && !inSteps) {
            inSteps = true;
            if (out == "services.operations") // an operation's steps are steps like any
                out = "services";
        }
        if (!out.empty())
            out += '.';
        out += step.key;
    }
    return out;
}

namespace {

using Frame = YamlOutlineFrame;

KeyPath pathOf(const std::vector<Frame>& frames)
{
    KeyPath path;
    path.reserve(frames.size());
    for (const Frame& f : frames)
        path.push_back(f.item ? PathStep{{}, f.index} : PathStep{f.key, -1});
    return path;
}

bool startsWith(const KeyPath& path, const KeyPath& prefix)
{
    return path.size() >= prefix.size() && std::equal(prefix.begin(), prefix.end(), path.begin());
}

// The line without its comment: a `#` at the start or after a blank, outside quotes.
std::string stripComment(const std::string& line)
{
    char quote = 0;
    for (std::size_t i = 0; i < line.size(); ++i) {
        const char c = line[i];
        if (quote) {
            if (c == quote)
                quote = 0;
        } else if (c == '\'' || c == '"') {
            // A quote opens a quoted scalar only at the start of a token.
            if (i == 0 || line[i - 1] == ' ' || line[i - 1] == '{' || line[i - 1] == '['
                || line[i - 1] == ',' || line[i - 1] == ':')
                quote = c;
        } else if (c == '#' && (i == 0 || line[i - 1] == ' ' || line[i - 1] == '\t')) {
            return line.substr(0, i);
        }
    }
    return line;
}

int firstNonBlank(const std::string& s, int from)
{
    int i = from;
    while (i < static_cast<int>(s.size()) && (s[i] == ' ' || s[i] == '\t'))
        ++i;
    return i;
}

int trimmedEnd(const std::string& s)
{
    int end = static_cast<int>(s.size());
    while (end > 0 && (s[end - 1] == ' ' || s[end - 1] == '\t' || s[end - 1] == '\r'))
        --end;
    return end;
}

// Where the `:` of a block key is (followed by a blank or the end), outside quotes and
// brackets; -1 when the content is not `key: ...`.
int keyColon(const std::string& s, int from, int end)
{
    char quote = 0;
    if (from < end && (s[from] == '{' || s[from] == '['))
        return -1;
    for (int i = from; i < end; ++i) {
        const char c = s[i];
        if (quote) {
            if (c == quote)
                quote = 0;
            continue;
        }
        if ((c == '\'' || c == '"') && i == from) {
            quote = c;
        } else if (c == ':' && (i + 1 == end || s[i + 1] == ' ' || s[i + 1] == '\t')) {
            return i;
        }
    }
    return -1;
}

std::string unquote(const std::string& s)
{
    if (s.size() >= 2 && (s.front() == '"' || s.front() == '\'') && s.back() == s.front())
        return s.substr(1, s.size() - 2);
    return s;
}

// Pops what a key at column `col` closes.
void closeForKey(std::vector<Frame>& frames, int col)
{
    while (!frames.empty()) {
        const Frame& t = frames.back();
        // A key at or right of `col`, or a list item whose dash or content is.
        const bool closes = t.col >= col || (t.item && t.contentCol > col);
        if (!closes)
            break;
        frames.pop_back();
    }
}

// Pops what a dash at column `col` closes, and pushes the new item.
void openItem(std::vector<Frame>& frames, int& rootItems, int col, int contentCol)
{
    while (!frames.empty()) {
        const Frame& t = frames.back();
        if (t.col > col || (t.item && t.col == col) || (!t.item && t.col == col && !t.open))
            frames.pop_back();
        else
            break;
    }
    Frame f;
    f.item = true;
    f.col = col;
    f.contentCol = contentCol;
    f.index = frames.empty() ? rootItems++ : frames.back().items++;
    frames.push_back(f);
}

} // namespace

YamlOutline::YamlOutline(const std::vector<std::string>& lines)
    : m_lines(lines)
{
    parse();
}

std::string applyEdit(const std::string& text, const TextEdit& edit)
{
    return tryApplyEdit(text, edit).value_or(text);
}

std::optional<std::string> tryApplyEdit(const std::string& text, const TextEdit& edit)
{
    // The offset of column `column` of line `line`, npos when the text has no such place.
    const auto offsetOf = [&text](int line, int column) {
        std::size_t start = 0;
        for (int l = 0; l < line; ++l) {
            start = text.find('\n', start);
            if (start == std::string::npos)
                return std::string::npos;
            ++start;
        }
        const std::size_t end = std::min(text.find('\n', start), text.size());
        const std::size_t at = start + static_cast<std::size_t>(column);
        return column < 0 || at > end ? std::string::npos : at;
    };
    const std::size_t from = offsetOf(edit.line, edit.from);
    const std::size_t to = offsetOf(edit.lastLine(), edit.to);
    if (from == std::string::npos || to == std::string::npos || to < from)
        return std::nullopt;
    return text.substr(0, from) + edit.text + text.substr(to);
}

YamlOutline YamlOutline::fromText(const std::string& text)
{
    std::vector<std::string> lines;
    std::istringstream in(text);
    std::string line;
    while (std::getline(in, line))
        lines.push_back(line);
    if (!text.empty() && text.back() == '\n')
        lines.emplace_back();
    return YamlOutline(lines);
}

void YamlOutline::parse()
{
    m_indent.assign(m_lines.size(), -1);
    m_snapshots.assign(m_lines.size(), {});
    std::vector<Frame> frames;
    int rootItems = 0;
    int blockScalarParent = -2; // inside a block scalar: lines indented more than this are text
    for (std::size_t n = 0; n < m_lines.size(); ++n) {
        const std::string& raw = m_lines[n];
        const int lineNo = static_cast<int>(n);
        const int indent = firstNonBlank(raw, 0);
        if (blockScalarParent > -2) {
            if (indent >= static_cast<int>(raw.size()) || indent > blockScalarParent) {
                m_snapshots[n] = frames;
                continue;
            }
            blockScalarParent = -2;
        }
        const std::string s = stripComment(raw);
        const int end = trimmedEnd(s);
        int col = firstNonBlank(s, 0);
        if (col >= end || s.compare(col, 3, "---") == 0 || s.compare(col, 3, "...") == 0
            || s[col] == '%') {
            m_snapshots[n] = frames;
            continue;
        }
        m_indent[n] = col;
        bool afterDash = false;
        while (col < end && s[col] == '-' && (col + 1 == end || s[col + 1] == ' ')) {
            const int content = firstNonBlank(s, col + 1);
            openItem(frames, rootItems, col, content);
            afterDash = true;
            col = content;
        }
        if (col < end) {
            const KeyPath here = pathOf(frames);
            const int colon = keyColon(s, col, end);
            if (colon < 0) {
                if (s[col] == '{' || s[col] == '[') {
                    if (afterDash && s[col] == '{') {
                        // The item itself, so that keys can be added inside its braces.
                        OutlineEntry item;
                        item.path = here;
                        item.line = lineNo;
                        item.keyColumn = col;
                        item.valueColumn = col;
                        m_entries.push_back(std::move(item));
                    }
                    parseFlow(s.substr(0, end), lineNo, col, here);
                } else if (afterDash) {
                    OutlineEntry e;
                    e.path = here;
                    e.line = lineNo;
                    e.keyColumn = col;
                    e.valueColumn = col;
                    e.valueLength = end - col;
                    e.value = unquote(s.substr(col, end - col));
                    m_entries.push_back(std::move(e));
                }
                // else: a key being typed; contextAt reads it against the frames above.
            } else {
                if (!afterDash)
                    closeForKey(frames, col);
                int keyEnd = colon;
                while (keyEnd > col && s[keyEnd - 1] == ' ')
                    --keyEnd;
                Frame f;
                f.col = col;
                f.key = unquote(s.substr(col, keyEnd - col));
                const int valueCol = firstNonBlank(s, colon + 1);
                f.open = valueCol >= end;
                frames.push_back(f);
                OutlineEntry e;
                e.path = pathOf(frames);
                e.line = lineNo;
                e.keyColumn = col;
                e.keyLength = keyEnd - col;
                e.colonColumn = colon;
                e.opensBlock = f.open;
                if (!f.open) {
                    const char c = s[valueCol];
                    if (c == '{' || c == '[') {
                        e.valueColumn = valueCol;
                        const std::size_t at = m_entries.size();
                        m_entries.push_back(e);
                        parseFlow(s.substr(0, end), lineNo, valueCol, KeyPath(m_entries[at].path));
                        m_snapshots[n] = frames;
                        continue;
                    }
                    if (c == '|' || c == '>') {
                        blockScalarParent = afterDash ? col - 1 : col;
                    } else {
                        e.valueColumn = valueCol;
                        e.valueLength = end - valueCol;
                        e.value = unquote(s.substr(valueCol, end - valueCol));
                    }
                }
                m_entries.push_back(std::move(e));
            }
        }
        m_snapshots[n] = frames;
    }
}

void YamlOutline::parseFlow(const std::string& s, int lineNo, int column, const KeyPath& base)
{
    struct Container
    {
        bool map = true;
        KeyPath path;
        int index = 0;             // a list: the current item
        std::string key;           // a map: the key whose value comes next
        std::ptrdiff_t owner = -1; // the entry whose value this is
    };
    std::vector<Container> stack;
    const int end = static_cast<int>(s.size());
    // The entry whose value the first bracket is: the key on this line just before it.
    std::ptrdiff_t owner = -1;
    if (!m_entries.empty() && m_entries.back().line == lineNo && m_entries.back().path == base
        && m_entries.back().valueColumn == column)
        owner = static_cast<std::ptrdiff_t>(m_entries.size()) - 1;
    int i = column;
    while (i < end) {
        const char c = s[i];
        if (c == ' ' || c == '\t') {
            ++i;
            continue;
        }
        if (c == '{' || c == '[') {
            Container k;
            k.map = c == '{';
            if (stack.empty()) {
                k.path = base;
                k.owner = owner;
            } else {
                Container& top = stack.back();
                k.path = top.path;
                if (top.map)
                    k.path.push_back({top.key, -1});
                else
                    k.path.push_back({{}, top.index});
                k.owner = top.map && !m_entries.empty() && m_entries.back().line == lineNo
                                  && m_entries.back().path == k.path
                              ? static_cast<std::ptrdiff_t>(m_entries.size()) - 1
                              : -1;
            }
            stack.push_back(std::move(k));
            ++i;
            continue;
        }
        if (c == '}' || c == ']') {
            if (stack.empty())
                return;
            if (stack.back().owner >= 0 && c == '}')
                m_entries[static_cast<std::size_t>(stack.back().owner)].flowEnd = i;
            stack.pop_back();
            ++i;
            if (stack.empty())
                return;
            continue;
        }
        if (c == ',') {
            if (!stack.empty()) {
                if (stack.back().map)
                    stack.back().key.clear();
                else
                    ++stack.back().index;
            }
            ++i;
            continue;
        }
        if (stack.empty())
            return;
        // A scalar: quoted, or plain up to `,`, `}`, `]` or `: `.
        const int start = i;
        if (c == '"' || c == '\'') {
            ++i;
            while (i < end && s[i] != c)
                ++i;
            if (i < end)
                ++i;
        } else {
            while (i < end && s[i] != ',' && s[i] != '}' && s[i] != ']'
                   && !(s[i] == ':' && (i + 1 == end || s[i + 1] == ' ' || s[i + 1] == ',')))
                ++i;
        }
        int stop = i;
        while (stop > start && s[stop - 1] == ' ')
            --stop;
        const std::string token = s.substr(start, stop - start);
        Container& top = stack.back();
        if (i < end && s[i] == ':' && top.map) {
            top.key = unquote(token);
            OutlineEntry e;
            e.path = top.path;
            e.path.push_back({top.key, -1});
            e.line = lineNo;
            e.keyColumn = start;
            e.keyLength = stop - start;
            e.colonColumn = i;
            e.flow = true;
            const int valueCol = firstNonBlank(s, i + 1);
            if (valueCol < end && s[valueCol] != '{' && s[valueCol] != '[' && s[valueCol] != ','
                && s[valueCol] != '}') {
                int v = valueCol;
                const char q = s[v];
                if (q == '"' || q == '\'') {
                    ++v;
                    while (v < end && s[v] != q)
                        ++v;
                    if (v < end)
                        ++v;
                } else {
                    while (v < end && s[v] != ',' && s[v] != '}' && s[v] != ']')
                        ++v;
                }
                int vEnd = v;
                while (vEnd > valueCol && s[vEnd - 1] == ' ')
                    --vEnd;
                e.valueColumn = valueCol;
                e.valueLength = vEnd - valueCol;
                e.value = unquote(s.substr(valueCol, vEnd - valueCol));
                i = v;
            } else {
                e.valueColumn = valueCol;
                i = valueCol;
            }
            m_entries.push_back(std::move(e));
        } else if (!top.map && !token.empty()) {
            OutlineEntry e;
            e.path = top.path;
            e.path.push_back({{}, top.index});
            e.line = lineNo;
            e.keyColumn = start;
            e.valueColumn = start;
            e.valueLength = stop - start;
            e.value = unquote(token);
            e.flow = true;
            m_entries.push_back(std::move(e));
        } else if (i < end && s[i] == ':') {
            ++i;
        }
    }
}

const OutlineEntry* YamlOutline::entryAt(int line, int column) const
{
    const OutlineEntry* best = nullptr;
    for (const OutlineEntry& e : m_entries) {
        if (e.line != line)
            continue;
        const bool onKey
            = e.keyLength > 0 && column >= e.keyColumn && column <= e.keyColumn + e.keyLength;
        const bool onValue = e.valueLength > 0 && column >= e.valueColumn
                             && column <= e.valueColumn + e.valueLength;
        if (onKey || onValue) {
            if (!best || e.path.size() > best->path.size())
                best = &e;
        }
    }
    return best;
}

KeyPath YamlOutline::contextAt(int line, int column) const
{
    if (const OutlineEntry* e = entryAt(line, column))
        return e->path;
    if (line < 0)
        return {};
    // Read the line up to the position against the frames the lines above built.
    std::vector<Frame> frames;
    int prev = std::min(line, static_cast<int>(m_lines.size())) - 1;
    while (prev >= 0 && m_indent[static_cast<std::size_t>(prev)] < 0)
        --prev;
    if (prev >= 0)
        frames = m_snapshots[static_cast<std::size_t>(prev)];
    int rootItems = 0;
    const std::string s = line < static_cast<int>(m_lines.size())
                              ? stripComment(m_lines[static_cast<std::size_t>(line)])
                              : std::string();
    const int end = std::min(column, trimmedEnd(s));
    int col = firstNonBlank(s, 0);
    if (col >= end) {
        closeForKey(frames, std::min(column, col));
        return pathOf(frames);
    }
    bool afterDash = false;
    while (col < end && s[col] == '-' && (col + 1 == end || s[col + 1] == ' ')) {
        const int content = firstNonBlank(s, col + 1);
        openItem(frames, rootItems, col, content);
        col = content;
        afterDash = true;
    }
    if (!afterDash)
        closeForKey(frames, col);
    const int colon = keyColon(s, col, end);
    if (colon >= 0) {
        int keyEnd = colon;
        while (keyEnd > col && s[keyEnd - 1] == ' ')
            --keyEnd;
        KeyPath path = pathOf(frames);
        path.push_back({unquote(s.substr(col, keyEnd - col)), -1});
        return path;
    }
    return pathOf(frames);
}

const OutlineEntry* YamlOutline::find(const KeyPath& path) const
{
    for (const OutlineEntry& e : m_entries)
        if (e.path == path)
            return &e;
    return nullptr;
}

std::optional<std::pair<int, int>> YamlOutline::span(const KeyPath& path) const
{
    int first = -1, last = -1;
    for (std::size_t n = 0; n < m_lines.size(); ++n) {
        if (m_indent[n] < 0)
            continue;
        bool in = startsWith(pathOf(m_snapshots[n]), path);
        if (!in) {
            // A flow mapping on one line: its entries are on the line.
            for (const OutlineEntry& e : m_entries)
                if (e.line == static_cast<int>(n) && startsWith(e.path, path)) {
                    in = true;
                    break;
                }
        }
        if (in) {
            if (first < 0)
                first = static_cast<int>(n);
            last = static_cast<int>(n);
        } else if (first >= 0) {
            break;
        }
    }
    if (first < 0)
        return std::nullopt;
    return std::make_pair(first, last);
}

std::optional<TextEdit> YamlOutline::setScalar(const KeyPath& path, const std::string& value) const
{
    if (path.empty() || path.back().key.empty())
        return std::nullopt;
    if (const OutlineEntry* e = find(path)) {
        if (e->valueLength > 0)
            return TextEdit{e->line, e->valueColumn, e->valueColumn + e->valueLength, value};
        if (e->valueColumn >= 0 || e->flowEnd >= 0)
            return std::nullopt; // a collection written in flow style
        if (e->opensBlock) {
            const auto sp = span(path);
            if (sp && sp->second > e->line)
                return std::nullopt; // a block mapping or list
            const int colonEnd = e->colonColumn + 1;
            return TextEdit{e->line, colonEnd, colonEnd, " " + value};
        }
        return std::nullopt;
    }
    // The nearest existing parent, then the missing keys under it.
    std::size_t have = path.size() - 1;
    while (have > 0) {
        const KeyPath parent(path.begin(), path.begin() + static_cast<std::ptrdiff_t>(have));
        if (find(parent) || (parent.back().key.empty() && span(parent)))
            break;
        --have;
    }
    const KeyPath parent(path.begin(), path.begin() + static_cast<std::ptrdiff_t>(have));
    for (std::size_t k = have; k < path.size(); ++k)
        if (path[k].key.empty())
            return std::nullopt;
    const OutlineEntry* parentEntry = have > 0 ? find(parent) : nullptr;
    if (parentEntry && parentEntry->flowEnd >= 0) {
        // `{a: 1}` -> `{a: 1, b: value}`
        std::string add;
        for (std::size_t k = have; k < path.size(); ++k)
            add += path[k].key + (k + 1 < path.size() ? ": {" : ": " + value);
        for (std::size_t k = have + 1; k < path.size(); ++k)
            add += '}';
        const std::string& line = m_lines[static_cast<std::size_t>(parentEntry->line)];
        int before = parentEntry->flowEnd;
        while (before > 0 && line[before - 1] == ' ')
            --before;
        const bool empty = before > 0 && line[before - 1] == '{';
        return TextEdit{parentEntry->line, before, before, (empty ? "" : ", ") + add};
    }
    if (parentEntry && !parentEntry->opensBlock)
        return std::nullopt; // a scalar or a list written in flow style
    // Block children: indented as the parent's existing children, else two more than it.
    int indent = 0;
    int after = static_cast<int>(m_lines.size()) - 1;
    if (have > 0) {
        const auto sp = span(parent);
        if (!sp)
            return std::nullopt;
        after = sp->second;
        bool found = false;
        for (const OutlineEntry& e : m_entries)
            if (!e.flow && e.path.size() == have + 1 && startsWith(e.path, parent)
                && !e.path.back().key.empty()) {
                indent = e.keyColumn;
                found = true;
                break;
            }
        if (!found)
            indent = parentEntry ? parentEntry->keyColumn + 2 : 2;
    } else {
        while (after > 0 && m_indent[static_cast<std::size_t>(after)] < 0
               && trimmedEnd(m_lines[static_cast<std::size_t>(after)]) == 0)
            --after;
    }
    std::string text;
    for (std::size_t k = have; k < path.size(); ++k) {
        text += '\n' + std::string(static_cast<std::size_t>(indent), ' ') + path[k].key + ':';
        if (k + 1 == path.size())
            text += ' ' + value;
        indent += 2;
    }
    const int lineEnd
        = after >= 0 ? static_cast<int>(m_lines[static_cast<std::size_t>(after)].size()) : 0;
    return TextEdit{std::max(after, 0), lineEnd, lineEnd, text};
}

std::optional<TextEdit> YamlOutline::replaceValue(const KeyPath& path,
                                                  const std::string& value) const
{
    const OutlineEntry* e = find(path);
    if (!e || e->keyLength == 0)
        return std::nullopt;
    const std::string& line = m_lines[static_cast<std::size_t>(e->line)];
    const int colonEnd = e->colonColumn + 1;
    if (e->valueLength > 0)
        return TextEdit{e->line, e->valueColumn, e->valueColumn + e->valueLength, value};
    if (e->flowEnd >= 0)
        return TextEdit{e->line, e->valueColumn, e->flowEnd + 1, value};
    if (e->valueColumn >= 0) {
        // A flow list on its line: up to its closing bracket.
        int depth = 0;
        for (int i = e->valueColumn; i < static_cast<int>(line.size()); ++i) {
            if (line[static_cast<std::size_t>(i)] == '['
                || line[static_cast<std::size_t>(i)] == '{')
                ++depth;
            else if ((line[static_cast<std::size_t>(i)] == ']'
                      || line[static_cast<std::size_t>(i)] == '}')
                     && --depth == 0)
                return TextEdit{e->line, e->valueColumn, i + 1, value};
        }
        return std::nullopt; // a flow collection over several lines
    }
    // A block below the key: from the colon to the end of its last line.
    const auto sp = span(path);
    const int last = sp ? sp->second : e->line;
    return TextEdit{e->line,
                    colonEnd,
                    static_cast<int>(m_lines[static_cast<std::size_t>(last)].size()),
                    " " + value,
                    last};
}

std::optional<TextEdit>
YamlOutline::appendToTopList(const std::string& key,
                             const std::vector<std::string>& itemLines) const
{
    auto item = [&](int indent) {
        std::string text;
        const std::string pad(static_cast<std::size_t>(indent), ' ');
        for (std::size_t k = 0; k < itemLines.size(); ++k)
            text += '\n' + pad + (k == 0 ? "- " : "  ") + itemLines[k];
        return text;
    };
    if (const OutlineEntry* e = find({{key, -1}})) {
        if (e->opensBlock) {
            const auto sp = span({{key, -1}});
            int indent = 2;
            if (sp && sp->second > e->line) {
                const auto next = static_cast<std::size_t>(e->line) + 1;
                indent = m_indent[next] >= 0 ? m_indent[next] : 2;
            }
            const int last = sp ? sp->second : e->line;
            const int lineEnd = static_cast<int>(m_lines[static_cast<std::size_t>(last)].size());
            return TextEdit{last, lineEnd, lineEnd, item(indent)};
        }
        const std::string& line = m_lines[static_cast<std::size_t>(e->line)];
        if (e->valueColumn >= 0 && e->valueLength == 0
            && line[static_cast<std::size_t>(e->valueColumn)] == '[') {
            // A flow list on the key's line: its closing bracket.
            int depth = 0, close = -1;
            for (int i = e->valueColumn; i < static_cast<int>(line.size()) && close < 0; ++i) {
                const char c = line[static_cast<std::size_t>(i)];
                if (c == '[' || c == '{')
                    ++depth;
                else if ((c == ']' || c == '}') && --depth == 0)
                    close = i;
            }
            if (close >= 0) {
                int inside = e->valueColumn + 1;
                while (inside < close && line[static_cast<std::size_t>(inside)] == ' ')
                    ++inside;
                if (inside == close) // `faults: []`: the empty list becomes a block list
                    return TextEdit{e->line, e->colonColumn + 1, close + 1, item(2)};
                if (itemLines.size() == 1) { // `[a, b]` -> `[a, b, item]`
                    int before = close;
                    while (before > e->valueColumn + 1
                           && line[static_cast<std::size_t>(before - 1)] == ' ')
                        --before;
                    return TextEdit{e->line, before, before, ", " + itemLines.front()};
                }
            }
        }
        return std::nullopt;
    }
    int last = static_cast<int>(m_lines.size()) - 1;
    while (last > 0 && trimmedEnd(m_lines[static_cast<std::size_t>(last)]) == 0)
        --last;
    last = std::max(last, 0);
    const int lineEnd
        = m_lines.empty() ? 0 : static_cast<int>(m_lines[static_cast<std::size_t>(last)].size());
    return TextEdit{last, lineEnd, lineEnd, "\n\n" + key + ':' + item(2)};
}

} // namespace meshsim::topologies
