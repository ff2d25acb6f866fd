#pragma once

// Exports from the GUI: the report of runs (report/: HTML, or PDF through Qt) and pictures of a
// scene (the topology) as SVG or PNG. writeReport touches no widget and may run in a worker
// thread; writeScenePicture paints a scene and runs in the GUI thread.

#include <QString>

#include <nlohmann/json.hpp>

#include <string>
#include <vector>

class QGraphicsScene;

namespace meshsim::ui {

// Writes the report of `runs` (results.json objects; one design each) with their scenario texts,
// as HTML or PDF by the suffix of `path`; the error, or an empty string.
QString writeReport(std::vector<nlohmann::ordered_json> runs,
                    const std::vector<std::string>& texts,
                    const QString& path);

// The scene's items as an SVG drawing or a PNG image (by the suffix), on white.
bool writeScenePicture(QGraphicsScene& scene, const QString& path);

} // namespace meshsim::ui
