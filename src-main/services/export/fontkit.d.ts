/** The part of fontkit (pdfkit's font engine) the PDF writer uses: does the font draw a character. */
declare module 'fontkit' {
  export interface Font {
    hasGlyphForCodePoint(codePoint: number): boolean;
  }
  export function create(data: Uint8Array): Font;
}
