#include "report/pdf_report.h"

#include <QAbstractTextDocumentLayout>
#include <QPageSize>
#include <QPainter>
#include <QPdfWriter>
#include <QSaveFile>
#include <QSvgRenderer>
#include <QTextBlock>
#include <QTextCursor>
#include <QTextDocument>
#include <QTextObjectInterface>

#include <memory>
#include <vector>

namespace meshsim::report {

namespace {

constexpr int kSvgObject = QTextFormat::UserObject + 1;
constexpr int kSvgIndex = QTextFormat::UserProperty + 1;

// Draws a chart into the document where its placeholder image was: QSvgRenderer paints paths and
// text, so the PDF keeps them as vectors.
class SvgObject final : public QObject, public QTextObjectInterface
{
    Q_OBJECT
    Q_INTERFACES(QTextObjectInterface)

public:
    SvgObject(const std::vector<std::string>& charts, qreal scale)
        : m_scale(scale)
    {
        for (const std::string& svg : charts)
            m_renderers.push_back(std::make_unique<QSvgRenderer>(QByteArray::fromStdString(svg)));
    }
    QSizeF intrinsicSize(QTextDocument* doc, int, const QTextFormat& format) override
    {
        const auto& r = renderer(format);
        QSizeF size = (r ? QSizeF(r->defaultSize()) : QSizeF(100, 50)) * m_scale;
        // Fit the text width.
        const qreal width = doc->textWidth() > 0 ? doc->textWidth() - 8 : size.width();
        if (size.width() > width)
            size = size * (width / size.width());
        return size;
    }
    void drawObject(QPainter* painter,
                    const QRectF& rect,
                    QTextDocument*,
                    int,
                    const QTextFormat& format) override
    {
        if (const auto& r = renderer(format))
            r->render(painter, rect);
    }

private:
    const std::unique_ptr<QSvgRenderer>& renderer(const QTextFormat& format) const
    {
        static const std::unique_ptr<QSvgRenderer> kNone;
        const int i = format.intProperty(kSvgIndex);
        return i >= 0 && i < static_cast<int>(m_renderers.size())
                   ? m_renderers[static_cast<std::size_t>(i)]
                   : kNone;
    }
    std::vector<std::unique_ptr<QSvgRenderer>> m_renderers;
    qreal m_scale; // SVG pixels (1/96 inch) to device pixels
};

} // namespace

std::optional<int> writePdfReport(const HtmlReport& report, const QString& path, QString& error)
{
    // Written whole or not at all (a directory, a read-only place: an error, not a success).
    QSaveFile file(path);
    if (!file.open(QIODevice::WriteOnly)) {
        error = "cannot write " + path + ": " + file.errorString();
        return std::nullopt;
    }
    QPdfWriter writer(&file);
    writer.setPageSize(QPageSize(QPageSize::A4));
    writer.setPageMargins(QMarginsF(15, 15, 15, 15), QPageLayout::Millimeter);
    writer.setResolution(300);
    writer.setTitle("meshsim report");
    writer.setCreator("meshsim");

    QTextDocument doc;
    doc.setDefaultStyleSheet("body { font-family: sans-serif; } td, th { padding: 2px; }");
    QFont font("DejaVu Sans");
    font.setPointSizeF(8.5);
    doc.setDefaultFont(font);
    // Laid out for the PDF's resolution, and printed as laid out (a document with a page size is
    // not cloned by print(), so the chart handler stays with it).
    doc.documentLayout()->setPaintDevice(&writer);
    doc.setPageSize(writer.pageLayout().paintRectPixels(writer.resolution()).size());
    SvgObject svg(report.charts, writer.resolution() / 96.0);
    doc.documentLayout()->registerHandler(kSvgObject, &svg);
    doc.setHtml(QString::fromStdString(report.html));
    // The placeholders <img src="svg:N"> become the vector objects.
    for (QTextBlock block = doc.begin(); block.isValid(); block = block.next()) {
        for (auto it = block.begin(); !it.atEnd(); ++it) {
            const QTextFragment fragment = it.fragment();
            const QTextCharFormat f = fragment.charFormat();
            if (!f.isImageFormat() || !f.toImageFormat().name().startsWith("svg:"))
                continue;
            QTextCharFormat object;
            object.setObjectType(kSvgObject);
            object.setProperty(kSvgIndex, f.toImageFormat().name().mid(4).toInt());
            QTextCursor cursor(&doc);
            cursor.setPosition(fragment.position());
            cursor.setPosition(fragment.position() + fragment.length(), QTextCursor::KeepAnchor);
            cursor.insertText(QString(QChar::ObjectReplacementCharacter), object);
        }
    }
    doc.print(&writer);
    const int pages = doc.pageCount();
    if (file.size() == 0 || !file.commit()) {
        error = "cannot write " + path + ": " + file.errorString();
        return std::nullopt;
    }
    return pages;
}

} // namespace meshsim::report

#include "pdf_report.moc"
