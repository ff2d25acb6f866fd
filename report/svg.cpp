#include "report/svg.h"

#include "engine/core/format.h"

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <map>
#include <set>

namespace meshsim::report {

namespace {

std::string num(double v)
{
    return engine::formatFixed(v, 1);
}

std::string tickLabel(double v, bool percent = false)
{
    if (percent)
        v *= 100.0;
    const double a = std::abs(v);
    std::string out;
    if (a != 0.0 && (a >= 1e6 || a < 1e-3))
        out = engine::formatC("%.0e", v);
    else if (a >= 100 || v == std::floor(v))
        out = engine::formatFixed(v, 0);
    else if (a >= 1)
        out = engine::formatFixed(v, 1);
    else
        out = engine::formatSignificant(v, 3);
    return out + (percent ? "%" : "");
}

const char* kFont = "font-family=\"sans-serif\"";

std::string open(int width, int height)
{
    return "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"" + std::to_string(width)
           + "\" height=\"" + std::to_string(height) + "\" viewBox=\"0 0 " + std::to_string(width)
           + " " + std::to_string(height) + "\" " + kFont + " font-size=\"11\">"
           + "<rect x=\"0\" y=\"0\" width=\"" + std::to_string(width) + "\" height=\""
           + std::to_string(height) + "\" fill=\"#ffffff\"/>";
}

std::string text(double x,
                 double y,
                 const std::string& s,
                 const char* anchor = "start",
                 const std::string& extra = "")
{
    return "<text x=\"" + num(x) + "\" y=\"" + num(y) + "\" text-anchor=\"" + anchor + "\""
           + (extra.empty() ? "" : " " + extra) + ">" + escapeXml(s) + "</text>";
}

// The plot frame, ticks and labels; returns the mapping of a value to a position.
struct Frame
{
    double left = 64, right = 0, top = 30, bottom = 0;
    double x0 = 0, x1 = 1, y0 = 0, y1 = 1;
    bool logX = false;
    double px(double x) const
    {
        if (logX) {
            const double a = std::log10(std::max(x0, 1e-12));
            const double b = std::log10(std::max(x1, 1e-12));
            return left + (std::log10(std::max(x, 1e-12)) - a) / (b - a) * (right - left);
        }
        return left + (x - x0) / (x1 - x0) * (right - left);
    }
    double py(double y) const { return bottom - (y - y0) / (y1 - y0) * (bottom - top); }
};

} // namespace

const std::string& seriesColour(std::size_t i)
{
    static const std::vector<std::string> kColours
        = {"#0072B2", "#D55E00", "#009E73", "#CC79A7", "#E69F00", "#56B4E9", "#000000", "#F0E442"};
    return kColours[i % kColours.size()];
}

std::string escapeXml(const std::string& s)
{
    std::string out;
    out.reserve(s.size());
    for (std::size_t i = 0; i < s.size();) {
        const auto c = static_cast<unsigned char>(s[i]);
        if (c < 0x80) {
            switch (c) {
            case '&':
                out += "&amp;";
                break;
            case '<':
                out += "&lt;";
                break;
            case '>':
                out += "&gt;";
                break;
            case '"':
                out += "&quot;";
                break;
            case '\'':
                out += "&#39;";
                break;
            default:
                // Control characters are not allowed in XML 1.0.
                if (c >= 0x20 || c == '\n' || c == '\t')
                    out += static_cast<char>(c);
            }
            ++i;
            continue;
        }
        // A UTF-8 sequence is copied whole; a broken one becomes U+FFFD.
        const std::size_t length = c >= 0xf0 && c < 0xf5 ? 4 : c >= 0xe0 ? 3 : c >= 0xc2 ? 2 : 0;
        bool valid = length > 0 && c < 0xf5 && i + length <= s.size();
        for (std::size_t k = 1; valid && k < length; ++k)
            valid = (static_cast<unsigned char>(s[i + k]) & 0xc0) == 0x80;
        if (valid) {
            out.append(s, i, length);
            i += length;
        } else {
            out += "\xef\xbf\xbd";
            ++i;
        }
    }
    return out;
}

std::string utf8Prefix(const std::string& s, std::size_t characters)
{
    std::size_t i = 0;
    for (std::size_t n = 0; i < s.size() && n < characters; ++n) {
        ++i;
        while (i < s.size() && (static_cast<unsigned char>(s[i]) & 0xc0) == 0x80)
            ++i;
    }
    return s.substr(0, i);
}

std::vector<double> niceTicks(double low, double high, int target)
{
    if (!(high > low)) {
        high = low + 1.0;
    }
    const double raw = (high - low) / std::max(1, target);
    const double magnitude = std::pow(10.0, std::floor(std::log10(raw)));
    double step = magnitude;
    for (double m : {1.0, 2.0, 5.0, 10.0})
        if (m * magnitude >= raw) {
            step = m * magnitude;
            break;
        }
    std::vector<double> ticks;
    for (double t = std::ceil(low / step - 1e-9) * step; t <= high + step * 1e-9; t += step)
        ticks.push_back(std::abs(t) < step * 1e-9 ? 0.0 : t);
    return ticks;
}

std::string lineChart(const LineChart& c)
{
    Frame f;
    f.right = c.width - 16;
    f.bottom = c.height - 58;
    f.logX = c.logX;
    bool any = false;
    double xmin = 0, xmax = 1, ymax = 0;
    for (const Series& s : c.series)
        for (const auto& [x, y] : s.points) {
            if (!std::isfinite(x) || !std::isfinite(y) || (c.logX && x <= 0))
                continue;
            xmin = any ? std::min(xmin, x) : x;
            xmax = any ? std::max(xmax, x) : x;
            ymax = std::max(ymax, y);
            any = true;
        }
    if (c.limit)
        ymax = std::max(ymax, *c.limit * 1.05);
    const std::vector<double> yt = niceTicks(0.0, ymax > 0 ? ymax : 1.0);
    f.y0 = 0;
    f.y1 = yt.back();
    f.x0 = xmin;
    f.x1 = xmax > xmin ? xmax : xmin + 1.0;
    std::string out = open(c.width, c.height);
    out += text(f.left, 18, c.title, "start", "font-size=\"13\" font-weight=\"bold\"");
    for (double t : yt) {
        out += "<line x1=\"" + num(f.left) + "\" x2=\"" + num(f.right) + "\" y1=\"" + num(f.py(t))
               + "\" y2=\"" + num(f.py(t)) + "\" stroke=\"#e0e0e0\"/>";
        out += text(f.left - 6, f.py(t) + 4, tickLabel(t), "end");
    }
    std::vector<double> xt;
    if (c.logX) {
        for (double d = std::pow(10.0, std::floor(std::log10(std::max(f.x0, 1e-12)))); d <= f.x1;
             d *= 10)
            if (d >= f.x0)
                xt.push_back(d);
    } else {
        xt = niceTicks(f.x0, f.x1);
    }
    for (double t : xt) {
        if (t < f.x0 - 1e-12 || t > f.x1 + 1e-12)
            continue;
        out += "<line x1=\"" + num(f.px(t)) + "\" x2=\"" + num(f.px(t)) + "\" y1=\"" + num(f.bottom)
               + "\" y2=\"" + num(f.bottom + 4) + "\" stroke=\"#606060\"/>";
        out += text(f.px(t), f.bottom + 16, tickLabel(t), "middle");
    }
    out += "<rect x=\"" + num(f.left) + "\" y=\"" + num(f.top) + "\" width=\""
           + num(f.right - f.left) + "\" height=\"" + num(f.bottom - f.top)
           + "\" fill=\"none\" stroke=\"#606060\"/>";
    out += text((f.left + f.right) / 2, f.bottom + 32, c.xLabel, "middle");
    out += text(14,
                (f.top + f.bottom) / 2,
                c.yLabel,
                "middle",
                "transform=\"rotate(-90 14 " + num((f.top + f.bottom) / 2) + ")\"");
    if (c.limit) {
        const double y = f.py(*c.limit);
        out += "<line x1=\"" + num(f.left) + "\" x2=\"" + num(f.right) + "\" y1=\"" + num(y)
               + "\" y2=\"" + num(y) + "\" stroke=\"#c00000\" stroke-dasharray=\"6 4\"/>";
        out += text(f.right - 4, y - 4, c.limitLabel, "end", "fill=\"#c00000\"");
    }
    for (std::size_t i = 0; i < c.series.size(); ++i) {
        std::string d;
        for (const auto& [x, y] : c.series[i].points) {
            if (!std::isfinite(x) || !std::isfinite(y) || (c.logX && x <= 0))
                continue;
            d += (d.empty() ? "M" : " L") + num(f.px(x)) + " " + num(f.py(std::min(y, f.y1)));
        }
        if (!d.empty())
            out += "<path d=\"" + d + "\" fill=\"none\" stroke=\"" + seriesColour(i)
                   + "\" stroke-width=\"1.6\"/>";
        if (c.series[i].points.size() <= 40)
            for (const auto& [x, y] : c.series[i].points)
                if (std::isfinite(x) && std::isfinite(y) && !(c.logX && x <= 0))
                    out += "<circle cx=\"" + num(f.px(x)) + "\" cy=\""
                           + num(f.py(std::min(y, f.y1))) + "\" r=\"2.5\" fill=\"" + seriesColour(i)
                           + "\"/>";
    }
    // Legend below the axis label.
    double lx = f.left;
    for (std::size_t i = 0; i < c.series.size(); ++i) {
        out += "<rect x=\"" + num(lx) + "\" y=\"" + num(c.height - 16.0)
               + "\" width=\"12\" "
                 "height=\"4\" fill=\""
               + seriesColour(i) + "\"/>";
        out += text(lx + 16, c.height - 11.0, c.series[i].name);
        lx += 28 + 6.2 * static_cast<double>(c.series[i].name.size());
    }
    return out + "</svg>";
}

std::string barChart(const BarChart& c)
{
    Frame f;
    f.right = c.width - 16;
    f.bottom = c.height - 70;
    double ymax = 0;
    for (const Series& s : c.series)
        for (const auto& p : s.points)
            ymax = std::max(ymax, p.second);
    const std::vector<double> yt = niceTicks(0.0, ymax > 0 ? ymax : (c.percent ? 0.01 : 1.0));
    f.y1 = yt.back();
    std::string out = open(c.width, c.height);
    out += text(f.left, 18, c.title, "start", "font-size=\"13\" font-weight=\"bold\"");
    for (double t : yt) {
        out += "<line x1=\"" + num(f.left) + "\" x2=\"" + num(f.right) + "\" y1=\"" + num(f.py(t))
               + "\" y2=\"" + num(f.py(t)) + "\" stroke=\"#e0e0e0\"/>";
        out += text(f.left - 6, f.py(t) + 4, tickLabel(t, c.percent), "end");
    }
    out += text(14,
                (f.top + f.bottom) / 2,
                c.yLabel,
                "middle",
                "transform=\"rotate(-90 14 " + num((f.top + f.bottom) / 2) + ")\"");
    const double group = (f.right - f.left) / std::max<std::size_t>(1, c.categories.size());
    const double bar = group * 0.8 / std::max<std::size_t>(1, c.series.size());
    for (std::size_t g = 0; g < c.categories.size(); ++g) {
        const double gx = f.left + group * static_cast<double>(g) + group * 0.1;
        for (std::size_t s = 0; s < c.series.size(); ++s) {
            const double v = g < c.series[s].points.size() ? c.series[s].points[g].second : 0.0;
            const double y = f.py(v);
            out += "<rect x=\"" + num(gx + bar * static_cast<double>(s)) + "\" y=\"" + num(y)
                   + "\" width=\"" + num(std::max(1.0, bar - 1)) + "\" height=\""
                   + num(std::max(0.0, f.bottom - y)) + "\" fill=\"" + seriesColour(s) + "\"/>";
        }
        out += text(gx + group * 0.4, f.bottom + 14, c.categories[g], "middle");
    }
    out += "<line x1=\"" + num(f.left) + "\" x2=\"" + num(f.right) + "\" y1=\"" + num(f.bottom)
           + "\" y2=\"" + num(f.bottom) + "\" stroke=\"#606060\"/>";
    double lx = f.left;
    for (std::size_t i = 0; i < c.series.size(); ++i) {
        out += "<rect x=\"" + num(lx) + "\" y=\"" + num(c.height - 18.0)
               + "\" width=\"12\" height=\"8\" fill=\"" + seriesColour(i) + "\"/>";
        out += text(lx + 16, c.height - 10.0, c.series[i].name);
        lx += 28 + 6.2 * static_cast<double>(c.series[i].name.size());
    }
    return out + "</svg>";
}

std::string topologySvg(const nlohmann::ordered_json& r, int width)
{
    // Components and their depth: the longest call chain from a component nobody calls.
    std::vector<std::string> names;
    std::map<std::string, std::size_t> index;
    std::vector<std::pair<std::size_t, std::size_t>> edges;
    std::vector<double> rates;
    const double seconds = std::max(r.value("measured_seconds", 1.0), 1e-9);
    const auto id = [&](const std::string& n) {
        const auto [it, fresh] = index.try_emplace(n, names.size());
        if (fresh)
            names.push_back(n);
        return it->second;
    };
    for (const auto& e : r["edges"]) {
        const std::size_t a = id(e.value("from", ""));
        const std::size_t b = id(e.value("to", ""));
        edges.emplace_back(a, b);
        rates.push_back(e.value("requests", 0.0) / seconds);
    }
    std::vector<int> depth(names.size(), 0);
    // Relax: the call graph is acyclic (the loader refuses cycles); bounded by the node count.
    for (std::size_t round = 0; round < names.size(); ++round) {
        bool changed = false;
        for (const auto& [a, b] : edges)
            if (depth[b] < depth[a] + 1 && depth[a] + 1 <= static_cast<int>(names.size())) {
                depth[b] = depth[a] + 1;
                changed = true;
            }
        if (!changed)
            break;
    }
    const int layers = names.empty() ? 1 : *std::max_element(depth.begin(), depth.end()) + 1;
    std::vector<std::vector<std::size_t>> byLayer(static_cast<std::size_t>(layers));
    for (std::size_t i = 0; i < names.size(); ++i)
        byLayer[static_cast<std::size_t>(depth[i])].push_back(i);
    std::size_t tallest = 1;
    for (const auto& l : byLayer)
        tallest = std::max(tallest, l.size());
    const int boxW = 118, boxH = 26, rowH = 40;
    const int height = 40 + static_cast<int>(tallest) * rowH;
    const double colW = static_cast<double>(width - 20) / layers;
    std::vector<std::pair<double, double>> pos(names.size());
    for (std::size_t l = 0; l < byLayer.size(); ++l) {
        const double top = 30 + (static_cast<double>(tallest) - byLayer[l].size()) * rowH / 2.0;
        for (std::size_t k = 0; k < byLayer[l].size(); ++k)
            pos[byLayer[l][k]] = {10 + colW * (static_cast<double>(l) + 0.5),
                                  top + rowH * (static_cast<double>(k) + 0.5)};
    }
    std::string out = open(width, height);
    out += "<defs><marker id=\"arrow\" viewBox=\"0 0 10 10\" refX=\"10\" refY=\"5\" "
           "markerWidth=\"7\" markerHeight=\"7\" orient=\"auto\"><path d=\"M0 0 L10 5 L0 10 z\" "
           "fill=\"#707070\"/></marker></defs>";
    out += text(10,
                18,
                "Topology: components by call depth, arrows labelled with calls per second",
                "start",
                "font-size=\"12\" font-weight=\"bold\"");
    for (std::size_t e = 0; e < edges.size(); ++e) {
        const auto [a, b] = edges[e];
        const double x1 = pos[a].first + boxW / 2.0, y1 = pos[a].second;
        const double x2 = pos[b].first - boxW / 2.0, y2 = pos[b].second;
        out += "<line x1=\"" + num(x1) + "\" y1=\"" + num(y1) + "\" x2=\"" + num(x2) + "\" y2=\""
               + num(y2) + "\" stroke=\"#909090\" marker-end=\"url(#arrow)\"/>";
        const std::string label = engine::formatFixed(rates[e], 0) + "/s";
        out += text(
            (x1 + x2) / 2, (y1 + y2) / 2 - 3, label, "middle", "font-size=\"9\" fill=\"#505050\"");
    }
    for (std::size_t i = 0; i < names.size(); ++i) {
        const bool proxy = names[i] == "gateway" || names[i] == "ingress";
        const bool client = depth[i] == 0;
        out += "<rect x=\"" + num(pos[i].first - boxW / 2.0) + "\" y=\""
               + num(pos[i].second - boxH / 2.0) + "\" width=\"" + std::to_string(boxW)
               + "\" height=\"" + std::to_string(boxH) + "\" rx=\"5\" fill=\""
               + (proxy    ? "#fde7d7"
                  : client ? "#eeeeee"
                           : "#dbe9f6")
               + "\" stroke=\"#505050\"/>";
        out += text(pos[i].first, pos[i].second + 4, utf8Prefix(names[i], 18), "middle");
    }
    return out + "</svg>";
}

std::string timelineSvg(const nlohmann::ordered_json& r, int width)
{
    struct Row
    {
        const char* label;
        std::vector<std::string> kinds;
        std::string colour;
    };
    const std::vector<Row> rows = {{"faults", {"killed", "node_down", "restored"}, "#c00000"},
                                   {"readiness", {"not_ready", "ready"}, "#E69F00"},
                                   {"health checks", {"unhealthy", "healthy"}, "#CC79A7"},
                                   {"ejections", {"ejection", "return"}, "#0072B2"},
                                   {"breakers", {"circuit_breaker"}, "#009E73"}};
    const double warmup = r.value("warmup_seconds", 0.0);
    const double end = std::max(warmup + r.value("measured_seconds", 0.0), 1e-9);
    Frame f;
    f.left = 100;
    f.right = width - 16;
    f.top = 30;
    const double rowH = 22;
    f.bottom = f.top + rowH * static_cast<double>(rows.size());
    f.x0 = 0;
    f.x1 = end;
    const int height = static_cast<int>(f.bottom) + 40;
    std::string out = open(width, height);
    out += text(10,
                18,
                "State changes over time (a mark per change; faults shaded until restored)",
                "start",
                "font-size=\"12\" font-weight=\"bold\"");
    out += "<rect x=\"" + num(f.px(0)) + "\" y=\"" + num(f.top) + "\" width=\""
           + num(f.px(warmup) - f.px(0)) + "\" height=\"" + num(f.bottom - f.top)
           + "\" fill=\"#f0f0f0\"/>";
    const nlohmann::ordered_json& timeline = r["timeline"];
    // Faults: shaded from the fault to the restore of the same place.
    for (const auto& t : timeline) {
        const std::string kind = t.value("kind", "");
        if (kind != "killed" && kind != "node_down")
            continue;
        const double at = t.value("at_seconds", 0.0);
        double until = end;
        for (const auto& u : timeline)
            if (u.value("kind", "") == "restored" && u.value("where", "") == t.value("where", "")
                && u.value("at_seconds", 0.0) >= at) {
                until = std::min(until, u.value("at_seconds", 0.0));
                break;
            }
        if (at < end)
            out += "<rect x=\"" + num(f.px(at)) + "\" y=\"" + num(f.top) + "\" width=\""
                   + num(std::max(1.0, f.px(until) - f.px(at))) + "\" height=\"" + num(rowH)
                   + "\" fill=\"#f4c7c7\"/>";
    }
    for (std::size_t i = 0; i < rows.size(); ++i) {
        const double y = f.top + rowH * static_cast<double>(i);
        out += text(f.left - 6, y + rowH / 2 + 4, rows[i].label, "end");
        out += "<line x1=\"" + num(f.left) + "\" x2=\"" + num(f.right) + "\" y1=\"" + num(y + rowH)
               + "\" y2=\"" + num(y + rowH) + "\" stroke=\"#e0e0e0\"/>";
        for (const auto& t : timeline) {
            const std::string kind = t.value("kind", "");
            if (std::find(rows[i].kinds.begin(), rows[i].kinds.end(), kind) == rows[i].kinds.end())
                continue;
            const double at = t.value("at_seconds", 0.0);
            if (at > end)
                continue;
            // Going bad: a full mark; going good again: a short one.
            const bool recovery = kind == "restored" || kind == "ready" || kind == "healthy"
                                  || kind == "return" || t.value("detail", "") == "closed";
            out += "<line x1=\"" + num(f.px(at)) + "\" x2=\"" + num(f.px(at)) + "\" y1=\""
                   + num(y + (recovery ? rowH * 0.55 : 3)) + "\" y2=\"" + num(y + rowH - 3)
                   + "\" stroke=\"" + rows[i].colour + "\" stroke-width=\"1.4\"/>";
        }
    }
    out += "<rect x=\"" + num(f.left) + "\" y=\"" + num(f.top) + "\" width=\""
           + num(f.right - f.left) + "\" height=\"" + num(f.bottom - f.top)
           + "\" fill=\"none\" stroke=\"#606060\"/>";
    for (double t : niceTicks(0, end)) {
        if (t > end + 1e-9)
            continue;
        out += "<line x1=\"" + num(f.px(t)) + "\" x2=\"" + num(f.px(t)) + "\" y1=\"" + num(f.bottom)
               + "\" y2=\"" + num(f.bottom + 4) + "\" stroke=\"#606060\"/>";
        out += text(f.px(t), f.bottom + 16, tickLabel(t), "middle");
    }
    out += text(
        (f.left + f.right) / 2, f.bottom + 32, "simulated time (s); warmup in grey", "middle");
    return out + "</svg>";
}

} // namespace meshsim::report
