#pragma once

// The report as a PDF: the HTML report (report/html_report.h) laid out by QTextDocument and
// printed through QPdfWriter, its charts drawn by QSvgRenderer as vector graphics (not images).
// Needs a QGuiApplication.

#include "report/html_report.h"

#include <QString>

#include <optional>

namespace meshsim::report {

// Writes `report` (made with chartsAsImages) to `path`; the number of pages, or nullopt with
// `error` set on failure.
std::optional<int> writePdfReport(const HtmlReport& report, const QString& path, QString& error);

} // namespace meshsim::report
