#include "ui/report_export.h"

#include "report/html_report.h"
#include "report/pdf_report.h"

#include <QDateTime>
#include <QGraphicsScene>
#include <QImage>
#include <QPainter>
#include <QSaveFile>
#include <QSvgGenerator>

#ifndef MESHSIM_VERSION
#define MESHSIM_VERSION "unknown"
#endif

namespace meshsim::ui {

namespace {

QString write(std::vector<nlohmann::ordered_json> runs,
              const std::vector<std::string>& texts,
              const QString& path)
{
    report::ReportData data = report::fromRuns(std::move(runs));
    for (std::size_t i = 0; i < texts.size() && i < data.plan.scenarioTexts.size(); ++i)
        data.plan.scenarioTexts[i] = texts[i];
    data.version = MESHSIM_VERSION;
    data.generated = QDateTime::currentDateTimeUtc().toString(Qt::ISODate).toStdString();
    if (path.endsWith(".pdf", Qt::CaseInsensitive)) {
        report::HtmlOptions options;
        options.chartsAsImages = true;
        QString error;
        return report::writePdfReport(report::htmlReport(data, options), path, error) ? QString()
                                                                                      : error;
    }
    const std::string html = report::htmlReport(data).html;
    QSaveFile file(path);
    if (!file.open(QIODevice::WriteOnly)
        || file.write(html.data(), static_cast<qint64>(html.size()))
               != static_cast<qint64>(html.size())
        || !file.commit())
        return QObject::tr("cannot write %1: %2").arg(path, file.errorString());
    return {};
}

} // namespace

QString writeReport(std::vector<nlohmann::ordered_json> runs,
                    const std::vector<std::string>& texts,
                    const QString& path)
{
    if (runs.empty())
        return QObject::tr("no finished run to report");
    try {
        return write(std::move(runs), texts, path);
    } catch (const std::exception& e) { // a worker thread must not let it escape
        return QObject::tr("cannot write the report: %1").arg(QString::fromUtf8(e.what()));
    }
}

bool writeScenePicture(QGraphicsScene& scene, const QString& path)
{
    const QRectF source = scene.itemsBoundingRect().adjusted(-16, -16, 16, 16);
    const QSize size = source.size().toSize();
    if (size.isEmpty())
        return false;
    if (path.endsWith(".svg", Qt::CaseInsensitive)) {
        QSvgGenerator svg;
        svg.setFileName(path);
        svg.setSize(size);
        svg.setViewBox(QRect(QPoint(0, 0), size));
        svg.setTitle("meshsim topology");
        QPainter painter;
        if (!painter.begin(&svg))
            return false;
        painter.fillRect(QRect(QPoint(0, 0), size), Qt::white);
        scene.render(&painter, QRectF(QPointF(0, 0), source.size()), source);
        return painter.end();
    }
    QImage image(size * 2, QImage::Format_ARGB32_Premultiplied);
    image.fill(Qt::white);
    QPainter painter(&image);
    painter.setRenderHint(QPainter::Antialiasing);
    scene.render(&painter, QRectF(QPointF(0, 0), QSizeF(size * 2)), source);
    painter.end();
    return image.save(path);
}

} // namespace meshsim::ui
