/**
 * The parts of a letter page that are the same on every letter of a batch (the sender, the
 * instructions, the closing) drawn once and placed again: each is recorded, the first time
 * it is met, as a PDF Form XObject (ISO 32000-1, 8.10) and placed on a page by one `Do`
 * operator. The PDF holds its text once instead of on every page, and the text is laid out
 * once instead of 10,000 times: what makes a batch fast (pdfkit lays out text slowly).
 *
 * Recording catches the content operators pdfkit writes through `doc.addContent` (every
 * drawing and text operator goes there) instead of writing them to the page. A part sets
 * its own colours and line width: a form starts from the graphics state of the page where
 * it is placed, and leaves it as it was.
 */
export class PageStamps {
  private readonly stamps = new Map<string, { name: string; ref: PDFKit.PDFKitReference; endY: number }>();

  constructor(private readonly doc: PDFKit.PDFDocument) {}

  /**
   * Draws what `draw` draws, at the same place: recorded as a form the first time `key` is
   * met, placed again afterwards. `key` must say everything the drawing depends on (its texts,
   * where it starts); the cursor (doc.y) ends where the drawing left it.
   */
  place(key: string, draw: () => void): void {
    const doc = this.doc;
    const stamp = this.stamps.get(key) ?? this.record(key, draw);
    doc.page.xobjects[stamp.name] = stamp.ref;
    doc.addContent(`/${stamp.name} Do`);
    doc.y = stamp.endY;
  }

  private record(key: string, draw: () => void) {
    const doc = this.doc;
    const ops: string[] = [];
    const fonts = doc.page.fonts as Record<string, PDFKit.PDFKitReference>;
    // The page's own method again once this own property is deleted.
    doc.addContent = (data: unknown) => {
      ops.push(String(data));
      return doc;
    };
    try {
      draw();
    } finally {
      delete (doc as { addContent?: unknown }).addContent;
    }
    const name = `Stamp${this.stamps.size + 1}`;
    // Fonts the drawing used: pdfkit registers them on the current page as it draws.
    const ref = doc.ref({
      Type: 'XObject',
      Subtype: 'Form',
      BBox: [0, 0, doc.page.width, doc.page.height],
      Resources: { Font: { ...fonts } },
    });
    ref.end(Buffer.from(`${ops.join('\n')}\n`, 'latin1'));
    const stamp = { name, ref, endY: doc.y };
    this.stamps.set(key, stamp);
    return stamp;
  }
}
